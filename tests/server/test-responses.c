/* test-responses.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The Responses front door end to end: a real client, the real server and
 * the fake upstream over loopback (OpenAI-shaped errors, nothing sent
 * upstream for bad input, event streams, stored responses and
 * previous_response_id with eviction, the WebSocket and compact answers,
 * Codex's model catalogue, a tool round trip). */
#include "config.h"

#include <string.h>

#include "i2a-json.h"
#include "i2a-responses-store.h"
#include "i2a-test-util.h"

static I2aTestResponse *
request (I2aTestProxy *p,
         const char   *method,
         const char   *path,
         const char   *body)
{
  g_autofree char *url = i2a_test_proxy_url (p, path);

  return i2a_test_request (p->client, method, url, NULL, body ? "application/json" : NULL, body, 0, 0);
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

static char *
event_type (I2aTestResponse *r,
            guint            i)
{
  g_autoptr(JsonObject) object = event_json (r, i);

  return g_strdup (json_object_get_string_member (object, "type"));
}

static void
assert_event (I2aTestResponse *r,
              guint            i,
              const char      *type)
{
  g_autofree char *seen = event_type (r, i);

  g_assert_cmpstr (seen, ==, type);
}

static char *
output_text (JsonObject *response)
{
  JsonArray *output = json_object_get_array_member (response, "output");
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (output); i++)
    {
      JsonObject *item = json_array_get_object_element (output, i);

      if (g_str_equal (json_object_get_string_member (item, "type"), "message"))
        g_string_append (text, json_object_get_string_member (json_array_get_object_element (
                                 json_object_get_array_member (item, "content"), 0), "text"));
    }
  return g_string_free (text, FALSE);
}

static void
test_non_streaming (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  g_autoptr(I2aTestResponse) r = request (p, "POST", "/v1/responses",
                                          "{\"model\":\"glm-4.7\",\"instructions\":\"Be brief.\",\"input\":\"hi\","
                                          "\"max_output_tokens\":100,\"prompt_cache_key\":\"k\",\"metadata\":{\"a\":\"b\"}}");
  g_autoptr(JsonObject) answer = i2a_test_response_json (r);
  g_autofree char *text = NULL;
  I2aFakeRequest *up = i2a_fake_iflow_get_last_request (p->fake);
  JsonArray *messages = json_object_get_array_member (up->body, "messages");
  JsonObject *usage;

  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (answer, "object"), ==, "response");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (answer, "id"), "resp_"));
  g_assert_cmpstr (json_object_get_string_member (answer, "status"), ==, "completed");
  g_assert_cmpstr (json_object_get_string_member (answer, "model"), ==, "glm-4.7");
  text = output_text (answer);
  g_assert_cmpstr (text, ==, "Hello from fake iFlow");
  usage = json_object_get_object_member (answer, "usage");
  g_assert_cmpint (json_object_get_int_member (usage, "input_tokens"), ==, up->prompt_tokens);
  g_assert_cmpint (json_object_get_int_member (usage, "total_tokens"), >, up->prompt_tokens);
  /* The upstream got a chat request: instructions as the system message. */
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (messages, 0), "role"), ==, "system");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (messages, 1), "content"), ==, "hi");
  g_assert_false (json_object_has_member (up->body, "metadata"));
  g_assert_false (json_object_has_member (up->body, "input"));
  {
    /* The plain path too. */
    g_autoptr(I2aTestResponse) r2 = request (p, "POST", "/responses", "{\"model\":\"glm-4.7\",\"input\":\"hi\"}");
    g_assert_cmpuint (r2->status, ==, 200);
  }
  i2a_test_proxy_free (p);
}

static void
test_streaming (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  g_autoptr(I2aTestResponse) r = request (p, "POST", "/v1/responses",
                                          "{\"model\":\"glm-4.7\",\"input\":\"fake:reasoning\",\"stream\":true,"
                                          "\"reasoning\":{\"effort\":\"high\",\"summary\":\"auto\"}}");
  g_autoptr(JsonObject) last = NULL;
  JsonObject *response;
  guint n = r->events->len;

  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpstr (soup_message_headers_get_content_type (r->headers, NULL), ==, "text/event-stream");
  g_assert_cmpuint (n, >, 8);
  assert_event (r, 0, "response.created");
  assert_event (r, 1, "response.in_progress");
  assert_event (r, 2, "response.output_item.added");
  assert_event (r, 3, "response.reasoning_summary_part.added");
  assert_event (r, 4, "response.reasoning_summary_text.delta");
  assert_event (r, n - 1, "response.completed");
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JsonObject) e = event_json (r, i);

      g_assert_cmpint (json_object_get_int_member (e, "sequence_number"), ==, i);
    }
  /* Each data line is named by an event line. */
  g_assert_nonnull (strstr (r->body->str, "event: response.output_text.delta\ndata: {"));
  last = event_json (r, n - 1);
  response = json_object_get_object_member (last, "response");
  g_assert_cmpstr (json_object_get_string_member (response, "status"), ==, "completed");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (response, "usage"), "input_tokens"),
                   ==, i2a_fake_iflow_get_last_request (p->fake)->prompt_tokens);
  /* reasoning.effort reached the thinking switches of the iFlow rules. */
  g_assert_false (json_object_has_member (i2a_fake_iflow_get_last_request (p->fake)->body, "reasoning"));
  i2a_test_proxy_free (p);
}

/* Bad input: 400 naming the field, and nothing sent upstream. */
static void
test_bad_input (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  struct { const char *body; const char *param; } cases[] = {
    { "{\"model\":\"m\",\"input\":42}", "input" },
    { "{\"model\":\"m\",\"input\":[{\"role\":\"user\",\"content\":7}]}", "input[0].content" },
    { "{\"model\":\"m\",\"input\":[{\"type\":\"function_call\",\"call_id\":\"c\",\"name\":\"f\"}]}", "input[0]" },
    { "{\"model\":\"m\",\"input\":[{\"role\":\"user\",\"content\":\"q\"},"
      "{\"type\":\"function_call_output\",\"call_id\":\"call_none\",\"output\":\"x\"}]}", "input[1].call_id" },
    { "{\"model\":\"m\",\"input\":\"x\",\"previous_response_id\":\"resp_never\"}", "previous_response_id" },
    { "{\"input\":\"x\"}", "model" },
    { "{not json", NULL },
    { "[1]", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(I2aTestResponse) r = request (p, "POST", "/v1/responses", cases[i].body);
      g_autoptr(JsonObject) err = i2a_test_assert_openai_error (r, 400);

      if (cases[i].param)
        {
          g_assert_cmpstr (json_object_get_string_member (err, "param"), ==, cases[i].param);
          g_assert_nonnull (strstr (json_object_get_string_member (err, "message"), cases[i].param));
        }
    }
  {
    /* The shared document limits apply before parsing. */
    g_autofree char *open = g_strnfill (200, '[');
    g_autofree char *close = g_strnfill (200, ']');
    g_autofree char *deep = g_strdup_printf ("{\"model\":\"m\",\"input\":%s%s}", open, close);
    g_autoptr(I2aTestResponse) r = request (p, "POST", "/v1/responses", deep);
    g_autoptr(JsonObject) err = i2a_test_assert_openai_error (r, 400);
  }
  g_assert_cmpuint (i2a_fake_iflow_get_requests (p->fake)->len, ==, 0);
  i2a_test_proxy_free (p);
}

static void
test_upstream_errors (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  g_autoptr(I2aTestResponse) r = request (p, "POST", "/v1/responses",
                                          "{\"model\":\"m\",\"input\":\"fake:retry-after 9\",\"stream\":true}");
  g_autoptr(JsonObject) err = i2a_test_assert_openai_error (r, 429);
  g_autoptr(I2aTestResponse) b = request (p, "POST", "/v1/responses",
                                          "{\"model\":\"m\",\"input\":\"fake:break-after 2\",\"stream\":true}");
  g_autoptr(JsonObject) last = NULL;
  JsonObject *response;

  g_assert_cmpstr (soup_message_headers_get_one (r->headers, "Retry-After"), ==, "9");
  /* After the first byte: response.failed with the error ends the stream. */
  g_assert_cmpuint (b->status, ==, 200);
  assert_event (b, 0, "response.created");
  assert_event (b, b->events->len - 1, "response.failed");
  last = event_json (b, b->events->len - 1);
  response = json_object_get_object_member (last, "response");
  g_assert_cmpstr (json_object_get_string_member (response, "status"), ==, "failed");
  g_assert_nonnull (json_object_get_string_member (json_object_get_object_member (response, "error"), "message"));
  i2a_test_proxy_free (p);
}

/* The same guarantees as chat: a client that hangs up mid-stream cancels
 * the upstream request and frees its slot; a stream that fails mid-way is
 * not stored. */
static void
test_hang_up (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  g_autofree char *url = i2a_test_proxy_url (p, "/v1/responses");
  g_autoptr(I2aTestResponse) r = NULL;
  guint stored = i2a_responses_store_get_count (i2a_responses_store_get_default ());

  r = i2a_test_request (p->client, "POST", url, NULL, "application/json",
                        "{\"model\":\"glm-4.7\",\"input\":\"fake:slow 400 50\",\"stream\":true}", 4, 0);
  g_assert_true (i2a_test_wait_fake_aborts (p->fake, 1, 3000));
  g_assert_true (i2a_test_wait_no_active (p->server, 3000));
  g_assert_cmpuint (i2a_responses_store_get_count (i2a_responses_store_get_default ()), ==, stored);
  i2a_test_proxy_free (p);
}

/* Stored responses: GET by id, previous_response_id continues the
 * conversation, store:false keeps nothing, the oldest is evicted. */
static void
test_store (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  I2aResponsesStore *store = i2a_responses_store_get_default ();
  g_autoptr(I2aTestResponse) first = request (p, "POST", "/v1/responses",
                                              "{\"model\":\"glm-4.7\",\"input\":\"remember 42\",\"stream\":true}");
  g_autoptr(JsonObject) done = event_json (first, first->events->len - 1);
  const char *id = json_object_get_string_member (json_object_get_object_member (done, "response"), "id");
  g_autofree char *path = g_strdup_printf ("/v1/responses/%s", id);
  g_autofree char *next = g_strdup_printf ("{\"model\":\"glm-4.7\",\"input\":\"what number?\","
                                           "\"previous_response_id\":\"%s\"}", id);
  g_autoptr(I2aTestResponse) got = request (p, "GET", path, NULL);
  g_autoptr(JsonObject) stored = i2a_test_response_json (got);
  g_autoptr(I2aTestResponse) second = request (p, "POST", "/v1/responses", next);
  JsonArray *messages = json_object_get_array_member (i2a_fake_iflow_get_last_request (p->fake)->body, "messages");

  g_assert_cmpuint (got->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (stored, "id"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (stored, "status"), ==, "completed");
  /* The upstream saw the whole conversation: user, assistant, user. */
  g_assert_cmpuint (second->status, ==, 200);
  g_assert_cmpuint (json_array_get_length (messages), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (messages, 0), "content"), ==, "remember 42");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (messages, 1), "role"), ==, "assistant");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (messages, 2), "content"), ==, "what number?");
  /* The conversation the handler serialized for the store stays inside. */
  g_assert_null (strstr (got->body->str, "x-iflow2api"));
  g_assert_null (strstr (second->body->str, "x-iflow2api"));
  {
    /* A third turn: the stored conversation of the second (itself
     * continued) and its answer, then the new input. */
    g_autoptr(JsonObject) second_body = i2a_test_response_json (second);
    g_autofree char *third = g_strdup_printf ("{\"model\":\"glm-4.7\",\"input\":\"and twice that?\","
                                              "\"previous_response_id\":\"%s\"}",
                                              json_object_get_string_member (second_body, "id"));
    g_autoptr(I2aTestResponse) r3 = request (p, "POST", "/v1/responses", third);
    JsonArray *all = json_object_get_array_member (i2a_fake_iflow_get_last_request (p->fake)->body, "messages");

    g_assert_cmpuint (r3->status, ==, 200);
    g_assert_cmpuint (json_array_get_length (all), ==, 5);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (all, 0), "content"), ==, "remember 42");
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (all, 3), "role"), ==, "assistant");
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (all, 4), "content"), ==, "and twice that?");
  }

  {
    /* store: false */
    g_autoptr(I2aTestResponse) r = request (p, "POST", "/v1/responses",
                                            "{\"model\":\"glm-4.7\",\"input\":\"x\",\"store\":false}");
    g_autoptr(JsonObject) body = i2a_test_response_json (r);
    g_autofree char *p2 = g_strdup_printf ("/v1/responses/%s", json_object_get_string_member (body, "id"));
    g_autoptr(I2aTestResponse) missing = request (p, "GET", p2, NULL);
    g_autoptr(JsonObject) err = i2a_test_assert_openai_error (missing, 404);
  }
  {
    /* Eviction: with room for one response, the first is gone and
     * continuing from it is a 400 that says so. */
    g_autoptr(GSettings) settings = g_settings_new (APP_ID);
    guint sent;

    /* The setting resizes the store at once. */
    g_settings_set_int (settings, "responses-store-count", 1);
    g_assert_cmpuint (i2a_responses_store_get_count (store), ==, 1);
    sent = i2a_fake_iflow_get_requests (p->fake)->len;
    {
      g_autoptr(I2aTestResponse) r = request (p, "POST", "/v1/responses", next);
      g_autoptr(JsonObject) err = i2a_test_assert_openai_error (r, 400);
      g_autoptr(I2aTestResponse) gone = request (p, "GET", path, NULL);
      g_autoptr(JsonObject) err404 = i2a_test_assert_openai_error (gone, 404);

      g_assert_cmpstr (json_object_get_string_member (err, "param"), ==, "previous_response_id");
      g_assert_nonnull (strstr (json_object_get_string_member (err, "message"), "evicted"));
      g_assert_cmpuint (i2a_fake_iflow_get_requests (p->fake)->len, ==, sent);
    }
    /* The byte limit evicts too. */
    g_settings_set_int (settings, "responses-store-count", 100);
    g_settings_set_int (settings, "responses-store-mb", 0);
    g_assert_cmpuint (i2a_responses_store_get_count (store), ==, 0);
    g_settings_set_int (settings, "responses-store-count", I2A_RESPONSES_STORE_DEFAULT_COUNT);
    i2a_responses_store_set_limits (store, I2A_RESPONSES_STORE_DEFAULT_COUNT, 64 * 1024 * 1024);
  }
  {
    g_autoptr(I2aTestResponse) del = request (p, "DELETE", "/v1/responses/resp_nothing", NULL);
    g_autoptr(JsonObject) err = i2a_test_assert_openai_error (del, 404);
  }
  i2a_test_proxy_free (p);
}

static void
read_cb (GObject      *source,
         GAsyncResult *res,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (res);
}

/* Status of one request with one extra header (async: the server runs
 * on this thread's main loop). */
static guint
status_with (I2aTestProxy *p,
             const char   *method,
             const char   *path,
             const char   *content_type,
             const char   *body,
             const char   *header,
             const char   *value)
{
  g_autofree char *url = i2a_test_proxy_url (p, path);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) answer = NULL;
  GAsyncResult *result = NULL;

  soup_message_headers_replace (soup_message_get_request_headers (msg), header, value);
  if (body)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, content_type, bytes);
    }
  soup_session_send_and_read_async (p->client, msg, G_PRIORITY_DEFAULT, NULL, read_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  answer = soup_session_send_and_read_finish (p->client, result, NULL);
  g_object_unref (result);
  return soup_message_get_status (msg);
}

/* The server's browser protections cover this door too: a page's
 * cross-site POST, a rebound Host name, a body that is not JSON. */
static void
test_browser_protections (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  const char *body = "{\"model\":\"glm-4.7\",\"input\":\"hi\"}";

  g_assert_cmpuint (status_with (p, "POST", "/v1/responses", "application/json", body,
                                 "Origin", "https://evil.example"), ==, 403);
  g_assert_cmpuint (status_with (p, "GET", "/v1/responses/resp_x", NULL, NULL,
                                 "Host", "attacker.example:8000"), ==, 403);
  g_assert_cmpuint (status_with (p, "POST", "/v1/responses", "text/plain", body,
                                 "X-Test", "1"), ==, 415);
  g_assert_cmpuint (i2a_fake_iflow_get_requests (p->fake)->len, ==, 0);
  i2a_test_proxy_free (p);
}

/* Codex's WebSocket upgrade and compact calls get clear non-101 answers. */
static void
test_websocket_and_compact (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  g_autofree char *url = i2a_test_proxy_url (p, "/v1/responses");
  g_autoptr(SoupMessage) ws = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = NULL;
  GAsyncResult *result = NULL;
  g_autoptr(I2aTestResponse) compact = request (p, "POST", "/v1/responses/compact", "{\"model\":\"m\",\"input\":[]}");
  g_autoptr(JsonObject) err = i2a_test_assert_openai_error (compact, 501);

  soup_message_headers_replace (soup_message_get_request_headers (ws), "Connection", "Upgrade");
  soup_message_headers_replace (soup_message_get_request_headers (ws), "Upgrade", "websocket");
  soup_message_headers_replace (soup_message_get_request_headers (ws), "Sec-WebSocket-Version", "13");
  soup_message_headers_replace (soup_message_get_request_headers (ws), "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
  /* Async: the server runs on this thread's main loop. */
  soup_session_send_and_read_async (p->client, ws, G_PRIORITY_DEFAULT, NULL, read_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  body = soup_session_send_and_read_finish (p->client, result, NULL);
  g_object_unref (result);
  g_assert_cmpuint (soup_message_get_status (ws), ==, 405);
  g_assert_nonnull (strstr (g_bytes_get_data (body, NULL), "supports_websockets"));
  g_assert_cmpuint (i2a_fake_iflow_get_requests (p->fake)->len, ==, 0);
  i2a_test_proxy_free (p);
}

/* GET /v1/models?client_version=…: Codex's shape, with every field its
 * parser requires; without the query: the OpenAI list as before. */
static void
test_codex_models (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  g_autoptr(I2aTestResponse) r = request (p, "GET", "/v1/models?client_version=0.171.0", NULL);
  g_autoptr(JsonObject) body = i2a_test_response_json (r);
  g_autoptr(I2aTestResponse) plain = request (p, "GET", "/v1/models", NULL);
  g_autoptr(JsonObject) list = i2a_test_response_json (plain);
  JsonArray *models = json_object_get_array_member (body, "models");
  JsonArray *data = json_object_get_array_member (list, "data");
  const char * const required[] = {
    "slug", "display_name", "description", "supported_reasoning_levels", "shell_type", "visibility",
    "supported_in_api", "priority", "upgrade", "base_instructions", "supports_reasoning_summaries",
    "support_verbosity", "default_verbosity", "apply_patch_tool_type", "truncation_policy",
    "supports_parallel_tool_calls", "experimental_supported_tools", NULL
  };

  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpuint (json_array_get_length (models), ==, json_array_get_length (data));
  for (guint i = 0; i < json_array_get_length (models); i++)
    {
      JsonObject *m = json_array_get_object_element (models, i);

      for (guint k = 0; required[k]; k++)
        g_assert_true (json_object_has_member (m, required[k]));
      g_assert_cmpstr (json_object_get_string_member (m, "slug"), ==,
                       json_object_get_string_member (json_array_get_object_element (data, i), "id"));
      g_assert_cmpstr (json_object_get_string_member (m, "base_instructions"), !=, "");
    }
  i2a_test_proxy_free (p);
}

/* The agentic turn: the upstream asks for exec_command, the client sends
 * its output back as function_call_output, the answer uses it. */
static void
test_tool_round_trip (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  const char *tools = "[{\"type\":\"function\",\"name\":\"exec_command\",\"parameters\":{\"type\":\"object\","
                      "\"properties\":{\"cmd\":{\"type\":\"string\"}}}},{\"type\":\"web_search\"}]";
  g_autofree char *first = g_strdup_printf ("{\"model\":\"glm-4.7\",\"stream\":true,\"tools\":%s,"
                                            "\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_text\","
                                            "\"text\":\"fake:tool exec_command {\\\"cmd\\\":\\\"echo hi\\\"}\"}]}]}", tools);
  g_autoptr(I2aTestResponse) r = request (p, "POST", "/v1/responses", first);
  g_autoptr(JsonObject) done = event_json (r, r->events->len - 1);
  JsonArray *output = json_object_get_array_member (json_object_get_object_member (done, "response"), "output");
  JsonObject *call = NULL;
  GString *args = g_string_new (NULL);
  g_autofree char *joined = NULL;
  g_autofree char *second = NULL;
  g_autoptr(I2aTestResponse) r2 = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *text = NULL;
  JsonArray *upstream_tools = json_object_get_array_member (i2a_fake_iflow_get_last_request (p->fake)->body, "tools");

  /* web_search was dropped before the upstream. */
  g_assert_cmpuint (json_array_get_length (upstream_tools), ==, 1);
  for (guint i = 0; i < r->events->len; i++)
    {
      g_autoptr(JsonObject) e = event_json (r, i);

      if (g_str_equal (json_object_get_string_member (e, "type"), "response.function_call_arguments.delta"))
        g_string_append (args, json_object_get_string_member (e, "delta"));
    }
  joined = g_string_free (args, FALSE);
  g_assert_cmpstr (joined, ==, "{\"cmd\":\"echo hi\"}");
  for (guint i = 0; i < json_array_get_length (output); i++)
    if (g_str_equal (json_object_get_string_member (json_array_get_object_element (output, i), "type"), "function_call"))
      call = json_array_get_object_element (output, i);
  g_assert_nonnull (call);
  g_assert_cmpstr (json_object_get_string_member (call, "name"), ==, "exec_command");
  g_assert_cmpstr (json_object_get_string_member (call, "arguments"), ==, "{\"cmd\":\"echo hi\"}");

  /* Codex resends the whole conversation with the output. */
  second = g_strdup_printf ("{\"model\":\"glm-4.7\",\"tools\":%s,\"input\":["
                            "{\"role\":\"user\",\"content\":\"fake:tool exec_command {}\"},"
                            "{\"type\":\"function_call\",\"call_id\":\"%s\",\"name\":\"exec_command\",\"arguments\":\"{}\"},"
                            "{\"type\":\"function_call_output\",\"call_id\":\"%s\",\"output\":\"hi\"}]}",
                            tools, json_object_get_string_member (call, "call_id"),
                            json_object_get_string_member (call, "call_id"));
  r2 = request (p, "POST", "/v1/responses", second);
  answer = i2a_test_response_json (r2);
  g_assert_cmpuint (r2->status, ==, 200);
  text = output_text (answer);
  g_assert_cmpstr (text, ==, "Tool said: hi");
  i2a_test_proxy_free (p);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/server/responses/non-streaming", test_non_streaming);
  g_test_add_func ("/server/responses/streaming", test_streaming);
  g_test_add_func ("/server/responses/bad-input", test_bad_input);
  g_test_add_func ("/server/responses/upstream-errors", test_upstream_errors);
  g_test_add_func ("/server/responses/hang-up", test_hang_up);
  g_test_add_func ("/server/responses/store", test_store);
  g_test_add_func ("/server/responses/websocket-compact", test_websocket_and_compact);
  g_test_add_func ("/server/responses/codex-models", test_codex_models);
  g_test_add_func ("/server/responses/browser-protections", test_browser_protections);
  g_test_add_func ("/server/responses/tool-round-trip", test_tool_round_trip);
  return g_test_run ();
}
