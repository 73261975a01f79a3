/* i2a-json-pretty.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-json-pretty"

#include "config.h"

#include <string.h>

#include "i2a-json-pretty.h"
#include "i2a-util.h"

typedef struct
{
  GString            *out;
  I2aJsonPrettyFlags  flags;
  const char * const *public_values;
} Printer;

static void print_node (Printer *p, JsonNode *node, const char *member, guint depth);

gboolean
i2a_json_member_is_secret (const char *name)
{
  g_autofree char *lower = NULL;

  if (name == NULL)
    return FALSE;
  lower = g_ascii_strdown (name, -1);
  /* "apiKey", "api_key", "x-api-key", "accessToken", "Authorization"... */
  return g_str_has_suffix (lower, "key") || strstr (lower, "token") != NULL ||
         strstr (lower, "secret") != NULL || strstr (lower, "password") != NULL ||
         strstr (lower, "authorization") != NULL;
}

static void
indent (Printer *p,
        guint    depth)
{
  for (guint i = 0; i < depth; i++)
    g_string_append (p->out, "  ");
}

static void
print_string (GString    *out,
              const char *text)
{
  g_string_append_c (out, '"');
  for (const guchar *c = (const guchar *) text; *c; c++)
    {
      switch (*c)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\b': g_string_append (out, "\\b"); break;
        case '\f': g_string_append (out, "\\f"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        default:
          if (*c < 0x20)
            g_string_append_printf (out, "\\u%04x", *c);
          else
            g_string_append_c (out, (char) *c);
        }
    }
  g_string_append_c (out, '"');
}

/* The shortest of %.15g..%.17g that reads back as the same double, so a
 * 0.7 the user wrote stays 0.7; integral doubles keep a ".0". */
static void
print_double (GString *out,
              double   value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  for (int precision = 15; precision <= 17; precision++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", precision);
      g_ascii_formatd (buf, sizeof buf, format, value);
      if (g_ascii_strtod (buf, NULL) == value)
        break;
    }
  g_string_append (out, buf);
  if (strpbrk (buf, ".eEn") == NULL)
    g_string_append (out, ".0");
}

static gboolean
is_public (Printer    *p,
           const char *value)
{
  if (g_str_has_prefix (value, "{env:") || g_str_has_prefix (value, "{file:"))
    return TRUE;
  for (guint i = 0; p->public_values && p->public_values[i]; i++)
    if (g_str_equal (p->public_values[i], value))
      return TRUE;
  return FALSE;
}

static void
print_value (Printer    *p,
             JsonNode   *node,
             const char *member)
{
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      g_string_append_printf (p->out, "%" G_GINT64_FORMAT, json_node_get_int (node));
      break;
    case G_TYPE_DOUBLE:
      print_double (p->out, json_node_get_double (node));
      break;
    case G_TYPE_BOOLEAN:
      g_string_append (p->out, json_node_get_boolean (node) ? "true" : "false");
      break;
    case G_TYPE_STRING:
      {
        const char *text = json_node_get_string (node);

        if ((p->flags & I2A_JSON_PRETTY_MASK_SECRETS) && *text &&
            i2a_json_member_is_secret (member) && !is_public (p, text))
          {
            g_autofree char *masked = i2a_mask_secret (text);

            print_string (p->out, masked);
          }
        else
          print_string (p->out, text);
      }
      break;
    default:
      g_string_append (p->out, "null");
    }
}

static void
print_object (Printer    *p,
              JsonObject *object,
              guint       depth)
{
  g_autoptr(GList) names = json_object_get_members (object);

  if (names == NULL)
    {
      g_string_append (p->out, "{}");
      return;
    }
  g_string_append (p->out, "{\n");
  for (GList *l = names; l; l = l->next)
    {
      indent (p, depth + 1);
      print_string (p->out, l->data);
      g_string_append (p->out, ": ");
      print_node (p, json_object_get_member (object, l->data), l->data, depth + 1);
      g_string_append (p->out, l->next ? ",\n" : "\n");
    }
  indent (p, depth);
  g_string_append_c (p->out, '}');
}

static void
print_array (Printer    *p,
             JsonArray  *array,
             const char *member,
             guint       depth)
{
  guint n = json_array_get_length (array);

  if (n == 0)
    {
      g_string_append (p->out, "[]");
      return;
    }
  g_string_append (p->out, "[\n");
  for (guint i = 0; i < n; i++)
    {
      indent (p, depth + 1);
      /* Elements inherit the member name: "apiKeys": [...] is masked too. */
      print_node (p, json_array_get_element (array, i), member, depth + 1);
      g_string_append (p->out, i + 1 < n ? ",\n" : "\n");
    }
  indent (p, depth);
  g_string_append_c (p->out, ']');
}

static void
print_node (Printer    *p,
            JsonNode   *node,
            const char *member,
            guint       depth)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      print_object (p, json_node_get_object (node), depth);
      break;
    case JSON_NODE_ARRAY:
      print_array (p, json_node_get_array (node), member, depth);
      break;
    case JSON_NODE_VALUE:
      print_value (p, node, member);
      break;
    case JSON_NODE_NULL:
    default:
      g_string_append (p->out, "null");
    }
}

char *
i2a_json_pretty (JsonNode            *node,
                 I2aJsonPrettyFlags   flags,
                 const char * const  *public_values)
{
  Printer p = { g_string_new (NULL), flags, public_values };

  g_return_val_if_fail (node != NULL, NULL);
  print_node (&p, node, NULL, 0);
  g_string_append_c (p.out, '\n');
  return g_string_free (p.out, FALSE);
}

gboolean
i2a_json_find_comment (const char *text,
                       gsize       length,
                       guint      *line,
                       guint      *column)
{
  gboolean in_string = FALSE;
  guint cur_line = 1, cur_col = 1;

  for (gsize i = 0; i < length; i++, cur_col++)
    {
      char c = text[i];

      if (c == '\n')
        {
          cur_line++;
          cur_col = 0;
          continue;
        }
      if (in_string)
        {
          if (c == '\\' && i + 1 < length)
            {
              i++;
              cur_col++;
            }
          else if (c == '"')
            in_string = FALSE;
          continue;
        }
      if (c == '"')
        in_string = TRUE;
      else if (c == '/' && i + 1 < length && (text[i + 1] == '/' || text[i + 1] == '*'))
        {
          if (line)
            *line = cur_line;
          if (column)
            *column = cur_col;
          return TRUE;
        }
    }
  return FALSE;
}
