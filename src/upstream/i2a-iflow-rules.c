/* i2a-iflow-rules.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-iflow-rules"

#include "config.h"

#include <string.h>

#include "i2a-iflow-rules.h"
#include "i2a-models.h"

/* Keys through which a client expresses its thinking wish. They are read by
 * i2a_iflow_thinking_requested() and then replaced by the model's official
 * form, so the upstream never sees a mix of both. */
static const char * const thinking_keys[] = {
  "thinking", "enable_thinking", "thinking_mode", "reasoning",
  "reasoning_effort", "thinking_level", "thinkingLevel",
};

/* Keys the rules compute themselves. */
static const char * const computed_keys[] = {
  "model", "messages", "stream", "stream_options", "max_tokens",
  "max_completion_tokens", "max_new_tokens", "chat_template_kwargs",
  "tools", "tool_choice", "stop",
};

static JsonNode *deep_copy_node (JsonNode *node);

static JsonObject *
deep_copy_object (JsonObject *object)
{
  JsonObject *copy = json_object_new ();
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;

  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &name, &member))
    json_object_set_member (copy, name, deep_copy_node (member));
  return copy;
}

/* json_node_copy() only references containers: the input must stay
 * untouched, so copy recursively. */
static JsonNode *
deep_copy_node (JsonNode *node)
{
  JsonNode *copy;
  JsonArray *array;
  JsonArray *array_copy;
  guint i;

  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      copy = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (copy, deep_copy_object (json_node_get_object (node)));
      return copy;

    case JSON_NODE_ARRAY:
      array = json_node_get_array (node);
      array_copy = json_array_sized_new (json_array_get_length (array));
      for (i = 0; i < json_array_get_length (array); i++)
        json_array_add_element (array_copy, deep_copy_node (json_array_get_element (array, i)));
      copy = json_node_new (JSON_NODE_ARRAY);
      json_node_take_array (copy, array_copy);
      return copy;

    case JSON_NODE_VALUE:
    case JSON_NODE_NULL:
    default:
      return json_node_copy (node);
    }
}

static gboolean
in_list (const char         *name,
         const char * const *list,
         gsize               n)
{
  gsize i;

  for (i = 0; i < n; i++)
    if (strcmp (name, list[i]) == 0)
      return TRUE;
  return FALSE;
}

/* Decisive boolean from a JSON value: TRUE and @out set when the node is a
 * boolean, a number, or the strings true/false/enabled/disabled. */
static gboolean
node_get_bool (JsonNode *node,
               gboolean *out)
{
  GType type;
  const char *s;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  type = json_node_get_value_type (node);
  if (type == G_TYPE_BOOLEAN)
    *out = json_node_get_boolean (node);
  else if (type == G_TYPE_INT64)
    *out = json_node_get_int (node) != 0;
  else if (type == G_TYPE_DOUBLE)
    *out = json_node_get_double (node) != 0.0;
  else if (type == G_TYPE_STRING)
    {
      s = json_node_get_string (node);
      if (g_ascii_strcasecmp (s, "true") == 0 || g_ascii_strcasecmp (s, "enabled") == 0)
        *out = TRUE;
      else if (g_ascii_strcasecmp (s, "false") == 0 || g_ascii_strcasecmp (s, "disabled") == 0)
        *out = FALSE;
      else
        return FALSE;
    }
  else
    return FALSE;
  return TRUE;
}

static const char *
node_get_string (JsonNode *node)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static JsonNode *
object_get (JsonObject *object,
            const char *name)
{
  return object ? json_object_get_member (object, name) : NULL;
}

static JsonObject *
object_get_object (JsonObject *object,
                   const char *name)
{
  JsonNode *node = object_get (object, name);

  return node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* reasoning_effort as CPA maps it: "none" is off, any other value is on. */
static gboolean
effort_get_bool (const char *effort,
                 gboolean   *out)
{
  if (effort == NULL || *effort == '\0')
    return FALSE;
  *out = g_ascii_strcasecmp (effort, "none") != 0;
  return TRUE;
}

gboolean
i2a_iflow_thinking_requested (JsonObject *request)
{
  JsonNode *node;
  JsonObject *obj;
  gboolean value;

  g_return_val_if_fail (request != NULL, FALSE);

  /* 1. thinking: true | {"enabled": bool} | {"type": "enabled"|"disabled"} */
  node = object_get (request, "thinking");
  if (node_get_bool (node, &value))
    return value;
  if ((obj = object_get_object (request, "thinking")) != NULL)
    {
      if (node_get_bool (object_get (obj, "enabled"), &value))
        return value;
      if (node_get_bool (object_get (obj, "type"), &value))
        return value;
    }

  /* 2. top-level enable_thinking */
  if (node_get_bool (object_get (request, "enable_thinking"), &value))
    return value;

  /* 3. chat_template_kwargs.enable_thinking */
  if (node_get_bool (object_get (object_get_object (request, "chat_template_kwargs"),
                                 "enable_thinking"), &value))
    return value;

  /* 4. reasoning_effort */
  if (effort_get_bool (node_get_string (object_get (request, "reasoning_effort")), &value))
    return value;

  /* 5. thinking_mode / reasoning = true (f-k-ago); OpenRouter-style
   * reasoning objects are honoured as well. */
  if (node_get_bool (object_get (request, "thinking_mode"), &value) && value)
    return TRUE;
  if (node_get_bool (object_get (request, "reasoning"), &value) && value)
    return TRUE;
  if ((obj = object_get_object (request, "reasoning")) != NULL)
    {
      if (node_get_bool (object_get (obj, "enabled"), &value))
        return value;
      if (effort_get_bool (node_get_string (object_get (obj, "effort")), &value))
        return value;
    }

  /* Thinking stays off unless the client asks for it. */
  return FALSE;
}

/* The official reasoningLevel: low / medium / high, default high. */
static const char *
reasoning_level (JsonObject *request)
{
  const char *effort = node_get_string (object_get (request, "reasoning_effort"));

  if (effort == NULL)
    effort = node_get_string (object_get (object_get_object (request, "reasoning"), "effort"));
  if (effort == NULL)
    return "high";
  if (g_ascii_strcasecmp (effort, "low") == 0 || g_ascii_strcasecmp (effort, "minimal") == 0)
    return "low";
  if (g_ascii_strcasecmp (effort, "medium") == 0)
    return "medium";
  return "high";
}

static gboolean
has (const char *haystack,
     const char *needle)
{
  return strstr (haystack, needle) != NULL;
}

gint64
i2a_iflow_max_new_tokens (const char *model)
{
  g_autofree char *m = g_ascii_strdown (model ? model : "", -1);

  /* The official CLI's max_new_tokens table: case-insensitive substring matching, first
   * family that matches wins. */
  if (has (m, "kimi"))
    {
      if (has (m, "k2.5"))
        return 32768;
      if (has (m, "ide-modelscope"))
        return 8192;
      return 32000;  /* k2-0905, k2-thinking and the rest */
    }
  if (has (m, "iflow-rome-30ba3b"))
    return 64000;
  if (has (m, "minimax"))
    return 64000;
  if (has (m, "glm"))
    return has (m, "ide-modelscope") ? 16384 : 32000;
  if (has (m, "claude") || has (m, "haiku") || has (m, "sonnet") || has (m, "opus"))
    return 64000;
  if (has (m, "deepseek"))
    {
      if (has (m, "v3.2-reasoner"))
        return 64000;
      if (has (m, "v3"))
        return 8192;
      if (has (m, "r1"))
        return 32000;
      return 8000;
    }
  if (has (m, "qwen3"))
    {
      if (has (m, "coder"))
        return 64000;
      if (has (m, "max-preview"))
        return 32000;
      return 8192;
    }
  if (has (m, "qwen"))
    return (has (m, "max") || has (m, "plus")) ? 8192 : 8000;
  if (has (m, "gpt"))
    return has (m, "32k") ? 4096 : 16384;
  if (has (m, "mimo"))
    return 64000;
  if (g_str_has_prefix (m, "gemini-"))
    /* The bundle lists exact ids; the 2.5+ generation has 64k output. */
    return (g_str_has_prefix (m, "gemini-1") || g_str_has_prefix (m, "gemini-2.0")) ? 8192 : 65536;
  return 8000;
}

static gint64
node_get_positive_int (JsonNode *node)
{
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return 0;
  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    return MAX (json_node_get_int (node), 0);
  if (type == G_TYPE_DOUBLE && json_node_get_double (node) >= 1.0
      && json_node_get_double (node) < (gdouble) G_MAXINT64)
    return (gint64) json_node_get_double (node);
  return 0;
}

static gboolean
node_is_empty (JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (JSON_NODE_HOLDS_ARRAY (node))
    return json_array_get_length (json_node_get_array (node)) == 0;
  if (JSON_NODE_HOLDS_OBJECT (node))
    return json_object_get_size (json_node_get_object (node)) == 0;
  if (node_get_string (node) != NULL)
    return *node_get_string (node) == '\0';
  return FALSE;
}

static JsonObject *
ensure_object_member (JsonObject *object,
                      const char *name)
{
  JsonObject *child = object_get_object (object, name);

  if (child == NULL)
    {
      child = json_object_new ();
      json_object_set_object_member (object, name, child);  /* takes the ref */
    }
  return child;
}

static void
set_thinking_type (JsonObject *body,
                   gboolean    on)
{
  JsonObject *thinking = json_object_new ();

  json_object_set_string_member (thinking, "type", on ? "enabled" : "disabled");
  json_object_set_object_member (body, "thinking", thinking);
}

static void
set_template_thinking (JsonObject *body,
                       gboolean    on)
{
  json_object_set_boolean_member (ensure_object_member (body, "chat_template_kwargs"),
                                  "enable_thinking", on);
}

/* The official CLI's per-model thinking switches, first match wins. @m is the
 * lowercase catalogue id (before the upstream renames). */
static void
apply_thinking_form (JsonObject *body,
                     const char *m,
                     gboolean    on,
                     const char *level)
{
  if (g_str_has_prefix (m, "deepseek"))
    {
      if (on)
        {
          if (g_strcmp0 (level, "low") != 0)
            json_object_set_boolean_member (body, "reasoning", TRUE);
          json_object_set_boolean_member (body, "thinking_mode", TRUE);
        }
    }
  else if (g_str_has_prefix (m, "glm-4.7"))
    set_template_thinking (body, on);
  else if (g_str_has_prefix (m, "glm-5"))
    {
      set_template_thinking (body, on);
      json_object_set_boolean_member (body, "enable_thinking", on);
      set_thinking_type (body, on);
    }
  else if (g_str_has_prefix (m, "glm-"))
    {
      if (on)
        set_template_thinking (body, TRUE);
    }
  else if (g_str_has_prefix (m, "claude-3.5-sonnet") || g_str_has_prefix (m, "claude-3-5-sonnet"))
    {
      if (on)
        {
          JsonObject *thinking = json_object_new ();

          json_object_set_boolean_member (thinking, "enabled", TRUE);
          json_object_set_int_member (thinking, "max_tokens", 25000);
          json_object_set_string_member (thinking, "reasoning_level", level);
          json_object_set_object_member (body, "thinking", thinking);
        }
    }
  else if (has (m, "claude") || has (m, "haiku") || has (m, "sonnet") || has (m, "opus"))
    {
      if (on)
        set_template_thinking (body, TRUE);
    }
  else if (has (m, "reasoning"))
    {
      if (on)
        json_object_set_boolean_member (body, "reasoning", TRUE);
    }
  else if (g_str_has_prefix (m, "kimi-k2.5"))
    set_thinking_type (body, on);
  else if (has (m, "thinking"))
    {
      if (on)
        json_object_set_boolean_member (body, "thinking_mode", TRUE);
    }
  else if (g_str_has_prefix (m, "qwen") && g_str_has_suffix (m, "4b"))
    {
      /* No thinking support: every toggle goes, and thinking is pinned off
       * through extend_fields. */
      JsonObject *extend = ensure_object_member (body, "extend_fields");

      json_object_remove_member (body, "chat_template_kwargs");
      json_object_set_boolean_member (ensure_object_member (extend, "chat_template_kwargs"),
                                      "enable_thinking", FALSE);
    }
  else if (g_str_has_prefix (m, "mimo-"))
    {
      if (on)
        set_thinking_type (body, TRUE);
    }
}

static void
apply_sampling_overrides (JsonObject *body,
                          const char *m,
                          const char *upstream_lower,
                          gboolean    on,
                          gint64      max_new_tokens)
{
  if (g_str_has_prefix (m, "glm-4.7") || g_str_has_prefix (m, "glm-5"))
    {
      json_object_set_double_member (body, "temperature", 1.0);
      json_object_set_double_member (body, "top_p", 0.95);
    }
  else if (g_str_has_prefix (m, "kimi-k2.5"))
    {
      json_object_remove_member (body, "temperature");
      json_object_set_double_member (body, "top_p", 0.95);
      json_object_set_int_member (body, "n", 1);
      json_object_set_int_member (body, "presence_penalty", 0);
      json_object_set_int_member (body, "frequency_penalty", 0);
      json_object_set_int_member (body, "max_tokens", max_new_tokens);
      if (on && json_object_has_member (body, "tools"))
        json_object_set_string_member (body, "tool_choice", "auto");
    }
  else if (g_str_has_prefix (m, "iflow-rome-30ba3b"))
    {
      json_object_set_double_member (body, "temperature", 0.7);
      json_object_set_double_member (body, "top_p", 0.8);
      json_object_set_int_member (body, "top_k", 20);
    }

  if (g_str_has_prefix (upstream_lower, "deepseek") && !has (upstream_lower, "reasoner"))
    json_object_set_int_member (body, "max_tokens", max_new_tokens);
}

JsonObject *
i2a_iflow_rules_apply (JsonObject *request,
                       gboolean    stream)
{
  JsonObject *body;
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;
  const char *client_model;
  const char *canonical;
  const char *upstream_model;
  g_autofree char *m = NULL;
  g_autofree char *upstream_lower = NULL;
  JsonObject *kwargs;
  JsonNode *node;
  gboolean on;
  gint64 max_new_tokens;

  g_return_val_if_fail (request != NULL, NULL);

  on = i2a_iflow_thinking_requested (request);
  client_model = node_get_string (object_get (request, "model"));
  if (client_model == NULL)
    client_model = "";
  canonical = i2a_models_canonical_id (client_model);
  if (canonical == NULL)
    canonical = client_model;  /* unknown ids go upstream as the client wrote them */
  m = g_ascii_strdown (canonical, -1);

  /* Catalogue ids the official CLI renames before sending them upstream. */
  upstream_model = canonical;
  if (strcmp (m, "glm-4.6") == 0)
    upstream_model = "glm-4.6-exp";
  else if (strcmp (m, "deepseek-v3.2-chat") == 0 && on)
    upstream_model = "deepseek-v3.2-reasoner";
  upstream_lower = g_ascii_strdown (upstream_model, -1);

  body = json_object_new ();
  json_object_set_string_member (body, "model", upstream_model);
  if ((node = object_get (request, "messages")) != NULL)
    json_object_set_member (body, "messages", deep_copy_node (node));

  /* Everything else the client sent, in its order, except what we compute. */
  json_object_iter_init_ordered (&iter, request);
  while (json_object_iter_next_ordered (&iter, &name, &member))
    {
      if (in_list (name, computed_keys, G_N_ELEMENTS (computed_keys))
          || in_list (name, thinking_keys, G_N_ELEMENTS (thinking_keys)))
        continue;
      json_object_set_member (body, name, deep_copy_node (member));
    }

  /* chat_template_kwargs may carry other template switches: keep those,
   * drop the thinking flag that the per-model form decides. */
  if ((kwargs = object_get_object (request, "chat_template_kwargs")) != NULL)
    {
      JsonObject *copy = deep_copy_object (kwargs);

      json_object_remove_member (copy, "enable_thinking");
      if (json_object_get_size (copy) > 0)
        json_object_set_object_member (body, "chat_template_kwargs", copy);
      else
        json_object_unref (copy);
    }

  /* Never an empty tools array (the official CLI never sends one, so it
   * would single us out); a tool_choice
   * without tools would be rejected. */
  node = object_get (request, "tools");
  if (!node_is_empty (node) && JSON_NODE_HOLDS_ARRAY (node))
    {
      json_object_set_member (body, "tools", deep_copy_node (node));
      if ((node = object_get (request, "tool_choice")) != NULL && !JSON_NODE_HOLDS_NULL (node))
        json_object_set_member (body, "tool_choice", deep_copy_node (node));
    }

  if (!node_is_empty (node = object_get (request, "stop")))
    json_object_set_member (body, "stop", deep_copy_node (node));

  max_new_tokens = node_get_positive_int (object_get (request, "max_completion_tokens"));
  if (max_new_tokens <= 0)
    max_new_tokens = node_get_positive_int (object_get (request, "max_tokens"));
  if (max_new_tokens <= 0)
    max_new_tokens = node_get_positive_int (object_get (request, "max_new_tokens"));
  if (max_new_tokens <= 0)
    max_new_tokens = i2a_iflow_max_new_tokens (upstream_model);
  json_object_set_int_member (body, "max_new_tokens", max_new_tokens);

  apply_thinking_form (body, m, on, reasoning_level (request));
  apply_sampling_overrides (body, m, upstream_lower, on, max_new_tokens);

  if (stream)
    {
      JsonObject *options = object_get_object (request, "stream_options");

      options = options ? deep_copy_object (options) : json_object_new ();
      json_object_set_boolean_member (options, "include_usage", TRUE);
      json_object_set_boolean_member (body, "stream", TRUE);
      json_object_set_object_member (body, "stream_options", options);
    }

  return body;
}
