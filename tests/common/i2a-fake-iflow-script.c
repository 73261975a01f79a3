/* i2a-fake-iflow-script.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Scripted answers of the fake upstream; see i2a-fake-iflow-script.h. */
#define G_LOG_DOMAIN "i2a-fake-iflow"

#include "config.h"

#include <string.h>

#include "i2a-fake-iflow-script.h"

static gint64
text_bytes (JsonNode *content)
{
  gint64 bytes = 0;

  if (content == NULL || JSON_NODE_HOLDS_NULL (content))
    return 0;
  if (JSON_NODE_HOLDS_VALUE (content) && json_node_get_value_type (content) == G_TYPE_STRING)
    return strlen (json_node_get_string (content));
  if (JSON_NODE_HOLDS_ARRAY (content))
    for (guint i = 0; i < json_array_get_length (json_node_get_array (content)); i++)
      {
        JsonObject *part = json_array_get_object_element (json_node_get_array (content), i);

        if (part && json_object_has_member (part, "text"))
          bytes += strlen (json_object_get_string_member_with_default (part, "text", ""));
        else if (part)
          bytes += 85 * 4; /* an image tile */
      }
  return bytes;
}

gint64
i2a_fake_prompt_tokens (JsonObject *body)
{
  JsonArray *messages = json_object_has_member (body, "messages")
                        ? json_object_get_array_member (body, "messages") : NULL;
  JsonNode *tools = json_object_get_member (body, "tools");
  gint64 bytes = 0, framing = 3;

  for (guint i = 0; messages && i < json_array_get_length (messages); i++)
    {
      JsonObject *m = json_array_get_object_element (messages, i);
      JsonNode *calls;

      if (m == NULL)
        continue;
      framing += 4;
      bytes += text_bytes (json_object_get_member (m, "content"));
      calls = json_object_get_member (m, "tool_calls");
      if (calls && JSON_NODE_HOLDS_ARRAY (calls))
        {
          g_autofree char *json = json_to_string (calls, FALSE);
          bytes += strlen (json);
        }
    }
  if (tools && JSON_NODE_HOLDS_ARRAY (tools))
    {
      g_autofree char *json = json_to_string (tools, FALSE);

      bytes += strlen (json);
      framing += 8 * json_array_get_length (json_node_get_array (tools));
    }
  return framing + (bytes + 3) / 4;
}

static const char *
content_text (JsonObject *message)
{
  JsonNode *c = json_object_get_member (message, "content");

  if (c && JSON_NODE_HOLDS_VALUE (c) && json_node_get_value_type (c) == G_TYPE_STRING)
    return json_node_get_string (c);
  if (c && JSON_NODE_HOLDS_ARRAY (c))
    for (guint i = 0; i < json_array_get_length (json_node_get_array (c)); i++)
      {
        JsonObject *part = json_array_get_object_element (json_node_get_array (c), i);
        const char *t = part ? json_object_get_string_member_with_default (part, "text", NULL) : NULL;

        if (t && strstr (t, "fake:"))
          return t;
      }
  return "";
}

const char *
i2a_fake_find_scenario (JsonObject *body)
{
  JsonArray *messages = json_object_has_member (body, "messages")
                        ? json_object_get_array_member (body, "messages") : NULL;

  for (guint i = messages ? json_array_get_length (messages) : 0; i > 0; i--)
    {
      JsonObject *m = json_array_get_object_element (messages, i - 1);
      const char *text, *at;

      if (m == NULL || g_strcmp0 (json_object_get_string_member_with_default (m, "role", ""), "user") != 0)
        continue;
      text = content_text (m);
      if (g_str_has_prefix (text, "fake:"))
        return text;
      at = strstr (text, "\nfake:");
      return at ? at + 1 : NULL;
    }
  return NULL;
}

static char *
chunk (const char *model,
       const char *delta,
       const char *finish)
{
  return g_strdup_printf ("{\"id\":\"chatcmpl-fake\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
                          "\"model\":\"%s\",\"choices\":[{\"index\":0,\"delta\":%s,\"finish_reason\":%s}]}",
                          model, delta, finish);
}

static char *
quoted (const char *text)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, text);
  return json_to_string (node, FALSE);
}

GPtrArray *
i2a_fake_tool_script (JsonObject *body,
                      const char *model,
                      const char *name,
                      const char *args,
                      gboolean    late,
                      gboolean    stream,
                      gint64      prompt_tokens)
{
  JsonArray *messages = json_object_get_array_member (body, "messages");
  JsonObject *last = json_array_get_object_element (messages, json_array_get_length (messages) - 1);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *qname = quoted (name);
  g_autofree char *qargs = quoted (args);
  g_autofree char *usage = g_strdup_printf ("{\"prompt_tokens\":%" G_GINT64_FORMAT ",\"completion_tokens\":9,"
                                            "\"total_tokens\":%" G_GINT64_FORMAT "}",
                                            prompt_tokens, prompt_tokens + 9);

  if (g_strcmp0 (json_object_get_string_member_with_default (last, "role", ""), "tool") == 0)
    {
      g_autofree char *answer = g_strdup_printf ("Tool said: %s", content_text (last));
      g_autofree char *qanswer = quoted (answer);

      if (!stream)
        {
          g_ptr_array_add (out, g_strdup_printf ("{\"id\":\"chatcmpl-fake\",\"object\":\"chat.completion\","
                                                 "\"model\":\"%s\",\"choices\":[{\"index\":0,\"message\":"
                                                 "{\"role\":\"assistant\",\"content\":%s},\"finish_reason\":\"stop\"}],"
                                                 "\"usage\":%s}", model, qanswer, usage));
          return out;
        }
      {
        g_autofree char *delta = g_strdup_printf ("{\"role\":\"assistant\",\"content\":%s}", qanswer);
        g_ptr_array_add (out, chunk (model, delta, "null"));
        g_ptr_array_add (out, chunk (model, "{}", "\"stop\""));
      }
    }
  else if (!stream)
    {
      g_ptr_array_add (out, g_strdup_printf ("{\"id\":\"chatcmpl-fake\",\"object\":\"chat.completion\","
                                             "\"model\":\"%s\",\"choices\":[{\"index\":0,\"message\":"
                                             "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":"
                                             "\"call_fake_1\",\"type\":\"function\",\"function\":{\"name\":%s,"
                                             "\"arguments\":%s}}]},\"finish_reason\":\"tool_calls\"}],"
                                             "\"usage\":%s}", model, qname, qargs, usage));
      return out;
    }
  else
    {
      g_autofree char *first = g_strdup_printf ("{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"index\":0,"
                                                "\"id\":\"call_fake_1\",\"type\":\"function\",\"function\":"
                                                "{\"name\":%s,\"arguments\":\"\"}}]}", qname);
      gsize len = strlen (args);

      g_ptr_array_add (out, chunk (model, first, "null"));
      /* Odd pieces: three bytes each, splitting keys and strings (a JSON
       * string cannot carry half a character, so UTF-8 stays whole). */
      for (gsize i = 0; !late && i < len;)
        {
          gsize n = MIN (3, len - i);
          g_autofree char *piece = NULL;
          g_autofree char *qpiece = NULL;
          g_autofree char *delta = NULL;

          while (i + n < len && (args[i + n] & 0xC0) == 0x80)
            n++;
          piece = g_strndup (args + i, n);
          i += n;
          qpiece = quoted (piece);
          delta = g_strdup_printf ("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":%s}}]}", qpiece);
          g_ptr_array_add (out, chunk (model, delta, "null"));
        }
      if (late)
        {
          g_autofree char *delta = g_strdup_printf ("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":%s}}]}", qargs);
          g_ptr_array_add (out, chunk (model, delta, "\"tool_calls\""));
        }
      else
        g_ptr_array_add (out, chunk (model, "{}", "\"tool_calls\""));
    }
  g_ptr_array_add (out, g_strdup_printf ("{\"id\":\"chatcmpl-fake\",\"object\":\"chat.completion.chunk\","
                                         "\"model\":\"%s\",\"choices\":[],\"usage\":%s}", model, usage));
  g_ptr_array_add (out, g_strdup ("[DONE]"));
  return out;
}
