/* test-messages-request.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Messages request -> chat request, over request shapes Claude Code and the
 * Anthropic SDK send (tools, parallel calls, tool errors, images, thinking,
 * stop sequences, system entries inside messages), and the 400s. */
#include "config.h"

#include <string.h>

#include "i2a-json.h"
#include "i2a-messages-request.h"
#include "i2a-token-estimate.h"

static JsonObject *
parse (const char *json)
{
  JsonObject *object = i2a_json_parse_object (json, strlen (json));

  g_assert_nonnull (object);
  return object;
}

static JsonObject *
translate_ok (const char *json)
{
  g_autoptr(JsonObject) request = parse (json);
  g_autoptr(I2aApiError) error = NULL;
  JsonObject *chat = i2a_messages_request_to_chat (request, &error);

  if (error)
    g_error ("unexpected error: %s", error->message);
  g_assert_nonnull (chat);
  return chat;
}

static void
assert_bad (const char *json,
            const char *param)
{
  g_autoptr(JsonObject) request = parse (json);
  g_autoptr(I2aApiError) error = NULL;
  g_autoptr(JsonObject) chat = i2a_messages_request_to_chat (request, &error);

  g_assert_null (chat);
  g_assert_nonnull (error);
  g_assert_cmpuint (error->http_status, ==, 400);
  g_assert_cmpstr (error->param, ==, param);
  /* The message names the field too (Anthropic's clients show only it). */
  g_assert_true (g_str_has_prefix (error->message, param));
}

static JsonObject *
message (JsonObject *chat,
         guint       i)
{
  return json_array_get_object_element (json_object_get_array_member (chat, "messages"), i);
}

static guint
n_messages (JsonObject *chat)
{
  return json_array_get_length (json_object_get_array_member (chat, "messages"));
}

static void
test_basic (void)
{
  g_autoptr(JsonObject) chat = translate_ok (
    "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":1024,\"temperature\":0.5,\"top_p\":0.9,"
    "\"top_k\":5,\"metadata\":{\"user_id\":\"user_abc\"},\"stream\":true,\"unknown_field\":1,"
    "\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}");

  g_assert_cmpstr (json_object_get_string_member (chat, "model"), ==, "claude-sonnet-4-5");
  g_assert_cmpint (json_object_get_int_member (chat, "max_tokens"), ==, 1024);
  g_assert_cmpfloat (json_object_get_double_member (chat, "temperature"), ==, 0.5);
  g_assert_cmpfloat (json_object_get_double_member (chat, "top_p"), ==, 0.9);
  g_assert_false (json_object_has_member (chat, "top_k"));
  g_assert_false (json_object_has_member (chat, "unknown_field"));
  g_assert_cmpstr (json_object_get_string_member (chat, "user"), ==, "user_abc");
  g_assert_true (json_object_get_boolean_member (chat, "stream"));
  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (chat, "stream_options"),
                                                 "include_usage"));
  g_assert_cmpuint (n_messages (chat), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (message (chat, 0), "role"), ==, "user");
  g_assert_cmpstr (json_object_get_string_member (message (chat, 0), "content"), ==, "Hello");
}

/* Claude Code 2.1.197: system blocks with the billing header, and system
 * entries inside messages. One leading system message, stable text. */
static void
test_system_entries (void)
{
#define TURN \
    "{\"model\":\"m\",\"max_tokens\":10," \
    "\"system\":[{\"type\":\"text\",\"text\":\"x-anthropic-billing-header: cc_version=2.1.197.%s; cch=%s;\"}," \
    "{\"type\":\"text\",\"text\":\"You are Claude Code.\",\"cache_control\":{\"type\":\"ephemeral\"}}]," \
    "\"messages\":[{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"system\",\"content\":\"Mode: plan\"}," \
    "{\"role\":\"assistant\",\"content\":\"b\"},{\"role\":\"system\",\"content\":[{\"type\":\"text\",\"text\":\"Late note\"}]}," \
    "{\"role\":\"user\",\"content\":\"c\"}]}"
  g_autofree char *one = g_strdup_printf (TURN, "abc", "111");
  g_autofree char *two = g_strdup_printf (TURN, "def", "222");
  g_autoptr(JsonObject) chat = translate_ok (one);
  g_autoptr(JsonObject) chat2 = translate_ok (two);

  g_assert_cmpuint (n_messages (chat), ==, 4);
  g_assert_cmpstr (json_object_get_string_member (message (chat, 0), "role"), ==, "system");
  g_assert_cmpstr (json_object_get_string_member (message (chat, 0), "content"), ==,
                   "You are Claude Code.\n\nMode: plan\n\nLate note");
  for (guint i = 1; i < 4; i++)
    g_assert_cmpstr (json_object_get_string_member (message (chat, i), "role"), !=, "system");
  /* Same text on the next turn although the billing header changed. */
  g_assert_cmpstr (json_object_get_string_member (message (chat2, 0), "content"), ==,
                   json_object_get_string_member (message (chat, 0), "content"));
}

/* Parallel tool calls and their results: role "tool" messages right after
 * the assistant turn, before the rest of the user turn. */
static void
test_tool_use (void)
{
  g_autoptr(JsonObject) chat = translate_ok (
    "{\"model\":\"m\",\"max_tokens\":10,"
    "\"tools\":[{\"name\":\"Bash\",\"description\":\"Run\",\"input_schema\":{\"type\":\"object\","
    "\"properties\":{\"command\":{\"type\":\"string\"}}}},"
    "{\"type\":\"web_search_20250305\",\"name\":\"web_search\",\"max_uses\":5},"
    "{\"name\":\"Read\",\"input_schema\":{\"type\":\"object\"}}],"
    "\"tool_choice\":{\"type\":\"any\",\"disable_parallel_tool_use\":true},"
    "\"messages\":[{\"role\":\"user\",\"content\":\"list and read\"},"
    "{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"Sure.\"},"
    "{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"Bash\",\"input\":{\"command\":\"ls\"}},"
    "{\"type\":\"tool_use\",\"id\":\"toolu_2\",\"name\":\"Read\",\"input\":{\"path\":\"/a\"}}]},"
    "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"<reminder>\"},"
    "{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_2\",\"content\":[{\"type\":\"text\",\"text\":\"A\"}]},"
    "{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_1\",\"content\":\"x y\",\"is_error\":false}]}]}");
  JsonArray *tools = json_object_get_array_member (chat, "tools");
  JsonObject *assistant = message (chat, 1);
  JsonArray *calls = json_object_get_array_member (assistant, "tool_calls");
  JsonObject *f;

  /* The server tool is gone, the others are functions. */
  g_assert_cmpuint (json_array_get_length (tools), ==, 2);
  f = json_object_get_object_member (json_array_get_object_element (tools, 0), "function");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (tools, 0), "type"), ==, "function");
  g_assert_cmpstr (json_object_get_string_member (f, "name"), ==, "Bash");
  g_assert_cmpstr (json_object_get_string_member (f, "description"), ==, "Run");
  g_assert_true (json_object_has_member (json_object_get_object_member (f, "parameters"), "properties"));
  g_assert_cmpstr (json_object_get_string_member (chat, "tool_choice"), ==, "required");
  g_assert_false (json_object_get_boolean_member (chat, "parallel_tool_calls"));

  g_assert_cmpuint (n_messages (chat), ==, 5);
  g_assert_cmpstr (json_object_get_string_member (assistant, "content"), ==, "Sure.");
  g_assert_cmpuint (json_array_get_length (calls), ==, 2);
  f = json_object_get_object_member (json_array_get_object_element (calls, 0), "function");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (calls, 0), "id"), ==, "toolu_1");
  g_assert_cmpstr (json_object_get_string_member (f, "name"), ==, "Bash");
  g_assert_cmpstr (json_object_get_string_member (f, "arguments"), ==, "{\"command\":\"ls\"}");

  g_assert_cmpstr (json_object_get_string_member (message (chat, 2), "role"), ==, "tool");
  g_assert_cmpstr (json_object_get_string_member (message (chat, 2), "tool_call_id"), ==, "toolu_2");
  g_assert_cmpstr (json_object_get_string_member (message (chat, 2), "content"), ==, "A");
  g_assert_cmpstr (json_object_get_string_member (message (chat, 3), "tool_call_id"), ==, "toolu_1");
  g_assert_cmpstr (json_object_get_string_member (message (chat, 3), "content"), ==, "x y");
  g_assert_cmpstr (json_object_get_string_member (message (chat, 4), "role"), ==, "user");
  g_assert_cmpstr (json_object_get_string_member (message (chat, 4), "content"), ==, "<reminder>");
}

static void
test_tool_choice (void)
{
#define BASE "{\"model\":\"m\",\"max_tokens\":1,\"tools\":[{\"name\":\"T\",\"input_schema\":{}}]," \
             "\"tool_choice\":%s,\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}"
  struct { const char *in; const char *out; } cases[] = {
    { "{\"type\":\"auto\"}", "\"auto\"" },
    { "{\"type\":\"any\"}", "\"required\"" },
    { "{\"type\":\"none\"}", "\"none\"" },
    { "{\"type\":\"tool\",\"name\":\"T\"}", "{\"type\":\"function\",\"function\":{\"name\":\"T\"}}" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *json = g_strdup_printf (BASE, cases[i].in);
      g_autoptr(JsonObject) chat = translate_ok (json);
      g_autofree char *out = json_to_string (json_object_get_member (chat, "tool_choice"), FALSE);

      g_assert_cmpstr (out, ==, cases[i].out);
    }
}

static void
test_tool_result_error (void)
{
  g_autoptr(JsonObject) chat = translate_ok (
    "{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"go\"},"
    "{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"t1\",\"name\":\"Bash\",\"input\":{}}]},"
    "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"t1\",\"is_error\":true,"
    "\"content\":[{\"type\":\"text\",\"text\":\"command not found\"}]}]}]}");

  g_assert_cmpuint (n_messages (chat), ==, 3);
  /* Only tool calls: content null, as chat completions has it. */
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (message (chat, 1), "content")));
  g_assert_cmpstr (json_object_get_string_member (message (chat, 2), "role"), ==, "tool");
  g_assert_cmpstr (json_object_get_string_member (message (chat, 2), "content"), ==, "Error: command not found");
}

static void
test_images (void)
{
  g_autoptr(JsonObject) chat = translate_ok (
    "{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":["
    "{\"type\":\"text\",\"text\":\"What is this?\"},"
    "{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"iVBORw0KGgo=\"}},"
    "{\"type\":\"image\",\"source\":{\"type\":\"url\",\"url\":\"https://example.com/a.jpg\"}}]}]}");
  JsonArray *parts = json_object_get_array_member (message (chat, 0), "content");

  g_assert_cmpuint (json_array_get_length (parts), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (parts, 0), "text"), ==, "What is this?");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (
                     json_array_get_object_element (parts, 1), "image_url"), "url"), ==,
                   "data:image/png;base64,iVBORw0KGgo=");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (
                     json_array_get_object_element (parts, 2), "image_url"), "url"), ==,
                   "https://example.com/a.jpg");
}

/* Thinking on: the switch maps to reasoning_effort; thinking history goes
 * back as reasoning_content only inside the tool loop in progress. */
static void
test_thinking (void)
{
  g_autoptr(JsonObject) chat = translate_ok (
    "{\"model\":\"m\",\"max_tokens\":10,\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":2000},"
    "\"messages\":[{\"role\":\"user\",\"content\":\"first\"},"
    "{\"role\":\"assistant\",\"content\":[{\"type\":\"thinking\",\"thinking\":\"old\",\"signature\":\"sig\"},"
    "{\"type\":\"text\",\"text\":\"A1\"}]},"
    "{\"role\":\"user\",\"content\":\"second\"},"
    "{\"role\":\"assistant\",\"content\":[{\"type\":\"redacted_thinking\",\"data\":\"xx\"},"
    "{\"type\":\"thinking\",\"thinking\":\"now\",\"signature\":\"\"},"
    "{\"type\":\"tool_use\",\"id\":\"t\",\"name\":\"Bash\",\"input\":{}}]},"
    "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"t\",\"content\":\"ok\"}]}]}");
  g_autoptr(JsonObject) adaptive = translate_ok (
    "{\"model\":\"m\",\"max_tokens\":10,\"thinking\":{\"type\":\"adaptive\"},"
    "\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}");
  g_autoptr(JsonObject) big = translate_ok (
    "{\"model\":\"m\",\"max_tokens\":10,\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":31999},"
    "\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}");
  g_autoptr(JsonObject) off = translate_ok (
    "{\"model\":\"m\",\"max_tokens\":10,\"thinking\":{\"type\":\"disabled\"},"
    "\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}");

  g_assert_cmpstr (json_object_get_string_member (chat, "reasoning_effort"), ==, "low");
  g_assert_cmpstr (json_object_get_string_member (adaptive, "reasoning_effort"), ==, "medium");
  {
    g_autoptr(JsonObject) effort = translate_ok (
      "{\"model\":\"m\",\"max_tokens\":10,\"thinking\":{\"type\":\"adaptive\",\"display\":\"omitted\"},"
      "\"output_config\":{\"effort\":\"high\"},\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}");
    g_autoptr(JsonObject) low = translate_ok (
      "{\"model\":\"m\",\"max_tokens\":10,\"thinking\":{\"type\":\"adaptive\"},"
      "\"output_config\":{\"effort\":\"low\"},\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}");

    g_assert_cmpstr (json_object_get_string_member (effort, "reasoning_effort"), ==, "high");
    g_assert_cmpstr (json_object_get_string_member (low, "reasoning_effort"), ==, "low");
    g_assert_false (json_object_has_member (effort, "output_config"));
  }
  g_assert_cmpstr (json_object_get_string_member (big, "reasoning_effort"), ==, "high");
  g_assert_false (json_object_has_member (off, "reasoning_effort"));

  g_assert_cmpuint (n_messages (chat), ==, 5);
  g_assert_false (json_object_has_member (message (chat, 1), "reasoning_content"));
  g_assert_cmpstr (json_object_get_string_member (message (chat, 1), "content"), ==, "A1");
  g_assert_cmpstr (json_object_get_string_member (message (chat, 3), "reasoning_content"), ==, "now");
  /* Nothing of a signature travels anywhere. */
  {
    g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
    g_autofree char *text = NULL;

    json_node_set_object (node, chat);
    text = json_to_string (node, FALSE);
    g_assert_null (strstr (text, "sig"));
    g_assert_null (strstr (text, "xx"));
  }
}

static void
test_stop_sequences (void)
{
  g_autoptr(JsonObject) chat = translate_ok (
    "{\"model\":\"m\",\"max_tokens\":10,\"stop_sequences\":[\"END\",\"\\n\\nHuman:\"],"
    "\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}");
  g_autoptr(JsonObject) none = translate_ok (
    "{\"model\":\"m\",\"max_tokens\":10,\"stop_sequences\":[],\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}");
  g_autoptr(JsonObject) request = parse ("{\"stop_sequences\":[\"END\",\"X\"]}");
  g_auto(GStrv) stops = i2a_messages_request_dup_stop_sequences (request);
  JsonArray *stop = json_object_get_array_member (chat, "stop");

  g_assert_cmpuint (json_array_get_length (stop), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (stop, 0), ==, "END");
  g_assert_false (json_object_has_member (none, "stop"));
  g_assert_cmpuint (g_strv_length (stops), ==, 2);
  g_assert_false (json_object_get_boolean_member (none, "stream"));
}

/* Empty content: an assistant turn with nothing is skipped, not sent as an
 * empty message a strict upstream would reject. */
static void
test_empty_content (void)
{
  g_autoptr(JsonObject) chat = translate_ok (
    "{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"q\"},"
    "{\"role\":\"assistant\",\"content\":[]},{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"again\"}]}]}");

  g_assert_cmpuint (n_messages (chat), ==, 2);
  assert_bad ("{\"model\":\"m\",\"max_tokens\":10,\"system\":\"s\",\"messages\":[{\"role\":\"system\",\"content\":\"t\"}]}",
              "messages");
}

static void
test_bad_input (void)
{
  assert_bad ("{\"model\":\"m\",\"max_tokens\":1,\"messages\":{\"role\":\"user\"}}", "messages");
  assert_bad ("{\"model\":\"m\",\"max_tokens\":1,\"messages\":\"hi\"}", "messages");
  assert_bad ("{\"model\":\"m\",\"max_tokens\":1,\"messages\":[]}", "messages");
  assert_bad ("{\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}", "model");
  assert_bad ("{\"model\":\"m\",\"max_tokens\":1,\"messages\":[3]}", "messages.0");
  assert_bad ("{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"tool\",\"content\":\"q\"}]}",
              "messages.0.role");
  assert_bad ("{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":5}]}",
              "messages.0.content");
  /* Malformed blocks. */
  assert_bad ("{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":[\"text\"]}]}",
              "messages.0.content.0");
  assert_bad ("{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"a\"}]}]}",
              "messages.0.content.0.type");
  assert_bad ("{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":7}]}]}",
              "messages.0.content.0.text");
  assert_bad ("{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image\","
              "\"source\":{\"type\":\"base64\",\"data\":\"x\"}}]}]}", "messages.0.content.0.source.media_type");
  /* Unknown block types in user content. */
  assert_bad ("{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"a\"},"
              "{\"type\":\"hologram\"}]}]}", "messages.0.content.1.type");
  /* A tool_result whose id matches no earlier tool_use. */
  assert_bad ("{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"q\"},"
              "{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"t1\",\"name\":\"B\",\"input\":{}}]},"
              "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"t9\",\"content\":\"x\"}]}]}",
              "messages.2.content.0.tool_use_id");
  assert_bad ("{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\","
              "\"tool_use_id\":\"t1\",\"content\":\"x\"}]}]}", "messages.0.content.0.tool_use_id");
  assert_bad ("{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"q\"},"
              "{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"t1\",\"name\":\"B\",\"input\":[]}]}]}",
              "messages.1.content.0.input");
  assert_bad ("{\"model\":\"m\",\"max_tokens\":\"9\",\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}", "max_tokens");
  assert_bad ("{\"model\":\"m\",\"max_tokens\":1,\"stop_sequences\":[1],\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}",
              "stop_sequences.0");
  assert_bad ("{\"model\":\"m\",\"max_tokens\":1,\"tools\":[{\"description\":\"x\"}],\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}",
              "tools.0.name");
  assert_bad ("{\"model\":\"m\",\"max_tokens\":1,\"tool_choice\":{\"type\":\"maybe\"},\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}",
              "tool_choice.type");
  assert_bad ("{\"model\":\"m\",\"max_tokens\":1,\"thinking\":{\"type\":\"always\"},\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}",
              "thinking.type");
  assert_bad ("{\"model\":\"m\",\"max_tokens\":1,\"system\":[{\"type\":\"image\"}],\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}",
              "system.0.type");
}

static void
test_token_estimate (void)
{
  g_autoptr(JsonObject) small = translate_ok ("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
  g_autoptr(JsonObject) large = translate_ok (
    "{\"model\":\"m\",\"system\":\"You are a helpful assistant that answers questions about the weather.\","
    "\"tools\":[{\"name\":\"get_weather\",\"description\":\"Get the weather for a city\","
    "\"input_schema\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}],"
    "\"messages\":[{\"role\":\"user\",\"content\":\"What is the weather in Paris today?\"}]}");
  gint64 a = i2a_token_estimate_chat (small), b = i2a_token_estimate_chat (large);

  g_assert_cmpint (a, >, 0);
  g_assert_cmpint (b, >, a + 30);
  /* Rough anchors from a BPE tokenizer: prose about 1.3 tokens a word,
   * each CJK character about a token. */
  g_assert_cmpint (i2a_token_estimate_text ("The quick brown fox jumps over the lazy dog.", -1), >=, 9);
  g_assert_cmpint (i2a_token_estimate_text ("The quick brown fox jumps over the lazy dog.", -1), <=, 13);
  g_assert_cmpint (i2a_token_estimate_text ("你好世界，今天天气很好", -1), >=, 8);
  g_assert_cmpint (i2a_token_estimate_text ("你好世界，今天天气很好", -1), <=, 14);
  g_assert_cmpint (i2a_token_estimate_text ("\xff\xfe broken", -1), >, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/translate/messages-request/basic", test_basic);
  g_test_add_func ("/translate/messages-request/system-entries", test_system_entries);
  g_test_add_func ("/translate/messages-request/tool-use", test_tool_use);
  g_test_add_func ("/translate/messages-request/tool-choice", test_tool_choice);
  g_test_add_func ("/translate/messages-request/tool-result-error", test_tool_result_error);
  g_test_add_func ("/translate/messages-request/images", test_images);
  g_test_add_func ("/translate/messages-request/thinking", test_thinking);
  g_test_add_func ("/translate/messages-request/stop-sequences", test_stop_sequences);
  g_test_add_func ("/translate/messages-request/empty-content", test_empty_content);
  g_test_add_func ("/translate/messages-request/bad-input", test_bad_input);
  g_test_add_func ("/translate/messages-request/token-estimate", test_token_estimate);
  return g_test_run ();
}
