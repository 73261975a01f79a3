/* test-iflow-rules.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "i2a-iflow-rules.h"
#include "i2a-models.h"

#define MESSAGES "[{\"role\":\"user\",\"content\":\"hi\"}]"

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static char *
object_to_string (JsonObject *obj)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (node, obj);
  return json_to_string (node, FALSE);
}

/* @actual must have exactly the members of @expected_json (plus
 * "messages" when @skip_messages), with equal values. */
static void
assert_body (JsonObject *actual,
             const char *expected_json,
             gboolean    skip_messages)
{
  g_autoptr(JsonObject) expected = parse_object (expected_json);
  g_autofree char *actual_text = object_to_string (actual);
  g_autoptr(GList) members = json_object_get_members (actual);
  GList *l;

  for (l = members; l; l = l->next)
    {
      const char *name = l->data;

      if (skip_messages && strcmp (name, "messages") == 0)
        continue;
      if (!json_object_has_member (expected, name))
        g_error ("unexpected member %s in %s (expected %s)", name, actual_text, expected_json);
      if (!json_node_equal (json_object_get_member (expected, name),
                            json_object_get_member (actual, name)))
        g_error ("member %s differs: got %s, expected %s", name, actual_text, expected_json);
    }
  members = (g_list_free (members), json_object_get_members (expected));
  for (l = members; l; l = l->next)
    if (!json_object_has_member (actual, l->data))
      g_error ("missing member %s in %s (expected %s)", (char *) l->data, actual_text, expected_json);
}

static JsonObject *
apply_text (const char *request_json,
            gboolean    stream)
{
  g_autoptr(JsonObject) request = parse_object (request_json);

  return i2a_iflow_rules_apply (request, stream);
}

/* Every catalogue model, thinking off and on: the exact upstream body
 * (messages aside). */
static const struct
{
  const char *id;
  const char *off;
  const char *on;
} model_rules[] = {
  { "glm-5",
    "{\"model\":\"glm-5\",\"max_new_tokens\":32000,\"chat_template_kwargs\":{\"enable_thinking\":false},"
    "\"enable_thinking\":false,\"thinking\":{\"type\":\"disabled\"},\"temperature\":1.0,\"top_p\":0.95}",
    "{\"model\":\"glm-5\",\"max_new_tokens\":32000,\"chat_template_kwargs\":{\"enable_thinking\":true},"
    "\"enable_thinking\":true,\"thinking\":{\"type\":\"enabled\"},\"temperature\":1.0,\"top_p\":0.95}" },
  { "glm-4.7",
    "{\"model\":\"glm-4.7\",\"max_new_tokens\":32000,\"chat_template_kwargs\":{\"enable_thinking\":false},"
    "\"temperature\":1.0,\"top_p\":0.95}",
    "{\"model\":\"glm-4.7\",\"max_new_tokens\":32000,\"chat_template_kwargs\":{\"enable_thinking\":true},"
    "\"temperature\":1.0,\"top_p\":0.95}" },
  { "glm-4.6",
    "{\"model\":\"glm-4.6-exp\",\"max_new_tokens\":32000}",
    "{\"model\":\"glm-4.6-exp\",\"max_new_tokens\":32000,\"chat_template_kwargs\":{\"enable_thinking\":true}}" },
  { "iFlow-ROME-30BA3B",
    "{\"model\":\"iFlow-ROME-30BA3B\",\"max_new_tokens\":64000,\"temperature\":0.7,\"top_p\":0.8,\"top_k\":20}",
    "{\"model\":\"iFlow-ROME-30BA3B\",\"max_new_tokens\":64000,\"temperature\":0.7,\"top_p\":0.8,\"top_k\":20}" },
  { "deepseek-v3.2-chat",
    "{\"model\":\"deepseek-v3.2-chat\",\"max_new_tokens\":8192,\"max_tokens\":8192}",
    "{\"model\":\"deepseek-v3.2-reasoner\",\"max_new_tokens\":64000,\"reasoning\":true,\"thinking_mode\":true}" },
  { "deepseek-v3.2-reasoner",
    "{\"model\":\"deepseek-v3.2-reasoner\",\"max_new_tokens\":64000}",
    "{\"model\":\"deepseek-v3.2-reasoner\",\"max_new_tokens\":64000,\"reasoning\":true,\"thinking_mode\":true}" },
  { "deepseek-v3.1",
    "{\"model\":\"deepseek-v3.1\",\"max_new_tokens\":8192,\"max_tokens\":8192}",
    "{\"model\":\"deepseek-v3.1\",\"max_new_tokens\":8192,\"max_tokens\":8192,\"reasoning\":true,\"thinking_mode\":true}" },
  { "deepseek-r1",
    "{\"model\":\"deepseek-r1\",\"max_new_tokens\":32000,\"max_tokens\":32000}",
    "{\"model\":\"deepseek-r1\",\"max_new_tokens\":32000,\"max_tokens\":32000,\"reasoning\":true,\"thinking_mode\":true}" },
  { "qwen3-coder-plus",
    "{\"model\":\"qwen3-coder-plus\",\"max_new_tokens\":64000}",
    "{\"model\":\"qwen3-coder-plus\",\"max_new_tokens\":64000}" },
  { "qwen3-max",
    "{\"model\":\"qwen3-max\",\"max_new_tokens\":8192}",
    "{\"model\":\"qwen3-max\",\"max_new_tokens\":8192}" },
  { "qwen3-max-preview",
    "{\"model\":\"qwen3-max-preview\",\"max_new_tokens\":32000}",
    "{\"model\":\"qwen3-max-preview\",\"max_new_tokens\":32000}" },
  { "qwen3-vl-plus",
    "{\"model\":\"qwen3-vl-plus\",\"max_new_tokens\":8192}",
    "{\"model\":\"qwen3-vl-plus\",\"max_new_tokens\":8192}" },
  { "qwen3-235b-a22b-thinking-2507",
    "{\"model\":\"qwen3-235b-a22b-thinking-2507\",\"max_new_tokens\":8192}",
    "{\"model\":\"qwen3-235b-a22b-thinking-2507\",\"max_new_tokens\":8192,\"thinking_mode\":true}" },
  { "qwen3-235b-a22b-instruct",
    "{\"model\":\"qwen3-235b-a22b-instruct\",\"max_new_tokens\":8192}",
    "{\"model\":\"qwen3-235b-a22b-instruct\",\"max_new_tokens\":8192}" },
  { "kimi-k2.5",
    "{\"model\":\"kimi-k2.5\",\"max_new_tokens\":32768,\"thinking\":{\"type\":\"disabled\"},\"top_p\":0.95,"
    "\"n\":1,\"presence_penalty\":0,\"frequency_penalty\":0,\"max_tokens\":32768}",
    "{\"model\":\"kimi-k2.5\",\"max_new_tokens\":32768,\"thinking\":{\"type\":\"enabled\"},\"top_p\":0.95,"
    "\"n\":1,\"presence_penalty\":0,\"frequency_penalty\":0,\"max_tokens\":32768}" },
  { "kimi-k2-thinking",
    "{\"model\":\"kimi-k2-thinking\",\"max_new_tokens\":32000}",
    "{\"model\":\"kimi-k2-thinking\",\"max_new_tokens\":32000,\"thinking_mode\":true}" },
  { "kimi-k2-0905",
    "{\"model\":\"kimi-k2-0905\",\"max_new_tokens\":32000}",
    "{\"model\":\"kimi-k2-0905\",\"max_new_tokens\":32000}" },
  { "kimi-k2",
    "{\"model\":\"kimi-k2\",\"max_new_tokens\":32000}",
    "{\"model\":\"kimi-k2\",\"max_new_tokens\":32000}" },
  { "minimax-m2.5",
    "{\"model\":\"minimax-m2.5\",\"max_new_tokens\":64000}",
    "{\"model\":\"minimax-m2.5\",\"max_new_tokens\":64000}" },
  { "minimax-m2.1",
    "{\"model\":\"minimax-m2.1\",\"max_new_tokens\":64000}",
    "{\"model\":\"minimax-m2.1\",\"max_new_tokens\":64000}" },
};

/* Each way a client can say "thinking on" gives the same body. */
static const char * const thinking_on_forms[] = {
  "\"reasoning_effort\":\"high\"",
  "\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":2048}",
  "\"enable_thinking\":true",
  "\"chat_template_kwargs\":{\"enable_thinking\":true}",
};

static const char * const thinking_off_forms[] = {
  "\"stream\":false",   /* nothing said: off */
  "\"reasoning_effort\":\"none\"",
  "\"thinking\":{\"type\":\"disabled\"}",
  "\"enable_thinking\":false",
};

static void
test_every_model (void)
{
  guint n = i2a_models_count ();
  guint i, j, k;

  for (i = 0; i < n; i++)
    {
      const I2aModelInfo *info = i2a_models_get (i);
      gboolean found = FALSE;

      for (j = 0; j < G_N_ELEMENTS (model_rules); j++)
        {
          if (strcmp (model_rules[j].id, info->id) != 0)
            continue;
          found = TRUE;
          for (k = 0; k < G_N_ELEMENTS (thinking_off_forms); k++)
            {
              g_autofree char *req = g_strdup_printf ("{\"model\":\"%s\",\"messages\":" MESSAGES ",%s}",
                                                      info->id, thinking_off_forms[k]);
              g_autoptr(JsonObject) body = apply_text (req, FALSE);

              g_test_message ("%s", req);
              assert_body (body, model_rules[j].off, TRUE);
            }
          for (k = 0; k < G_N_ELEMENTS (thinking_on_forms); k++)
            {
              g_autofree char *req = g_strdup_printf ("{\"model\":\"%s\",\"messages\":" MESSAGES ",%s}",
                                                      info->id, thinking_on_forms[k]);
              g_autoptr(JsonObject) body = apply_text (req, FALSE);

              g_test_message ("%s", req);
              assert_body (body, model_rules[j].on, TRUE);
            }
        }
      if (!found)
        g_error ("catalogue model %s has no row in model_rules", info->id);
    }
  g_assert_cmpuint (G_N_ELEMENTS (model_rules), ==, n);
}

static void
test_thinking_requested (void)
{
  static const struct { const char *json; gboolean on; } cases[] = {
    { "{}", FALSE },
    { "{\"thinking\":{\"type\":\"enabled\"}}", TRUE },
    { "{\"thinking\":{\"type\":\"disabled\"}}", FALSE },
    { "{\"thinking\":{\"enabled\":true}}", TRUE },
    { "{\"thinking\":{\"enabled\":false}}", FALSE },
    { "{\"thinking\":true}", TRUE },
    { "{\"enable_thinking\":true}", TRUE },
    { "{\"enable_thinking\":false}", FALSE },
    { "{\"chat_template_kwargs\":{\"enable_thinking\":true}}", TRUE },
    { "{\"chat_template_kwargs\":{\"other\":1}}", FALSE },
    { "{\"reasoning_effort\":\"low\"}", TRUE },
    { "{\"reasoning_effort\":\"none\"}", FALSE },
    { "{\"reasoning_effort\":\"\"}", FALSE },
    { "{\"thinking_mode\":true}", TRUE },
    { "{\"thinking_mode\":false}", FALSE },
    { "{\"reasoning\":true}", TRUE },
    { "{\"reasoning\":{\"effort\":\"medium\"}}", TRUE },
    { "{\"reasoning\":{\"effort\":\"none\"}}", FALSE },
    /* Precedence: thinking > enable_thinking > chat_template_kwargs >
     * reasoning_effort > thinking_mode / reasoning. */
    { "{\"thinking\":{\"type\":\"disabled\"},\"enable_thinking\":true}", FALSE },
    { "{\"thinking\":{\"type\":\"enabled\"},\"enable_thinking\":false}", TRUE },
    { "{\"enable_thinking\":false,\"chat_template_kwargs\":{\"enable_thinking\":true}}", FALSE },
    { "{\"enable_thinking\":true,\"reasoning_effort\":\"none\"}", TRUE },
    { "{\"chat_template_kwargs\":{\"enable_thinking\":false},\"reasoning_effort\":\"high\"}", FALSE },
    { "{\"reasoning_effort\":\"none\",\"thinking_mode\":true}", FALSE },
    { "{\"thinking\":{\"type\":\"auto\"},\"enable_thinking\":true}", TRUE },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonObject) req = parse_object (cases[i].json);

      g_test_message ("%s", cases[i].json);
      g_assert_cmpint (i2a_iflow_thinking_requested (req), ==, cases[i].on);
    }
}

static void
test_max_new_tokens_table (void)
{
  static const struct { const char *model; gint64 value; } cases[] = {
    { "kimi-k2.5", 32768 }, { "Kimi-K2.5-preview", 32768 }, { "kimi-k2-0905", 32000 },
    { "kimi-k2-thinking", 32000 }, { "kimi-ide-modelscope", 8192 }, { "kimi-k2", 32000 },
    { "iFlow-ROME-30BA3B", 64000 }, { "iflow-rome-30ba3b", 64000 },
    { "minimax-m2.1", 64000 }, { "MiniMax-M2.5", 64000 },
    { "glm-5", 32000 }, { "glm-4.7", 32000 }, { "glm-ide-modelscope", 16384 }, { "glm-4.6-exp", 32000 },
    { "claude-sonnet-4", 64000 }, { "haiku", 64000 }, { "opus-4", 64000 },
    { "deepseek-v3.2-reasoner", 64000 }, { "deepseek-v3.2-chat", 8192 }, { "deepseek-v3", 8192 },
    { "deepseek-r1", 32000 }, { "deepseek-coder", 8000 },
    { "qwen3-coder-plus", 64000 }, { "qwen3-max-preview", 32000 }, { "qwen3-max", 8192 },
    { "qwen3-32b", 8192 }, { "qwen-max", 8192 }, { "qwen-plus", 8192 }, { "qwen-turbo", 8000 },
    { "gpt-4-32k", 4096 }, { "gpt-4o", 16384 },
    { "mimo-v2", 64000 },
    { "gemini-2.5-pro", 65536 }, { "gemini-1.5-pro", 8192 },
    { "tstars2.0", 8000 }, { "", 8000 }, { NULL, 8000 },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("%s", cases[i].model ? cases[i].model : "(null)");
      g_assert_cmpint (i2a_iflow_max_new_tokens (cases[i].model), ==, cases[i].value);
    }
}

static void
test_explicit_max_tokens (void)
{
  g_autoptr(JsonObject) a = apply_text ("{\"model\":\"glm-5\",\"max_tokens\":100,\"max_completion_tokens\":200}", FALSE);
  g_autoptr(JsonObject) b = apply_text ("{\"model\":\"glm-5\",\"max_tokens\":100}", FALSE);
  g_autoptr(JsonObject) c = apply_text ("{\"model\":\"glm-5\",\"max_tokens\":0,\"max_completion_tokens\":-5}", FALSE);
  g_autoptr(JsonObject) d = apply_text ("{\"model\":\"kimi-k2.5\",\"max_completion_tokens\":777}", FALSE);
  g_autoptr(JsonObject) e = apply_text ("{\"model\":\"deepseek-v3.2\",\"max_tokens\":1234.0}", FALSE);
  g_autoptr(JsonObject) f = apply_text ("{\"model\":\"qwen3-max\",\"max_tokens\":\"300\"}", FALSE);

  g_assert_cmpint (json_object_get_int_member (a, "max_new_tokens"), ==, 200);
  g_assert_false (json_object_has_member (a, "max_tokens"));
  g_assert_false (json_object_has_member (a, "max_completion_tokens"));
  g_assert_cmpint (json_object_get_int_member (b, "max_new_tokens"), ==, 100);
  g_assert_cmpint (json_object_get_int_member (c, "max_new_tokens"), ==, 32000);
  g_assert_cmpint (json_object_get_int_member (d, "max_new_tokens"), ==, 777);
  g_assert_cmpint (json_object_get_int_member (d, "max_tokens"), ==, 777);
  g_assert_cmpint (json_object_get_int_member (e, "max_new_tokens"), ==, 1234);
  g_assert_cmpint (json_object_get_int_member (e, "max_tokens"), ==, 1234);
  g_assert_cmpint (json_object_get_int_member (f, "max_new_tokens"), ==, 8192);
}

static void
test_stream (void)
{
  g_autoptr(JsonObject) s = apply_text ("{\"model\":\"qwen3-max\",\"stream\":true}", TRUE);
  g_autoptr(JsonObject) s2 = apply_text ("{\"model\":\"qwen3-max\",\"stream\":true,"
                                         "\"stream_options\":{\"include_usage\":false,\"x\":1}}", TRUE);
  g_autoptr(JsonObject) n = apply_text ("{\"model\":\"qwen3-max\",\"stream\":false,"
                                        "\"stream_options\":{\"include_usage\":true}}", FALSE);

  assert_body (s, "{\"model\":\"qwen3-max\",\"max_new_tokens\":8192,\"stream\":true,"
                  "\"stream_options\":{\"include_usage\":true}}", FALSE);
  assert_body (s2, "{\"model\":\"qwen3-max\",\"max_new_tokens\":8192,\"stream\":true,"
                   "\"stream_options\":{\"include_usage\":true,\"x\":1}}", FALSE);
  assert_body (n, "{\"model\":\"qwen3-max\",\"max_new_tokens\":8192}", FALSE);
}

static void
test_sampling_passthrough (void)
{
  /* Client values are kept where no official override applies... */
  g_autoptr(JsonObject) q = apply_text ("{\"model\":\"qwen3-coder-plus\",\"temperature\":0.2,\"top_p\":0.5,"
                                        "\"seed\":7,\"response_format\":{\"type\":\"json_object\"}}", FALSE);
  /* ...and replaced where the official CLI forces them. */
  g_autoptr(JsonObject) g = apply_text ("{\"model\":\"glm-4.7\",\"temperature\":0.2,\"top_p\":0.5}", FALSE);
  g_autoptr(JsonObject) k = apply_text ("{\"model\":\"kimi-k2.5\",\"temperature\":0.2,\"n\":3}", FALSE);

  assert_body (q, "{\"model\":\"qwen3-coder-plus\",\"max_new_tokens\":64000,\"temperature\":0.2,"
                  "\"top_p\":0.5,\"seed\":7,\"response_format\":{\"type\":\"json_object\"}}", FALSE);
  g_assert_cmpfloat (json_object_get_double_member (g, "temperature"), ==, 1.0);
  g_assert_cmpfloat (json_object_get_double_member (g, "top_p"), ==, 0.95);
  g_assert_false (json_object_has_member (k, "temperature"));
  g_assert_cmpint (json_object_get_int_member (k, "n"), ==, 1);
}

static void
test_tools_and_stop (void)
{
  g_autoptr(JsonObject) empty = apply_text ("{\"model\":\"qwen3-max\",\"tools\":[],\"tool_choice\":\"auto\","
                                            "\"stop\":[]}", TRUE);
  g_autoptr(JsonObject) nulls = apply_text ("{\"model\":\"qwen3-max\",\"tools\":null,\"stop\":\"\"}", FALSE);
  g_autoptr(JsonObject) tools = apply_text ("{\"model\":\"qwen3-max\",\"tools\":[{\"type\":\"function\","
                                            "\"function\":{\"name\":\"f\"}}],\"tool_choice\":\"required\","
                                            "\"stop\":[\"END\"]}", FALSE);
  g_autoptr(JsonObject) kimi_on = apply_text ("{\"model\":\"kimi-k2.5\",\"reasoning_effort\":\"high\","
                                              "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]}",
                                              FALSE);
  g_autoptr(JsonObject) kimi_off = apply_text ("{\"model\":\"kimi-k2.5\",\"tools\":[{\"type\":\"function\","
                                               "\"function\":{\"name\":\"f\"}}]}", FALSE);

  assert_body (empty, "{\"model\":\"qwen3-max\",\"max_new_tokens\":8192,\"stream\":true,"
                      "\"stream_options\":{\"include_usage\":true}}", FALSE);
  assert_body (nulls, "{\"model\":\"qwen3-max\",\"max_new_tokens\":8192}", FALSE);
  assert_body (tools, "{\"model\":\"qwen3-max\",\"max_new_tokens\":8192,\"tools\":[{\"type\":\"function\","
                      "\"function\":{\"name\":\"f\"}}],\"tool_choice\":\"required\",\"stop\":[\"END\"]}", FALSE);
  g_assert_cmpstr (json_object_get_string_member (kimi_on, "tool_choice"), ==, "auto");
  g_assert_false (json_object_has_member (kimi_off, "tool_choice"));
}

static void
test_thinking_keys_replaced (void)
{
  /* The client's own toggles never reach the upstream next to the
   * official form; other chat_template_kwargs survive. */
  g_autoptr(JsonObject) q = apply_text ("{\"model\":\"qwen3-max\",\"reasoning_effort\":\"high\",\"thinking\":"
                                        "{\"type\":\"enabled\"},\"enable_thinking\":true,\"thinking_mode\":true,"
                                        "\"reasoning\":true,\"chat_template_kwargs\":{\"enable_thinking\":true,"
                                        "\"custom\":1}}", FALSE);
  g_autoptr(JsonObject) g = apply_text ("{\"model\":\"glm-4.7\",\"chat_template_kwargs\":{\"custom\":1}}", FALSE);

  assert_body (q, "{\"model\":\"qwen3-max\",\"max_new_tokens\":8192,\"chat_template_kwargs\":{\"custom\":1}}",
               FALSE);
  assert_body (g, "{\"model\":\"glm-4.7\",\"max_new_tokens\":32000,\"temperature\":1.0,\"top_p\":0.95,"
                  "\"chat_template_kwargs\":{\"custom\":1,\"enable_thinking\":false}}", FALSE);
}

static void
test_pattern_forms (void)
{
  /* Models outside the catalogue still get the official per-pattern forms. */
  static const struct { const char *model; const char *extra; const char *expected; } cases[] = {
    { "deepseek-v3.2-chat", "\"reasoning_effort\":\"low\"",
      "{\"model\":\"deepseek-v3.2-reasoner\",\"max_new_tokens\":64000,\"thinking_mode\":true}" },
    { "claude-3.5-sonnet", "\"reasoning_effort\":\"medium\"",
      "{\"model\":\"claude-3.5-sonnet\",\"max_new_tokens\":64000,\"thinking\":{\"enabled\":true,"
      "\"max_tokens\":25000,\"reasoning_level\":\"medium\"}}" },
    { "claude-sonnet-4", "\"enable_thinking\":true",
      "{\"model\":\"claude-sonnet-4\",\"max_new_tokens\":64000,\"chat_template_kwargs\":{\"enable_thinking\":true}}" },
    { "some-reasoning-model", "\"enable_thinking\":true",
      "{\"model\":\"some-reasoning-model\",\"max_new_tokens\":8000,\"reasoning\":true}" },
    { "mimo-v2", "\"enable_thinking\":true",
      "{\"model\":\"mimo-v2\",\"max_new_tokens\":64000,\"thinking\":{\"type\":\"enabled\"}}" },
    { "mimo-v2", "\"enable_thinking\":false",
      "{\"model\":\"mimo-v2\",\"max_new_tokens\":64000}" },
    { "qwen3-4b", "\"enable_thinking\":true,\"chat_template_kwargs\":{\"enable_thinking\":true}",
      "{\"model\":\"qwen3-4b\",\"max_new_tokens\":8192,\"extend_fields\":{\"chat_template_kwargs\":"
      "{\"enable_thinking\":false}}}" },
    { "glm-4.5", "\"enable_thinking\":false", "{\"model\":\"glm-4.5\",\"max_new_tokens\":32000}" },
    { "Some-Unknown", "\"enable_thinking\":true", "{\"model\":\"Some-Unknown\",\"max_new_tokens\":8000}" },
    /* Aliases are resolved before the rules. */
    { "iflow/GLM-4.6", "\"enable_thinking\":false", "{\"model\":\"glm-4.6-exp\",\"max_new_tokens\":32000}" },
    { "iflow-rome-30ba3b", "\"enable_thinking\":false",
      "{\"model\":\"iFlow-ROME-30BA3B\",\"max_new_tokens\":64000,\"temperature\":0.7,\"top_p\":0.8,\"top_k\":20}" },
    { "deepseek-v3.2", "\"enable_thinking\":false",
      "{\"model\":\"deepseek-v3.2-chat\",\"max_new_tokens\":8192,\"max_tokens\":8192}" },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *req = g_strdup_printf ("{\"model\":\"%s\",%s}", cases[i].model, cases[i].extra);
      g_autoptr(JsonObject) body = apply_text (req, FALSE);

      g_test_message ("%s", req);
      assert_body (body, cases[i].expected, FALSE);
    }
}

static void
test_input_untouched_and_history (void)
{
  const char *text =
    "{\"model\":\"glm-5\",\"reasoning_effort\":\"high\",\"stream\":true,\"tools\":[],"
    "\"chat_template_kwargs\":{\"enable_thinking\":true,\"custom\":{\"deep\":[1,2]}},"
    "\"messages\":[{\"role\":\"user\",\"content\":\"q1\"},"
    "{\"role\":\"assistant\",\"content\":\"a1\",\"reasoning_content\":\"because\"},"
    "{\"role\":\"user\",\"content\":\"q2\"}]}";
  g_autoptr(JsonObject) request = parse_object (text);
  g_autoptr(JsonObject) expected_request = parse_object (text);
  g_autoptr(JsonObject) body = i2a_iflow_rules_apply (request, TRUE);
  g_autoptr(JsonNode) req_node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonNode) exp_node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(GList) members = NULL;
  JsonArray *messages;
  JsonObject *assistant;

  /* The official body order starts with model, messages. */
  members = json_object_get_members (body);
  g_assert_cmpstr (members->data, ==, "model");
  g_assert_cmpstr (members->next->data, ==, "messages");

  /* Earlier assistant turns keep reasoning_content. */
  messages = json_object_get_array_member (body, "messages");
  g_assert_cmpuint (json_array_get_length (messages), ==, 3);
  assistant = json_array_get_object_element (messages, 1);
  g_assert_cmpstr (json_object_get_string_member (assistant, "reasoning_content"), ==, "because");

  /* Scribbling on the result (as a later stage might) does not reach the
   * client's request: the copy is deep. */
  json_object_set_string_member (assistant, "content", "changed");
  json_array_add_int_element (json_object_get_array_member (
      json_object_get_object_member (json_object_get_object_member (body, "chat_template_kwargs"), "custom"),
      "deep"), 3);

  json_node_set_object (req_node, request);
  json_node_set_object (exp_node, expected_request);
  g_assert_true (json_node_equal (req_node, exp_node));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/upstream/rules/every-model", test_every_model);
  g_test_add_func ("/upstream/rules/thinking-requested", test_thinking_requested);
  g_test_add_func ("/upstream/rules/max-new-tokens-table", test_max_new_tokens_table);
  g_test_add_func ("/upstream/rules/explicit-max-tokens", test_explicit_max_tokens);
  g_test_add_func ("/upstream/rules/stream", test_stream);
  g_test_add_func ("/upstream/rules/sampling", test_sampling_passthrough);
  g_test_add_func ("/upstream/rules/tools-and-stop", test_tools_and_stop);
  g_test_add_func ("/upstream/rules/thinking-keys-replaced", test_thinking_keys_replaced);
  g_test_add_func ("/upstream/rules/pattern-forms", test_pattern_forms);
  g_test_add_func ("/upstream/rules/input-untouched", test_input_untouched_and_history);

  return g_test_run ();
}
