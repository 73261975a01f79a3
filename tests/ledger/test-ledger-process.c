/* test-ledger-process.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The ledger in the real iflow2api process: SIGKILL under load loses at
 * most the last second, the database opens again, and `iflow2api usage`
 * reads it. */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sqlite3.h>

#include "i2a-json.h"
#include "i2a-test-util.h"

typedef struct
{
  SoupSession *session;
  char        *url;
  char        *body;
  GArray      *finished;   /* gint64 monotonic µs of each 200 answer */
  guint        in_flight;
  gboolean     stop;
} Load;

static void send_one (Load *load);

static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Load *load = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GBytes) bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);

  load->in_flight--;
  if (bytes && soup_message_get_status (msg) == 200)
    {
      gint64 now = g_get_monotonic_time ();

      g_array_append_val (load->finished, now);
    }
  if (!load->stop)
    send_one (load);
}

static void
send_one (Load *load)
{
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", load->url);
  g_autoptr(GBytes) body = g_bytes_new (load->body, strlen (load->body));

  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  load->in_flight++;
  soup_session_send_and_read_async (load->session, msg, G_PRIORITY_DEFAULT, NULL, sent_cb, load);
}

typedef struct
{
  GSubprocess *proc;
  char        *base;
  gboolean     exited;
} Proxy;

static void
line_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  Proxy *p = data;
  g_autofree char *line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (source), result, NULL, NULL);
  const char *at;

  if (line == NULL)
    return;
  if (p->base == NULL && (at = strstr (line, "Listening on http://")))
    {
      p->base = g_strdup (at + strlen ("Listening on "));
      g_strchomp (p->base);
      if (g_str_has_suffix (p->base, "/v1"))
        p->base[strlen (p->base) - 3] = '\0';
    }
  g_data_input_stream_read_line_async (G_DATA_INPUT_STREAM (source), G_PRIORITY_DEFAULT, NULL, line_cb, p);
}

static void
wait_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  ((Proxy *) data)->exited = TRUE;
}

static gboolean
have_base (gpointer data)
{
  return ((Proxy *) data)->base != NULL || ((Proxy *) data)->exited;
}

static gboolean
exited (gpointer data)
{
  return ((Proxy *) data)->exited;
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

static gboolean
enough (gpointer data)
{
  return ((Load *) data)->finished->len >= 30;
}

static gboolean
drained (gpointer data)
{
  return ((Load *) data)->in_flight == 0;
}

static gint64
count_rows (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *s = NULL;
  gint64 n = -1;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &s, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (s), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (s, 0), ==, "ok");
  sqlite3_finalize (s);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM requests", -1, &s, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (s), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (s, 0);
  sqlite3_finalize (s);
  sqlite3_close (db);
  return n;
}

static void
test_sigkill_under_load (void)
{
  I2aFakeIflow *fake = i2a_fake_iflow_new ();
  g_autofree char *home = i2a_test_mkdtemp ();
  g_autofree char *db = g_build_filename (home, "usage.db", NULL);
  g_autofree char *keys = g_build_filename (home, "keys.json", NULL);
  g_autofree char *fake_base = i2a_fake_iflow_dup_base_url (fake);
  g_autofree char *json = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_autoptr(GDataInputStream) err = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autoptr(JsonObject) summary = NULL;
  Proxy p = { 0 };
  Load load = { 0 };
  gint64 killed_at, rows;
  guint before = 0;

  i2a_fake_iflow_add_key (fake, I2A_TEST_KEY);
  json = g_strdup_printf ("{\"accounts\": {\"acc1\": {\"api_key\": \"%s\", \"base_url\": \"%s\"}}}",
                          I2A_TEST_KEY, fake_base);
  i2a_test_write_file (keys, json);
  g_subprocess_launcher_setenv (launcher, "HOME", home, TRUE);
  g_subprocess_launcher_setenv (launcher, "IFLOW2API_USAGE_DB", db, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  p.proc = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("I2A_BINARY"), "--headless",
                                        "--port", "0", "--keys", keys, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_async (p.proc, NULL, wait_cb, &p);
  err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (p.proc));
  g_data_input_stream_read_line_async (err, G_PRIORITY_DEFAULT, NULL, line_cb, &p);
  g_assert_true (i2a_test_wait_until (have_base, &p, 10000));
  g_assert_nonnull (p.base);

  /* Eight clients in a loop, streams and plain answers. */
  load.session = soup_session_new_with_options ("timeout", 10, "max-conns", 64, "max-conns-per-host", 64, NULL);
  load.url = g_strconcat (p.base, "/v1/chat/completions", NULL);
  load.body = i2a_test_chat_body ("glm-5", "hi", TRUE);
  load.finished = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (guint i = 0; i < 8; i++)
    send_one (&load);
  /* Long enough for several one-second commits, then the kill mid-load
   * (slow builds, such as the sanitizers', need longer for 30 answers). */
  {
    gint64 started = g_get_monotonic_time ();

    g_assert_true (i2a_test_wait_until (enough, &load, 60000));
    if (g_get_monotonic_time () - started < 3500 * 1000)
      i2a_test_wait_until (never, NULL, (guint) (3500 - (g_get_monotonic_time () - started) / 1000));
  }

  g_subprocess_send_signal (p.proc, SIGKILL);
  killed_at = g_get_monotonic_time ();
  load.stop = TRUE;
  g_assert_true (i2a_test_wait_until (exited, &p, 5000));
  i2a_test_wait_until (drained, &load, 15000);

  for (guint i = 0; i < load.finished->len; i++)
    if (g_array_index (load.finished, gint64, i) < killed_at - G_USEC_PER_SEC)
      before++;
  rows = count_rows (db);
  g_test_message ("%u answers, %u more than 1 s before the kill, %" G_GINT64_FORMAT " rows",
                  load.finished->len, before, rows);
  g_assert_cmpuint (before, >, 0);
  g_assert_cmpint (rows, >=, before);
  g_assert_cmpint (rows, <=, load.finished->len + 8);

  /* `iflow2api usage --json` reads the same file. */
  {
    g_autoptr(GSubprocessLauncher) cli = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
    g_autoptr(GSubprocess) proc = NULL;

    g_subprocess_launcher_setenv (cli, "IFLOW2API_USAGE_DB", db, TRUE);
    proc = g_subprocess_launcher_spawn (cli, &error, g_getenv ("I2A_BINARY"), "usage", "--since", "1h",
                                        "--by", "account", "--json", NULL);
    g_assert_no_error (error);
    g_assert_true (g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, NULL, &error));
    g_assert_no_error (error);
    g_assert_true (g_subprocess_get_successful (proc));
    summary = i2a_json_parse_object (out, strlen (out));
    g_assert_nonnull (summary);
    g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (summary, "total"), "requests"), ==, rows);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (
                       json_object_get_array_member (summary, "groups"), 0), "account"), ==, "acc1");
  }

  g_array_unref (load.finished);
  g_free (load.url);
  g_free (load.body);
  g_object_unref (load.session);
  g_object_unref (p.proc);
  g_free (p.base);
  i2a_fake_iflow_free (fake);
  i2a_test_rm_rf (home);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ledger/process/sigkill-under-load", test_sigkill_under_load);
  return g_test_run ();
}
