/* i2a-token-estimate.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-token-estimate"

#include "config.h"

#include <string.h>

#include "i2a-token-estimate.h"

/* Framing a chat template adds around each message and each tool. */
#define PER_MESSAGE 4
#define PER_TOOL    8
#define PER_REQUEST 3

static gboolean
is_cjk (gunichar c)
{
  return (c >= 0x2E80 && c <= 0x9FFF) || (c >= 0xAC00 && c <= 0xD7AF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFF00 && c <= 0xFFEF) ||
         (c >= 0x20000 && c <= 0x2FFFF);
}

gint64
i2a_token_estimate_text (const char *text,
                         gssize      len)
{
  const char *p = text, *end;
  gint64 tokens = 0;

  if (text == NULL)
    return 0;
  end = text + (len < 0 ? strlen (text) : (gsize) len);
  while (p < end)
    {
      gunichar c = g_utf8_get_char_validated (p, end - p);
      const char *next;
      gsize run = 0;

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          tokens++;
          p++;
          continue;
        }
      if (g_unichar_isalpha (c) && !is_cjk (c))
        {
          /* A word: about eight letters a token. */
          do
            {
              run++;
              p = g_utf8_next_char (p);
            }
          while (p < end && (c = g_utf8_get_char_validated (p, end - p)) != (gunichar) -1 &&
                 c != (gunichar) -2 && g_unichar_isalpha (c) && !is_cjk (c));
          tokens += (run + 7) / 8;
          continue;
        }
      if (c < 0x80 && g_ascii_isdigit (c))
        {
          while (p < end && g_ascii_isdigit (*p))
            run++, p++;
          tokens += (run + 2) / 3;
          continue;
        }
      if (g_unichar_isspace (c))
        {
          gunichar first = c;

          /* A single space rides with the next word; indentation and line
           * breaks are tokens of their own. Every branch moves on by at
           * least one character (no-break and other Unicode spaces too). */
          do
            {
              run++;
              p = g_utf8_next_char (p);
            }
          while (p < end && (c = g_utf8_get_char_validated (p, end - p)) != (gunichar) -1 &&
                 c != (gunichar) -2 && g_unichar_isspace (c));
          if (run > 1 || first == '\n')
            tokens++;
          continue;
        }
      if (c < 0x80)
        {
          /* JSON's ":", "," and {" pairs merge into single tokens. */
          while (p < end && g_ascii_ispunct (*p))
            run++, p++;
          if (run == 0)
            {
              /* A control character: a token of its own. */
              run = 1;
              p++;
            }
          tokens += (run + 2) / 3;
          continue;
        }
      next = g_utf8_next_char (p);
      /* CJK: one a character; emoji and other symbols: two. */
      tokens += is_cjk (c) ? 1 : 2;
      p = next;
    }
  return tokens;
}

static gint64
node_tokens (JsonNode *node)
{
  g_autofree char *json = NULL;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return 0;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return i2a_token_estimate_text (json_node_get_string (node), -1);
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      gint64 tokens = 0;

      /* Content parts: their text, and images at a typical tile cost. */
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *item = json_array_get_element (array, i);
          JsonObject *part = JSON_NODE_HOLDS_OBJECT (item) ? json_node_get_object (item) : NULL;

          if (part && json_object_has_member (part, "image_url"))
            tokens += 765;
          else if (part && json_object_has_member (part, "text"))
            tokens += node_tokens (json_object_get_member (part, "text"));
        }
      return tokens;
    }
  json = json_to_string (node, FALSE);
  return i2a_token_estimate_text (json, -1);
}

gint64
i2a_token_estimate_chat (JsonObject *chat_request)
{
  JsonNode *messages = json_object_get_member (chat_request, "messages");
  JsonNode *tools = json_object_get_member (chat_request, "tools");
  gint64 tokens = PER_REQUEST;

  if (messages && JSON_NODE_HOLDS_ARRAY (messages))
    for (guint i = 0; i < json_array_get_length (json_node_get_array (messages)); i++)
      {
        JsonNode *item = json_array_get_element (json_node_get_array (messages), i);
        JsonObject *message;
        JsonNode *calls;

        if (!JSON_NODE_HOLDS_OBJECT (item))
          continue;
        message = json_node_get_object (item);
        tokens += PER_MESSAGE + node_tokens (json_object_get_member (message, "content"));
        calls = json_object_get_member (message, "tool_calls");
        if (calls && JSON_NODE_HOLDS_ARRAY (calls))
          for (guint j = 0; j < json_array_get_length (json_node_get_array (calls)); j++)
            {
              JsonNode *call = json_array_get_element (json_node_get_array (calls), j);
              JsonNode *fn = JSON_NODE_HOLDS_OBJECT (call)
                             ? json_object_get_member (json_node_get_object (call), "function") : NULL;
              JsonObject *function = fn && JSON_NODE_HOLDS_OBJECT (fn) ? json_node_get_object (fn) : NULL;

              if (function == NULL)
                continue;
              tokens += PER_MESSAGE + node_tokens (json_object_get_member (function, "name")) +
                        node_tokens (json_object_get_member (function, "arguments"));
            }
      }
  if (tools && JSON_NODE_HOLDS_ARRAY (tools))
    for (guint i = 0; i < json_array_get_length (json_node_get_array (tools)); i++)
      tokens += PER_TOOL + node_tokens (json_array_get_element (json_node_get_array (tools), i));
  return tokens;
}
