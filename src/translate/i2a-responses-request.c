/* i2a-responses-request.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-responses-request.c: Responses request -> chat request (the tools
 * are in i2a-responses-tools.c). */
#define G_LOG_DOMAIN "i2a-responses"

#include "config.h"

#include <string.h>

#include "i2a-responses-private.h"

/* ---- helpers ------------------------------------------------------------ */

I2aApiError *
_i2a_responses_bad_field (const char *param,
                          const char *format,
                          ...)
{
  g_autofree char *message = NULL;
  I2aApiError *error;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  error = i2a_api_error_new (400, "invalid_request_error", "invalid_request", "%s", message);
  error->param = g_strdup (param);
  return error;
}

gboolean
_i2a_responses_is_absent (JsonNode *node)
{
  return node == NULL || JSON_NODE_HOLDS_NULL (node);
}

gboolean
_i2a_responses_is_blank (const char *text)
{
  for (; *text; text++)
    if (!g_ascii_isspace (*text))
      return FALSE;
  return TRUE;
}

const char *
_i2a_responses_get_string (JsonObject *obj,
                           const char *name)
{
  JsonNode *node = json_object_get_member (obj, name);

  return i2a_json_node_is_string (node) ? json_node_get_string (node) : NULL;
}

JsonObject *
_i2a_responses_get_object (JsonObject *obj,
                           const char *name)
{
  JsonNode *node = json_object_get_member (obj, name);

  return node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* A required non-empty string member, or a 400 naming @param.@name. */
const char *
_i2a_responses_require_string (JsonObject   *obj,
                               const char   *param,
                               const char   *name,
                               I2aApiError **error)
{
  JsonNode *node = json_object_get_member (obj, name);
  g_autofree char *path = g_strdup_printf ("%s.%s", param, name);

  if (!i2a_json_node_is_string (node))
    {
      *error = _i2a_responses_bad_field (path, "'%s' must be a string, not %s", path, i2a_json_node_kind (node));
      return NULL;
    }
  if (*json_node_get_string (node) == '\0')
    {
      *error = _i2a_responses_bad_field (path, "'%s' must not be empty", path);
      return NULL;
    }
  return json_node_get_string (node);
}

/* ---- input items -------------------------------------------------------- */

static JsonObject *
text_part (const char *type,
           const char *text)
{
  JsonObject *part = json_object_new ();

  json_object_set_string_member (part, "type", type);
  json_object_set_string_member (part, "text", text);
  return part;
}

/* The content of a message item: a string, or parts with a known type. */
static I2aApiError *
check_content (JsonNode   *content,
               const char *param)
{
  g_autofree char *path = g_strdup_printf ("%s.content", param);
  JsonArray *parts;

  if (i2a_json_node_is_string (content))
    return NULL;
  if (content == NULL || !JSON_NODE_HOLDS_ARRAY (content))
    return _i2a_responses_bad_field (path, "'%s' must be a string or an array of content parts, not %s",
                      path, i2a_json_node_kind (content));
  parts = json_node_get_array (content);
  for (guint i = 0; i < json_array_get_length (parts); i++)
    {
      JsonNode *node = json_array_get_element (parts, i);
      g_autofree char *part_path = g_strdup_printf ("%s[%u]", path, i);
      JsonObject *part;
      const char *type;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return _i2a_responses_bad_field (part_path, "'%s' must be an object, not %s", part_path, i2a_json_node_kind (node));
      part = json_node_get_object (node);
      type = _i2a_responses_get_string (part, "type");
      if (type == NULL)
        return _i2a_responses_bad_field (part_path, "'%s.type' must be a string", part_path);
      if (g_str_equal (type, "input_text") || g_str_equal (type, "output_text") ||
          g_str_equal (type, "text") || g_str_equal (type, "summary_text") ||
          g_str_equal (type, "reasoning_text"))
        {
          if (!i2a_json_node_is_string (json_object_get_member (part, "text")))
            return _i2a_responses_bad_field (part_path, "'%s.text' must be a string", part_path);
        }
      else if (g_str_equal (type, "refusal"))
        {
          if (!i2a_json_node_is_string (json_object_get_member (part, "refusal")))
            return _i2a_responses_bad_field (part_path, "'%s.refusal' must be a string", part_path);
        }
      else if (g_str_equal (type, "input_image"))
        {
          if (_i2a_responses_get_string (part, "image_url") == NULL)
            return _i2a_responses_bad_field (part_path, "'%s.image_url' must be a URL or data: URL string "
                              "(file_id images are not supported)", part_path);
        }
      else
        return _i2a_responses_bad_field (part_path, "'%s' has the unsupported content type '%s'", part_path, type);
    }
  return NULL;
}

static const char * const message_roles[] = { "user", "assistant", "system", "developer", NULL };

static I2aApiError *
check_item (JsonObject *item,
            const char *param)
{
  const char *type = _i2a_responses_get_string (item, "type");
  I2aApiError *error = NULL;

  /* {"role", "content"} without a type is a message ("easy input"). */
  if (type == NULL && json_object_has_member (item, "type"))
    return _i2a_responses_bad_field (param, "'%s.type' must be a string", param);
  if (type == NULL || g_str_equal (type, "message"))
    {
      const char *role = _i2a_responses_get_string (item, "role");

      if (role == NULL || !g_strv_contains (message_roles, role))
        return _i2a_responses_bad_field (param, "'%s.role' must be one of user, assistant, system, developer", param);
      return check_content (json_object_get_member (item, "content"), param);
    }
  if (g_str_equal (type, "function_call") || g_str_equal (type, "custom_tool_call"))
    {
      const char *arg = g_str_equal (type, "function_call") ? "arguments" : "input";

      if (!_i2a_responses_require_string (item, param, "call_id", &error) || !_i2a_responses_require_string (item, param, "name", &error))
        return error;
      if (!i2a_json_node_is_string (json_object_get_member (item, arg)))
        return _i2a_responses_bad_field (param, "'%s.%s' must be a string", param, arg);
      return NULL;
    }
  if (g_str_equal (type, "function_call_output") || g_str_equal (type, "custom_tool_call_output"))
    {
      JsonNode *output = json_object_get_member (item, "output");

      if (!_i2a_responses_require_string (item, param, "call_id", &error))
        return error;
      if (i2a_json_node_is_string (output))
        return NULL;
      if (output != NULL && JSON_NODE_HOLDS_ARRAY (output))
        {
          g_autofree char *path = g_strdup_printf ("%s.output", param);
          g_autoptr(JsonObject) fake = json_object_new ();

          /* The same parts a message may hold. */
          json_object_set_member (fake, "content", json_node_copy (output));
          error = check_content (json_object_get_member (fake, "content"), param);
          if (error != NULL)
            {
              g_free (error->param);
              error->param = g_steal_pointer (&path);
            }
          return error;
        }
      return _i2a_responses_bad_field (param, "'%s.output' must be a string or an array of content parts, not %s",
                        param, i2a_json_node_kind (output));
    }
  if (g_str_equal (type, "reasoning"))
    {
      JsonNode *summary = json_object_get_member (item, "summary");

      if (!_i2a_responses_is_absent (summary) && !JSON_NODE_HOLDS_ARRAY (summary))
        return _i2a_responses_bad_field (param, "'%s.summary' must be an array", param);
      return NULL;
    }
  /* Results of hosted tools, which this server never offers: nothing a
   * chat upstream could take. */
  if (g_str_equal (type, "web_search_call") || g_str_equal (type, "file_search_call") ||
      g_str_equal (type, "image_generation_call"))
    return NULL;
  return _i2a_responses_bad_field (param, "'%s' has the unsupported item type '%s'", param, type);
}

JsonArray *
i2a_responses_input_items (JsonObject   *request,
                           I2aApiError **error)
{
  JsonNode *input = json_object_get_member (request, "input");
  g_autoptr(JsonArray) items = json_array_new ();

  if (i2a_json_node_is_string (input))
    {
      JsonObject *item = json_object_new ();
      JsonArray *content = json_array_new ();

      json_array_add_object_element (content, text_part ("input_text", json_node_get_string (input)));
      json_object_set_string_member (item, "type", "message");
      json_object_set_string_member (item, "role", "user");
      json_object_set_array_member (item, "content", content);
      json_array_add_object_element (items, item);
      return g_steal_pointer (&items);
    }
  if (_i2a_responses_is_absent (input))
    return g_steal_pointer (&items);
  if (!JSON_NODE_HOLDS_ARRAY (input))
    {
      *error = _i2a_responses_bad_field ("input", "'input' must be a string or an array of items, not %s", i2a_json_node_kind (input));
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (json_node_get_array (input)); i++)
    {
      JsonNode *node = json_array_get_element (json_node_get_array (input), i);
      g_autofree char *param = g_strdup_printf ("input[%u]", i);

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          *error = _i2a_responses_bad_field (param, "'%s' must be an object, not %s", param, i2a_json_node_kind (node));
          return NULL;
        }
      if ((*error = check_item (json_node_get_object (node), param)) != NULL)
        return NULL;
      json_array_add_element (items, json_node_copy (node));
    }
  return g_steal_pointer (&items);
}

/* ---- messages ----------------------------------------------------------- */

typedef struct
{
  JsonArray  *messages;      /* chat messages after the system one */
  GString    *system;        /* instructions + system/developer text */
  GHashTable *calls;         /* call ids seen so far */
  JsonObject *open_calls;    /* the assistant message collecting tool calls */
  char       *reasoning;     /* summary waiting for the next assistant message */
} Builder;

static void
builder_clear (Builder *b)
{
  g_clear_pointer (&b->messages, json_array_unref);
  if (b->system)
    g_string_free (b->system, TRUE);
  g_clear_pointer (&b->calls, g_hash_table_unref);
  g_free (b->reasoning);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Builder, builder_clear)

static void
append_system (Builder    *b,
               const char *text)
{
  if (text == NULL || *text == '\0')
    return;
  if (b->system->len > 0)
    g_string_append (b->system, "\n\n");
  g_string_append (b->system, text);
}

/* Text of every text-like part, joined by newlines (or the string). */
static char *
content_text (JsonNode *content)
{
  GString *text;
  JsonArray *parts;

  if (i2a_json_node_is_string (content))
    return g_strdup (json_node_get_string (content));
  text = g_string_new (NULL);
  if (content == NULL || !JSON_NODE_HOLDS_ARRAY (content))
    return g_string_free (text, FALSE);
  parts = json_node_get_array (content);
  for (guint i = 0; i < json_array_get_length (parts); i++)
    {
      JsonObject *part = json_array_get_object_element (parts, i);
      const char *value = _i2a_responses_get_string (part, "text");

      if (value == NULL)
        value = _i2a_responses_get_string (part, "refusal");
      if (value == NULL)
        continue;
      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, value);
    }
  return g_string_free (text, FALSE);
}

static gboolean
has_image (JsonNode *content)
{
  JsonArray *parts;

  if (content == NULL || !JSON_NODE_HOLDS_ARRAY (content))
    return FALSE;
  parts = json_node_get_array (content);
  for (guint i = 0; i < json_array_get_length (parts); i++)
    if (g_strcmp0 (_i2a_responses_get_string (json_array_get_object_element (parts, i), "type"), "input_image") == 0)
      return TRUE;
  return FALSE;
}

/* User content with images: chat's text and image_url parts. */
static JsonNode *
user_content (JsonNode *content)
{
  JsonArray *parts, *out;

  if (!has_image (content))
    {
      g_autofree char *text = content_text (content);

      return json_node_init_string (json_node_alloc (), text);
    }
  parts = json_node_get_array (content);
  out = json_array_new ();
  for (guint i = 0; i < json_array_get_length (parts); i++)
    {
      JsonObject *part = json_array_get_object_element (parts, i);
      const char *type = _i2a_responses_get_string (part, "type");

      if (g_strcmp0 (type, "input_image") == 0)
        {
          JsonObject *image = json_object_new ();
          JsonObject *url = json_object_new ();
          const char *detail = _i2a_responses_get_string (part, "detail");

          json_object_set_string_member (url, "url", _i2a_responses_get_string (part, "image_url"));
          if (detail != NULL && !g_str_equal (detail, "auto"))
            json_object_set_string_member (url, "detail", detail);
          json_object_set_string_member (image, "type", "image_url");
          json_object_set_object_member (image, "image_url", url);
          json_array_add_object_element (out, image);
        }
      else if (_i2a_responses_get_string (part, "text") != NULL)
        json_array_add_object_element (out, text_part ("text", _i2a_responses_get_string (part, "text")));
    }
  {
    /* take, not init: init_array would add a reference of its own. */
    JsonNode *node = json_node_new (JSON_NODE_ARRAY);

    json_node_take_array (node, out);
    return node;
  }
}

static JsonObject *
new_assistant (Builder *b)
{
  JsonObject *message = json_object_new ();

  json_object_set_string_member (message, "role", "assistant");
  if (b->reasoning != NULL)
    {
      json_object_set_string_member (message, "reasoning_content", b->reasoning);
      g_clear_pointer (&b->reasoning, g_free);
    }
  json_array_add_object_element (b->messages, message);
  return message;
}

static void
add_tool_call (Builder    *b,
               const char *call_id,
               const char *name,
               const char *arguments)
{
  JsonObject *call = json_object_new ();
  JsonObject *function = json_object_new ();
  JsonArray *calls;

  /* Consecutive calls share one assistant message, as chat wants them;
   * so does the assistant text right before them. */
  if (b->open_calls == NULL)
    {
      guint n = json_array_get_length (b->messages);
      JsonObject *last = n > 0 ? json_array_get_object_element (b->messages, n - 1) : NULL;

      if (last != NULL && g_strcmp0 (_i2a_responses_get_string (last, "role"), "assistant") == 0 &&
          !json_object_has_member (last, "tool_calls") && b->reasoning == NULL)
        b->open_calls = last;
      else
        b->open_calls = new_assistant (b);
      if (!json_object_has_member (b->open_calls, "content"))
        json_object_set_null_member (b->open_calls, "content");
      json_object_set_array_member (b->open_calls, "tool_calls", json_array_new ());
    }
  calls = json_object_get_array_member (b->open_calls, "tool_calls");
  json_object_set_string_member (function, "name", name);
  json_object_set_string_member (function, "arguments", arguments);
  json_object_set_string_member (call, "id", call_id);
  json_object_set_string_member (call, "type", "function");
  json_object_set_object_member (call, "function", function);
  json_array_add_object_element (calls, call);
  g_hash_table_add (b->calls, g_strdup (call_id));
}

static char *
custom_arguments (const char *input)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, I2A_RESPONSES_CUSTOM_INPUT);
  json_builder_add_string_value (builder, input);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

static I2aApiError *
add_item (Builder    *b,
          JsonObject *item,
          const char *param)
{
  const char *type = _i2a_responses_get_string (item, "type");

  if (type == NULL || g_str_equal (type, "message"))
    {
      const char *role = _i2a_responses_get_string (item, "role");
      JsonNode *content = json_object_get_member (item, "content");

      if (g_str_equal (role, "system") || g_str_equal (role, "developer"))
        {
          g_autofree char *text = content_text (content);

          /* Strict upstreams reject a system message that is not first. */
          append_system (b, text);
          return NULL;
        }
      b->open_calls = NULL;
      if (g_str_equal (role, "assistant"))
        {
          g_autofree char *text = content_text (content);
          JsonObject *message = new_assistant (b);

          json_object_set_string_member (message, "content", text);
        }
      else
        {
          JsonObject *message = json_object_new ();

          json_object_set_string_member (message, "role", "user");
          json_object_set_member (message, "content", user_content (content));
          json_array_add_object_element (b->messages, message);
        }
      return NULL;
    }
  if (g_str_equal (type, "function_call"))
    {
      add_tool_call (b, _i2a_responses_get_string (item, "call_id"), _i2a_responses_get_string (item, "name"), _i2a_responses_get_string (item, "arguments"));
      return NULL;
    }
  if (g_str_equal (type, "custom_tool_call"))
    {
      g_autofree char *arguments = custom_arguments (_i2a_responses_get_string (item, "input"));

      add_tool_call (b, _i2a_responses_get_string (item, "call_id"), _i2a_responses_get_string (item, "name"), arguments);
      return NULL;
    }
  if (g_str_equal (type, "function_call_output") || g_str_equal (type, "custom_tool_call_output"))
    {
      const char *call_id = _i2a_responses_get_string (item, "call_id");
      g_autofree char *text = content_text (json_object_get_member (item, "output"));
      JsonObject *message;

      if (!g_hash_table_contains (b->calls, call_id))
        {
          g_autofree char *path = g_strdup_printf ("%s.call_id", param);

          return _i2a_responses_bad_field (path, "'%s' is '%s', which matches no earlier function_call or "
                            "custom_tool_call in the conversation", path, call_id);
        }
      /* Tool results stay right after their calls: no new open group. */
      message = json_object_new ();
      json_object_set_string_member (message, "role", "tool");
      json_object_set_string_member (message, "tool_call_id", call_id);
      json_object_set_string_member (message, "content", text);
      json_array_add_object_element (b->messages, message);
      b->open_calls = NULL;
      return NULL;
    }
  if (g_str_equal (type, "reasoning"))
    {
      JsonNode *summary = json_object_get_member (item, "summary");
      g_autofree char *text = summary ? content_text (summary) : NULL;

      if (text != NULL && *text != '\0')
        {
          g_free (b->reasoning);
          b->reasoning = g_steal_pointer (&text);
        }
      return NULL;
    }
  g_debug ("Dropping a '%s' input item: hosted tools are not offered", type);
  return NULL;
}

/* ---- the request -------------------------------------------------------- */

static I2aApiError *
map_text_format (JsonObject *request,
                 JsonObject *chat)
{
  JsonObject *text = _i2a_responses_get_object (request, "text");
  JsonObject *format = text ? _i2a_responses_get_object (text, "format") : NULL;
  const char *type = format ? _i2a_responses_get_string (format, "type") : NULL;

  if (type == NULL || g_str_equal (type, "text"))
    return NULL;
  if (g_str_equal (type, "json_object"))
    {
      JsonObject *out = json_object_new ();

      json_object_set_string_member (out, "type", "json_object");
      json_object_set_object_member (chat, "response_format", out);
      return NULL;
    }
  if (g_str_equal (type, "json_schema"))
    {
      JsonObject *out = json_object_new ();
      JsonObject *schema = json_object_new ();
      JsonNode *node = json_object_get_member (format, "schema");
      JsonNode *strict = json_object_get_member (format, "strict");

      if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
        {
          json_object_unref (out);
          json_object_unref (schema);
          return _i2a_responses_bad_field ("text.format.schema", "'text.format.schema' must be an object");
        }
      json_object_set_string_member (schema, "name", _i2a_responses_get_string (format, "name") ? _i2a_responses_get_string (format, "name") : "response");
      if (_i2a_responses_get_string (format, "description"))
        json_object_set_string_member (schema, "description", _i2a_responses_get_string (format, "description"));
      json_object_set_member (schema, "schema", json_node_copy (node));
      if (strict != NULL && JSON_NODE_HOLDS_VALUE (strict) && json_node_get_value_type (strict) == G_TYPE_BOOLEAN)
        json_object_set_boolean_member (schema, "strict", json_node_get_boolean (strict));
      json_object_set_string_member (out, "type", "json_schema");
      json_object_set_object_member (out, "json_schema", schema);
      json_object_set_object_member (chat, "response_format", out);
      return NULL;
    }
  return _i2a_responses_bad_field ("text.format.type", "'text.format.type' must be text, json_object or json_schema, not '%s'", type);
}

static I2aApiError *
copy_number (JsonObject *request,
             const char *from,
             JsonObject *chat,
             const char *to)
{
  JsonNode *node = json_object_get_member (request, from);

  if (_i2a_responses_is_absent (node))
    return NULL;
  if (!i2a_json_node_is_number (node))
    return _i2a_responses_bad_field (from, "'%s' must be a number, not %s", from, i2a_json_node_kind (node));
  json_object_set_member (chat, to, json_node_copy (node));
  return NULL;
}

JsonObject *
i2a_responses_to_chat (JsonObject   *request,
                       JsonArray    *items,
                       I2aApiError **error)
{
  g_auto(Builder) b = { 0 };
  g_autoptr(JsonObject) chat = json_object_new ();
  JsonNode *node;
  JsonObject *reasoning;
  I2aApiError *err = NULL;
  JsonArray *messages;
  const char *model;

  g_return_val_if_fail (request != NULL && items != NULL, NULL);

  node = json_object_get_member (request, "model");
  if (!i2a_json_node_is_string (node) || _i2a_responses_is_blank (json_node_get_string (node)))
    {
      *error = node == NULL ? _i2a_responses_bad_field ("model", "Missing required field 'model'")
                            : _i2a_responses_bad_field ("model", "'model' must be a non-empty string");
      return NULL;
    }
  model = json_node_get_string (node);
  node = json_object_get_member (request, "instructions");
  if (!_i2a_responses_is_absent (node) && !i2a_json_node_is_string (node))
    {
      *error = _i2a_responses_bad_field ("instructions", "'instructions' must be a string, not %s", i2a_json_node_kind (node));
      return NULL;
    }
  node = json_object_get_member (request, "stream");
  if (!_i2a_responses_is_absent (node) && !(JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN))
    {
      *error = _i2a_responses_bad_field ("stream", "'stream' must be a boolean, not %s", i2a_json_node_kind (node));
      return NULL;
    }

  b.messages = json_array_new ();
  b.system = g_string_new (_i2a_responses_get_string (request, "instructions"));
  b.calls = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      g_autofree char *param = g_strdup_printf ("input[%u]", i);

      if ((err = add_item (&b, json_array_get_object_element (items, i), param)) != NULL)
        {
          *error = err;
          return NULL;
        }
    }
  if (json_array_get_length (b.messages) == 0 && b.system->len == 0)
    {
      *error = _i2a_responses_bad_field ("input", "'input' must hold at least one message");
      return NULL;
    }

  json_object_set_string_member (chat, "model", model);
  messages = json_array_new ();
  if (b.system->len > 0)
    {
      JsonObject *system = json_object_new ();

      json_object_set_string_member (system, "role", "system");
      json_object_set_string_member (system, "content", b.system->str);
      json_array_add_object_element (messages, system);
    }
  for (guint i = 0; i < json_array_get_length (b.messages); i++)
    json_array_add_element (messages, json_node_copy (json_array_get_element (b.messages, i)));
  json_object_set_array_member (chat, "messages", messages);

  node = json_object_get_member (request, "stream");
  if (!_i2a_responses_is_absent (node) && json_node_get_boolean (node))
    {
      JsonObject *options = json_object_new ();

      json_object_set_boolean_member (chat, "stream", TRUE);
      /* Responses always end with usage. */
      json_object_set_boolean_member (options, "include_usage", TRUE);
      json_object_set_object_member (chat, "stream_options", options);
    }

  if ((err = _i2a_responses_map_tools (request, chat)) != NULL ||
      (err = _i2a_responses_map_tool_choice (request, chat)) != NULL ||
      (err = map_text_format (request, chat)) != NULL ||
      (err = copy_number (request, "max_output_tokens", chat, "max_tokens")) != NULL ||
      (err = copy_number (request, "temperature", chat, "temperature")) != NULL ||
      (err = copy_number (request, "top_p", chat, "top_p")) != NULL)
    {
      *error = err;
      return NULL;
    }
  node = json_object_get_member (request, "parallel_tool_calls");
  if (!_i2a_responses_is_absent (node) && json_object_has_member (chat, "tools"))
    {
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
        {
          *error = _i2a_responses_bad_field ("parallel_tool_calls", "'parallel_tool_calls' must be a boolean, not %s",
                              i2a_json_node_kind (node));
          return NULL;
        }
      json_object_set_boolean_member (chat, "parallel_tool_calls", json_node_get_boolean (node));
    }
  /* The shared request path keeps a conversation on one account by this
   * key (Codex also sends it as its session id). */
  if (_i2a_responses_get_string (request, "prompt_cache_key") != NULL)
    json_object_set_string_member (chat, "prompt_cache_key", _i2a_responses_get_string (request, "prompt_cache_key"));
  /* The upstream rules turn reasoning_effort into each model's own
   * thinking switch. */
  reasoning = _i2a_responses_get_object (request, "reasoning");
  if (reasoning != NULL && _i2a_responses_get_string (reasoning, "effort") != NULL)
    json_object_set_string_member (chat, "reasoning_effort", _i2a_responses_get_string (reasoning, "effort"));
  return g_steal_pointer (&chat);
}

