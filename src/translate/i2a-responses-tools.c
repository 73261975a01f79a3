/* i2a-responses-tools.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-responses-tools.c: Responses tools and tool_choice -> chat ones. */
#define G_LOG_DOMAIN "i2a-responses"

#include "config.h"

#include "i2a-responses-private.h"

/* ---- tools -------------------------------------------------------------- */

static JsonObject *
custom_tool_function (JsonObject *tool)
{
  JsonObject *function = json_object_new ();
  JsonObject *parameters = json_object_new ();
  JsonObject *properties = json_object_new ();
  JsonObject *input = json_object_new ();
  JsonArray *required = json_array_new ();
  JsonObject *format = _i2a_responses_get_object (tool, "format");
  GString *description = g_string_new (_i2a_responses_get_string (tool, "description"));

  if (format != NULL && g_strcmp0 (_i2a_responses_get_string (format, "type"), "grammar") == 0)
    {
      const char *syntax = _i2a_responses_get_string (format, "syntax");
      const char *definition = _i2a_responses_get_string (format, "definition");

      if (definition != NULL)
        g_string_append_printf (description, "%sThe input must follow this %s grammar:\n%s",
                                description->len ? "\n\n" : "", syntax ? syntax : "", definition);
    }
  json_object_set_string_member (input, "type", "string");
  json_object_set_string_member (input, "description", "The raw input of the tool (free text, not JSON)");
  json_object_set_object_member (properties, I2A_RESPONSES_CUSTOM_INPUT, input);
  json_array_add_string_element (required, I2A_RESPONSES_CUSTOM_INPUT);
  json_object_set_string_member (parameters, "type", "object");
  json_object_set_object_member (parameters, "properties", properties);
  json_object_set_array_member (parameters, "required", required);
  json_object_set_string_member (function, "name", _i2a_responses_get_string (tool, "name"));
  json_object_set_string_member (function, "description", description->str);
  json_object_set_object_member (function, "parameters", parameters);
  g_string_free (description, TRUE);
  return function;
}

I2aApiError *
_i2a_responses_map_tools (JsonObject *request,
                          JsonObject *chat)
{
  JsonNode *node = json_object_get_member (request, "tools");
  JsonArray *tools, *out;

  if (_i2a_responses_is_absent (node))
    return NULL;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return _i2a_responses_bad_field ("tools", "'tools' must be an array, not %s", i2a_json_node_kind (node));
  tools = json_node_get_array (node);
  out = json_array_new ();
  for (guint i = 0; i < json_array_get_length (tools); i++)
    {
      JsonNode *element = json_array_get_element (tools, i);
      g_autofree char *param = g_strdup_printf ("tools[%u]", i);
      I2aApiError *error = NULL;
      JsonObject *tool, *wrapper;
      const char *type;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        {
          json_array_unref (out);
          return _i2a_responses_bad_field (param, "'%s' must be an object, not %s", param, i2a_json_node_kind (element));
        }
      tool = json_node_get_object (element);
      type = _i2a_responses_get_string (tool, "type");
      if (type == NULL)
        {
          json_array_unref (out);
          return _i2a_responses_bad_field (param, "'%s.type' must be a string", param);
        }
      if (!g_str_equal (type, "function") && !g_str_equal (type, "custom"))
        {
          /* web_search, namespace, local_shell, image_generation… run at
           * OpenAI; a chat upstream cannot take them. */
          g_debug ("Dropping the hosted tool '%s' (%s)", type, param);
          continue;
        }
      if (!_i2a_responses_require_string (tool, param, "name", &error))
        {
          json_array_unref (out);
          return error;
        }
      wrapper = json_object_new ();
      json_object_set_string_member (wrapper, "type", "function");
      if (g_str_equal (type, "custom"))
        json_object_set_object_member (wrapper, "function", custom_tool_function (tool));
      else
        {
          JsonObject *function = json_object_new ();
          JsonNode *parameters = json_object_get_member (tool, "parameters");
          JsonNode *strict = json_object_get_member (tool, "strict");

          json_object_set_string_member (function, "name", _i2a_responses_get_string (tool, "name"));
          if (_i2a_responses_get_string (tool, "description"))
            json_object_set_string_member (function, "description", _i2a_responses_get_string (tool, "description"));
          if (parameters != NULL && JSON_NODE_HOLDS_OBJECT (parameters))
            json_object_set_member (function, "parameters", json_node_copy (parameters));
          else
            {
              JsonObject *empty = json_object_new ();

              json_object_set_string_member (empty, "type", "object");
              json_object_set_object_member (empty, "properties", json_object_new ());
              json_object_set_object_member (function, "parameters", empty);
            }
          if (strict != NULL && JSON_NODE_HOLDS_VALUE (strict) &&
              json_node_get_value_type (strict) == G_TYPE_BOOLEAN)
            json_object_set_boolean_member (function, "strict", json_node_get_boolean (strict));
          json_object_set_object_member (wrapper, "function", function);
        }
      json_array_add_object_element (out, wrapper);
    }
  if (json_array_get_length (out) > 0)
    json_object_set_array_member (chat, "tools", out);
  else
    json_array_unref (out);
  return NULL;
}

I2aApiError *
_i2a_responses_map_tool_choice (JsonObject *request,
                                JsonObject *chat)
{
  JsonNode *node = json_object_get_member (request, "tool_choice");
  JsonObject *choice;
  const char *type;

  if (_i2a_responses_is_absent (node) || !json_object_has_member (chat, "tools"))
    return NULL;
  if (i2a_json_node_is_string (node))
    {
      const char *value = json_node_get_string (node);

      if (!g_str_equal (value, "auto") && !g_str_equal (value, "none") && !g_str_equal (value, "required"))
        return _i2a_responses_bad_field ("tool_choice", "'tool_choice' must be auto, none, required or an object, not '%s'", value);
      json_object_set_string_member (chat, "tool_choice", value);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return _i2a_responses_bad_field ("tool_choice", "'tool_choice' must be a string or an object, not %s", i2a_json_node_kind (node));
  choice = json_node_get_object (node);
  type = _i2a_responses_get_string (choice, "type");
  if ((g_strcmp0 (type, "function") == 0 || g_strcmp0 (type, "custom") == 0) && _i2a_responses_get_string (choice, "name"))
    {
      JsonObject *out = json_object_new ();
      JsonObject *function = json_object_new ();

      json_object_set_string_member (function, "name", _i2a_responses_get_string (choice, "name"));
      json_object_set_string_member (out, "type", "function");
      json_object_set_object_member (out, "function", function);
      json_object_set_object_member (chat, "tool_choice", out);
    }
  /* A hosted tool or an allowed_tools list: the closest is "auto". */
  else
    json_object_set_string_member (chat, "tool_choice", "auto");
  return NULL;
}

gboolean
i2a_responses_is_custom_tool (JsonObject *request,
                              const char *name)
{
  JsonNode *node = json_object_get_member (request, "tools");
  JsonArray *tools;

  if (name == NULL || node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;
  tools = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (tools); i++)
    {
      JsonNode *element = json_array_get_element (tools, i);
      JsonObject *tool;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;
      tool = json_node_get_object (element);
      if (g_strcmp0 (_i2a_responses_get_string (tool, "type"), "custom") == 0 &&
          g_strcmp0 (_i2a_responses_get_string (tool, "name"), name) == 0)
        return TRUE;
    }
  return FALSE;
}
