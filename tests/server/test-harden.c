/* test-harden.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Hostile input against the real server over loopback: documents that
 * would crash or exhaust the parser, requests a web page could send,
 * connections that never finish, and secrets that must not leak. */
#include "config.h"

#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "i2a-test-util.h"
#include "i2a-upstream-error.h"

/* Every key, token and password this test hands the server: none may show
 * up in a log line or a response. */
#define CLIENT_TOKEN   "sk-client-token-7f3a9c21d4e5b6a7"
#define ACCOUNT_KEY    "sk-account-key-0badc0ffee1234567"
#define URL_PASSWORD   "hunter2pw-9d8c7b"
#define URL_QUERY_KEY  "querykey-5e4d3c2b1a"
static const char *const secrets[] = { I2A_TEST_KEY, CLIENT_TOKEN, ACCOUNT_KEY, URL_PASSWORD, URL_QUERY_KEY };

static GMutex   log_lock;
static GString *log_text;      /* every log line of this process */
static GString *response_text; /* every response this file received */

static GLogWriterOutput
capture_writer (GLogLevelFlags   level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  g_autofree char *line = g_log_writer_format_fields (level, fields, n_fields, FALSE);

  g_mutex_lock (&log_lock);
  g_string_append (log_text, line);
  g_string_append_c (log_text, '\n');
  g_mutex_unlock (&log_lock);
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
    return g_log_writer_default (level, fields, n_fields, user_data);
  return G_LOG_WRITER_HANDLED;
}

static gboolean
log_contains (const char *text)
{
  gboolean found;

  g_mutex_lock (&log_lock);
  found = strstr (log_text->str, text) != NULL;
  g_mutex_unlock (&log_lock);
  return found;
}

static I2aTestResponse *
record (I2aTestResponse *r)
{
  SoupMessageHeadersIter iter;
  const char *name, *value;

  g_string_append_printf (response_text, "%u\n", r->status);
  if (r->headers)
    {
      soup_message_headers_iter_init (&iter, r->headers);
      while (soup_message_headers_iter_next (&iter, &name, &value))
        g_string_append_printf (response_text, "%s: %s\n", name, value);
    }
  g_string_append_len (response_text, r->body->str, r->body->len);
  g_string_append_c (response_text, '\n');
  return r;
}

static char *
repeat (const char *prefix,
        const char *unit,
        guint       n,
        const char *suffix)
{
  GString *s = g_string_new (prefix);

  for (guint i = 0; i < n; i++)
    g_string_append (s, unit);
  g_string_append (s, suffix);
  return g_string_free (s, FALSE);
}

static I2aTestResponse *
post_json (I2aTestProxy *p,
           const char   *path,
           const char   *body)
{
  g_autofree char *url = i2a_test_proxy_url (p, path);

  return record (i2a_test_request (p->client, "POST", url, NULL, "application/json", body, 0, 0));
}

static void
assert_healthy (I2aTestProxy *p)
{
  g_autofree char *url = i2a_test_proxy_url (p, "/health");
  g_autoptr(I2aTestResponse) r = record (i2a_test_request (p->client, "GET", url, NULL, NULL, NULL, 0, 0));

  g_assert_cmpuint (r->status, ==, 200);
}

/* ---- documents ---------------------------------------------------------- */

static void
test_nesting (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  /* 200 KB of '[' overflowed the parser's stack and killed the process. */
  g_autofree char *bare = repeat ("", "[", 200000, "");
  g_autofree char *messages = repeat ("{\"model\":\"glm-5\",\"messages\":[{\"role\":\"user\",\"content\":",
                                      "[", 100000, "");
  g_autofree char *tools = repeat ("{\"model\":\"glm-5\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                                   "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":",
                                   "{\"a\":", 100000, "");
  const char *bodies[] = { bare, messages, tools };
  const char *params[] = { "[0]", "messages[0].content", "tools[0].function.parameters.a" };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(I2aTestResponse) r = post_json (p, "/v1/chat/completions", bodies[i]);
      g_autoptr(JsonObject) err = i2a_test_assert_openai_error (r, 400);

      g_assert_cmpstr (json_object_get_string_member (err, "code"), ==, "nesting_too_deep");
      g_assert_true (g_str_has_prefix (json_object_get_string_member (err, "param"), params[i]));
      g_assert_nonnull (strstr (json_object_get_string_member (err, "message"), "max_depth"));
    }
  assert_healthy (p);
  g_assert_cmpuint (i2a_fake_iflow_get_requests (p->fake)->len, ==, 0);
  i2a_test_proxy_free (p);
}

static void
test_document_limits (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  I2aJsonLimits limits;
  g_autofree char *many = NULL;
  g_autoptr(I2aTestResponse) r = NULL;
  g_autoptr(JsonObject) err = NULL;

  i2a_json_limits_init_default (&limits);
  limits.messages = 3;
  i2a_server_set_json_limits (p->server, &limits);
  many = repeat ("{\"model\":\"glm-5\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}",
                 ",{\"role\":\"user\",\"content\":\"a\"}", 3, "]}");
  r = post_json (p, "/v1/chat/completions", many);
  err = i2a_test_assert_openai_error (r, 400);
  g_assert_cmpstr (json_object_get_string_member (err, "code"), ==, "too_many_messages");
  g_assert_cmpstr (json_object_get_string_member (err, "param"), ==, "messages");
  g_assert_nonnull (strstr (json_object_get_string_member (err, "message"), "server.max_messages = 3"));
  g_assert_cmpuint (i2a_fake_iflow_get_requests (p->fake)->len, ==, 0);
  i2a_test_proxy_free (p);
}

/* json-glib printed 1e999 as "inf.0" (invalid JSON) and wrapped integers
 * beyond int64 (to -1 and worse) on their way to the upstream. */
static void
test_numbers (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  const char *bodies[] = {
    "{\"model\":\"glm-5\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":1e999}",
    "{\"model\":\"glm-5\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":99999999999999999999}",
    "{\"model\":\"glm-5\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"seed\":-9223372036854775809}",
  };
  const char *params[] = { "temperature", "max_tokens", "seed" };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(I2aTestResponse) r = post_json (p, "/v1/chat/completions", bodies[i]);
      g_autoptr(JsonObject) err = i2a_test_assert_openai_error (r, 400);

      g_assert_cmpstr (json_object_get_string_member (err, "code"), ==, "number_out_of_range");
      g_assert_cmpstr (json_object_get_string_member (err, "param"), ==, params[i]);
    }
  g_assert_cmpuint (i2a_fake_iflow_get_requests (p->fake)->len, ==, 0);
  i2a_test_proxy_free (p);
}

/* ---- a raw HTTP client ---------------------------------------------------- */

typedef struct
{
  GSocket *sock;
  GSource *watch;
  GString *in;
  gboolean eof;      /* the server closed (or reset) the connection */
} Raw;

static gboolean raw_poll (gpointer data);

static gboolean
raw_readable_cb (GSocket      *sock,
                 GIOCondition  condition,
                 gpointer      data)
{
  Raw *r = data;

  raw_poll (r);
  if (!r->eof)
    return G_SOURCE_CONTINUE;
  g_clear_pointer (&r->watch, g_source_unref);
  return G_SOURCE_REMOVE;
}

static Raw *
raw_connect (guint port)
{
  Raw *r = g_new0 (Raw, 1);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) addr = g_inet_socket_address_new (lo, port);
  g_autoptr(GError) error = NULL;

  r->sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_connect (r->sock, addr, NULL, &error));
  g_assert_no_error (error);
  g_socket_set_blocking (r->sock, FALSE);
  r->in = g_string_new (NULL);
  /* Wakes the main loop when the server writes or closes. */
  r->watch = g_socket_create_source (r->sock, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (r->watch, (GSourceFunc) raw_readable_cb, r, NULL);
  g_source_attach (r->watch, NULL);
  return r;
}

static void
raw_free (Raw *r)
{
  if (r->watch)
    {
      g_source_destroy (r->watch);
      g_source_unref (r->watch);
    }
  g_socket_close (r->sock, NULL);
  g_object_unref (r->sock);
  g_string_free (r->in, TRUE);
  g_free (r);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Raw, raw_free)

/* Read what is there; TRUE once the server closed. */
static gboolean
raw_poll (gpointer data)
{
  Raw *r = data;
  char buf[65536];

  while (!r->eof)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_receive (r->sock, buf, sizeof buf, NULL, &error);

      if (n > 0)
        g_string_append_len (r->in, buf, n);
      else if (n == 0 || !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        r->eof = TRUE;
      else
        break;
    }
  return r->eof;
}

static gboolean
raw_has_response (gpointer data)
{
  Raw *r = data;

  raw_poll (r);
  return strstr (r->in->str, "\r\n\r\n") != NULL || r->eof;
}

/* Send all of @len bytes while the main loop runs; FALSE when the server
 * closed the connection first. */
static gboolean
raw_send (Raw        *r,
          const char *data,
          gsize       len)
{
  gsize done = 0;

  while (done < len)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_send (r->sock, data + done, len - done, NULL, &error);

      if (n > 0)
        done += n;
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        g_main_context_iteration (NULL, FALSE);
      else
        return FALSE;
      raw_poll (r);
    }
  return TRUE;
}

static guint
raw_status (Raw *r)
{
  guint status = 0;

  if (g_str_has_prefix (r->in->str, "HTTP/1.1 ") || g_str_has_prefix (r->in->str, "HTTP/1.0 "))
    status = (guint) g_ascii_strtoull (r->in->str + 9, NULL, 10);
  return status;
}

static char *
head (I2aTestProxy *p,
      const char   *method,
      const char   *path,
      const char   *extra)
{
  return g_strdup_printf ("%s %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n%s\r\n", method, path,
                          i2a_server_get_port (p->server), extra);
}

/* ---- the body on the wire ------------------------------------------------ */

/* The 413 comes from the headers alone; the connection is closed without
 * the body being read (before: read completely, then 413). */
static void
test_body_over_limit (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  g_autofree char *request = NULL;
  g_autoptr(Raw) r = NULL;

  i2a_server_set_max_body (p->server, 1024 * 1024);
  request = head (p, "POST", "/v1/chat/completions",
                  "Content-Type: application/json\r\nContent-Length: 1048577\r\n");
  r = raw_connect (i2a_server_get_port (p->server));
  g_assert_true (raw_send (r, request, strlen (request)));
  /* Not a byte of the body sent. */
  g_assert_true (i2a_test_wait_until (raw_has_response, r, 3000));
  g_assert_cmpuint (raw_status (r), ==, 413);
  g_assert_nonnull (strstr (r->in->str, "request_too_large"));
  g_assert_nonnull (strstr (r->in->str, "1048576"));
  g_assert_true (i2a_test_wait_until (raw_poll, r, 5000));
  i2a_test_proxy_free (p);
}

/* Content-Length: 2^63-1 and a stream of data: answered at once, then the
 * connection is closed while the client is still sending. */
static void
test_huge_content_length (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  g_autofree char *request = head (p, "POST", "/v1/chat/completions",
                                   "Content-Type: application/json\r\n"
                                   "Content-Length: 9223372036854775807\r\n");
  g_autofree char *chunk = g_strnfill (1024 * 1024, '[');
  g_autoptr(Raw) r = raw_connect (i2a_server_get_port (p->server));
  gint64 start = g_get_monotonic_time ();
  gboolean closed = FALSE;

  g_assert_true (raw_send (r, request, strlen (request)));
  for (guint i = 0; i < 256 && !closed; i++)
    closed = !raw_send (r, chunk, 1024 * 1024) || r->eof;
  g_assert_true (closed);
  g_assert_cmpuint (raw_status (r), ==, 413);
  g_test_message ("closed after %" G_GINT64_FORMAT " ms", (g_get_monotonic_time () - start) / 1000);
  assert_healthy (p);
  i2a_test_proxy_free (p);
}

/* ---- connections ------------------------------------------------------------ */

static gboolean
all_closed (gpointer data)
{
  GPtrArray *raws = data;

  for (guint i = 0; i < raws->len; i++)
    if (!raw_poll (raws->pdata[i]))
      return FALSE;
  return TRUE;
}

static guint
count_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  while (dir && g_dir_read_name (dir))
    n++;
  return n;
}

static gboolean
no_connections (gpointer data)
{
  return i2a_server_get_open_connections (data) == 0;
}

static gboolean
one_connection (gpointer data)
{
  return i2a_server_get_open_connections (data) == 1;
}

/* Slowloris: headers that never end, a body shorter than its
 * Content-Length, and a connection that sends nothing. Before, all of
 * them stayed open forever. */
static void
test_slow_clients (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  g_autoptr(GPtrArray) raws = g_ptr_array_new_with_free_func ((GDestroyNotify) raw_free);
  g_autofree char *lying = head (p, "POST", "/v1/chat/completions",
                                 "Content-Type: application/json\r\nContent-Length: 1000\r\n");
  const char *partial = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
  gint64 start;

  i2a_server_set_connection_limits (p->server, 100, 1, 2, 1);
  for (guint i = 0; i < 20; i++)
    {
      Raw *r = raw_connect (i2a_server_get_port (p->server));

      g_ptr_array_add (raws, r);
      if (i % 3 == 0)
        g_assert_true (raw_send (r, partial, strlen (partial)));
      else if (i % 3 == 1)
        {
          g_assert_true (raw_send (r, lying, strlen (lying)));
          g_assert_true (raw_send (r, "{\"model\":", 9));
        }
    }
  start = g_get_monotonic_time ();
  /* One more header byte a while later does not restart the clock. */
  i2a_test_sleep_ms (500);
  raw_send (raws->pdata[0], "a", 1);
  g_assert_true (i2a_test_wait_until (all_closed, raws, 8000));
  g_test_message ("all 20 closed after %" G_GINT64_FORMAT " ms", (g_get_monotonic_time () - start) / 1000);
  g_assert_true (i2a_test_wait_until (no_connections, p->server, 3000));
  assert_healthy (p);
  g_assert_cmpuint (i2a_fake_iflow_get_requests (p->fake)->len, ==, 0);
  i2a_test_proxy_free (p);
}

static void
test_connection_cap (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  g_autoptr(GPtrArray) raws = g_ptr_array_new_with_free_func ((GDestroyNotify) raw_free);
  g_autoptr(Raw) over = NULL;

  i2a_server_set_connection_limits (p->server, 5, 30, 30, 30);
  for (guint i = 0; i < 5; i++)
    g_ptr_array_add (raws, raw_connect (i2a_server_get_port (p->server)));
  over = raw_connect (i2a_server_get_port (p->server));
  g_assert_true (i2a_test_wait_until (raw_poll, over, 3000));
  g_assert_cmpuint (raw_status (over), ==, 503);
  g_assert_nonnull (strstr (over->in->str, "too_many_connections"));
  g_assert_cmpuint (i2a_server_get_open_connections (p->server), ==, 5);
  /* Room again once they are gone. */
  g_ptr_array_set_size (raws, 0);
  g_assert_true (i2a_test_wait_until (no_connections, p->server, 5000));
  assert_healthy (p);
  i2a_test_proxy_free (p);
}

/* Between requests on a kept-alive connection: a client that hangs up is
 * noticed, one that stays silent is closed after the idle timeout. */
static void
test_idle_keepalive (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  g_autofree char *request = head (p, "GET", "/health", "");
  guint fds = count_fds ();
  Raw *quiet, *leaver;
  gint64 answered;

  i2a_server_set_connection_limits (p->server, 100, 30, 30, 2);
  quiet = raw_connect (i2a_server_get_port (p->server));
  leaver = raw_connect (i2a_server_get_port (p->server));
  g_assert_true (raw_send (quiet, request, strlen (request)));
  g_assert_true (raw_send (leaver, request, strlen (request)));
  g_assert_true (i2a_test_wait_until (raw_has_response, quiet, 3000));
  g_assert_true (i2a_test_wait_until (raw_has_response, leaver, 3000));
  /* Both connections stay open after their answer... */
  g_assert_true (g_str_has_prefix (quiet->in->str, "HTTP/1.1 200"));
  g_assert_null (strstr (quiet->in->str, "Connection: close"));
  g_assert_false (i2a_test_wait_until (raw_poll, quiet, 500));
  g_assert_false (leaver->eof);
  /* ...and serve the next request (which restarts the idle clock). */
  g_string_truncate (quiet->in, 0);
  g_assert_true (raw_send (quiet, request, strlen (request)));
  g_assert_true (i2a_test_wait_until (raw_has_response, quiet, 3000));
  g_assert_true (g_str_has_prefix (quiet->in->str, "HTTP/1.1 200"));
  answered = g_get_monotonic_time ();
  /* The client hangs up while its connection is idle: the server lets
   * go of it at once, not after the timeout... */
  raw_free (leaver);
  g_assert_true (i2a_test_wait_until (one_connection, p->server, 1000));
  /* ...and drops the silent one after the idle timeout, not before. */
  g_assert_true (i2a_test_wait_until (raw_poll, quiet, 5000));
  g_assert_cmpint (g_get_monotonic_time () - answered, >=, 1500 * G_TIME_SPAN_MILLISECOND);
  raw_free (quiet);
  g_assert_true (i2a_test_wait_until (no_connections, p->server, 3000));
  /* No descriptor left behind (libsoup 3.2.3 alone keeps them). */
  i2a_test_sleep_ms (100);
  g_assert_cmpuint (count_fds (), <=, fds);
  i2a_test_proxy_free (p);
}

static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

/* Out of descriptors, accept() fails while the pending connection keeps
 * the listener readable: before, the server spun at 100 % CPU. */
static void
test_emfile (void)
{
  if (g_test_subprocess ())
    {
      I2aTestProxy *p = i2a_test_proxy_new (TRUE);
      g_autoptr(GPtrArray) clients = g_ptr_array_new_with_free_func (g_object_unref);
      g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
      g_autoptr(GSocketAddress) addr = g_inet_socket_address_new (lo, i2a_server_get_port (p->server));
      struct rlimit saved, low;
      double cpu;

      g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &saved), ==, 0);
      low = saved;
      low.rlim_cur = count_fds () + 16;
      g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &low), ==, 0);
      /* Fill the descriptor table with connections the server has yet to
       * accept. */
      for (guint i = 0; i < 64; i++)
        {
          GSocket *sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);

          if (sock == NULL)
            break;
          if (!g_socket_connect (sock, addr, NULL, NULL))
            {
              g_object_unref (sock);
              break;
            }
          g_ptr_array_add (clients, sock);
        }
      g_assert_cmpuint (clients->len, >, 4);

      cpu = cpu_seconds ();
      i2a_test_sleep_ms (2000);
      cpu = cpu_seconds () - cpu;
      g_test_message ("CPU while out of descriptors: %.3f s in 2 s", cpu);
      g_assert_cmpfloat (cpu, <, 0.2);
      g_assert_true (log_contains ("Cannot accept connections"));

      /* Descriptors back: the server serves again. */
      g_ptr_array_set_size (clients, 0);
      g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &saved), ==, 0);
      i2a_test_sleep_ms (2500);
      assert_healthy (p);
      i2a_test_proxy_free (p);
      return;
    }
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* ---- browser protections -------------------------------------------------- */

typedef struct
{
  GBytes  *answer;
  GError  *error;
  gboolean done;
} Sent;

static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  Sent *sent = data;

  sent->answer = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &sent->error);
  sent->done = TRUE;
}

static gboolean
is_sent (gpointer data)
{
  return ((Sent *) data)->done;
}

/* One request with one header of our choice (Host, Origin). */
static I2aTestResponse *
request_with (I2aTestProxy *p,
              const char   *method,
              const char   *path,
              const char   *content_type,
              const char   *body,
              const char   *header,
              const char   *value)
{
  g_autofree char *url = i2a_test_proxy_url (p, path);
  SoupMessage *msg = soup_message_new (method, url);
  I2aTestResponse *r = g_new0 (I2aTestResponse, 1);
  Sent sent = { 0 };

  if (header)
    soup_message_headers_replace (soup_message_get_request_headers (msg), header, value);
  if (body)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, content_type, bytes);
      if (content_type == NULL)
        soup_message_headers_remove (soup_message_get_request_headers (msg), "Content-Type");
    }
  soup_session_send_and_read_async (p->client, msg, G_PRIORITY_DEFAULT, NULL, sent_cb, &sent);
  g_assert_true (i2a_test_wait_until (is_sent, &sent, 10000));
  g_assert_no_error (sent.error);
  r->status = soup_message_get_status (msg);
  r->headers = soup_message_headers_ref (soup_message_get_response_headers (msg));
  r->body = g_string_new_len (g_bytes_get_data (sent.answer, NULL), g_bytes_get_size (sent.answer));
  r->events = g_ptr_array_new_with_free_func (g_free);
  r->event_times = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_bytes_unref (sent.answer);
  g_object_unref (msg);
  return record (r);
}

static void
test_rebinding_host (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  g_autofree char *body = i2a_test_chat_body ("glm-5", "hi", FALSE);
  g_autofree char *ours = g_strdup_printf ("localhost:%u", i2a_server_get_port (p->server));
  const char *names[] = { "proxy.example", NULL };

  {
    /* A page on attacker.example whose name now resolves to 127.0.0.1. */
    g_autoptr(I2aTestResponse) debug = request_with (p, "GET", "/debug/accounts", NULL, NULL,
                                                    "Host", "attacker.example:8000");
    g_autoptr(I2aTestResponse) chat = request_with (p, "POST", "/v1/chat/completions", "application/json",
                                                   body, "Host", "attacker.example");
    g_autoptr(JsonObject) e1 = i2a_test_assert_openai_error (debug, 403);
    g_autoptr(JsonObject) e2 = i2a_test_assert_openai_error (chat, 403);

    g_assert_cmpstr (json_object_get_string_member (e1, "code"), ==, "host_not_allowed");
    g_assert_cmpstr (json_object_get_string_member (e2, "type"), ==, "permission_error");
    g_assert_null (strstr (debug->body->str, "accounts\":"));
  }
  {
    g_autoptr(I2aTestResponse) local = request_with (p, "GET", "/debug/accounts", NULL, NULL, "Host", ours);
    g_autoptr(I2aTestResponse) other_port = request_with (p, "GET", "/v1/models", NULL, NULL,
                                                         "Host", "127.0.0.1:1");
    g_autoptr(I2aTestResponse) added = NULL;

    g_assert_cmpuint (local->status, ==, 200);
    g_assert_cmpuint (other_port->status, ==, 403);
    i2a_server_set_allowed_hosts (p->server, names);
    added = request_with (p, "GET", "/v1/models", NULL, NULL, "Host", "Proxy.Example.:443");
    g_assert_cmpuint (added->status, ==, 200);
  }
  g_assert_cmpuint (i2a_fake_iflow_get_requests (p->fake)->len, ==, 0);
  i2a_test_proxy_free (p);
}

/* A form or fetch() with mode no-cors sends a "simple" POST that needs no
 * preflight: text/plain or no Content-Type at all. */
static void
test_cross_site_post (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  g_autofree char *body = i2a_test_chat_body ("glm-5", "hi", FALSE);
  const char *types[] = { NULL, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data" };

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_autoptr(I2aTestResponse) r = request_with (p, "POST", "/v1/chat/completions", types[i], body, NULL, NULL);
      g_autoptr(JsonObject) err = i2a_test_assert_openai_error (r, 415);

      g_assert_cmpstr (json_object_get_string_member (err, "code"), ==, "unsupported_media_type");
    }
  g_assert_cmpuint (i2a_fake_iflow_get_requests (p->fake)->len, ==, 0);
  i2a_test_proxy_free (p);
}

static void
test_origin (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  g_autofree char *body = i2a_test_chat_body ("glm-5", "hi", FALSE);
  const char *allowed[] = { "http://localhost:5173/", NULL };

  {
    g_autoptr(I2aTestResponse) chat = request_with (p, "POST", "/v1/chat/completions", "application/json",
                                                   body, "Origin", "https://evil.example");
    g_autoptr(I2aTestResponse) models = request_with (p, "GET", "/v1/models", NULL, NULL,
                                                     "Origin", "null");
    g_autoptr(I2aTestResponse) preflight = request_with (p, "OPTIONS", "/v1/chat/completions", NULL, NULL,
                                                        "Origin", "https://evil.example");
    g_autoptr(JsonObject) err = i2a_test_assert_openai_error (chat, 403);

    g_assert_cmpstr (json_object_get_string_member (err, "code"), ==, "origin_not_allowed");
    g_assert_cmpuint (models->status, ==, 403);
    g_assert_cmpuint (preflight->status, ==, 403);
    g_assert_null (soup_message_headers_get_one (preflight->headers, "Access-Control-Allow-Origin"));
    g_assert_cmpuint (i2a_fake_iflow_get_requests (p->fake)->len, ==, 0);
  }
  i2a_server_set_allowed_origins (p->server, allowed);
  {
    g_autoptr(I2aTestResponse) preflight = request_with (p, "OPTIONS", "/v1/chat/completions", NULL, NULL,
                                                        "Origin", "http://localhost:5173");
    g_autoptr(I2aTestResponse) chat = request_with (p, "POST", "/v1/chat/completions", "application/json",
                                                   body, "Origin", "http://localhost:5173");

    g_assert_cmpuint (preflight->status, ==, 204);
    g_assert_cmpstr (soup_message_headers_get_one (preflight->headers, "Access-Control-Allow-Origin"), ==,
                     "http://localhost:5173");
    g_assert_nonnull (soup_message_headers_get_one (preflight->headers, "Access-Control-Allow-Methods"));
    g_assert_cmpuint (chat->status, ==, 200);
    g_assert_cmpstr (soup_message_headers_get_one (chat->headers, "Access-Control-Allow-Origin"), ==,
                     "http://localhost:5173");
  }
  i2a_test_proxy_free (p);
}

/* ---- secrets ----------------------------------------------------------- */

static gboolean
logged (gpointer data)
{
  return log_contains (data);
}

/* json-glib's parse errors quote the text they did not expect, which in
 * settings.json is the CLI's key. */
static void
test_settings_error_scrubbed (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  g_autofree char *path = g_build_filename (p->iflow_dir, "settings.json", NULL);
  g_autofree char *creds = g_build_filename (p->iflow_dir, "oauth_creds.json", NULL);

  i2a_test_write_file (path, "{\"selectedAuthType\":\"oauth-iflow\",\n\"apiKey\": " I2A_TEST_KEY "}");
  g_assert_true (i2a_test_wait_until (logged, (gpointer) "settings.json: 2:", 5000));
  i2a_test_write_file (path, "{\"apiKey\": \"" I2A_TEST_KEY "\" \"baseUrl\": \"x\"}");
  g_assert_true (i2a_test_wait_until (logged, (gpointer) "settings.json: 1:", 5000));
  i2a_test_write_file (creds, "{'access_token': '" I2A_TEST_KEY "' 1}");
  g_assert_true (i2a_test_wait_until (logged, (gpointer) "oauth_creds.json: 1:", 5000));
  g_assert_false (log_contains (I2A_TEST_KEY));
  g_assert_false (log_contains ("sk-0123"));
  /* The last good values stay in use. */
  assert_healthy (p);
  i2a_test_proxy_free (p);
}

typedef struct
{
  I2aFakeIflow   *fake;
  char           *dir;
  char           *keys_path;
  I2aCliSettings *cli;
  I2aPool        *pool;
  I2aServer      *server;
  char           *base;
  SoupSession    *client;
} KeysEnv;

static gboolean
pool_loaded (gpointer data)
{
  return i2a_pool_is_loaded (data);
}

/* A pool from keys.json; "@BASE@" in @json becomes the fake's URL. */
static KeysEnv *
keys_env_new (const char *json)
{
  KeysEnv *e = g_new0 (KeysEnv, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *iflow = NULL;
  g_auto(GStrv) parts = NULL;
  g_autofree char *text = NULL;

  e->fake = i2a_fake_iflow_new ();
  i2a_fake_iflow_add_key (e->fake, ACCOUNT_KEY);
  url = i2a_fake_iflow_dup_base_url (e->fake);
  parts = g_strsplit (json, "@BASE@", -1);
  text = g_strjoinv (url + strlen ("http://"), parts);
  e->dir = i2a_test_mkdtemp ();
  e->keys_path = g_build_filename (e->dir, "keys.json", NULL);
  i2a_test_write_file (e->keys_path, text);
  iflow = g_build_filename (e->dir, "iflow", NULL);
  e->cli = i2a_cli_settings_new (iflow);
  e->pool = i2a_pool_new_with_keys (e->cli, e->keys_path);
  g_assert_true (i2a_test_wait_until (pool_loaded, e->pool, 5000));
  e->server = i2a_server_new (e->pool);
  i2a_server_set_timeouts (e->server, 10, 10, 0);
  g_assert_true (i2a_server_start (e->server, "127.0.0.1", 0, &error));
  g_assert_no_error (error);
  e->base = g_strdup_printf ("http://127.0.0.1:%u", i2a_server_get_port (e->server));
  e->client = soup_session_new_with_options ("timeout", 0, NULL);
  return e;
}

static void
keys_env_free (KeysEnv *e)
{
  i2a_server_stop (e->server);
  g_clear_object (&e->server);
  g_clear_object (&e->pool);
  g_clear_object (&e->cli);
  g_clear_object (&e->client);
  i2a_fake_iflow_free (e->fake);
  i2a_test_rm_rf (e->dir);
  g_free (e->dir);
  g_free (e->keys_path);
  g_free (e->base);
  g_free (e);
}

static I2aTestResponse *
keys_env_request (KeysEnv    *e,
                  const char *method,
                  const char *path,
                  const char *token,
                  const char *body)
{
  g_autofree char *url = g_strconcat (e->base, path, NULL);

  return record (i2a_test_request (e->client, method, url, token, body ? "application/json" : NULL,
                                   body, 0, 0));
}

static void
test_base_url_masked (void)
{
  KeysEnv *e = keys_env_new ("{\"accounts\": {\"acc1\": {\"provider\": \"openai\", \"api_key\": \"" ACCOUNT_KEY "\", "
                             "\"base_url\": \"http://user:" URL_PASSWORD "@@BASE@?key=" URL_QUERY_KEY "#frag\"}},"
                             "\"auth\": {\"enabled\": true, \"required\": true},"
                             "\"keys\": {\"" CLIENT_TOKEN "\": {\"account\": \"acc1\"}}}");
  g_autoptr(I2aTestResponse) debug = keys_env_request (e, "GET", "/debug/accounts", CLIENT_TOKEN, NULL);
  g_autoptr(JsonObject) obj = i2a_test_response_json (debug);
  g_autofree char *fake = i2a_fake_iflow_dup_base_url (e->fake);
  g_autofree char *chat_body = i2a_test_chat_body ("glm-5", "hi", FALSE);
  g_autoptr(I2aTestResponse) chat = keys_env_request (e, "POST", "/v1/chat/completions", CLIENT_TOKEN, chat_body);
  g_autoptr(I2aTestResponse) wrong = keys_env_request (e, "POST", "/v1/chat/completions",
                                                       CLIENT_TOKEN "x", chat_body);
  JsonObject *acc;

  g_assert_cmpuint (debug->status, ==, 200);
  acc = json_object_get_object_member (json_object_get_object_member (obj, "accounts"), "acc1");
  g_assert_cmpstr (json_object_get_string_member (acc, "base_url"), ==, fake);
  g_assert_null (strstr (debug->body->str, URL_PASSWORD));
  g_assert_null (strstr (debug->body->str, URL_QUERY_KEY));
  g_assert_cmpuint (wrong->status, ==, 401);
  g_test_message ("chat: %u %s", chat->status, chat->body->str);
  keys_env_free (e);
}

/* A keys.json the parser rejects, with a client token where it stops. */
static void
test_keys_error_scrubbed (void)
{
  KeysEnv *e = keys_env_new ("{\"auth\": {\"enabled\": true},\n \"keys\": {\"a\": \"" CLIENT_TOKEN "\" \"b\": 2}}");
  const GError *error = i2a_pool_get_load_error (e->pool);

  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "keys.json:2:"));
  g_assert_null (strstr (error->message, CLIENT_TOKEN));
  keys_env_free (e);
}

/* Auth is decided from the headers: a client without a key gets its 401
 * before sending a byte of the body it announced. */
static void
test_auth_before_body (void)
{
  KeysEnv *e = keys_env_new ("{\"accounts\": {\"acc1\": {\"api_key\": \"" ACCOUNT_KEY "\", \"base_url\": \"http://@BASE@\"}},"
                             "\"auth\": {\"enabled\": true, \"required\": true},"
                             "\"keys\": {\"" CLIENT_TOKEN "\": {\"account\": \"acc1\"}}}");
  g_autofree char *request = g_strdup_printf ("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
                                              "Content-Type: application/json\r\nContent-Length: 100000\r\n"
                                              "Authorization: Bearer sk-wrong\r\n\r\n",
                                              i2a_server_get_port (e->server));
  g_autoptr(Raw) r = raw_connect (i2a_server_get_port (e->server));

  g_assert_true (raw_send (r, request, strlen (request)));
  g_assert_true (i2a_test_wait_until (raw_has_response, r, 3000));
  g_assert_cmpuint (raw_status (r), ==, 401);
  g_assert_true (i2a_test_wait_until (raw_poll, r, 5000));
  g_string_append (response_text, r->in->str);
  keys_env_free (e);
}

/* ---- the main loop stays responsive ------------------------------------------- */

/* The main thread's CPU time between two ticks of a 2 ms timer: what one
 * callback kept the loop busy with. (Wall time on a loaded machine mostly
 * measures the scheduler.) */
typedef struct
{
  gint64 last;        /* thread CPU µs */
  gint64 max_gap;
  gint64 last_wall;
  gint64 max_wall_gap;
} StallMeter;

static gint64
thread_cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static gboolean
stall_tick_cb (gpointer data)
{
  StallMeter *m = data;
  gint64 now = thread_cpu_us ();
  gint64 wall = g_get_monotonic_time ();

  if (m->last)
    {
      m->max_gap = MAX (m->max_gap, now - m->last);
      m->max_wall_gap = MAX (m->max_wall_gap, wall - m->last_wall);
    }
  m->last = now;
  m->last_wall = wall;
  return G_SOURCE_CONTINUE;
}

/* Sanitizer builds run everything several times slower: a quarter of the
 * document there, so the run stays short next to the other suites. */
#if defined(__SANITIZE_ADDRESS__)
#define STALL_LIMIT_MS 150
#define BIG_MESSAGES   2500
#else
#define STALL_LIMIT_MS 50
#define BIG_MESSAGES   10000
#endif

/* Before, one 32 MiB request was parsed, copied and re-serialized on the
 * main loop: /health took seconds. Every front door shares the same path
 * for big bodies; each is measured. */
static void
test_big_bodies_off_main_loop (void)
{
  g_autofree char *content = g_strnfill (3000, 'x');
  g_autofree char *message = g_strdup_printf ("{\"role\":\"user\",\"content\":\"%s\"}", content);
  /* path, the document up to its list of messages, extra headers, and
   * the answer: the upstream is unreachable, so a 5xx (0 here) shows that
   * the document went all the way; count_tokens answers by itself. */
  const struct { const char *path; const char *start; const char *headers; guint status; } doors[] = {
    { "/v1/chat/completions", "{\"model\":\"glm-5\",\"messages\":[", "", 0 },
    { "/v1/messages", "{\"model\":\"glm-5\",\"max_tokens\":16,\"messages\":[",
      "anthropic-version: 2023-06-01\r\n", 0 },
    { "/v1/messages/count_tokens", "{\"model\":\"glm-5\",\"messages\":[",
      "anthropic-version: 2023-06-01\r\n", 200 },
    { "/v1/responses", "{\"model\":\"glm-5\",\"input\":[", "", 0 },
  };
  StallMeter meter = { 0 };
  guint tick;

  for (guint d = 0; d < G_N_ELEMENTS (doors); d++)
    {
      /* A server each, so that no account is cooling down from the
       * previous door's failures: every document goes all the way. */
      KeysEnv *e = keys_env_new ("{\"accounts\": {\"acc1\": {\"api_key\": \"" ACCOUNT_KEY "\", "
                                 "\"base_url\": \"http://127.0.0.1:1/v1\"}}}");
      g_autoptr(GString) body = g_string_new (doors[d].start);
      g_autofree char *request = NULL;
      g_autofree char *health = g_strdup_printf ("GET /health HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n\r\n",
                                                 i2a_server_get_port (e->server));
      gint64 best_ms = G_MAXINT64;

      for (guint i = 0; i < BIG_MESSAGES; i++)
        {
          if (i)
            g_string_append_c (body, ',');
          g_string_append (body, message);
        }
      g_string_append (body, "]}");
      g_assert_cmpuint (body->len, <, I2A_DEFAULT_MAX_BODY);
      request = g_strdup_printf ("POST %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n%s"
                                 "Content-Type: application/json\r\nContent-Length: %" G_GSIZE_FORMAT "\r\n\r\n",
                                 doors[d].path, i2a_server_get_port (e->server), doors[d].headers, body->len);
      for (guint round = 0; round < 2; round++)
        {
          g_autoptr(Raw) r = raw_connect (i2a_server_get_port (e->server));
          g_autoptr(Raw) h = NULL;
          gint64 asked;

          g_assert_true (raw_send (r, request, strlen (request)));
          meter.last = 0;
          meter.max_gap = meter.max_wall_gap = 0;
          tick = g_timeout_add (2, stall_tick_cb, &meter);
          g_assert_true (raw_send (r, body->str, body->len));
          /* While the proxy works on the document, /health answers at once. */
          h = raw_connect (i2a_server_get_port (e->server));
          asked = g_get_monotonic_time ();
          g_assert_true (raw_send (h, health, strlen (health)));
          g_assert_true (i2a_test_wait_until (raw_has_response, h, 5000));
          g_test_message ("%s: /health answered in %" G_GINT64_FORMAT " ms", doors[d].path,
                          (g_get_monotonic_time () - asked) / 1000);
          g_assert_cmpuint (raw_status (h), ==, 200);
          g_assert_true (i2a_test_wait_until (raw_has_response, r, 60000));
          g_source_remove (tick);
          g_test_message ("%s: %" G_GSIZE_FORMAT " MiB request answered %u; longest main-loop stall %"
                          G_GINT64_FORMAT " ms of CPU (%" G_GINT64_FORMAT " ms of wall time)", doors[d].path,
                          body->len >> 20, raw_status (r), meter.max_gap / 1000, meter.max_wall_gap / 1000);
          if (doors[d].status)
            g_assert_cmpuint (raw_status (r), ==, doors[d].status);
          else
            g_assert_cmpuint (raw_status (r) / 100, ==, 5);
          /* Parsing such a document on the main loop takes seconds. The
           * main loop's CPU time between two ticks also grows when the
           * shared machine is saturated (page faults, caches), so one
           * round of the two may exceed the limit by a margin. */
          g_assert_cmpint (meter.max_gap / 1000, <, 4 * STALL_LIMIT_MS);
          best_ms = MIN (best_ms, meter.max_gap / 1000);
        }
      g_assert_cmpint (best_ms, <, STALL_LIMIT_MS);
      keys_env_free (e);
    }
}

/* ---- smaller defects -------------------------------------------------------- */

/* Requests libsoup refuses itself have no URI: the access log asked for its
 * path anyway (a GLib-CRITICAL, fatal in tests). */
static void
test_rejected_request (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  const char *requests[] = { "GARBAGE\r\n\r\n", "GET /health HTTP/1.1\r\n\r\n",
                             "GET /health HTTP/1.1\r\nHost: a/b\r\n\r\n" };

  for (guint i = 0; i < G_N_ELEMENTS (requests); i++)
    {
      g_autoptr(Raw) r = raw_connect (i2a_server_get_port (p->server));

      g_assert_true (raw_send (r, requests[i], strlen (requests[i])));
      g_assert_true (i2a_test_wait_until (raw_poll, r, 3000));
      g_assert_cmpuint (raw_status (r), ==, 400);
    }
  assert_healthy (p);
  i2a_test_proxy_free (p);
}

/* A client that sends its request and then shuts down its sending side
 * still wants the answer: the request runs to the end, streamed or not, on
 * every front door. A client that closes the socket instead is still
 * noticed before the first byte (the proxy tests cover that). */
static void
test_half_close (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  struct { const char *path; char *body; const char *want; } cases[] = {
    { "/v1/chat/completions", i2a_test_chat_body ("glm-5", "fake:late-error 800 200", FALSE), "chat.completion" },
    { "/v1/chat/completions", i2a_test_chat_body ("glm-5", "fake:slow 5 200", TRUE), "data: [DONE]" },
    { "/v1/messages", g_strdup ("{\"model\":\"glm-5\",\"max_tokens\":64,\"stream\":true,"
                                "\"messages\":[{\"role\":\"user\",\"content\":\"fake:slow 4 200\"}]}"),
      "event: message_stop" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(Raw) r = raw_connect (i2a_server_get_port (p->server));
      g_autofree char *extra = g_strdup_printf ("Content-Type: application/json\r\nContent-Length: %zu\r\n",
                                                strlen (cases[i].body));
      g_autofree char *h = head (p, "POST", cases[i].path, extra);
      g_autofree char *request = g_strconcat (h, cases[i].body, NULL);
      guint aborted = i2a_fake_iflow_get_aborted (p->fake);
      const char *final;

      g_assert_true (raw_send (r, request, strlen (request)));
      g_socket_shutdown (r->sock, FALSE, TRUE, NULL);
      g_assert_true (i2a_test_wait_until (raw_poll, r, 10000));
      g_test_message ("%s: %.200s", cases[i].path, r->in->str);
      /* An interim answer first, then the real one, whole. */
      g_assert_true (g_str_has_prefix (r->in->str, "HTTP/1.1 100 Continue\r\n\r\n"));
      final = r->in->str + strlen ("HTTP/1.1 100 Continue\r\n\r\n");
      g_assert_true (g_str_has_prefix (final, "HTTP/1.1 200 "));
      g_assert_nonnull (strstr (final, cases[i].want));
      g_assert_cmpuint (i2a_fake_iflow_get_aborted (p->fake), ==, aborted);
      g_free (cases[i].body);
    }
  assert_healthy (p);
  i2a_test_proxy_free (p);
}

/* A model name with a CR or LF (a JSON escape allows it) was echoed into
 * the x-iflow2api-model header: libsoup refuses such a value with a
 * CRITICAL, fatal here. The answer comes without that header. */
static void
test_model_control_chars (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  const char *paths[] = { "/v1/chat/completions", "/v1/responses" };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    for (guint stream = 0; stream < 2; stream++)
      {
        g_autofree char *body = g_str_equal (paths[i], "/v1/responses")
          ? g_strdup_printf ("{\"model\":\"glm-5\\r\\nX-Evil: 1\",\"input\":\"hi\",\"stream\":%s}",
                             stream ? "true" : "false")
          : g_strdup_printf ("{\"model\":\"glm-5\\r\\nX-Evil: 1\",\"stream\":%s,"
                             "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                             stream ? "true" : "false");
        g_autoptr(I2aTestResponse) r = post_json (p, paths[i], body);

        g_test_message ("%s stream=%u: %u", paths[i], stream, r->status);
        g_assert_cmpuint (r->status, <, 500);
        if (r->headers)
          {
            g_assert_null (soup_message_headers_get_one (r->headers, "X-Evil"));
            g_assert_null (soup_message_headers_get_one (r->headers, "x-iflow2api-model"));
          }
      }
  assert_healthy (p);
  i2a_test_proxy_free (p);
}

static void
test_retry_after_clamped (void)
{
  const char *body = "{\"error\":{\"message\":\"slow down\",\"type\":\"rate_limit_error\"}}";
  g_autoptr(I2aApiError) seconds = i2a_upstream_error_classify (429, body, strlen (body), "2147483647", NULL);
  g_autoptr(I2aApiError) date = i2a_upstream_error_classify (429, body, strlen (body),
                                                             "Fri, 01 Jan 2100 00:00:00 GMT", NULL);
  g_autoptr(I2aApiError) small = i2a_upstream_error_classify (429, body, strlen (body), "30", NULL);

  g_assert_cmpint (seconds->retry_after, ==, I2A_RETRY_AFTER_MAX);
  g_assert_cmpint (date->retry_after, ==, I2A_RETRY_AFTER_MAX);
  g_assert_cmpint (small->retry_after, ==, 30);
  g_assert_cmpint (I2A_RETRY_AFTER_MAX, ==, 3600);
}

static void
async_sent_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  Sent *sent = data;

  sent->answer = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &sent->error);
  sent->done = TRUE;
}

static SoupMessage *
send_chat (KeysEnv    *e,
           const char *content,
           Sent       *sent)
{
  g_autofree char *url = g_strconcat (e->base, "/v1/chat/completions", NULL);
  g_autofree char *body = i2a_test_chat_body ("glm-5", content, TRUE);
  g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
  SoupMessage *msg = soup_message_new ("POST", url);

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", "Bearer " CLIENT_TOKEN);
  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  soup_session_send_and_read_async (e->client, msg, G_PRIORITY_DEFAULT, NULL, async_sent_cb, sent);
  return msg;
}

/* queue.max_wait_seconds × 1000 wrapped: 4294968 s became 704 ms. */
static void
test_queue_wait_wrap (void)
{
  KeysEnv *e = keys_env_new ("{\"accounts\": {\"acc1\": {\"api_key\": \"" ACCOUNT_KEY "\", \"base_url\": \"http://@BASE@\","
                             "\"max_concurrency\": 1}},"
                             "\"auth\": {\"enabled\": true, \"required\": true},"
                             "\"keys\": {\"" CLIENT_TOKEN "\": {\"account\": \"acc1\"}},"
                             "\"queue\": {\"max_wait_seconds\": 4294968}}");
  Sent first = { 0 }, second = { 0 };
  g_autoptr(SoupMessage) m1 = send_chat (e, "fake:slow 5 300", &first);
  g_autoptr(SoupMessage) m2 = NULL;

  i2a_test_sleep_ms (200);
  m2 = send_chat (e, "hi", &second);
  g_assert_true (i2a_test_wait_until (is_sent, &second, 10000));
  g_assert_true (i2a_test_wait_until (is_sent, &first, 10000));
  g_assert_no_error (second.error);
  g_assert_cmpuint (soup_message_get_status (m1), ==, 200);
  g_assert_cmpuint (soup_message_get_status (m2), ==, 200);
  g_clear_pointer (&first.answer, g_bytes_unref);
  g_clear_pointer (&second.answer, g_bytes_unref);
  keys_env_free (e);
}

/* Every limit and list of the "server" section of keys.json applies. */
static void
test_keys_server_section (void)
{
  KeysEnv *e = keys_env_new ("{\"accounts\": {\"acc1\": {\"api_key\": \"" ACCOUNT_KEY "\", \"base_url\": \"http://@BASE@\"}},"
                             "\"server\": {\"max_body_bytes\": 2000, \"max_messages\": 1, \"max_connections\": 3,"
                             "\"allowed_hosts\": [\"box.lan\"], \"allowed_origins\": [\"https://app.example\"]}}");
  g_autofree char *two = g_strdup ("{\"model\":\"glm-5\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"},"
                                   "{\"role\":\"user\",\"content\":\"b\"}]}");
  g_autofree char *big = g_strnfill (3000, 'x');
  g_autofree char *large = g_strdup_printf ("{\"model\":\"glm-5\",\"messages\":[{\"role\":\"user\",\"content\":\"%s\"}]}", big);
  g_autoptr(I2aTestResponse) many = keys_env_request (e, "POST", "/v1/chat/completions", NULL, two);
  g_autoptr(I2aTestResponse) too_big = keys_env_request (e, "POST", "/v1/chat/completions", NULL, large);
  g_autoptr(JsonObject) err = i2a_test_assert_openai_error (many, 400);
  g_autoptr(GPtrArray) raws = g_ptr_array_new_with_free_func ((GDestroyNotify) raw_free);
  g_autoptr(Raw) over = NULL;
  g_auto(GStrv) hosts = i2a_server_dup_allowed_hosts (e->server);
  g_auto(GStrv) origins = i2a_server_dup_allowed_origins (e->server);

  g_assert_cmpstr (json_object_get_string_member (err, "code"), ==, "too_many_messages");
  g_assert_cmpuint (too_big->status, ==, 413);
  g_assert_true (g_strv_contains ((const char *const *) hosts, "box.lan"));
  g_assert_true (g_strv_contains ((const char *const *) origins, "https://app.example"));
  for (guint i = 0; i < 3; i++)
    g_ptr_array_add (raws, raw_connect (i2a_server_get_port (e->server)));
  over = raw_connect (i2a_server_get_port (e->server));
  g_assert_true (i2a_test_wait_until (raw_poll, over, 3000));
  g_assert_cmpuint (raw_status (over), ==, 503);
  keys_env_free (e);
}

/* Runs last: nothing above leaked a secret into a log line or a response. */
static void
test_no_secret_anywhere (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (secrets); i++)
    {
      g_test_message ("looking for %s", secrets[i]);
      g_assert_false (log_contains (secrets[i]));
      g_assert_null (strstr (response_text->str, secrets[i]));
    }
  /* The capture did see the traffic. */
  g_assert_cmpuint (response_text->len, >, 1000);
  g_assert_true (log_contains ("Listening on"));
}

int
main (int argc, char **argv)
{
  /* Capture every level, debug included: a secret in a debug line is a
   * leak too (--verbose). Warnings are expected and must not abort. */
  log_text = g_string_new (NULL);
  response_text = g_string_new (NULL);
  g_log_set_writer_func (capture_writer, NULL, NULL);
  g_log_set_debug_enabled (TRUE);
  g_test_init (&argc, &argv, NULL);
  g_log_set_always_fatal (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL);
  g_test_add_func ("/harden/document/nesting", test_nesting);
  g_test_add_func ("/harden/document/limits", test_document_limits);
  g_test_add_func ("/harden/document/numbers", test_numbers);
  g_test_add_func ("/harden/wire/body-over-limit", test_body_over_limit);
  g_test_add_func ("/harden/wire/huge-content-length", test_huge_content_length);
  g_test_add_func ("/harden/connections/slow-clients", test_slow_clients);
  g_test_add_func ("/harden/connections/cap", test_connection_cap);
  g_test_add_func ("/harden/connections/idle-keepalive", test_idle_keepalive);
  g_test_add_func ("/harden/connections/emfile", test_emfile);
  g_test_add_func ("/harden/browser/rebinding-host", test_rebinding_host);
  g_test_add_func ("/harden/browser/cross-site-post", test_cross_site_post);
  g_test_add_func ("/harden/browser/origin", test_origin);
  g_test_add_func ("/harden/browser/auth-before-body", test_auth_before_body);
  g_test_add_func ("/harden/document/big-bodies-off-main-loop", test_big_bodies_off_main_loop);
  g_test_add_func ("/harden/defects/rejected-request", test_rejected_request);
  g_test_add_func ("/harden/defects/half-close", test_half_close);
  g_test_add_func ("/harden/defects/model-control-chars", test_model_control_chars);
  g_test_add_func ("/harden/defects/retry-after", test_retry_after_clamped);
  g_test_add_func ("/harden/defects/queue-wait-wrap", test_queue_wait_wrap);
  g_test_add_func ("/harden/config/keys-server-section", test_keys_server_section);
  g_test_add_func ("/harden/secrets/settings-error", test_settings_error_scrubbed);
  g_test_add_func ("/harden/secrets/keys-error", test_keys_error_scrubbed);
  g_test_add_func ("/harden/secrets/base-url", test_base_url_masked);
  /* Keep last. */
  g_test_add_func ("/harden/secrets/nowhere", test_no_secret_anywhere);
  return g_test_run ();
}
