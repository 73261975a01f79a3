/* i2a-json.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-json"

#include "config.h"

#include <math.h>

#include <string.h>

#include "i2a-json.h"
#include "i2a-error.h"
#include "i2a-json-limits.h"

JsonObject *
i2a_json_parse_object (const char *data,
                       gsize       len)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonNode *root;

  if (data == NULL || len == 0)
    return NULL;
  /* json-glib recurses per nesting level: a hostile answer must not
   * overflow the stack. */
  if (!i2a_json_check_depth (data, len, I2A_JSON_DEFAULT_DEPTH, NULL))
    return NULL;
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, data, (gssize) len, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  return json_object_ref (json_node_get_object (root));
}

JsonNode *
i2a_json_node_new_object (void)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, json_object_new ());
  return node;
}

/* json-glib's own ", expected value" / ", expected character `:'" tail:
 * only its words and one quoted character, nothing from the input. */
static gboolean
is_expected_tail (const char *tail)
{
  const char *p = tail + strlen ("expected ");

  if (!g_str_has_prefix (tail, "expected ") || strlen (tail) > 48)
    return FALSE;
  for (; *p; p++)
    {
      if (p[0] == '`' && p[1] != '\0' && p[2] == '\'' && p[3] == '\0')
        return TRUE;
      if (!g_ascii_islower (*p) && *p != ' ')
        return FALSE;
    }
  return TRUE;
}

/* json-glib quotes the input it stopped at ("unexpected identifier
 * `sk-…'", "unexpected string constant "sk-…""): a mistyped key would end
 * up in the log. It cuts long quotes without closing them, and a quoted
 * string may itself contain quotes, so nothing after the first quote of
 * more than one character is kept but json-glib's ", expected …" tail. */
static char *
scrub_parse_message (const char *text)
{
  GString *out = g_string_new (NULL);

  if (g_str_has_prefix (text, "<data>:"))
    text += strlen ("<data>:");
  for (const char *p = text; *p; p++)
    {
      char close = *p == '`' ? '\'' : *p == '"' ? '"' : '\0';

      if (close && !(p[1] != '\0' && p[2] == close))
        {
          const char *tail = g_strrstr (p, ", expected ");

          g_string_append_c (out, *p);
          g_string_append (out, "…");
          g_string_append_c (out, close);
          if (tail && is_expected_tail (tail + 2))
            g_string_append (out, tail);
          break;
        }
      g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

gboolean
i2a_json_load_private (JsonParser  *parser,
                       const char  *data,
                       gsize        len,
                       GError     **error)
{
  g_autoptr(GError) local = NULL;

  if (!i2a_json_check_depth (data, len, I2A_JSON_DEFAULT_DEPTH, error))
    return FALSE;
  if (!json_parser_load_from_data (parser, data, (gssize) len, &local))
    {
      g_autofree char *text = scrub_parse_message (local->message);

      g_set_error_literal (error, I2A_ERROR, I2A_ERROR_INVALID_CONFIG, text);
      return FALSE;
    }
  return TRUE;
}

const char *
i2a_json_node_kind (JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return "null";
  if (JSON_NODE_HOLDS_OBJECT (node))
    return "an object";
  if (JSON_NODE_HOLDS_ARRAY (node))
    return "an array";
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return "a string";
  if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    return "a boolean";
  return "a number";
}

gboolean
i2a_json_node_is_string (JsonNode *node)
{
  return node && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
}

gboolean
i2a_json_node_is_number (JsonNode *node)
{
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);
  return type == G_TYPE_INT64 || type == G_TYPE_DOUBLE;
}

gint64
i2a_json_int_member (JsonObject *obj,
                     const char *name,
                     gint64      fallback)
{
  JsonNode *node = obj ? json_object_get_member (obj, name) : NULL;
  double value;

  if (!i2a_json_node_is_number (node))
    return fallback;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node);
  value = json_node_get_double (node);
  if (isnan (value))
    return fallback;
  /* 2^63 as a double: anything at or beyond it would not convert. */
  if (value >= 9223372036854775808.0)
    return G_MAXINT64;
  if (value <= -9223372036854775808.0)
    return G_MININT64;
  return (gint64) value;
}
