/* test-responses.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* src/translate: Responses request -> chat request and chat answer ->
 * Responses (object and events), over request and answer shapes recorded
 * from Codex and the OpenAI SDK and from chat upstreams. */
#include "config.h"

#include <string.h>

#include "i2a-responses-reply.h"
#include "i2a-responses-request.h"

static JsonObject *
parse (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static char *
to_string (JsonObject *obj)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (node, obj);
  return json_to_string (node, FALSE);
}

/* The chat request for @text, which must translate. */
static JsonObject *
translate (const char *text)
{
  g_autoptr(JsonObject) request = parse (text);
  g_autoptr(I2aApiError) error = NULL;
  g_autoptr(JsonArray) items = i2a_responses_input_items (request, &error);
  JsonObject *chat;

  g_assert_null (error);
  g_assert_nonnull (items);
  chat = i2a_responses_to_chat (request, items, &error);
  if (error)
    g_error ("%s (%s)", error->message, error->param);
  g_assert_nonnull (chat);
  return chat;
}

/* The 400 for @text: its param must be @param. */
static void
assert_rejected (const char *text,
                 const char *param)
{
  g_autoptr(JsonObject) request = parse (text);
  g_autoptr(I2aApiError) error = NULL;
  g_autoptr(JsonArray) items = i2a_responses_input_items (request, &error);
  g_autoptr(JsonObject) chat = NULL;

  if (items != NULL)
    chat = i2a_responses_to_chat (request, items, &error);
  g_assert_null (chat);
  g_assert_nonnull (error);
  g_assert_cmpuint (error->http_status, ==, 400);
  g_assert_cmpstr (error->type, ==, "invalid_request_error");
  g_assert_cmpstr (error->param, ==, param);
  g_assert_nonnull (strstr (error->message, param));
}

static JsonObject *
message_at (JsonObject *chat,
            guint       i)
{
  return json_array_get_object_element (json_object_get_array_member (chat, "messages"), i);
}

/* ---- requests ----------------------------------------------------------- */

/* What Codex sends on its first turn (shape recorded from 0.17x). */
static const char codex_request[] =
  "{\"model\":\"glm-4.7\",\"instructions\":\"You are Codex.\","
  "\"input\":[{\"type\":\"message\",\"role\":\"developer\",\"content\":[{\"type\":\"input_text\",\"text\":\"<permissions>sandbox</permissions>\"}]},"
  "{\"type\":\"message\",\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"<environment_context/>\"}]},"
  "{\"type\":\"message\",\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"list the files\"}]}],"
  "\"tools\":[{\"type\":\"function\",\"name\":\"exec_command\",\"description\":\"Runs a command\",\"strict\":false,"
  "\"parameters\":{\"type\":\"object\",\"properties\":{\"cmd\":{\"type\":\"string\"}},\"required\":[\"cmd\"]}},"
  "{\"type\":\"custom\",\"name\":\"apply_patch\",\"description\":\"Edit files\","
  "\"format\":{\"type\":\"grammar\",\"syntax\":\"lark\",\"definition\":\"start: begin_patch hunk+ end_patch\"}},"
  "{\"type\":\"web_search\"},{\"type\":\"namespace\",\"name\":\"mcp\",\"tools\":[]},{\"type\":\"local_shell\"}],"
  "\"tool_choice\":\"auto\",\"parallel_tool_calls\":true,\"reasoning\":{\"effort\":\"medium\",\"summary\":\"auto\"},"
  "\"store\":false,\"stream\":true,\"include\":[\"reasoning.encrypted_content\"],"
  "\"prompt_cache_key\":\"0199-session\",\"client_metadata\":{\"x\":\"y\"},\"service_tier\":\"auto\"}";

static void
test_request_codex (void)
{
  g_autoptr(JsonObject) chat = translate (codex_request);
  JsonArray *tools = json_object_get_array_member (chat, "tools");
  JsonObject *patch, *params;
  g_autofree char *text = to_string (chat);

  g_assert_cmpstr (json_object_get_string_member (chat, "model"), ==, "glm-4.7");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (chat, "messages")), ==, 3);
  /* instructions + developer -> one leading system message */
  g_assert_cmpstr (json_object_get_string_member (message_at (chat, 0), "role"), ==, "system");
  g_assert_cmpstr (json_object_get_string_member (message_at (chat, 0), "content"), ==,
                   "You are Codex.\n\n<permissions>sandbox</permissions>");
  g_assert_cmpstr (json_object_get_string_member (message_at (chat, 2), "content"), ==, "list the files");
  /* hosted tools dropped, custom -> one string parameter */
  g_assert_cmpuint (json_array_get_length (tools), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_array_get_object_element (tools, 0), "function"), "name"), ==, "exec_command");
  patch = json_object_get_object_member (json_array_get_object_element (tools, 1), "function");
  g_assert_cmpstr (json_object_get_string_member (patch, "name"), ==, "apply_patch");
  g_assert_nonnull (strstr (json_object_get_string_member (patch, "description"), "start: begin_patch hunk+ end_patch"));
  params = json_object_get_object_member (patch, "parameters");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_object_get_object_member (params, "properties"), "input"), "type"), ==, "string");
  g_assert_cmpstr (json_object_get_string_member (chat, "tool_choice"), ==, "auto");
  g_assert_true (json_object_get_boolean_member (chat, "parallel_tool_calls"));
  g_assert_cmpstr (json_object_get_string_member (chat, "reasoning_effort"), ==, "medium");
  g_assert_true (json_object_get_boolean_member (chat, "stream"));
  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (chat, "stream_options"), "include_usage"));
  /* Responses-only fields never go upstream. */
  /* The sticky-session key of the shared request path. */
  g_assert_cmpstr (json_object_get_string_member (chat, "prompt_cache_key"), ==, "0199-session");
  g_assert_null (strstr (text, "client_metadata"));
  g_assert_null (strstr (text, "\"store\""));
  g_assert_null (strstr (text, "\"include\""));
  g_assert_null (strstr (text, "web_search"));
}

static void
test_request_string_input (void)
{
  g_autoptr(JsonObject) chat = translate ("{\"model\":\"glm-5\",\"input\":\"hi\",\"max_output_tokens\":64,"
                                          "\"temperature\":0.5,\"text\":{\"format\":{\"type\":\"json_schema\","
                                          "\"name\":\"x\",\"schema\":{\"type\":\"object\"},\"strict\":true}}}");
  JsonObject *format = json_object_get_object_member (chat, "response_format");

  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (chat, "messages")), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (message_at (chat, 0), "role"), ==, "user");
  g_assert_cmpstr (json_object_get_string_member (message_at (chat, 0), "content"), ==, "hi");
  g_assert_cmpint (json_object_get_int_member (chat, "max_tokens"), ==, 64);
  g_assert_cmpfloat (json_object_get_double_member (chat, "temperature"), ==, 0.5);
  g_assert_false (json_object_has_member (chat, "stream"));
  g_assert_cmpstr (json_object_get_string_member (format, "type"), ==, "json_schema");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (format, "json_schema"), "name"), ==, "x");
}

/* Consecutive calls -> one assistant message (with the text before them);
 * outputs -> role "tool" right after; a later call -> a new message. */
static void
test_request_function_calls (void)
{
  g_autoptr(JsonObject) chat = translate (
    "{\"model\":\"m\",\"input\":["
    "{\"role\":\"user\",\"content\":\"go\"},"
    "{\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"Looking.\"}]},"
    "{\"type\":\"function_call\",\"call_id\":\"call_a\",\"name\":\"exec_command\",\"arguments\":\"{\\\"cmd\\\":\\\"ls\\\"}\"},"
    "{\"type\":\"function_call\",\"call_id\":\"call_b\",\"name\":\"exec_command\",\"arguments\":\"{\\\"cmd\\\":\\\"pwd\\\"}\"},"
    "{\"type\":\"function_call_output\",\"call_id\":\"call_a\",\"output\":\"a.txt\"},"
    "{\"type\":\"function_call_output\",\"call_id\":\"call_b\",\"output\":[{\"type\":\"input_text\",\"text\":\"/tmp\"}]},"
    "{\"type\":\"function_call\",\"call_id\":\"call_c\",\"name\":\"exec_command\",\"arguments\":\"{}\"},"
    "{\"type\":\"function_call_output\",\"call_id\":\"call_c\",\"output\":\"done\"}]}");
  JsonObject *assistant = message_at (chat, 1);
  JsonArray *calls = json_object_get_array_member (assistant, "tool_calls");

  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (chat, "messages")), ==, 6);
  g_assert_cmpstr (json_object_get_string_member (assistant, "content"), ==, "Looking.");
  g_assert_cmpuint (json_array_get_length (calls), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (calls, 1), "id"), ==, "call_b");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_array_get_object_element (calls, 0), "function"), "arguments"), ==, "{\"cmd\":\"ls\"}");
  g_assert_cmpstr (json_object_get_string_member (message_at (chat, 2), "role"), ==, "tool");
  g_assert_cmpstr (json_object_get_string_member (message_at (chat, 2), "tool_call_id"), ==, "call_a");
  g_assert_cmpstr (json_object_get_string_member (message_at (chat, 3), "content"), ==, "/tmp");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (message_at (chat, 4), "tool_calls")), ==, 1);
  g_assert_true (json_object_get_null_member (message_at (chat, 4), "content"));
  g_assert_cmpstr (json_object_get_string_member (message_at (chat, 5), "tool_call_id"), ==, "call_c");
}

static void
test_request_custom_tool_call (void)
{
  g_autoptr(JsonObject) chat = translate (
    "{\"model\":\"m\",\"input\":[{\"role\":\"user\",\"content\":\"patch it\"},"
    "{\"type\":\"custom_tool_call\",\"call_id\":\"call_p\",\"name\":\"apply_patch\",\"input\":\"*** Begin Patch\\n\\\"q\\\"\"},"
    "{\"type\":\"custom_tool_call_output\",\"call_id\":\"call_p\",\"output\":\"Success\"}]}");
  JsonObject *call = json_array_get_object_element (json_object_get_array_member (message_at (chat, 1), "tool_calls"), 0);
  g_autoptr(JsonObject) args = parse (json_object_get_string_member (json_object_get_object_member (call, "function"), "arguments"));

  g_assert_cmpstr (json_object_get_string_member (args, "input"), ==, "*** Begin Patch\n\"q\"");
  g_assert_cmpstr (json_object_get_string_member (message_at (chat, 2), "content"), ==, "Success");
}

/* input_image -> image_url; a reasoning summary -> reasoning_content of
 * the next assistant message. */
static void
test_request_images_reasoning (void)
{
  g_autoptr(JsonObject) chat = translate (
    "{\"model\":\"m\",\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"what is it\"},"
    "{\"type\":\"input_image\",\"image_url\":\"data:image/png;base64,AAAA\",\"detail\":\"high\"}]},"
    "{\"type\":\"reasoning\",\"id\":\"rs_1\",\"summary\":[{\"type\":\"summary_text\",\"text\":\"It looks red.\"}],\"encrypted_content\":null},"
    "{\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"A red square.\"}]},"
    "{\"role\":\"user\",\"content\":\"thanks\"}]}");
  JsonArray *parts = json_object_get_array_member (message_at (chat, 0), "content");
  JsonObject *image = json_array_get_object_element (parts, 1);

  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (parts, 0), "type"), ==, "text");
  g_assert_cmpstr (json_object_get_string_member (image, "type"), ==, "image_url");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (image, "image_url"), "url"), ==, "data:image/png;base64,AAAA");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (image, "image_url"), "detail"), ==, "high");
  g_assert_cmpstr (json_object_get_string_member (message_at (chat, 1), "reasoning_content"), ==, "It looks red.");
  g_assert_cmpstr (json_object_get_string_member (message_at (chat, 1), "content"), ==, "A red square.");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (chat, "messages")), ==, 3);
}

static void
test_request_bad_input (void)
{
  assert_rejected ("{\"model\":\"m\",\"input\":42}", "input");
  assert_rejected ("{\"model\":\"m\",\"input\":{\"role\":\"user\"}}", "input");
  assert_rejected ("{\"model\":\"m\",\"input\":[\"hi\"]}", "input[0]");
  assert_rejected ("{\"model\":\"m\",\"input\":[{\"role\":\"robot\",\"content\":\"x\"}]}", "input[0]");
  assert_rejected ("{\"model\":\"m\",\"input\":[{\"role\":\"user\",\"content\":7}]}", "input[0].content");
  assert_rejected ("{\"model\":\"m\",\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_text\"}]}]}",
                   "input[0].content[0]");
  assert_rejected ("{\"model\":\"m\",\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_audio\"}]}]}",
                   "input[0].content[0]");
  assert_rejected ("{\"model\":\"m\",\"input\":[{\"type\":\"function_call\",\"name\":\"f\",\"arguments\":\"{}\"}]}",
                   "input[0].call_id");
  assert_rejected ("{\"model\":\"m\",\"input\":[{\"type\":\"function_call\",\"call_id\":\"c\",\"name\":\"f\",\"arguments\":{}}]}",
                   "input[0]");
  assert_rejected ("{\"model\":\"m\",\"input\":[{\"type\":\"mystery\"}]}", "input[0]");
  /* An output whose call id matches no earlier call. */
  assert_rejected ("{\"model\":\"m\",\"input\":[{\"role\":\"user\",\"content\":\"x\"},"
                   "{\"type\":\"function_call_output\",\"call_id\":\"call_nope\",\"output\":\"o\"}]}",
                   "input[1].call_id");
  assert_rejected ("{\"input\":\"x\"}", "model");
  assert_rejected ("{\"model\":\"m\",\"input\":\"x\",\"stream\":\"yes\"}", "stream");
  assert_rejected ("{\"model\":\"m\",\"input\":\"x\",\"tools\":[{\"type\":\"function\"}]}", "tools[0].name");
  assert_rejected ("{\"model\":\"m\",\"input\":\"x\",\"max_output_tokens\":\"many\"}", "max_output_tokens");
  assert_rejected ("{\"model\":\"m\",\"input\":[]}", "input");
}

/* ---- non-streaming answers ---------------------------------------------- */

static JsonObject *
reply_body (const char *request_text,
            const char *chat_body)
{
  g_autoptr(JsonObject) request = parse (request_text);
  g_autoptr(I2aResponsesReply) reply = i2a_responses_reply_new (request, "resp_test1", 1700000000);
  g_autoptr(GBytes) body = g_bytes_new (chat_body, strlen (chat_body));
  g_autoptr(I2aApiError) error = NULL;
  g_autoptr(GBytes) out = i2a_responses_reply_translate (reply, body, &error);
  g_autofree char *text = NULL;

  g_assert_null (error);
  g_assert_nonnull (out);
  text = g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));
  g_assert_nonnull (i2a_responses_reply_get_response (reply));
  return parse (text);
}

static void
test_reply_body (void)
{
  g_autoptr(JsonObject) response = reply_body (
    "{\"model\":\"glm-5\",\"input\":\"x\",\"tools\":[{\"type\":\"custom\",\"name\":\"apply_patch\"}]}",
    "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"model\":\"glm-5\",\"choices\":[{\"index\":0,"
    "\"message\":{\"role\":\"assistant\",\"reasoning_content\":\"Think.\",\"content\":\"Sure.\","
    "\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"exec_command\",\"arguments\":\"{\\\"cmd\\\":\\\"ls\\\"}\"}},"
    "{\"id\":\"call_2\",\"type\":\"function\",\"function\":{\"name\":\"apply_patch\",\"arguments\":\"{\\\"input\\\":\\\"*** Begin\\\"}\"}}]},"
    "\"finish_reason\":\"tool_calls\"}],"
    "\"usage\":{\"prompt_tokens\":100,\"completion_tokens\":20,\"total_tokens\":120,"
    "\"prompt_tokens_details\":{\"cached_tokens\":64},\"completion_tokens_details\":{\"reasoning_tokens\":5}}}");
  JsonArray *output = json_object_get_array_member (response, "output");
  JsonObject *usage = json_object_get_object_member (response, "usage");
  JsonObject *item;

  g_assert_cmpstr (json_object_get_string_member (response, "id"), ==, "resp_test1");
  g_assert_cmpstr (json_object_get_string_member (response, "object"), ==, "response");
  g_assert_cmpstr (json_object_get_string_member (response, "status"), ==, "completed");
  g_assert_cmpstr (json_object_get_string_member (response, "model"), ==, "glm-5");
  g_assert_cmpuint (json_array_get_length (output), ==, 4);
  item = json_array_get_object_element (output, 0);
  g_assert_cmpstr (json_object_get_string_member (item, "type"), ==, "reasoning");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (json_object_get_array_member (item, "summary"), 0), "text"), ==, "Think.");
  item = json_array_get_object_element (output, 1);
  g_assert_cmpstr (json_object_get_string_member (item, "type"), ==, "message");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (json_object_get_array_member (item, "content"), 0), "text"), ==, "Sure.");
  item = json_array_get_object_element (output, 2);
  g_assert_cmpstr (json_object_get_string_member (item, "type"), ==, "function_call");
  g_assert_cmpstr (json_object_get_string_member (item, "call_id"), ==, "call_1");
  g_assert_cmpstr (json_object_get_string_member (item, "arguments"), ==, "{\"cmd\":\"ls\"}");
  item = json_array_get_object_element (output, 3);
  g_assert_cmpstr (json_object_get_string_member (item, "type"), ==, "custom_tool_call");
  g_assert_cmpstr (json_object_get_string_member (item, "input"), ==, "*** Begin");
  g_assert_cmpint (json_object_get_int_member (usage, "input_tokens"), ==, 100);
  g_assert_cmpint (json_object_get_int_member (usage, "output_tokens"), ==, 20);
  g_assert_cmpint (json_object_get_int_member (usage, "total_tokens"), ==, 120);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (usage, "input_tokens_details"), "cached_tokens"), ==, 64);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (usage, "output_tokens_details"), "reasoning_tokens"), ==, 5);
}

static void
test_reply_incomplete (void)
{
  g_autoptr(JsonObject) response = reply_body (
    "{\"model\":\"m\",\"input\":\"x\",\"max_output_tokens\":3}",
    "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"Once upon\"},\"finish_reason\":\"length\"}],"
    "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":3}}");

  g_assert_cmpstr (json_object_get_string_member (response, "status"), ==, "incomplete");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (response, "incomplete_details"), "reason"), ==, "max_output_tokens");
  g_assert_cmpint (json_object_get_int_member (response, "max_output_tokens"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (response, "usage"), "total_tokens"), ==, 8);
}

static void
test_reply_bad_body (void)
{
  g_autoptr(JsonObject) request = parse ("{\"model\":\"m\",\"input\":\"x\"}");
  g_autoptr(I2aResponsesReply) reply = i2a_responses_reply_new (request, "resp_x", 1);
  g_autoptr(GBytes) body = g_bytes_new_static ("{\"nope\":1}", 10);
  g_autoptr(I2aApiError) error = NULL;
  g_autoptr(GBytes) out = i2a_responses_reply_translate (reply, body, &error);

  g_assert_null (out);
  g_assert_cmpuint (error->http_status, ==, 502);
}

/* ---- streams ------------------------------------------------------------ */

typedef struct
{
  char       *type;
  JsonObject *data;
} Event;

static void
event_free (Event *event)
{
  g_free (event->type);
  json_object_unref (event->data);
  g_free (event);
}

/* Parses "event: T\ndata: {…}\n\n" blocks, checking that each names its
 * type twice and that sequence numbers count up from 0. */
static GPtrArray *
parse_events (const char *text)
{
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify) event_free);
  g_auto(GStrv) blocks = g_strsplit (text, "\n\n", -1);

  for (guint i = 0; blocks[i]; i++)
    {
      g_auto(GStrv) lines = NULL;
      Event *event;

      if (*blocks[i] == '\0')
        continue;
      lines = g_strsplit (blocks[i], "\n", -1);
      g_assert_cmpuint (g_strv_length (lines), ==, 2);
      g_assert_true (g_str_has_prefix (lines[0], "event: "));
      g_assert_true (g_str_has_prefix (lines[1], "data: "));
      event = g_new0 (Event, 1);
      event->type = g_strdup (lines[0] + 7);
      event->data = parse (lines[1] + 6);
      g_assert_cmpstr (json_object_get_string_member (event->data, "type"), ==, event->type);
      g_assert_cmpint (json_object_get_int_member (event->data, "sequence_number"), ==, events->len);
      g_ptr_array_add (events, event);
    }
  return events;
}

static GPtrArray *
run_stream (const char         *request_text,
            const char * const *chunks,
            const I2aApiError  *fail)
{
  g_autoptr(JsonObject) request = parse (request_text);
  g_autoptr(I2aResponsesReply) reply = i2a_responses_reply_new (request, "resp_s1", 1700000000);
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; chunks[i]; i++)
    {
      gsize before = out->len;

      i2a_responses_reply_stream_event (reply, chunks[i], strlen (chunks[i]), out);
      /* Whole events only: a chunk never leaves half an event behind. */
      g_assert_true (out->len == before || g_str_has_suffix (out->str, "\n\n"));
    }
  if (fail)
    i2a_responses_reply_stream_error (reply, fail, out);
  else
    i2a_responses_reply_stream_end (reply, out);
  g_assert_nonnull (i2a_responses_reply_get_response (reply));
  return parse_events (out->str);
}

static const char *
type_at (GPtrArray *events,
         guint      i)
{
  g_assert_cmpuint (i, <, events->len);
  return ((Event *) events->pdata[i])->type;
}

static JsonObject *
data_at (GPtrArray *events,
         guint      i)
{
  return ((Event *) events->pdata[i])->data;
}

static void
test_stream_text_reasoning (void)
{
  const char * const chunks[] = {
    "{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"reasoning_content\":\"Hm\"}}]}",
    "{\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"m.\"}}]}",
    "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}",
    "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"},\"finish_reason\":\"stop\"}]}",
    "{\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":4,\"total_tokens\":13}}",
    "[DONE]",
    NULL
  };
  const char * const expected[] = {
    "response.created", "response.in_progress",
    "response.output_item.added", "response.reasoning_summary_part.added",
    "response.reasoning_summary_text.delta", "response.reasoning_summary_text.delta",
    "response.reasoning_summary_text.done", "response.reasoning_summary_part.done", "response.output_item.done",
    "response.output_item.added", "response.content_part.added",
    "response.output_text.delta", "response.output_text.delta",
    "response.output_text.done", "response.content_part.done", "response.output_item.done",
    "response.completed", NULL
  };
  g_autoptr(GPtrArray) events = run_stream ("{\"model\":\"glm-5\",\"input\":\"x\",\"stream\":true}", chunks, NULL);
  JsonObject *response;

  for (guint i = 0; expected[i]; i++)
    g_assert_cmpstr (type_at (events, i), ==, expected[i]);
  g_assert_cmpuint (events->len, ==, g_strv_length ((char **) expected));
  g_assert_cmpstr (json_object_get_string_member (data_at (events, 6), "text"), ==, "Hmm.");
  g_assert_cmpint (json_object_get_int_member (data_at (events, 9), "output_index"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (data_at (events, 12), "delta"), ==, "lo");
  g_assert_cmpstr (json_object_get_string_member (data_at (events, 13), "text"), ==, "Hello");
  response = json_object_get_object_member (data_at (events, 16), "response");
  g_assert_cmpstr (json_object_get_string_member (response, "status"), ==, "completed");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (response, "output")), ==, 2);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (response, "usage"), "total_tokens"), ==, 13);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (data_at (events, 0), "response"), "status"), ==, "in_progress");
}

/* Two parallel calls, arguments in pieces, the second's name only in its
 * first chunk; ids from the upstream kept as call_id. */
static void
test_stream_function_calls (void)
{
  const char * const chunks[] = {
    "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Running.\"}}]}",
    "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_A\",\"type\":\"function\",\"function\":{\"name\":\"exec_command\",\"arguments\":\"\"}}]}}]}",
    "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"cmd\\\":\"}}]}}]}",
    "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"ls\\\"}\"}}]}}]}",
    "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"id\":\"call_B\",\"function\":{\"name\":\"apply_patch\",\"arguments\":\"{\\\"input\\\":\\\"P\\\"}\"}}]}}]}",
    "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2}}",
    NULL
  };
  g_autoptr(GPtrArray) events = run_stream ("{\"model\":\"m\",\"input\":\"x\",\"stream\":true,"
                                            "\"tools\":[{\"type\":\"custom\",\"name\":\"apply_patch\"}]}", chunks, NULL);
  GString *seen = g_string_new (NULL);
  g_autofree char *types = NULL;
  JsonObject *response, *call;
  JsonArray *output;

  for (guint i = 0; i < events->len; i++)
    g_string_append_printf (seen, "%s\n", type_at (events, i));
  types = g_string_free (seen, FALSE);
  g_assert_cmpstr (types, ==,
                   "response.created\nresponse.in_progress\n"
                   "response.output_item.added\nresponse.content_part.added\nresponse.output_text.delta\n"
                   "response.output_text.done\nresponse.content_part.done\nresponse.output_item.done\n"
                   "response.output_item.added\n"
                   "response.function_call_arguments.delta\nresponse.function_call_arguments.delta\n"
                   "response.output_item.added\n"
                   "response.function_call_arguments.done\nresponse.output_item.done\n"
                   "response.custom_tool_call_input.delta\nresponse.custom_tool_call_input.done\nresponse.output_item.done\n"
                   "response.completed\n");
  call = json_object_get_object_member (data_at (events, 8), "item");
  g_assert_cmpstr (json_object_get_string_member (call, "type"), ==, "function_call");
  g_assert_cmpstr (json_object_get_string_member (call, "call_id"), ==, "call_A");
  g_assert_cmpstr (json_object_get_string_member (call, "name"), ==, "exec_command");
  g_assert_cmpstr (json_object_get_string_member (data_at (events, 12), "arguments"), ==, "{\"cmd\":\"ls\"}");
  g_assert_cmpstr (json_object_get_string_member (data_at (events, 15), "input"), ==, "P");
  response = json_object_get_object_member (data_at (events, events->len - 1), "response");
  output = json_object_get_array_member (response, "output");
  g_assert_cmpuint (json_array_get_length (output), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (output, 2), "type"), ==, "custom_tool_call");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (output, 2), "call_id"), ==, "call_B");
}

static void
test_stream_length (void)
{
  const char * const chunks[] = {
    "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Once\"},\"finish_reason\":\"length\"}]}",
    NULL
  };
  g_autoptr(GPtrArray) events = run_stream ("{\"model\":\"m\",\"input\":\"x\",\"stream\":true}", chunks, NULL);
  JsonObject *response = json_object_get_object_member (data_at (events, events->len - 1), "response");

  g_assert_cmpstr (type_at (events, events->len - 1), ==, "response.incomplete");
  g_assert_cmpstr (json_object_get_string_member (response, "status"), ==, "incomplete");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (response, "incomplete_details"), "reason"), ==, "max_output_tokens");
  g_assert_nonnull (json_object_get_object_member (response, "usage"));
}

static void
test_stream_failed (void)
{
  const char * const chunks[] = {
    "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hal\"}}]}",
    NULL
  };
  g_autoptr(I2aApiError) error = i2a_api_error_new (502, "api_error", "upstream_broken", "The upstream went away");
  g_autoptr(GPtrArray) events = run_stream ("{\"model\":\"m\",\"input\":\"x\",\"stream\":true}", chunks, error);
  JsonObject *response = json_object_get_object_member (data_at (events, events->len - 1), "response");
  JsonObject *err = json_object_get_object_member (response, "error");

  g_assert_cmpstr (type_at (events, events->len - 1), ==, "response.failed");
  g_assert_cmpstr (json_object_get_string_member (response, "status"), ==, "failed");
  g_assert_cmpstr (json_object_get_string_member (err, "code"), ==, "upstream_broken");
  g_assert_cmpstr (json_object_get_string_member (err, "message"), ==, "The upstream went away");
}

/* A stream that ends without a single event still gets created and
 * completed (Codex reconnects on a stream that just stops). */
static void
test_stream_empty (void)
{
  const char * const chunks[] = { NULL };
  g_autoptr(GPtrArray) events = run_stream ("{\"model\":\"m\",\"input\":\"x\",\"stream\":true}", chunks, NULL);

  g_assert_cmpuint (events->len, ==, 3);
  g_assert_cmpstr (type_at (events, 0), ==, "response.created");
  g_assert_cmpstr (type_at (events, 2), ==, "response.completed");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/translate/responses/request/codex", test_request_codex);
  g_test_add_func ("/translate/responses/request/string-input", test_request_string_input);
  g_test_add_func ("/translate/responses/request/function-calls", test_request_function_calls);
  g_test_add_func ("/translate/responses/request/custom-tool-call", test_request_custom_tool_call);
  g_test_add_func ("/translate/responses/request/images-reasoning", test_request_images_reasoning);
  g_test_add_func ("/translate/responses/request/bad-input", test_request_bad_input);
  g_test_add_func ("/translate/responses/reply/body", test_reply_body);
  g_test_add_func ("/translate/responses/reply/incomplete", test_reply_incomplete);
  g_test_add_func ("/translate/responses/reply/bad-body", test_reply_bad_body);
  g_test_add_func ("/translate/responses/stream/text-reasoning", test_stream_text_reasoning);
  g_test_add_func ("/translate/responses/stream/function-calls", test_stream_function_calls);
  g_test_add_func ("/translate/responses/stream/length", test_stream_length);
  g_test_add_func ("/translate/responses/stream/failed", test_stream_failed);
  g_test_add_func ("/translate/responses/stream/empty", test_stream_empty);
  return g_test_run ();
}
