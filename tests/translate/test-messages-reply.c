/* test-messages-reply.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Chat answer -> Messages answer, over recorded upstream shapes: every
 * stream is also checked against the rules Claude Code relies on (one
 * message_start, blocks on their own indices and properly nested, tool
 * input valid JSON at block stop, no tool_use stop without a tool block,
 * message_delta with usage, message_stop last). */
#include "config.h"

#include <string.h>

#include "i2a-json.h"
#include "i2a-messages-reply.h"
#include "i2a-sse-parser.h"

#define CHUNK(delta, finish) \
  "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"up\",\"choices\":[{\"index\":0," \
  "\"delta\":" delta ",\"finish_reason\":" finish "}]}"
#define USAGE(p, c, cached) \
  "{\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":" #p ",\"completion_tokens\":" #c \
  ",\"prompt_tokens_details\":{\"cached_tokens\":" #cached "}}}"

typedef struct
{
  char       *name;
  JsonObject *data;
} Event;

static void
event_free (gpointer data)
{
  Event *e = data;

  g_free (e->name);
  json_object_unref (e->data);
  g_free (e);
}

typedef struct
{
  GPtrArray *events;
} Parsed;

static void
parsed_cb (const char *event,
           const char *data,
           gsize       len,
           gpointer    user_data)
{
  GPtrArray *events = user_data;
  Event *e = g_new0 (Event, 1);

  g_assert_nonnull (event);
  g_assert_true (g_utf8_validate (data, len, NULL));
  e->name = g_strdup (event);
  e->data = i2a_json_parse_object (data, len);
  g_assert_nonnull (e->data);
  /* The event name and the payload's type agree. */
  g_assert_cmpstr (json_object_get_string_member (e->data, "type"), ==, event);
  g_ptr_array_add (events, e);
}

static GPtrArray *
parse_events (const char *text)
{
  GPtrArray *events = g_ptr_array_new_with_free_func (event_free);
  I2aSseParser *parser = i2a_sse_parser_new (1 << 20, parsed_cb, events);

  g_assert_true (i2a_sse_parser_feed (parser, text, strlen (text), NULL));
  g_assert_cmpuint (i2a_sse_parser_pending (parser), ==, 0);
  i2a_sse_parser_free (parser);
  return events;
}

/* The shape rules; returns the final content (one JSON array) so tests can
 * check it like a non-streaming body. */
static JsonArray *
check_stream (GPtrArray  *events,
              const char *expect_stop)
{
  JsonArray *content = json_array_new ();
  GString *acc = NULL;
  gint open = -1;
  guint next = 0;
  gboolean any_tool = FALSE;
  Event *last;

  g_assert_cmpuint (events->len, >=, 3);
  g_assert_cmpstr (((Event *) events->pdata[0])->name, ==, "message_start");
  for (guint i = 1; i < events->len; i++)
    {
      Event *e = events->pdata[i];

      g_assert_cmpstr (e->name, !=, "message_start");
      if (g_str_equal (e->name, "content_block_start"))
        {
          JsonObject *block = json_object_get_object_member (e->data, "content_block");

          g_assert_cmpint (open, ==, -1);
          g_assert_cmpint (json_object_get_int_member (e->data, "index"), ==, next);
          open = next++;
          json_array_add_object_element (content, json_object_ref (block));
          acc = g_string_new (NULL);
          if (g_str_equal (json_object_get_string_member (block, "type"), "tool_use"))
            {
              any_tool = TRUE;
              g_assert_cmpstr (json_object_get_string_member (block, "id"), !=, "");
            }
          if (g_str_equal (json_object_get_string_member (block, "type"), "thinking"))
            g_assert_cmpstr (json_object_get_string_member (block, "signature"), ==, "");
        }
      else if (g_str_equal (e->name, "content_block_delta"))
        {
          JsonObject *delta = json_object_get_object_member (e->data, "delta");
          const char *type = json_object_get_string_member (delta, "type");

          g_assert_cmpint (json_object_get_int_member (e->data, "index"), ==, open);
          if (g_str_equal (type, "text_delta"))
            g_string_append (acc, json_object_get_string_member (delta, "text"));
          else if (g_str_equal (type, "thinking_delta"))
            g_string_append (acc, json_object_get_string_member (delta, "thinking"));
          else
            {
              g_assert_cmpstr (type, ==, "input_json_delta");
              g_string_append (acc, json_object_get_string_member (delta, "partial_json"));
            }
        }
      else if (g_str_equal (e->name, "content_block_stop"))
        {
          JsonObject *block = json_array_get_object_element (content, json_array_get_length (content) - 1);
          const char *type = json_object_get_string_member (block, "type");

          g_assert_cmpint (json_object_get_int_member (e->data, "index"), ==, open);
          if (g_str_equal (type, "tool_use"))
            {
              /* Valid and complete at block stop. */
              JsonObject *input = i2a_json_parse_object (acc->str, acc->len);

              if (input == NULL)
                g_error ("tool input is not a JSON object: '%s'", acc->str);
              json_object_set_object_member (block, "input", input);
            }
          else
            json_object_set_string_member (block, type, acc->str);
          g_string_free (g_steal_pointer (&acc), TRUE);
          open = -1;
        }
      else if (g_str_equal (e->name, "message_delta"))
        {
          JsonObject *delta = json_object_get_object_member (e->data, "delta");
          JsonObject *usage = json_object_get_object_member (e->data, "usage");

          g_assert_cmpint (open, ==, -1);
          g_assert_nonnull (usage);
          g_assert_true (json_object_has_member (usage, "output_tokens"));
          g_assert_true (json_object_has_member (usage, "input_tokens"));
          g_assert_cmpstr (json_object_get_string_member (delta, "stop_reason"), ==, expect_stop);
          g_assert_true (g_str_equal (expect_stop, "tool_use") == any_tool);
          g_assert_cmpstr (((Event *) events->pdata[i + 1])->name, ==, "message_stop");
        }
      else if (!g_str_equal (e->name, "message_stop") && !g_str_equal (e->name, "ping"))
        g_error ("unexpected event %s", e->name);
    }
  last = events->pdata[events->len - 1];
  g_assert_cmpstr (last->name, ==, "message_stop");
  return content;
}

/* Feeds @chunks (NULL-terminated) one by one, then the end. */
static GPtrArray *
run_stream (const char * const *stops,
            const char * const *chunks,
            gboolean            with_end)
{
  g_autoptr(I2aMessagesReply) reply = i2a_messages_reply_new ("claude-x", stops, 42);
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; chunks[i]; i++)
    i2a_messages_reply_event (reply, chunks[i], strlen (chunks[i]), out);
  if (with_end)
    i2a_messages_reply_end (reply, out);
  /* The end is idempotent: [DONE] and the end of the stream both close. */
  i2a_messages_reply_end (reply, out);
  return parse_events (out->str);
}

static Event *
find (GPtrArray  *events,
      const char *name)
{
  for (guint i = 0; i < events->len; i++)
    if (g_str_equal (((Event *) events->pdata[i])->name, name))
      return events->pdata[i];
  return NULL;
}

static JsonObject *
block (JsonArray *content,
       guint      i)
{
  return json_array_get_object_element (content, i);
}

static void
test_text_and_usage (void)
{
  const char *chunks[] = {
    CHUNK ("{\"role\":\"assistant\",\"content\":\"\"}", "null"),
    CHUNK ("{\"content\":\"Hello\"}", "null"),
    CHUNK ("{\"content\":\" world\"}", "\"stop\""),
    USAGE (120, 7, 100),
    "[DONE]", NULL };
  g_autoptr(GPtrArray) events = run_stream (NULL, chunks, TRUE);
  g_autoptr(JsonArray) content = check_stream (events, "end_turn");
  JsonObject *start = json_object_get_object_member (find (events, "message_start")->data, "message");
  JsonObject *usage = json_object_get_object_member (find (events, "message_delta")->data, "usage");

  g_assert_cmpstr (json_object_get_string_member (start, "model"), ==, "claude-x");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (start, "id"), "msg_"));
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (start, "usage"), "input_tokens"), ==, 42);
  g_assert_cmpuint (json_array_get_length (content), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (block (content, 0), "text"), ==, "Hello world");
  g_assert_cmpint (json_object_get_int_member (usage, "input_tokens"), ==, 20);
  g_assert_cmpint (json_object_get_int_member (usage, "cache_read_input_tokens"), ==, 100);
  g_assert_cmpint (json_object_get_int_member (usage, "output_tokens"), ==, 7);
}

/* Usage numbers of another type (an object, a string) from a peer are
 * taken as absent: json-glib's getters logged a CRITICAL for them, and
 * a fractional one counts its whole part. */
static void
test_usage_of_other_types (void)
{
  const char *chunks[] = {
    CHUNK ("{\"content\":\"Hi\"}", "\"stop\""),
    "{\"choices\":[],\"usage\":{\"prompt_tokens\":{\"cached_tokens\":4},\"completion_tokens\":\"3\","
    "\"prompt_tokens_details\":{\"cached_tokens\":[1]},\"cache_read_input_tokens\":2.9}}",
    "[DONE]", NULL };
  g_autoptr(GPtrArray) events = run_stream (NULL, chunks, TRUE);
  JsonObject *usage = json_object_get_object_member (find (events, "message_delta")->data, "usage");

  g_assert_cmpint (json_object_get_int_member (usage, "output_tokens"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (usage, "cache_read_input_tokens"), ==, 2);
}

/* Thinking, then text, then a tool: three blocks on three indices. */
static void
test_thinking_text_tool (void)
{
  const char *chunks[] = {
    CHUNK ("{\"role\":\"assistant\",\"reasoning_content\":\"Let me \"}", "null"),
    CHUNK ("{\"reasoning_content\":\"think.\"}", "null"),
    CHUNK ("{\"content\":\"I'll run it.\"}", "null"),
    CHUNK ("{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"Bash\",\"arguments\":\"\"}}]}", "null"),
    CHUNK ("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"comm\"}}]}", "null"),
    CHUNK ("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"and\\\": \\\"ls\\\"}\"}}]}", "null"),
    CHUNK ("{}", "\"tool_calls\""),
    USAGE (10, 20, 0), NULL };
  g_autoptr(GPtrArray) events = run_stream (NULL, chunks, TRUE);
  g_autoptr(JsonArray) content = check_stream (events, "tool_use");

  g_assert_cmpuint (json_array_get_length (content), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (block (content, 0), "thinking"), ==, "Let me think.");
  g_assert_cmpstr (json_object_get_string_member (block (content, 1), "text"), ==, "I'll run it.");
  g_assert_cmpstr (json_object_get_string_member (block (content, 2), "id"), ==, "call_1");
  g_assert_cmpstr (json_object_get_string_member (block (content, 2), "name"), ==, "Bash");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (block (content, 2), "input"),
                                                  "command"), ==, "ls");
}

static void
test_parallel_tools (void)
{
  const char *chunks[] = {
    CHUNK ("{\"tool_calls\":[{\"index\":0,\"id\":\"a\",\"function\":{\"name\":\"Read\",\"arguments\":\"{\\\"path\\\":\"}}]}", "null"),
    CHUNK ("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"/x\\\"}\"}}]}", "null"),
    CHUNK ("{\"tool_calls\":[{\"index\":1,\"id\":\"b\",\"function\":{\"name\":\"Read\",\"arguments\":\"{\\\"pa\"}}]}", "null"),
    CHUNK ("{\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":\"th\\\":\\\"/y\\\"}\"}}]}", "\"tool_calls\""),
    "[DONE]", NULL };
  g_autoptr(GPtrArray) events = run_stream (NULL, chunks, FALSE);
  g_autoptr(JsonArray) content = check_stream (events, "tool_use");

  g_assert_cmpuint (json_array_get_length (content), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (block (content, 0), "input"), "path"), ==, "/x");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (block (content, 1), "input"), "path"), ==, "/y");
  g_assert_cmpstr (json_object_get_string_member (block (content, 1), "id"), ==, "b");
}

/* Arguments only at the end, for two calls in one last chunk; and a call
 * whose arguments never come. */
static void
test_arguments_at_end (void)
{
  const char *chunks[] = {
    CHUNK ("{\"tool_calls\":[{\"index\":0,\"id\":\"a\",\"function\":{\"name\":\"One\"}},"
           "{\"index\":1,\"id\":\"b\",\"function\":{\"name\":\"Two\"}},"
           "{\"index\":2,\"id\":\"c\",\"function\":{\"name\":\"Three\"}}]}", "null"),
    CHUNK ("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"n\\\":1}\"}},"
           "{\"index\":1,\"function\":{\"arguments\":\"{\\\"n\\\":2}\"}}]}", "\"tool_calls\""),
    NULL };
  g_autoptr(GPtrArray) events = run_stream (NULL, chunks, TRUE);
  g_autoptr(JsonArray) content = check_stream (events, "tool_use");

  g_assert_cmpuint (json_array_get_length (content), ==, 3);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (block (content, 0), "input"), "n"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (block (content, 1), "input"), "n"), ==, 2);
  g_assert_cmpuint (json_object_get_size (json_object_get_object_member (block (content, 2), "input")), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (block (content, 2), "name"), ==, "Three");
}

/* Streamed arguments repeated whole in the last chunk count once. */
static void
test_arguments_repeated (void)
{
  const char *chunks[] = {
    CHUNK ("{\"tool_calls\":[{\"index\":0,\"id\":\"a\",\"function\":{\"name\":\"T\",\"arguments\":\"{\\\"k\\\":\"}}]}", "null"),
    CHUNK ("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"true}\"}}]}", "null"),
    CHUNK ("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"k\\\":true}\"}}]}", "\"tool_calls\""),
    NULL };
  g_autoptr(GPtrArray) events = run_stream (NULL, chunks, TRUE);
  g_autoptr(JsonArray) content = check_stream (events, "tool_use");

  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (block (content, 0), "input"), "k"));
}

/* The upstream's word is not enough for a tool_use stop, nor needed. */
static void
test_stop_reason_follows_blocks (void)
{
  const char *no_tool[] = { CHUNK ("{\"content\":\"hm\"}", "\"tool_calls\""), NULL };
  const char *tool_but_stop[] = {
    CHUNK ("{\"tool_calls\":[{\"index\":0,\"id\":\"a\",\"function\":{\"name\":\"T\",\"arguments\":\"{}\"}}]}", "\"stop\""),
    NULL };
  const char *length[] = { CHUNK ("{\"content\":\"cut\"}", "\"length\""), NULL };
  const char *filtered[] = { CHUNK ("{\"content\":\"no\"}", "\"content_filter\""), NULL };
  g_autoptr(GPtrArray) a = run_stream (NULL, no_tool, TRUE);
  g_autoptr(GPtrArray) b = run_stream (NULL, tool_but_stop, TRUE);
  g_autoptr(GPtrArray) c = run_stream (NULL, length, TRUE);
  g_autoptr(GPtrArray) d = run_stream (NULL, filtered, TRUE);

  json_array_unref (check_stream (a, "end_turn"));
  json_array_unref (check_stream (b, "tool_use"));
  json_array_unref (check_stream (c, "max_tokens"));
  json_array_unref (check_stream (d, "refusal"));
}

static void
test_stop_sequence (void)
{
  const char *stops[] = { "END", "STOP", NULL };
  const char *matched[] = {
    "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"done \"},\"finish_reason\":\"stop\",\"stop_reason\":\"STOP\"}]}",
    NULL };
  const char *natural[] = { CHUNK ("{\"content\":\"done\"}", "\"stop\""), NULL };
  g_autoptr(GPtrArray) a = run_stream (stops, matched, TRUE);
  g_autoptr(GPtrArray) b = run_stream (stops, natural, TRUE);
  JsonObject *delta;

  json_array_unref (check_stream (a, "stop_sequence"));
  delta = json_object_get_object_member (find (a, "message_delta")->data, "delta");
  g_assert_cmpstr (json_object_get_string_member (delta, "stop_sequence"), ==, "STOP");
  json_array_unref (check_stream (b, "end_turn"));
  delta = json_object_get_object_member (find (b, "message_delta")->data, "delta");
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (delta, "stop_sequence")));
}

/* No content at all: start, delta, stop; no blocks. */
static void
test_empty (void)
{
  const char *chunks[] = { CHUNK ("{\"role\":\"assistant\"}", "null"), CHUNK ("{}", "\"stop\""), "[DONE]", NULL };
  g_autoptr(GPtrArray) events = run_stream (NULL, chunks, TRUE);
  g_autoptr(JsonArray) content = check_stream (events, "end_turn");

  g_assert_cmpuint (json_array_get_length (content), ==, 0);
  g_assert_cmpuint (events->len, ==, 3);
}

static void
payload_cb (const char *event,
            const char *data,
            gsize       len,
            gpointer    user_data)
{
  g_ptr_array_add (user_data, g_strndup (data, len));
}

/* Multi-byte characters split across upstream network reads: the SSE
 * parser joins the bytes of an event before the translator sees it, so
 * every text delta is whole UTF-8 (checked in parsed_cb), escaped
 * surrogate pairs included. */
static void
test_unicode_reads (void)
{
  const char *stream =
    "data: " CHUNK ("{\"content\":\"h\xc3\xa9llo \xe6\x97\xa5\xe6\x9c\xac \"}", "null") "\n\n"
    "data: " CHUNK ("{\"content\":\"\xf0\x9f\x98\x80\"}", "null") "\n\n"
    "data: " CHUNK ("{\"content\":\"\\u00e9\\ud83d\\ude00\"}", "\"stop\"") "\n\n"
    "data: [DONE]\n\n";
  gsize len = strlen (stream);

  for (gsize cut = 1; cut < len; cut++)
    {
      g_autoptr(I2aMessagesReply) reply = i2a_messages_reply_new ("m", NULL, 1);
      g_autoptr(GString) out = g_string_new (NULL);
      g_autoptr(GPtrArray) payloads = g_ptr_array_new_with_free_func (g_free);
      I2aSseParser *parser = i2a_sse_parser_new (1 << 20, payload_cb, payloads);
      g_autoptr(GPtrArray) events = NULL;
      g_autoptr(JsonArray) content = NULL;

      /* Two network reads, split at @cut (inside a character for many). */
      g_assert_true (i2a_sse_parser_feed (parser, stream, cut, NULL));
      for (guint i = 0; i < payloads->len; i++)
        i2a_messages_reply_event (reply, payloads->pdata[i], strlen (payloads->pdata[i]), out);
      g_ptr_array_set_size (payloads, 0);
      g_assert_true (i2a_sse_parser_feed (parser, stream + cut, len - cut, NULL));
      for (guint i = 0; i < payloads->len; i++)
        i2a_messages_reply_event (reply, payloads->pdata[i], strlen (payloads->pdata[i]), out);
      i2a_sse_parser_free (parser);
      events = parse_events (out->str);
      content = check_stream (events, "end_turn");
      g_assert_cmpstr (json_object_get_string_member (block (content, 0), "text"), ==,
                       "h\xc3\xa9llo \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80\xc3\xa9\xf0\x9f\x98\x80");
    }
}

static void
test_error_event (void)
{
  const char *chunks[] = { CHUNK ("{\"content\":\"partial\"}", "null"),
                           "{\"status\":\"449\",\"msg\":\"rate limited\",\"body\":null}",
                           CHUNK ("{\"content\":\"ignored\"}", "null"), NULL };
  g_autoptr(I2aMessagesReply) reply = i2a_messages_reply_new ("m", NULL, 1);
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(I2aApiError) late = i2a_api_error_new (502, NULL, NULL, "late");
  JsonObject *error;

  for (guint i = 0; chunks[i]; i++)
    i2a_messages_reply_event (reply, chunks[i], strlen (chunks[i]), out);
  i2a_messages_reply_end (reply, out);
  i2a_messages_reply_error (reply, late, out);
  events = parse_events (out->str);
  g_assert_cmpstr (((Event *) events->pdata[events->len - 1])->name, ==, "error");
  g_assert_null (find (events, "message_stop"));
  error = json_object_get_object_member (((Event *) events->pdata[events->len - 1])->data, "error");
  g_assert_cmpstr (json_object_get_string_member (error, "type"), ==, "rate_limit_error");
  g_assert_cmpstr (json_object_get_string_member (error, "message"), ==, "rate limited");
}

static void
test_error_shape (void)
{
  struct { guint status; const char *type; } cases[] = {
    { 400, "invalid_request_error" }, { 401, "authentication_error" }, { 403, "permission_error" },
    { 404, "not_found_error" }, { 429, "rate_limit_error" }, { 500, "api_error" },
    { 502, "api_error" }, { 503, "overloaded_error" }, { 413, "invalid_request_error" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(I2aApiError) error = i2a_api_error_new (cases[i].status, NULL, NULL, "m \"q\"");
      g_autofree char *json = i2a_messages_error_json (error);
      g_autofree char *expected = g_strdup_printf ("{\"type\":\"error\",\"error\":{\"type\":\"%s\","
                                                   "\"message\":\"m \\\"q\\\"\"}}", cases[i].type);

      g_assert_cmpstr (json, ==, expected);
    }
}

static JsonObject *
body (const char *stops[],
      const char *chat,
      I2aApiError **error)
{
  g_autoptr(I2aMessagesReply) reply = i2a_messages_reply_new ("claude-x", stops, 3);
  g_autoptr(GBytes) in = g_bytes_new (chat, strlen (chat));
  g_autoptr(GBytes) out = i2a_messages_reply_body (reply, in, error);

  if (out == NULL)
    return NULL;
  return i2a_json_parse_object (g_bytes_get_data (out, NULL), g_bytes_get_size (out));
}

static void
test_body (void)
{
  g_autoptr(I2aApiError) error = NULL;
  g_autoptr(JsonObject) full = body (NULL,
    "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"reasoning_content\":\"hmm\","
    "\"content\":\"Running.\",\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\",\"function\":"
    "{\"name\":\"Bash\",\"arguments\":\"{\\\"command\\\":\\\"ls\\\"}\"}},{\"id\":\"c2\",\"type\":\"function\","
    "\"function\":{\"name\":\"Noop\",\"arguments\":\"\"}}]},\"finish_reason\":\"tool_calls\"}],"
    "\"usage\":{\"prompt_tokens\":50,\"completion_tokens\":5,\"prompt_tokens_details\":{\"cached_tokens\":30}}}", &error);
  g_autoptr(JsonObject) empty = body (NULL,
    "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":\"stop\"}]}", &error);
  const char *stops[] = { "END", NULL };
  g_autoptr(JsonObject) stopped = body (stops,
    "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"x\"},\"finish_reason\":\"stop\","
    "\"stop_reason\":\"END\"}]}", &error);
  JsonArray *content = json_object_get_array_member (full, "content");
  JsonObject *usage = json_object_get_object_member (full, "usage");
  g_autoptr(JsonObject) bad = NULL;

  g_assert_null (error);
  g_assert_cmpstr (json_object_get_string_member (full, "type"), ==, "message");
  g_assert_cmpstr (json_object_get_string_member (full, "model"), ==, "claude-x");
  g_assert_cmpuint (json_array_get_length (content), ==, 4);
  g_assert_cmpstr (json_object_get_string_member (block (content, 0), "type"), ==, "thinking");
  g_assert_cmpstr (json_object_get_string_member (block (content, 0), "thinking"), ==, "hmm");
  g_assert_cmpstr (json_object_get_string_member (block (content, 1), "text"), ==, "Running.");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (block (content, 2), "input"),
                                                  "command"), ==, "ls");
  g_assert_cmpuint (json_object_get_size (json_object_get_object_member (block (content, 3), "input")), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (full, "stop_reason"), ==, "tool_use");
  g_assert_cmpint (json_object_get_int_member (usage, "input_tokens"), ==, 20);
  g_assert_cmpint (json_object_get_int_member (usage, "cache_read_input_tokens"), ==, 30);
  g_assert_cmpint (json_object_get_int_member (usage, "output_tokens"), ==, 5);

  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (empty, "content")), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (empty, "stop_reason"), ==, "end_turn");
  g_assert_cmpstr (json_object_get_string_member (stopped, "stop_reason"), ==, "stop_sequence");
  g_assert_cmpstr (json_object_get_string_member (stopped, "stop_sequence"), ==, "END");

  bad = body (NULL, "{\"choices\":[{\"message\":{\"tool_calls\":[{\"id\":\"c\",\"function\":{\"name\":\"T\","
                    "\"arguments\":\"{oops\"}}]}}]}", &error);
  g_assert_null (bad);
  g_assert_cmpuint (error->http_status, ==, 502);
  g_clear_pointer (&error, i2a_api_error_free);
  bad = body (NULL, "[1,2]", &error);
  g_assert_null (bad);
  g_assert_nonnull (error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/translate/messages-reply/text-and-usage", test_text_and_usage);
  g_test_add_func ("/translate/messages-reply/thinking-text-tool", test_thinking_text_tool);
  g_test_add_func ("/translate/messages-reply/parallel-tools", test_parallel_tools);
  g_test_add_func ("/translate/messages-reply/arguments-at-end", test_arguments_at_end);
  g_test_add_func ("/translate/messages-reply/arguments-repeated", test_arguments_repeated);
  g_test_add_func ("/translate/messages-reply/stop-reason-follows-blocks", test_stop_reason_follows_blocks);
  g_test_add_func ("/translate/messages-reply/stop-sequence", test_stop_sequence);
  g_test_add_func ("/translate/messages-reply/empty", test_empty);
  g_test_add_func ("/translate/messages-reply/unicode-split", test_unicode_reads);
  g_test_add_func ("/translate/messages-reply/error-event", test_error_event);
  g_test_add_func ("/translate/messages-reply/error-shape", test_error_shape);
  g_test_add_func ("/translate/messages-reply/body", test_body);
  g_test_add_func ("/translate/messages-reply/usage-of-other-types", test_usage_of_other_types);
  return g_test_run ();
}
