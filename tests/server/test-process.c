/* test-process.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The iflow2api executable itself: options, and a clean stop on SIGTERM
 * while a stream is in flight. */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "i2a-test-util.h"

typedef struct
{
  GSubprocess *proc;
  GString     *stderr_text;
  char        *base;
  gboolean     exited;
} Proxy;

static gboolean
proc_exited (gpointer data)
{
  return ((Proxy *) data)->exited;
}

static void
wait_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  Proxy *p = data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  p->exited = TRUE;
}

static void
stderr_line_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  Proxy *p = data;
  g_autofree char *line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (source), result, NULL, NULL);
  const char *at;

  if (line == NULL)
    return;
  g_string_append_printf (p->stderr_text, "%s\n", line);
  if (p->base == NULL && (at = strstr (line, "Listening on http://")))
    {
      p->base = g_strdup (at + strlen ("Listening on "));
      g_strchomp (p->base);
      if (g_str_has_suffix (p->base, "/v1"))
        p->base[strlen (p->base) - 3] = '\0';
    }
  g_data_input_stream_read_line_async (G_DATA_INPUT_STREAM (source), G_PRIORITY_DEFAULT, NULL,
                                       stderr_line_cb, p);
}

static gboolean
have_base (gpointer data)
{
  return ((Proxy *) data)->base != NULL || ((Proxy *) data)->exited;
}

typedef struct { I2aFakeIflow *fake; GSubprocess *proc; } TermWhen;

/* SIGTERM once the stream is flowing: two events written upstream (a
 * fixed delay raced the stream's start on slow builds). */
static gboolean
term_when_flowing (gpointer data)
{
  TermWhen *t = data;

  if (i2a_fake_iflow_get_chunks_written (t->fake) < 2)
    return G_SOURCE_CONTINUE;
  g_subprocess_send_signal (t->proc, SIGTERM);
  return G_SOURCE_REMOVE;
}

static Proxy *
proxy_spawn (const char *home,
             ...)
{
  Proxy *p = g_new0 (Proxy, 1);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GDataInputStream) err = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *keys = g_build_filename (home, "no-keys.json", NULL);
  g_autofree char *config = g_build_filename (home, ".config", NULL);
  const char *arg;
  va_list ap;

  g_ptr_array_add (argv, (gpointer) g_getenv ("I2A_BINARY"));
  va_start (ap, home);
  while ((arg = va_arg (ap, const char *)))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_setenv (launcher, "HOME", home, TRUE);
  g_subprocess_launcher_setenv (launcher, "IFLOW2API_KEYS_PATH", keys, TRUE);
  /* Settings in a file under @home, which a test may write. */
  g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "keyfile", TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "G_SLICE");
  p->stderr_text = g_string_new (NULL);
  p->proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_wait_async (p->proc, NULL, wait_cb, p);
  err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (p->proc));
  g_data_input_stream_read_line_async (err, G_PRIORITY_DEFAULT, NULL, stderr_line_cb, p);
  return p;
}

static void
proxy_free (Proxy *p)
{
  if (!p->exited)
    {
      g_subprocess_force_exit (p->proc);
      i2a_test_wait_until (proc_exited, p, 5000);
    }
  g_object_unref (p->proc);
  g_string_free (p->stderr_text, TRUE);
  g_free (p->base);
  g_free (p);
}

static void
test_sigterm_ends_streams (void)
{
  I2aFakeIflow *fake = i2a_fake_iflow_new ();
  g_autofree char *home = i2a_test_mkdtemp ();
  g_autofree char *fake_base = NULL;
  g_autofree char *settings = NULL;
  g_autofree char *json = NULL;
  g_autofree char *url = NULL;
  g_autofree char *body = i2a_test_chat_body ("glm-5", "fake:slow 400 50", TRUE);
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 0, NULL);
  g_autoptr(I2aTestResponse) r = NULL;
  Proxy *p;
  TermWhen term;
  gint64 t0;

  i2a_fake_iflow_add_key (fake, I2A_TEST_KEY);
  fake_base = i2a_fake_iflow_dup_base_url (fake);
  settings = g_build_filename (home, ".iflow", "settings.json", NULL);
  json = g_strdup_printf ("{\"apiKey\":\"%s\",\"baseUrl\":\"%s\"}", I2A_TEST_KEY, fake_base);
  i2a_test_write_file (settings, json);

  p = proxy_spawn (home, "--headless", "--port", "0", NULL);
  g_assert_true (i2a_test_wait_until (have_base, p, 10000));
  g_assert_nonnull (p->base);

  /* SIGTERM while a stream is flowing. */
  url = g_strconcat (p->base, "/v1/chat/completions", NULL);
  term.fake = fake;
  term.proc = p->proc;
  g_timeout_add (10, term_when_flowing, &term);
  r = i2a_test_request (session, "POST", url, NULL, "application/json", body, 0, 0);
  t0 = g_get_monotonic_time ();

  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpuint (r->events->len, >=, 3);
  g_assert_cmpstr (r->events->pdata[r->events->len - 1], ==, "[DONE]");
  g_assert_nonnull (strstr (r->events->pdata[r->events->len - 2], "shutting down"));
  g_assert_true (i2a_test_wait_until (proc_exited, p, 5000));
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 3 * G_USEC_PER_SEC);
  g_assert_true (g_subprocess_get_if_exited (p->proc));
  g_assert_cmpint (g_subprocess_get_exit_status (p->proc), ==, 0);

  proxy_free (p);
  i2a_fake_iflow_free (fake);
  i2a_test_rm_rf (home);
}

static void
run_simple (const char  *home,
            const char  *arg,
            int          want_status,
            GString    **out_text)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  g_subprocess_launcher_setenv (launcher, "HOME", home, TRUE);
  proc = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("I2A_BINARY"), arg, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  if (want_status < 0)
    g_assert_cmpint (g_subprocess_get_exit_status (proc), !=, 0);
  else
    g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, want_status);
  *out_text = g_string_new (out);
}

static void
test_version_and_help (void)
{
  g_autofree char *home = i2a_test_mkdtemp ();
  GString *version, *help, *bad;

  run_simple (home, "--version", 0, &version);
  g_assert_nonnull (strstr (version->str, "iflow2api " PACKAGE_VERSION));
  run_simple (home, "--help", 0, &help);
  g_assert_nonnull (strstr (help->str, "--headless"));
  g_assert_nonnull (strstr (help->str, "--port"));
  g_assert_nonnull (strstr (help->str, "--host"));
  run_simple (home, "--no-such-option", -1, &bad);
  g_assert_nonnull (strstr (bad->str, "--no-such-option"));
  g_string_free (version, TRUE);
  g_string_free (help, TRUE);
  g_string_free (bad, TRUE);
  i2a_test_rm_rf (home);
}

static void
test_port_in_use (void)
{
  g_autofree char *home = i2a_test_mkdtemp ();
  g_autoptr(GSocketService) holder = g_socket_service_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *port = NULL;
  guint16 n;
  Proxy *p;

  n = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (holder), NULL, &error);
  g_assert_no_error (error);
  port = g_strdup_printf ("%u", n);
  p = proxy_spawn (home, "--headless", "--port", port, NULL);
  g_assert_true (i2a_test_wait_until (proc_exited, p, 10000));
  g_assert_cmpint (g_subprocess_get_exit_status (p->proc), ==, 1);
  /* Let the stderr reader drain. */
  i2a_test_sleep_ms (100);
  g_assert_nonnull (strstr (p->stderr_text->str, "cannot start the server"));
  proxy_free (p);
  i2a_test_rm_rf (home);
}

static void
test_no_display_serves (void)
{
  g_autofree char *home = i2a_test_mkdtemp ();
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(I2aTestResponse) r = NULL;
  g_autofree char *url = NULL;
  Proxy *p;

  /* No --headless, no display: the server still comes up. */
  p = proxy_spawn (home, "--port", "0", NULL);
  g_assert_true (i2a_test_wait_until (have_base, p, 10000));
  g_assert_nonnull (p->base);
#if HAVE_GUI
  /* Built without the desktop app it is always headless, silently. */
  g_assert_nonnull (strstr (p->stderr_text->str, "no display"));
#endif
  url = g_strconcat (p->base, "/health", NULL);
  r = i2a_test_request (session, "GET", url, NULL, NULL, NULL, 0, 0);
  g_assert_cmpuint (r->status, ==, 200);
  proxy_free (p);
  i2a_test_rm_rf (home);
}

/* Started without G_SLICE, the program runs with plain malloc (which the
 * heap trim after a burst of streams needs): it sets the variable and
 * starts itself again, keeping its process id. */
static void
test_plain_malloc (void)
{
  g_autofree char *home = i2a_test_mkdtemp ();
  g_autofree char *path = NULL;
  g_autofree char *environ_text = NULL;
  gsize len = 0;
  gboolean found = FALSE;
  Proxy *p;

  p = proxy_spawn (home, "--headless", "--port", "0", NULL);
  g_assert_true (i2a_test_wait_until (have_base, p, 10000));
  g_assert_nonnull (p->base);
  path = g_strdup_printf ("/proc/%s/environ", g_subprocess_get_identifier (p->proc));
  g_assert_true (g_file_get_contents (path, &environ_text, &len, NULL));
  /* NUL-separated entries. */
  for (gsize at = 0; at < len; at += strlen (environ_text + at) + 1)
    found = found || g_str_equal (environ_text + at, "G_SLICE=always-malloc");
  g_assert_true (found);

  proxy_free (p);
  i2a_test_rm_rf (home);
}

/* The settings file of the keyfile backend under @home. */
static void
write_settings (const char *home,
                const char *hosts,
                const char *origins)
{
  g_autofree char *path = g_build_filename (home, ".config", "glib-2.0", "settings", "keyfile", NULL);
  g_autofree char *text = g_strdup_printf ("[io/github/iflow2api/Iflow2Api]\nallowed-hosts=%s\n"
                                           "allowed-origins=%s\n", hosts, origins);

  i2a_test_write_file (path, text);
}

typedef struct
{
  SoupSession *session;
  const char  *url;
  const char  *header;
  const char  *value;
  guint        want;
} Probe;

static guint
probe_status (Probe *probe)
{
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", probe->url);
  g_autoptr(GBytes) body = NULL;

  soup_message_headers_replace (soup_message_get_request_headers (msg), probe->header, probe->value);
  body = soup_session_send_and_read (probe->session, msg, NULL, NULL);
  return soup_message_get_status (msg);
}

static gboolean
probe_answers (gpointer data)
{
  Probe *probe = data;

  if (probe_status (probe) == probe->want)
    return TRUE;
  i2a_test_sleep_ms (100);
  return FALSE;
}

/* --headless follows the window's allowed origins and host names, also
 * when they change while it runs. */
static void
test_headless_follows_settings (void)
{
  g_autofree char *home = i2a_test_mkdtemp ();
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = NULL;
  g_autofree char *host = NULL;
  Probe origin = { session, NULL, "Origin", "http://app.test:3000", 200 };
  Probe named = { session, NULL, "Host", NULL, 200 };
  Proxy *p;

  write_settings (home, "['box.test']", "['http://app.test:3000']");
  p = proxy_spawn (home, "--headless", "--port", "0", NULL);
  g_assert_true (i2a_test_wait_until (have_base, p, 10000));
  g_assert_nonnull (p->base);
  url = g_strconcat (p->base, "/v1/models", NULL);
  host = g_strdup_printf ("box.test:%s", strrchr (p->base, ':') + 1);
  origin.url = named.url = url;
  named.value = host;
  g_assert_cmpuint (probe_status (&origin), ==, 200);
  g_assert_cmpuint (probe_status (&named), ==, 200);
  {
    Probe other = { session, url, "Host", "other.test", 0 };

    g_assert_cmpuint (probe_status (&other), ==, 403);
  }
  /* Removed while it runs: refused again, without a restart. */
  write_settings (home, "@as []", "@as []");
  origin.want = named.want = 403;
  g_assert_true (i2a_test_wait_until (probe_answers, &origin, 10000));
  g_assert_true (i2a_test_wait_until (probe_answers, &named, 10000));

  proxy_free (p);
  i2a_test_rm_rf (home);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/process/sigterm-ends-streams", test_sigterm_ends_streams);
  g_test_add_func ("/server/process/version-and-help", test_version_and_help);
  g_test_add_func ("/server/process/port-in-use", test_port_in_use);
  g_test_add_func ("/server/process/no-display-serves", test_no_display_serves);
  g_test_add_func ("/server/process/plain-malloc", test_plain_malloc);
  g_test_add_func ("/server/process/headless-follows-settings", test_headless_follows_settings);

  return g_test_run ();
}
