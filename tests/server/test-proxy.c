/* test-proxy.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* End-to-end tests of the headless proxy: a real client, the real server
 * and the fake iFlow upstream, all over loopback sockets. */
#include "config.h"

#include <string.h>
#include <sys/socket.h>
#include <glib/gstdio.h>

#include "i2a-test-util.h"

static I2aTestResponse *
get (I2aTestProxy *p,
     const char   *path)
{
  g_autofree char *url = i2a_test_proxy_url (p, path);

  return i2a_test_request (p->client, "GET", url, NULL, NULL, NULL, 0, 0);
}

static I2aTestResponse *
chat (I2aTestProxy *p,
      const char   *model,
      const char   *content,
      gboolean      stream)
{
  g_autofree char *body = i2a_test_chat_body (model, content, stream);

  return i2a_test_proxy_chat (p, body);
}

static JsonObject *
event_json (I2aTestResponse *r,
            guint            i)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_cmpuint (i, <, r->events->len);
  g_assert_true (json_parser_load_from_data (parser, r->events->pdata[i], -1, NULL));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* ---- simple endpoints --------------------------------------------------- */

static void
test_health (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  g_autoptr(I2aTestResponse) r = get (p, "/health");
  g_autoptr(JsonObject) obj = i2a_test_response_json (r);

  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (obj, "status"), ==, "healthy");
  g_assert_true (json_object_get_boolean_member (obj, "iflow_logged_in"));
  g_assert_cmpstr (json_object_get_string_member (obj, "version"), ==, PACKAGE_VERSION);
  g_assert_cmpint (json_object_get_int_member (obj, "accounts_total"), ==, 1);
  /* Connections are kept alive (test-keepalive.c). */
  g_assert_null (soup_message_headers_get_one (r->headers, "Connection"));
  i2a_test_proxy_free (p);
}

static void
test_health_not_logged_in (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (FALSE);
  g_autoptr(I2aTestResponse) r = get (p, "/health");
  g_autoptr(JsonObject) obj = i2a_test_response_json (r);
  g_autoptr(I2aTestResponse) c = chat (p, "glm-5", "hi", FALSE);
  g_autoptr(JsonObject) err = i2a_test_assert_openai_error (c, 401);

  g_assert_cmpstr (json_object_get_string_member (obj, "status"), ==, "degraded");
  g_assert_false (json_object_get_boolean_member (obj, "iflow_logged_in"));
  g_assert_nonnull (strstr (json_object_get_string_member (err, "message"), "Log in"));
  g_assert_cmpuint (i2a_fake_iflow_get_requests (p->fake)->len, ==, 0);
  i2a_test_proxy_free (p);
}

static void
test_models (void)
{
  const char *paths[] = { "/v1/models", "/models", "/v1/models/" };
  const char *expected[] = { "glm-4.7", "iFlow-ROME-30BA3B", "deepseek-v3.2-chat", "qwen3-coder-plus",
                             "kimi-k2-thinking", "minimax-m2.1", "kimi-k2-0905", "glm-5", "glm-4.6",
                             "kimi-k2.5", "minimax-m2.5" };
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(I2aTestResponse) r = get (p, paths[i]);
      g_autoptr(JsonObject) obj = i2a_test_response_json (r);
      JsonArray *data;
      g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);

      g_assert_cmpuint (r->status, ==, 200);
      g_assert_cmpstr (json_object_get_string_member (obj, "object"), ==, "list");
      data = json_object_get_array_member (obj, "data");
      for (guint j = 0; j < json_array_get_length (data); j++)
        {
          JsonObject *m = json_array_get_object_element (data, j);
          g_assert_cmpstr (json_object_get_string_member (m, "object"), ==, "model");
          g_assert_cmpstr (json_object_get_string_member (m, "owned_by"), ==, "iflow");
          g_assert_true (json_object_has_member (m, "created"));
          g_hash_table_add (ids, (gpointer) json_object_get_string_member (m, "id"));
        }
      for (guint j = 0; j < G_N_ELEMENTS (expected); j++)
        g_assert_true (g_hash_table_contains (ids, expected[j]));
    }
  i2a_test_proxy_free (p);
}

static void
test_not_found_and_method (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  g_autoptr(I2aTestResponse) r = get (p, "/v2/nothing");
  g_autoptr(JsonObject) e1 = i2a_test_assert_openai_error (r, 404);
  g_autoptr(I2aTestResponse) m = get (p, "/v1/chat/completions");
  g_autoptr(JsonObject) e2 = i2a_test_assert_openai_error (m, 405);
  g_autofree char *url = i2a_test_proxy_url (p, "/v1/models");
  g_autoptr(I2aTestResponse) post = i2a_test_request (p->client, "POST", url, NULL, "application/json", "{}", 0, 0);
  g_autoptr(JsonObject) e3 = i2a_test_assert_openai_error (post, 405);

  g_assert_cmpstr (soup_message_headers_get_one (m->headers, "Allow"), ==, "POST");
  g_assert_cmpstr (soup_message_headers_get_one (post->headers, "Allow"), ==, "GET");
  i2a_test_proxy_free (p);
}

/* ---- chat --------------------------------------------------------------- */

static void
test_chat_json (void)
{
  const char *paths[] = { "/v1/chat/completions", "/chat/completions", "/v1/chat/completions/" };
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autofree char *url = i2a_test_proxy_url (p, paths[i]);
      g_autofree char *body = i2a_test_chat_body ("glm-5", "hello", FALSE);
      g_autoptr(I2aTestResponse) r = i2a_test_request (p->client, "POST", url, NULL, "application/json", body, 0, 0);
      g_autoptr(JsonObject) obj = i2a_test_response_json (r);
      I2aFakeRequest *up = i2a_fake_iflow_get_last_request (p->fake);
      JsonObject *choice;

      g_assert_cmpuint (r->status, ==, 200);
      choice = json_array_get_object_element (json_object_get_array_member (obj, "choices"), 0);
      g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (choice, "message"), "content"),
                       ==, "Hello from fake iFlow");
      /* iFlow identity and body rules on the upstream side. */
      g_assert_true (up->signature_ok);
      g_assert_cmpstr (up->api_key, ==, I2A_TEST_KEY);
      g_assert_false (json_object_has_member (up->body, "stream"));
      g_assert_true (json_object_has_member (up->body, "max_new_tokens"));
    }
  i2a_test_proxy_free (p);
}

static void
test_session_ids_stable (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  g_autoptr(I2aTestResponse) a = chat (p, "glm-5", "one", FALSE);
  g_autofree char *sid = g_strdup (soup_message_headers_get_one (i2a_fake_iflow_get_last_request (p->fake)->headers, "session-id"));
  g_autofree char *cid = g_strdup (soup_message_headers_get_one (i2a_fake_iflow_get_last_request (p->fake)->headers, "conversation-id"));
  g_autofree char *tp = g_strdup (soup_message_headers_get_one (i2a_fake_iflow_get_last_request (p->fake)->headers, "traceparent"));
  g_autoptr(I2aTestResponse) b = chat (p, "glm-5", "two", FALSE);
  SoupMessageHeaders *h = i2a_fake_iflow_get_last_request (p->fake)->headers;

  /* Per account and process, not per request. */
  g_assert_cmpstr (soup_message_headers_get_one (h, "session-id"), ==, sid);
  g_assert_cmpstr (soup_message_headers_get_one (h, "conversation-id"), ==, cid);
  g_assert_cmpstr (soup_message_headers_get_one (h, "traceparent"), !=, tp);
  g_assert_cmpstr (soup_message_headers_get_one (h, "accept"), ==, "*/*");
  g_assert_null (soup_message_headers_get_one (h, "x-api-key"));
  i2a_test_proxy_free (p);
}

static void
test_chat_stream (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  g_autoptr(I2aTestResponse) r = chat (p, "glm-5", "hi", TRUE);
  I2aFakeRequest *up = i2a_fake_iflow_get_last_request (p->fake);
  g_autoptr(I2aTestResponse) u = i2a_test_proxy_chat (p, "{\"model\":\"glm-5\",\"stream\":true,"
                                                      "\"stream_options\":{\"include_usage\":true},"
                                                      "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
  g_autoptr(JsonObject) last = NULL;
  guint n = r->events->len;

  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpstr (soup_message_headers_get_content_type (r->headers, NULL), ==, "text/event-stream");
  /* 3 content + [DONE]: the usage chunk we asked for on the client's
   * behalf is not passed on to a client that did not ask for it. */
  g_assert_cmpuint (n, ==, 4);
  g_assert_cmpstr (r->events->pdata[n - 1], ==, "[DONE]");
  for (guint i = 0; i < n - 1; i++)
    g_assert_null (strstr (r->events->pdata[i], "\"usage\""));
  /* Streaming asks the upstream for usage. */
  g_assert_true (json_object_get_boolean_member (up->body, "stream"));
  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (up->body, "stream_options"),
                                                 "include_usage"));
  /* A client that asked gets it. */
  g_assert_cmpuint (u->events->len, ==, 5);
  last = event_json (u, 3);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (last, "usage"), "total_tokens"), >, 0);
  i2a_test_proxy_free (p);
}

static void
test_stream_not_buffered (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  g_autoptr(I2aTestResponse) r = chat (p, "glm-5", "fake:slow 5 150", TRUE);
  gint64 *t = (gint64 *) r->event_times->data;

  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpuint (r->events->len, ==, 6); /* 5 content + [DONE] */
  /* Each event arrives when the upstream sends it, not all at the end. */
  for (guint i = 1; i < 5; i++)
    g_assert_cmpint (t[i] - t[i - 1], >=, 100 * 1000);
  g_assert_cmpint (t[0] - r->start_time, <, 700 * 1000);
  i2a_test_proxy_free (p);
}

static void
test_stream_reasoning (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  g_autoptr(I2aTestResponse) r = chat (p, "glm-5", "fake:reasoning", TRUE);
  g_autoptr(JsonObject) first = event_json (r, 0);
  g_autoptr(JsonObject) later = event_json (r, 4);
  g_autoptr(I2aTestResponse) j = chat (p, "glm-5", "fake:reasoning", FALSE);
  g_autoptr(JsonObject) obj = i2a_test_response_json (j);
  JsonObject *d0 = json_object_get_object_member (json_array_get_object_element (json_object_get_array_member (first, "choices"), 0), "delta");
  JsonObject *d4 = json_object_get_object_member (json_array_get_object_element (json_object_get_array_member (later, "choices"), 0), "delta");
  JsonObject *msg = json_object_get_object_member (json_array_get_object_element (json_object_get_array_member (obj, "choices"), 0), "message");

  g_assert_cmpstr (json_object_get_string_member (d0, "reasoning_content"), ==, "thought-0");
  g_assert_cmpstr (json_object_get_string_member (d4, "content"), ==, "token-4");
  g_assert_cmpstr (json_object_get_string_member (msg, "reasoning_content"), ==, "Thinking about it");
  i2a_test_proxy_free (p);
}

static void
test_stream_nospace_and_nodone (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  g_autoptr(I2aTestResponse) a = chat (p, "glm-5", "fake:nospace", TRUE);
  g_autoptr(I2aTestResponse) b = chat (p, "glm-5", "fake:nodone", TRUE);
  g_autoptr(JsonObject) e0 = event_json (a, 0);

  /* 3 content + [DONE] (the usage chunk was not asked for). */
  g_assert_cmpuint (a->events->len, ==, 4);
  g_assert_cmpstr (a->events->pdata[3], ==, "[DONE]");
  g_assert_true (json_object_has_member (e0, "choices"));
  /* The proxy re-emits "data: " with the space. */
  g_assert_nonnull (strstr (a->body->str, "data: {"));
  /* Missing [DONE] upstream: the client still gets one. */
  g_assert_cmpuint (b->events->len, ==, 4);
  g_assert_cmpstr (b->events->pdata[3], ==, "[DONE]");
  i2a_test_proxy_free (p);
}

/* ---- upstream errors ---------------------------------------------------- */

typedef struct
{
  const char *scenario;
  guint       status;
  const char *type;
  const char *code;       /* NULL = don't check */
  const char *text;       /* must appear in the message */
} ErrorCase;

static const ErrorCase error_cases[] = {
  { "fake:business 435 Model not support", 400, "invalid_request_error", "model_not_supported", "Model not support" },
  { "fake:business 434 AK blocked", 403, NULL, NULL, "AK blocked" },
  { "fake:business 438 AK blocked", 403, NULL, NULL, "AK blocked" },
  { "fake:business 439 token expired", 401, NULL, NULL, "token expired" },
  { "fake:business 449 concurrency limit", 429, "rate_limit_error", NULL, "concurrency limit" },
  { "fake:business 8211 rate limit", 429, "rate_limit_error", NULL, "rate limit" },
  { "fake:business 511 too long", 413, NULL, NULL, "too long" },
  { "fake:business 514 model error", 502, NULL, NULL, "model error" },
  { "fake:http 500", 500, NULL, NULL, "fake upstream error 500" },
  { "fake:http 404", 404, NULL, NULL, "fake upstream error 404" },
};

static void
test_error_mapping (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);

  for (guint s = 0; s < 2; s++)
    for (guint i = 0; i < G_N_ELEMENTS (error_cases); i++)
      {
        const ErrorCase *c = &error_cases[i];
        g_autoptr(I2aTestResponse) r = chat (p, "glm-5", c->scenario, s == 1);
        g_autoptr(JsonObject) err = NULL;

        g_test_message ("%s (stream=%u): %u %s", c->scenario, s, r->status, r->body->str);
        err = i2a_test_assert_openai_error (r, c->status);
        if (c->type)
          g_assert_cmpstr (json_object_get_string_member (err, "type"), ==, c->type);
        if (c->code)
          g_assert_cmpstr (json_object_get_string_member (err, "code"), ==, c->code);
        g_assert_nonnull (strstr (json_object_get_string_member (err, "message"), c->text));
      }
  i2a_test_proxy_free (p);
}

static void
test_stream_error_before_first_event (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  g_autoptr(I2aTestResponse) r = chat (p, "glm-5", "fake:error-event 449", TRUE);
  g_autoptr(JsonObject) err = i2a_test_assert_openai_error (r, 429);
  g_autoptr(I2aTestResponse) e = chat (p, "glm-5", "fake:empty", TRUE);
  g_autoptr(JsonObject) err2 = i2a_test_assert_openai_error (e, 502);

  g_assert_nonnull (strstr (json_object_get_string_member (err, "message"), "limit reached"));
  i2a_test_proxy_free (p);
}

static void
test_stream_failure_after_first_byte (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  g_autoptr(I2aTestResponse) r = chat (p, "glm-5", "fake:break-after 2", TRUE);
  g_autoptr(JsonObject) err_event = NULL;
  guint n = r->events->len;

  /* Two real events, then an explicit error event and [DONE]. */
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpuint (n, ==, 4);
  g_assert_cmpstr (r->events->pdata[n - 1], ==, "[DONE]");
  err_event = event_json (r, n - 2);
  g_assert_true (json_object_has_member (err_event, "error"));
  g_assert_nonnull (json_object_get_string_member (json_object_get_object_member (err_event, "error"), "message"));
  i2a_test_proxy_free (p);
}

static void
test_first_byte_timeout (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  g_autoptr(I2aTestResponse) r = NULL;
  g_autoptr(JsonObject) err = NULL;

  i2a_server_set_timeouts (p->server, 1, 1, 0);
  r = chat (p, "glm-5", "fake:hang-headers", TRUE);
  err = i2a_test_assert_openai_error (r, 504);
  g_assert_cmpint (r->headers_time - r->start_time, <, 3 * G_USEC_PER_SEC);
  i2a_test_proxy_free (p);
}

/* ---- client goes away --------------------------------------------------- */

static void
test_disconnect_mid_stream (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  g_autofree char *url = i2a_test_proxy_url (p, "/v1/chat/completions");
  g_autofree char *body = i2a_test_chat_body ("glm-5", "fake:slow 400 50", TRUE);
  g_autoptr(I2aTestResponse) r = NULL;
  gint64 closed;

  r = i2a_test_request (p->client, "POST", url, NULL, "application/json", body, 2, 0);
  closed = g_get_monotonic_time ();
  g_assert_cmpuint (r->events->len, ==, 2);
  g_assert_true (i2a_test_wait_fake_aborts (p->fake, 1, 3000));
  /* The upstream request is cancelled promptly, not after 400 events. */
  g_assert_cmpint (i2a_fake_iflow_get_last_abort_time (p->fake) - closed, <, 1500 * 1000);
  g_assert_true (i2a_test_wait_until ((gboolean (*) (gpointer)) i2a_server_get_active_requests, p->server, 10) == FALSE ||
                 i2a_server_get_active_requests (p->server) == 0);
  i2a_test_proxy_free (p);
}

static void
test_disconnect_before_first_byte (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  g_autofree char *url = i2a_test_proxy_url (p, "/v1/chat/completions");
  g_autofree char *body = i2a_test_chat_body ("glm-5", "fake:hang-headers", TRUE);
  g_autoptr(I2aTestResponse) r = NULL;
  gint64 closed;

  /* The proxy is paused waiting on the upstream: it must still notice. */
  r = i2a_test_request (p->client, "POST", url, NULL, "application/json", body, 0, 300);
  closed = g_get_monotonic_time ();
  g_assert_true (i2a_test_wait_fake_aborts (p->fake, 1, 3000));
  g_assert_cmpint (i2a_fake_iflow_get_last_abort_time (p->fake) - closed, <, 1500 * 1000);
  i2a_test_proxy_free (p);
}

static void
test_shutdown_ends_streams (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  g_autofree char *url = i2a_test_proxy_url (p, "/v1/chat/completions");
  g_autofree char *body = i2a_test_chat_body ("glm-5", "fake:slow 400 50", TRUE);
  g_autoptr(I2aTestResponse) r = NULL;

  g_timeout_add_once (400, (GSourceOnceFunc) i2a_server_stop, p->server);
  r = i2a_test_request (p->client, "POST", url, NULL, "application/json", body, 0, 0);
  g_assert_cmpuint (r->events->len, >=, 2);
  g_assert_cmpstr (r->events->pdata[r->events->len - 1], ==, "[DONE]");
  g_assert_nonnull (strstr (r->events->pdata[r->events->len - 2], "shutting down"));
  g_assert_true (i2a_test_wait_no_active (p->server, 2000));
  i2a_test_proxy_free (p);
}

/* ---- bounded memory ----------------------------------------------------- */

typedef struct { GSocketConnection *conn; GError *error; } Connected;

static gboolean
fake_wrote_some (gpointer data)
{
  return i2a_fake_iflow_get_chunks_written (data) > 0;
}

static gboolean
fake_idle (gpointer data)
{
  return i2a_fake_iflow_get_in_flight (data, I2A_TEST_KEY) == 0;
}

static void
connected_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  Connected *c = data;

  c->conn = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &c->error);
  if (c->conn == NULL && c->error == NULL)
    c->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "no connection");
}

static gboolean
is_connected (gpointer data)
{
  Connected *c = data;
  return c->conn != NULL || c->error != NULL;
}

static void
test_slow_client_backpressure (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autofree char *body = i2a_test_chat_body ("glm-5", "fake:flood 600 65536", TRUE);
  g_autofree char *request = NULL;
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) addr = g_inet_socket_address_new (lo, i2a_server_get_port (p->server));
  GOutputStream *out;
  Connected c = { 0 };
  guint64 written;

  /* A client that sends its request and then reads nothing, while the
   * upstream pours out 600 × 64 KiB. */
  g_socket_client_connect_async (client, G_SOCKET_CONNECTABLE (addr), NULL, connected_cb, &c);
  g_assert_true (i2a_test_wait_until (is_connected, &c, 5000));
  g_assert_no_error (c.error);
  g_socket_set_option (g_socket_connection_get_socket (c.conn), SOL_SOCKET, SO_RCVBUF, 65536, NULL);
  request = g_strdup_printf ("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\n"
                             "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                             strlen (body), body);
  out = g_io_stream_get_output_stream (G_IO_STREAM (c.conn));
  g_assert_true (g_output_stream_write_all (out, request, strlen (request), NULL, NULL, NULL));
  /* Slow builds (sanitizers) take a while to produce the flood. */
  g_assert_true (i2a_test_wait_until (fake_wrote_some, p->fake, 20000));
  i2a_test_sleep_ms (1500);

  /* The proxy stops reading upstream once its client falls behind, so the
   * upstream cannot push the whole answer into the proxy's memory: only
   * what socket buffers and the bounded queue of chunks hold gets out. */
  written = i2a_fake_iflow_get_chunks_written (p->fake);
  g_test_message ("upstream chunks written while the client read nothing: %" G_GUINT64_FORMAT, written);
  g_assert_cmpuint (written, <, 450);

  /* The hang-up still ends the request and its upstream connection. */
  g_io_stream_close (G_IO_STREAM (c.conn), NULL, NULL);
  g_clear_object (&c.conn);
  g_assert_true (i2a_test_wait_no_active (p->server, 5000));
  g_assert_true (i2a_test_wait_until (fake_idle, p->fake, 5000));
  i2a_test_proxy_free (p);
}

/* ---- bad input ---------------------------------------------------------- */

typedef struct
{
  const char *content_type;
  const char *body;
  guint       status;
  const char *param;     /* expected error.param or NULL */
  const char *text;      /* substring of the message */
} BadCase;

static const BadCase bad_cases[] = {
  { "application/json", "{\"model\": \"glm-5\", ", 400, NULL, "not valid JSON" },
  { "application/json", "[1,2,3]", 400, NULL, "JSON object" },
  { "application/json", "\"text\"", 400, NULL, "JSON object" },
  { "application/json", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", 400, "model", "'model'" },
  { "application/json", "{\"model\":\"\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", 400, "model", "empty" },
  { "application/json", "{\"model\":42,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", 400, "model", "a number" },
  { "application/json", "{\"model\":\"glm-5\"}", 400, "messages", "'messages'" },
  { "application/json", "{\"model\":\"glm-5\",\"messages\":[]}", 400, "messages", "at least one" },
  { "application/json", "{\"model\":\"glm-5\",\"messages\":\"hi\"}", 400, "messages", "array" },
  { "application/json", "{\"model\":\"glm-5\",\"messages\":[42]}", 400, "messages[0]", "object" },
  { "application/json", "{\"model\":\"glm-5\",\"messages\":[{\"content\":\"x\"}]}", 400, "messages[0].role", "role" },
  { "application/json", "{\"model\":\"glm-5\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stream\":\"yes\"}", 400, "stream", "boolean" },
  { "text/plain", "{\"model\":\"glm-5\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", 415, NULL, "Content-Type" },
  { "application/json", "", 400, NULL, "empty" },
};

static void
test_bad_input (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  g_autofree char *url = i2a_test_proxy_url (p, "/v1/chat/completions");

  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      const BadCase *c = &bad_cases[i];
      g_autoptr(I2aTestResponse) r = i2a_test_request (p->client, "POST", url, NULL, c->content_type, c->body, 0, 0);
      g_autoptr(JsonObject) err = NULL;

      g_test_message ("case %u: %u %s", i, r->status, r->body->str);
      err = i2a_test_assert_openai_error (r, c->status);
      g_assert_nonnull (strstr (json_object_get_string_member (err, "message"), c->text));
      if (c->param)
        g_assert_cmpstr (json_object_get_string_member (err, "param"), ==, c->param);
    }
  /* None of it reached the upstream. */
  g_assert_cmpuint (i2a_fake_iflow_get_requests (p->fake)->len, ==, 0);
  i2a_test_proxy_free (p);
}

static void
test_body_too_large (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  g_autofree char *big = g_strnfill (4096, 'a');
  g_autofree char *body = i2a_test_chat_body ("glm-5", big, FALSE);
  g_autoptr(I2aTestResponse) r = NULL;
  g_autoptr(JsonObject) err = NULL;

  i2a_server_set_max_body (p->server, 1024);
  r = i2a_test_proxy_chat (p, body);
  err = i2a_test_assert_openai_error (r, 413);
  g_assert_nonnull (strstr (json_object_get_string_member (err, "message"), "1024"));
  g_assert_cmpuint (i2a_fake_iflow_get_requests (p->fake)->len, ==, 0);
  i2a_test_proxy_free (p);
}

/* ---- settings.json ------------------------------------------------------ */

static gboolean
logged_in (gpointer data)
{
  I2aTestProxy *p = data;
  g_autoptr(I2aTestResponse) r = get (p, "/health");
  g_autoptr(JsonObject) obj = i2a_test_response_json (r);

  return json_object_get_boolean_member (obj, "iflow_logged_in");
}

static void
test_settings_live_reload (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (FALSE);
  g_autofree char *base = i2a_fake_iflow_dup_base_url (p->fake);
  g_autofree char *path = g_build_filename (p->iflow_dir, "settings.json", NULL);
  g_autofree char *json = NULL;
  g_autoptr(I2aTestResponse) before = chat (p, "glm-5", "hi", FALSE);
  g_autoptr(I2aTestResponse) after = NULL;
  g_autoptr(I2aTestResponse) rotated = NULL;
  g_autoptr(I2aTestResponse) still = NULL;

  g_assert_cmpuint (before->status, ==, 401);

  /* A login by the iFlow CLI appears: picked up without restart. */
  json = g_strdup_printf ("{\"bootAnimationShown\":true,\"selectedAuthType\":\"oauth-iflow\","
                          "\"searchApiKey\":\"%s\",\"baseUrl\":\"%s\"}", I2A_TEST_KEY, base);
  i2a_test_write_file (path, json);
  g_assert_true (i2a_test_wait_until (logged_in, p, 5000));
  after = chat (p, "glm-5", "hi", FALSE);
  g_assert_cmpuint (after->status, ==, 200);
  g_assert_cmpstr (i2a_fake_iflow_get_last_request (p->fake)->api_key, ==, I2A_TEST_KEY);

  /* The key changes: new requests use the new one. */
  i2a_fake_iflow_add_key (p->fake, "sk-rotated-key-000000000000000000");
  g_free (json);
  json = g_strdup_printf ("{\"apiKey\":\"sk-rotated-key-000000000000000000\",\"baseUrl\":\"%s\"}", base);
  i2a_test_write_file (path, json);
  for (guint i = 0; i < 50; i++)
    {
      g_clear_pointer (&rotated, i2a_test_response_free);
      rotated = chat (p, "glm-5", "hi", FALSE);
      if (g_strcmp0 (i2a_fake_iflow_get_last_request (p->fake)->api_key, "sk-rotated-key-000000000000000000") == 0)
        break;
      i2a_test_sleep_ms (100);
    }
  g_assert_cmpstr (i2a_fake_iflow_get_last_request (p->fake)->api_key, ==, "sk-rotated-key-000000000000000000");

  /* A broken file is rejected; the last good key keeps working. */
  g_test_expect_message ("i2a-cli-settings", G_LOG_LEVEL_WARNING, "*settings.json*");
  i2a_test_write_file (path, "{\"apiKey\": \"sk-broken\",,,}");
  i2a_test_sleep_ms (600);
  g_test_assert_expected_messages ();
  still = chat (p, "glm-5", "hi", FALSE);
  g_assert_cmpuint (still->status, ==, 200);
  g_assert_cmpstr (i2a_fake_iflow_get_last_request (p->fake)->api_key, ==, "sk-rotated-key-000000000000000000");
  i2a_test_proxy_free (p);
}

static void
test_oauth_creds_fallback (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (FALSE);
  g_autofree char *base = i2a_fake_iflow_dup_base_url (p->fake);
  g_autofree char *settings = g_build_filename (p->iflow_dir, "settings.json", NULL);
  g_autofree char *creds = g_build_filename (p->iflow_dir, "oauth_creds.json", NULL);
  g_autofree char *json = g_strdup_printf ("{\"baseUrl\":\"%s\",\"selectedAuthType\":\"oauth-iflow\"}", base);
  g_autofree char *cjson = g_strdup_printf ("{\"access_token\":\"at\",\"refresh_token\":\"rt\",\"expiry_date\":1893456000000,"
                                            "\"apiKey\":\"%s\"}", I2A_TEST_KEY);
  g_autoptr(I2aTestResponse) r = NULL;

  i2a_test_write_file (creds, cjson);
  i2a_test_write_file (settings, json);
  g_assert_true (i2a_test_wait_until (logged_in, p, 5000));
  r = chat (p, "glm-5", "hi", FALSE);
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpint (i2a_cli_settings_get_expires_at (p->cli), ==, 1893456000);
  i2a_test_proxy_free (p);
}

int
main (int argc, char *argv[])
{
  g_setenv ("SOUP_FORCE_HTTP1", "1", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/health", test_health);
  g_test_add_func ("/server/health-not-logged-in", test_health_not_logged_in);
  g_test_add_func ("/server/models", test_models);
  g_test_add_func ("/server/not-found-and-method", test_not_found_and_method);
  g_test_add_func ("/server/chat/json", test_chat_json);
  g_test_add_func ("/server/chat/session-ids", test_session_ids_stable);
  g_test_add_func ("/server/chat/stream", test_chat_stream);
  g_test_add_func ("/server/chat/stream-not-buffered", test_stream_not_buffered);
  g_test_add_func ("/server/chat/reasoning", test_stream_reasoning);
  g_test_add_func ("/server/chat/nospace-nodone", test_stream_nospace_and_nodone);
  g_test_add_func ("/server/errors/mapping", test_error_mapping);
  g_test_add_func ("/server/errors/stream-before-first-event", test_stream_error_before_first_event);
  g_test_add_func ("/server/errors/after-first-byte", test_stream_failure_after_first_byte);
  g_test_add_func ("/server/errors/first-byte-timeout", test_first_byte_timeout);
  g_test_add_func ("/server/disconnect/mid-stream", test_disconnect_mid_stream);
  g_test_add_func ("/server/disconnect/before-first-byte", test_disconnect_before_first_byte);
  g_test_add_func ("/server/shutdown", test_shutdown_ends_streams);
  g_test_add_func ("/server/slow-client-backpressure", test_slow_client_backpressure);
  g_test_add_func ("/server/bad-input/cases", test_bad_input);
  g_test_add_func ("/server/bad-input/too-large", test_body_too_large);
  g_test_add_func ("/server/settings/live-reload", test_settings_live_reload);
  g_test_add_func ("/server/settings/oauth-creds", test_oauth_creds_fallback);

  return g_test_run ();
}
