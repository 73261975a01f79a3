/* test-messages.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The Messages front door end to end: a real client, the real server and
 * the fake upstream over loopback (errors in Anthropic's shape, nothing
 * sent upstream for bad input, streams, tools, pings, the chat path's
 * guarantees, count_tokens against the upstream's prompt_tokens). */
#include "config.h"

#include <string.h>

#include "i2a-json.h"
#include "i2a-test-util.h"

static I2aTestResponse *
post (I2aTestProxy *p,
      const char   *path,
      const char   *body)
{
  g_autofree char *url = i2a_test_proxy_url (p, path);

  return i2a_test_request (p->client, "POST", url, NULL, "application/json", body, 0, 0);
}

static char *
messages_body (const char *content,
               gboolean    stream)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "model");
  json_builder_add_string_value (b, "glm-4.7");
  json_builder_set_member_name (b, "max_tokens");
  json_builder_add_int_value (b, 256);
  json_builder_set_member_name (b, "system");
  json_builder_add_string_value (b, "Be brief.");
  json_builder_set_member_name (b, "stream");
  json_builder_add_boolean_value (b, stream);
  json_builder_set_member_name (b, "messages");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "role");
  json_builder_add_string_value (b, "user");
  json_builder_set_member_name (b, "content");
  json_builder_add_string_value (b, content);
  json_builder_end_object (b);
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

static JsonObject *
event_json (I2aTestResponse *r,
            guint            i)
{
  JsonObject *object;

  g_assert_cmpuint (i, <, r->events->len);
  object = i2a_json_parse_object (r->events->pdata[i], strlen (r->events->pdata[i]));
  g_assert_nonnull (object);
  return object;
}

static const char *
event_type (I2aTestResponse *r,
            guint            i)
{
  static char type[64];
  g_autoptr(JsonObject) object = event_json (r, i);

  g_strlcpy (type, json_object_get_string_member (object, "type"), sizeof type);
  return type;
}

/* {"type":"error","error":{"type":...,"message":...}}: returns the inner. */
static JsonObject *
assert_anthropic_error (I2aTestResponse *r,
                        guint            status,
                        const char      *type)
{
  g_autoptr(JsonObject) body = i2a_test_response_json (r);
  JsonObject *error;

  g_assert_cmpuint (r->status, ==, status);
  g_assert_nonnull (body);
  g_assert_cmpstr (json_object_get_string_member (body, "type"), ==, "error");
  error = json_object_get_object_member (body, "error");
  g_assert_nonnull (error);
  g_assert_cmpstr (json_object_get_string_member (error, "type"), ==, type);
  g_assert_nonnull (json_object_get_string_member (error, "message"));
  return json_object_ref (error);
}

static void
test_preflights (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  struct { const char *method, *path; } ok[] = {
    { "HEAD", "/" }, { "GET", "/" }, { "HEAD", "/api/hello" }, { "POST", "/api/event_logging/batch" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (ok); i++)
    {
      g_autofree char *url = i2a_test_proxy_url (p, ok[i].path);
      g_autoptr(I2aTestResponse) r = i2a_test_request (p->client, ok[i].method, url, NULL, "application/json",
                                                       g_str_equal (ok[i].method, "POST")
                                                       ? "{\"events\":[{\"event_type\":\"x\"}]}" : NULL, 0, 0);

      g_assert_cmpuint (r->status, ==, 200);
    }
  /* Telemetry is dropped, never forwarded. */
  g_assert_cmpuint (i2a_fake_iflow_get_requests (p->fake)->len, ==, 0);
  {
    g_autofree char *url = i2a_test_proxy_url (p, "/v1/messages");
    g_autoptr(I2aTestResponse) r = i2a_test_request (p->client, "GET", url, NULL, NULL, NULL, 0, 0);
    g_autoptr(JsonObject) err = assert_anthropic_error (r, 405, "invalid_request_error");
  }
  i2a_test_proxy_free (p);
}

static void
test_non_streaming (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  g_autofree char *body = messages_body ("hi", FALSE);
  g_autoptr(I2aTestResponse) r = post (p, "/v1/messages", body);
  g_autoptr(JsonObject) answer = i2a_test_response_json (r);
  I2aFakeRequest *up = i2a_fake_iflow_get_last_request (p->fake);
  JsonArray *content, *messages;

  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (answer, "type"), ==, "message");
  g_assert_cmpstr (json_object_get_string_member (answer, "model"), ==, "glm-4.7");
  content = json_object_get_array_member (answer, "content");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (content, 0), "text"), ==,
                   "Hello from fake iFlow");
  g_assert_cmpstr (json_object_get_string_member (answer, "stop_reason"), ==, "end_turn");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (answer, "usage"), "input_tokens"), ==,
                   up->prompt_tokens);
  /* Upstream got a chat request: system first, the iFlow rules applied. */
  g_assert_true (up->signature_ok);
  messages = json_object_get_array_member (up->body, "messages");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (messages, 0), "role"), ==, "system");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (messages, 1), "content"), ==, "hi");
  i2a_test_proxy_free (p);
}

static void
test_streaming (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  g_autofree char *body = messages_body ("fake:reasoning", TRUE);
  g_autoptr(I2aTestResponse) r = post (p, "/v1/messages?beta=true", body);
  guint n = r->events->len, starts = 0;
  g_autoptr(JsonObject) delta = NULL;

  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpstr (soup_message_headers_get_content_type (r->headers, NULL), ==, "text/event-stream");
  for (guint i = 0; i < n; i++)
    starts += g_str_equal (event_type (r, i), "message_start");
  g_assert_cmpuint (starts, ==, 1);
  g_assert_cmpstr (event_type (r, 0), ==, "message_start");
  g_assert_cmpstr (event_type (r, 1), ==, "content_block_start");
  g_assert_cmpstr (event_type (r, n - 2), ==, "message_delta");
  g_assert_cmpstr (event_type (r, n - 1), ==, "message_stop");
  delta = event_json (r, n - 2);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (delta, "delta"), "stop_reason"),
                   ==, "end_turn");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (delta, "usage"), "input_tokens"),
                   ==, i2a_fake_iflow_get_last_request (p->fake)->prompt_tokens);
  /* The plain path works too. */
  {
    g_autoptr(I2aTestResponse) r2 = post (p, "/messages", body);
    g_assert_cmpuint (r2->status, ==, 200);
    g_assert_cmpstr (event_type (r2, r2->events->len - 1), ==, "message_stop");
  }
  i2a_test_proxy_free (p);
}

/* Bad input: 400 naming the field, and nothing sent upstream. */
static void
test_bad_input (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  struct { const char *body; const char *field; } cases[] = {
    { "{\"model\":\"m\",\"max_tokens\":5,\"messages\":{\"role\":\"user\"}}", "messages" },
    { "{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\"}]}]}",
      "messages.0.content.0.text" },
    { "{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"video\",\"url\":\"x\"}]}]}",
      "messages.0.content.0.type" },
    { "{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"assistant\","
      "\"content\":[{\"type\":\"tool_use\",\"id\":\"a\",\"name\":\"B\",\"input\":{}}]},{\"role\":\"user\",\"content\":"
      "[{\"type\":\"tool_result\",\"tool_use_id\":\"zz\",\"content\":\"r\"}]}]}", "messages.2.content.0.tool_use_id" },
    { "{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":[7]}]}", "messages.0.content.0" },
    { "{not json", NULL },
    { "[1]", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(I2aTestResponse) r = post (p, "/v1/messages", cases[i].body);
      g_autoptr(JsonObject) err = assert_anthropic_error (r, 400, "invalid_request_error");

      if (cases[i].field)
        g_assert_true (g_str_has_prefix (json_object_get_string_member (err, "message"), cases[i].field));
    }
  {
    /* The shared document limits apply before parsing. */
    g_autofree char *open = g_strnfill (200, '[');
    g_autofree char *close = g_strnfill (200, ']');
    g_autofree char *deep = g_strdup_printf ("{\"model\":\"m\",\"max_tokens\":5,\"messages\":%s%s}", open, close);
    g_autoptr(I2aTestResponse) r = post (p, "/v1/messages", deep);
    g_autoptr(JsonObject) err = assert_anthropic_error (r, 400, "invalid_request_error");
  }
  {
    g_autoptr(I2aTestResponse) r = post (p, "/v1/messages/count_tokens", cases[0].body);
    g_autoptr(JsonObject) err = assert_anthropic_error (r, 400, "invalid_request_error");
  }
  /* Refused before the body is read: still Anthropic's shape. */
  {
    g_autofree char *big = g_strnfill (4096, 'x');
    g_autoptr(I2aTestResponse) r = NULL;
    g_autoptr(JsonObject) err = NULL;

    i2a_server_set_max_body (p->server, 1024);
    r = post (p, "/v1/messages", big);
    err = assert_anthropic_error (r, 413, "invalid_request_error");
  }
  g_assert_cmpuint (i2a_fake_iflow_get_requests (p->fake)->len, ==, 0);
  i2a_test_proxy_free (p);
}

static void
test_upstream_errors (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  g_autofree char *limited = messages_body ("fake:retry-after 9", TRUE);
  g_autofree char *broken = messages_body ("fake:break-after 2", TRUE);
  g_autoptr(I2aTestResponse) r = post (p, "/v1/messages", limited);
  g_autoptr(JsonObject) err = assert_anthropic_error (r, 429, "rate_limit_error");
  g_autoptr(I2aTestResponse) b = post (p, "/v1/messages", broken);
  g_autoptr(JsonObject) last = NULL;

  g_assert_cmpstr (soup_message_headers_get_one (r->headers, "Retry-After"), ==, "9");
  /* After the first byte: an explicit error event ends the stream. */
  g_assert_cmpuint (b->status, ==, 200);
  g_assert_cmpstr (event_type (b, 0), ==, "message_start");
  last = event_json (b, b->events->len - 1);
  g_assert_cmpstr (json_object_get_string_member (last, "type"), ==, "error");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (last, "error"), "type"), ==,
                   "api_error");
  g_assert_nonnull (strstr (b->body->str, "event: error\n"));
  i2a_test_proxy_free (p);
}

/* While the upstream is silent: pings (before its first byte too), then a
 * timeout as an error event. */
static void
test_pings (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  g_autofree char *hang = messages_body ("fake:hang-headers", TRUE);
  g_autofree char *slow = messages_body ("fake:slow 2 2300", TRUE);
  g_autoptr(I2aTestResponse) r = NULL;
  g_autoptr(I2aTestResponse) s = NULL;
  g_autoptr(JsonObject) last = NULL;
  guint pings = 0;

  i2a_server_set_timeouts (p->server, 3, 10, 1);
  r = post (p, "/v1/messages", hang);
  g_assert_cmpuint (r->status, ==, 200);
  for (guint i = 0; i + 1 < r->events->len; i++)
    {
      g_assert_cmpstr (event_type (r, i), ==, "ping");
      pings++;
    }
  g_assert_cmpuint (pings, >=, 1);
  last = event_json (r, r->events->len - 1);
  g_assert_cmpstr (json_object_get_string_member (last, "type"), ==, "error");

  /* During gaps between events too; the answer is whole. */
  s = post (p, "/v1/messages", slow);
  pings = 0;
  for (guint i = 0; i < s->events->len; i++)
    pings += g_str_equal (event_type (s, i), "ping");
  g_assert_cmpuint (pings, >=, 2);
  g_assert_cmpstr (event_type (s, s->events->len - 1), ==, "message_stop");
  i2a_test_proxy_free (p);
}

static void
test_hang_up (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  g_autofree char *url = i2a_test_proxy_url (p, "/v1/messages");
  g_autofree char *body = messages_body ("fake:slow 400 50", TRUE);
  g_autoptr(I2aTestResponse) r = NULL;

  r = i2a_test_request (p->client, "POST", url, NULL, "application/json", body, 3, 0);
  g_assert_true (i2a_test_wait_fake_aborts (p->fake, 1, 3000));
  g_assert_true (i2a_test_wait_no_active (p->server, 3000));
  i2a_test_proxy_free (p);
}

/* The agentic turn at the protocol level: a tool call streamed in odd
 * pieces (or all at the end), then the answer built from its result. */
static void
test_tool_round_trip (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  const char *modes[] = { "tool", "tool-late" };

  for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
    {
      g_autofree char *prompt = g_strdup_printf ("fake:%s Bash {\"command\":\"echo h\u00e9llo \u65e5\u672c\"}", modes[m]);
      g_autofree char *first = messages_body (prompt, TRUE);
      g_autoptr(I2aTestResponse) r = post (p, "/v1/messages", first);
      g_autoptr(GString) input = g_string_new (NULL);
      g_autoptr(JsonObject) parsed = NULL;
      g_autoptr(JsonObject) delta = NULL;
      g_autofree char *second = NULL;
      g_autoptr(I2aTestResponse) r2 = NULL;
      g_autoptr(JsonObject) answer = NULL;
      char *id = NULL;

      for (guint i = 0; i < r->events->len; i++)
        {
          g_autoptr(JsonObject) e = event_json (r, i);
          const char *type = json_object_get_string_member (e, "type");

          if (g_str_equal (type, "content_block_start"))
            {
              JsonObject *block = json_object_get_object_member (e, "content_block");

              g_assert_cmpstr (json_object_get_string_member (block, "type"), ==, "tool_use");
              g_assert_cmpstr (json_object_get_string_member (block, "name"), ==, "Bash");
              id = g_strdup (json_object_get_string_member (block, "id"));
            }
          else if (g_str_equal (type, "content_block_delta"))
            g_string_append (input, json_object_get_string_member (json_object_get_object_member (e, "delta"),
                                                                   "partial_json"));
          else if (g_str_equal (type, "message_delta"))
            delta = json_object_ref (e);
        }
      parsed = i2a_json_parse_object (input->str, input->len);
      g_assert_nonnull (parsed);
      g_assert_cmpstr (json_object_get_string_member (parsed, "command"), ==, "echo h\u00e9llo \u65e5\u672c");
      g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (delta, "delta"), "stop_reason"),
                       ==, "tool_use");

      second = g_strdup_printf ("{\"model\":\"glm-4.7\",\"max_tokens\":100,\"stream\":false,\"messages\":["
                                "{\"role\":\"user\",\"content\":\"%s\"},"
                                "{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"%s\",\"name\":\"Bash\","
                                "\"input\":%s}]},"
                                "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"%s\","
                                "\"content\":\"h\u00e9llo \u65e5\u672c\"}]}]}",
                                "fake:tool Bash {}", id, input->str, id);
      r2 = post (p, "/v1/messages", second);
      answer = i2a_test_response_json (r2);
      g_assert_cmpuint (r2->status, ==, 200);
      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (
                         json_object_get_array_member (answer, "content"), 0), "text"), ==,
                       "Tool said: h\u00e9llo \u65e5\u672c");
      g_free (id);
    }
  i2a_test_proxy_free (p);
}

/* count_tokens is a real count: within 15 % of the upstream's prompt_tokens
 * for the same request, tools and system included. */
static void
test_count_tokens (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  const char *body =
    "{\"model\":\"glm-4.7\",\"max_tokens\":512,"
    "\"system\":[{\"type\":\"text\",\"text\":\"You are an interactive CLI tool that helps users with software "
    "engineering tasks. Use the instructions below and the tools available to you to assist the user. Keep your "
    "responses short, since they will be displayed on a command line interface. Only use emojis if the user "
    "explicitly requests it.\"}],"
    "\"tools\":[{\"name\":\"Bash\",\"description\":\"Executes a given bash command in a persistent shell session "
    "with optional timeout, ensuring proper handling and security measures.\",\"input_schema\":{\"type\":\"object\","
    "\"properties\":{\"command\":{\"type\":\"string\",\"description\":\"The command to execute\"},\"timeout\":"
    "{\"type\":\"number\",\"description\":\"Optional timeout in milliseconds (max 600000)\"}},\"required\":[\"command\"],"
    "\"additionalProperties\":false}},{\"name\":\"Read\",\"description\":\"Reads a file from the local filesystem. "
    "You can access any file directly by using this tool.\",\"input_schema\":{\"type\":\"object\",\"properties\":"
    "{\"file_path\":{\"type\":\"string\",\"description\":\"The absolute path to the file to read\"}},"
    "\"required\":[\"file_path\"]}}],"
    "\"messages\":[{\"role\":\"user\",\"content\":\"Please look at the README in this repository and tell me "
    "how to build the project on Debian, including which packages I need to install first.\"},"
    "{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"I'll read the README first.\"},"
    "{\"type\":\"tool_use\",\"id\":\"toolu_01\",\"name\":\"Read\",\"input\":{\"file_path\":\"/src/README.md\"}}]},"
    "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_01\",\"content\":"
    "\"# Building\\n\\nInstall meson, ninja and the GTK 4 development files, then run meson setup _build and "
    "ninja -C _build. The tests run with meson test -C _build.\"}]}]}";
  g_autoptr(I2aTestResponse) count = post (p, "/v1/messages/count_tokens?beta=true", body);
  g_autoptr(JsonObject) counted = i2a_test_response_json (count);
  g_autoptr(I2aTestResponse) real = post (p, "/v1/messages", body);
  gint64 estimate, upstream;

  g_assert_cmpuint (count->status, ==, 200);
  g_assert_cmpuint (real->status, ==, 200);
  estimate = json_object_get_int_member (counted, "input_tokens");
  upstream = i2a_fake_iflow_get_last_request (p->fake)->prompt_tokens;
  g_test_message ("count_tokens %" G_GINT64_FORMAT ", upstream prompt_tokens %" G_GINT64_FORMAT,
                  estimate, upstream);
  g_assert_cmpint (upstream, >, 200);
  g_assert_cmpint (ABS (estimate - upstream) * 100, <=, 15 * upstream);
  /* count_tokens itself never reaches the upstream. */
  g_assert_cmpuint (i2a_fake_iflow_get_requests (p->fake)->len, ==, 1);
  i2a_test_proxy_free (p);
}

/* A body of a long session (over the size parsed off the main loop) is
 * translated and answered like any other, and a bad one still gets its
 * 400 naming the field. */
static void
test_big_body (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  g_autofree char *history = g_strnfill (300 * 1024, 'a');
  g_autofree char *body = g_strdup_printf ("{\"model\":\"glm-4.7\",\"max_tokens\":10,\"messages\":["
                                           "{\"role\":\"user\",\"content\":\"%s\"},"
                                           "{\"role\":\"assistant\",\"content\":\"ok\"},"
                                           "{\"role\":\"user\",\"content\":\"hi\"}]}", history);
  g_autofree char *bad = g_strdup_printf ("{\"model\":\"glm-4.7\",\"max_tokens\":10,\"messages\":["
                                          "{\"role\":\"user\",\"content\":\"%s\"},"
                                          "{\"role\":\"user\",\"content\":[{\"type\":\"nope\"}]}]}", history);
  g_autoptr(I2aTestResponse) r = post (p, "/v1/messages", body);
  g_autoptr(JsonObject) answer = i2a_test_response_json (r);
  g_autoptr(I2aTestResponse) r2 = NULL;
  g_autoptr(JsonObject) err = NULL;
  JsonArray *sent;

  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (answer, "type"), ==, "message");
  sent = json_object_get_array_member (i2a_fake_iflow_get_last_request (p->fake)->body, "messages");
  g_assert_cmpuint (strlen (json_object_get_string_member (json_array_get_object_element (sent, 0), "content")),
                    ==, 300 * 1024);
  r2 = post (p, "/v1/messages", bad);
  err = assert_anthropic_error (r2, 400, "invalid_request_error");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (err, "message"), "messages.1.content.0.type"));
  g_assert_cmpuint (i2a_fake_iflow_get_requests (p->fake)->len, ==, 1);
  i2a_test_proxy_free (p);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/server/messages/preflights", test_preflights);
  g_test_add_func ("/server/messages/non-streaming", test_non_streaming);
  g_test_add_func ("/server/messages/streaming", test_streaming);
  g_test_add_func ("/server/messages/bad-input", test_bad_input);
  g_test_add_func ("/server/messages/upstream-errors", test_upstream_errors);
  g_test_add_func ("/server/messages/pings", test_pings);
  g_test_add_func ("/server/messages/hang-up", test_hang_up);
  g_test_add_func ("/server/messages/tool-round-trip", test_tool_round_trip);
  g_test_add_func ("/server/messages/count-tokens", test_count_tokens);
  g_test_add_func ("/server/messages/big-body", test_big_body);
  return g_test_run ();
}
