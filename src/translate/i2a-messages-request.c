/* i2a-messages-request.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Anthropic Messages request -> chat completions request. */
#define G_LOG_DOMAIN "i2a-messages-request"

#include "config.h"

#include <string.h>

#include "i2a-json.h"
#include "i2a-messages-request.h"

#define BILLING_HEADER "x-anthropic-billing-header:"

/* ---- small JSON helpers ------------------------------------------------- */

static I2aApiError *
bad_field (const char *param,
           const char *format,
           ...) G_GNUC_PRINTF (2, 3);

static I2aApiError *
bad_field (const char *param,
           const char *format,
           ...)
{
  g_autofree char *text = NULL;
  I2aApiError *error;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  error = i2a_api_error_new (400, "invalid_request_error", "invalid_request", "%s: %s", param, text);
  error->param = g_strdup (param);
  return error;
}

/* An absent member is "missing" here, not "null". */
static const char *
kind (JsonNode *node)
{
  return node == NULL ? "missing" : i2a_json_node_kind (node);
}

static JsonNode *
member (JsonObject *object,
        const char *name)
{
  return object ? json_object_get_member (object, name) : NULL;
}

static const char *
string_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = member (object, name);

  return i2a_json_node_is_string (node) ? json_node_get_string (node) : NULL;
}

static JsonObject *
object_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = member (object, name);

  return node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static char *
to_json (JsonNode *node)
{
  return json_to_string (node, FALSE);
}

/* ---- blocks ------------------------------------------------------------- */

/* A required string member of a block. */
static I2aApiError *
need_string (JsonObject  *block,
             const char  *name,
             const char  *param,
             const char **out)
{
  JsonNode *node = member (block, name);

  if (!i2a_json_node_is_string (node))
    {
      g_autofree char *p = g_strdup_printf ("%s.%s", param, name);
      return bad_field (p, "must be a string, not %s", kind (node));
    }
  *out = json_node_get_string (node);
  return NULL;
}

/* {"type":"image","source":{base64|url}} -> a chat image_url part. */
static I2aApiError *
image_part (JsonObject  *block,
            const char  *param,
            JsonObject **out)
{
  JsonObject *source = object_member (block, "source");
  g_autofree char *source_param = g_strdup_printf ("%s.source", param);
  const char *type;
  g_autofree char *url = NULL;
  JsonObject *image_url;
  I2aApiError *error;

  if (source == NULL)
    return bad_field (source_param, "must be an object, not %s", kind (member (block, "source")));
  if ((error = need_string (source, "type", source_param, &type)))
    return error;
  if (g_str_equal (type, "base64"))
    {
      const char *media, *data;

      if ((error = need_string (source, "media_type", source_param, &media)) ||
          (error = need_string (source, "data", source_param, &data)))
        return error;
      url = g_strdup_printf ("data:%s;base64,%s", media, data);
    }
  else if (g_str_equal (type, "url"))
    {
      const char *u;

      if ((error = need_string (source, "url", source_param, &u)))
        return error;
      url = g_strdup (u);
    }
  else
    {
      g_autofree char *p = g_strdup_printf ("%s.type", source_param);
      return bad_field (p, "unsupported image source '%s' (use base64 or url)", type);
    }
  image_url = json_object_new ();
  json_object_set_string_member (image_url, "url", url);
  *out = json_object_new ();
  json_object_set_string_member (*out, "type", "image_url");
  json_object_set_object_member (*out, "image_url", image_url);
  return NULL;
}

static JsonObject *
text_part (const char *text)
{
  JsonObject *part = json_object_new ();

  json_object_set_string_member (part, "type", "text");
  json_object_set_string_member (part, "text", text);
  return part;
}

/* The content of a message (string or block array) as a block array
 * (a string becomes one text block); NULL with @error when it is neither. */
static JsonArray *
content_blocks (JsonObject   *message,
                const char   *param,
                I2aApiError **error)
{
  JsonNode *content = member (message, "content");
  JsonArray *blocks;

  if (i2a_json_node_is_string (content))
    {
      blocks = json_array_new ();
      json_array_add_object_element (blocks, text_part (json_node_get_string (content)));
      return blocks;
    }
  if (content && JSON_NODE_HOLDS_ARRAY (content))
    {
      blocks = json_node_dup_array (content);
      for (guint i = 0; i < json_array_get_length (blocks); i++)
        {
          JsonNode *block = json_array_get_element (blocks, i);
          g_autofree char *p = g_strdup_printf ("%s.content.%u", param, i);

          if (!JSON_NODE_HOLDS_OBJECT (block))
            {
              *error = bad_field (p, "must be a content block object, not %s", kind (block));
              json_array_unref (blocks);
              return NULL;
            }
          if (!i2a_json_node_is_string (member (json_node_get_object (block), "type")))
            {
              g_autofree char *pt = g_strdup_printf ("%s.type", p);
              *error = bad_field (pt, "must be a string, not %s",
                                  kind (member (json_node_get_object (block), "type")));
              json_array_unref (blocks);
              return NULL;
            }
        }
      return blocks;
    }
  {
    g_autofree char *p = g_strdup_printf ("%s.content", param);
    *error = bad_field (p, "must be a string or an array of content blocks, not %s", kind (content));
  }
  return NULL;
}

/* ---- system ------------------------------------------------------------- */

/* Appends @text without Claude Code's billing-header line, which changes
 * with every request and would defeat upstream prompt caches. */
static void
append_system_text (GString    *system,
                    const char *text)
{
  g_autoptr(GString) kept = g_string_new (NULL);

  for (const char *p = text; p && *p;)
    {
      const char *nl = strchr (p, '\n');
      gsize len = nl ? (gsize) (nl - p) : strlen (p);
      const char *q = p;

      while (q < p + len && (*q == ' ' || *q == '\t'))
        q++;
      if (g_ascii_strncasecmp (q, BILLING_HEADER, strlen (BILLING_HEADER)) != 0)
        {
          g_string_append_len (kept, p, len);
          if (nl)
            g_string_append_c (kept, '\n');
        }
      p = nl ? nl + 1 : NULL;
    }
  /* Trim what the header line leaves behind at the ends. */
  while (kept->len > 0 && g_ascii_isspace (kept->str[kept->len - 1]))
    g_string_truncate (kept, kept->len - 1);
  {
    const char *start = kept->str;

    while (*start && g_ascii_isspace (*start))
      start++;
    if (*start == '\0')
      return;
    if (system->len > 0)
      g_string_append (system, "\n\n");
    g_string_append (system, start);
  }
}

/* A system value (string or text blocks) appended to @system. */
static I2aApiError *
add_system (GString    *system,
            JsonNode   *node,
            const char *param)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (i2a_json_node_is_string (node))
    {
      append_system_text (system, json_node_get_string (node));
      return NULL;
    }
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *item = json_array_get_element (array, i);
          g_autofree char *p = g_strdup_printf ("%s.%u", param, i);
          JsonObject *block;
          const char *type, *text;
          I2aApiError *error;

          if (!JSON_NODE_HOLDS_OBJECT (item))
            return bad_field (p, "must be a text block object, not %s", kind (item));
          block = json_node_get_object (item);
          if ((error = need_string (block, "type", p, &type)))
            return error;
          if (!g_str_equal (type, "text"))
            {
              g_autofree char *pt = g_strdup_printf ("%s.type", p);
              return bad_field (pt, "system blocks must be of type 'text', not '%s'", type);
            }
          if ((error = need_string (block, "text", p, &text)))
            return error;
          append_system_text (system, text);
        }
      return NULL;
    }
  return bad_field (param, "must be a string or an array of text blocks, not %s", kind (node));
}

/* ---- messages ----------------------------------------------------------- */

typedef struct
{
  JsonArray  *out;        /* chat messages */
  GHashTable *open_ids;   /* tool_use ids of the last assistant turn */
  guint       loop_start; /* first message of the tool loop in progress */
} Conversion;

/* The text of a tool_result's content (string or text/image blocks);
 * images go to @images. */
static I2aApiError *
tool_result_text (JsonObject *block,
                  const char *param,
                  GString    *text,
                  JsonArray  *images)
{
  JsonNode *content = member (block, "content");
  g_autofree char *content_param = g_strdup_printf ("%s.content", param);

  if (content == NULL || JSON_NODE_HOLDS_NULL (content))
    return NULL;
  if (i2a_json_node_is_string (content))
    {
      g_string_append (text, json_node_get_string (content));
      return NULL;
    }
  if (!JSON_NODE_HOLDS_ARRAY (content))
    return bad_field (content_param, "must be a string or an array of blocks, not %s", kind (content));
  for (guint i = 0; i < json_array_get_length (json_node_get_array (content)); i++)
    {
      JsonNode *item = json_array_get_element (json_node_get_array (content), i);
      g_autofree char *p = g_strdup_printf ("%s.%u", content_param, i);
      JsonObject *inner;
      const char *type;
      I2aApiError *error;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        return bad_field (p, "must be a content block object, not %s", kind (item));
      inner = json_node_get_object (item);
      if ((error = need_string (inner, "type", p, &type)))
        return error;
      if (g_str_equal (type, "text"))
        {
          const char *t;

          if ((error = need_string (inner, "text", p, &t)))
            return error;
          if (text->len > 0)
            g_string_append_c (text, '\n');
          g_string_append (text, t);
        }
      else if (g_str_equal (type, "image"))
        {
          JsonObject *part = NULL;

          if ((error = image_part (inner, p, &part)))
            return error;
          json_array_add_object_element (images, part);
        }
      else
        {
          g_autofree char *pt = g_strdup_printf ("%s.type", p);
          return bad_field (pt, "unsupported block type '%s' in a tool result (use text or image)", type);
        }
    }
  return NULL;
}

static JsonObject *
chat_message (const char *role)
{
  JsonObject *message = json_object_new ();

  json_object_set_string_member (message, "role", role);
  return message;
}

/* User content: text and images stay together; an array of parts only when
 * there is an image (plain strings suit more upstreams). */
static void
add_user_content (JsonArray *out,
                  JsonArray *parts)
{
  JsonObject *message;
  gboolean has_image = FALSE;
  g_autoptr(GString) text = g_string_new (NULL);

  if (json_array_get_length (parts) == 0)
    return;
  for (guint i = 0; i < json_array_get_length (parts); i++)
    {
      JsonObject *part = json_array_get_object_element (parts, i);

      if (g_str_equal (json_object_get_string_member (part, "type"), "image_url"))
        has_image = TRUE;
      else
        {
          if (text->len > 0)
            g_string_append_c (text, '\n');
          g_string_append (text, json_object_get_string_member (part, "text"));
        }
    }
  message = chat_message ("user");
  if (has_image)
    json_object_set_array_member (message, "content", json_array_ref (parts));
  else
    json_object_set_string_member (message, "content", text->str);
  json_array_add_object_element (out, message);
}

static I2aApiError *
convert_user (Conversion *c,
              JsonArray  *blocks,
              const char *param,
              gboolean   *has_text)
{
  g_autoptr(JsonArray) parts = json_array_new ();
  g_autoptr(JsonArray) tool_images = json_array_new ();
  I2aApiError *error;

  *has_text = FALSE;
  for (guint i = 0; i < json_array_get_length (blocks); i++)
    {
      JsonObject *block = json_array_get_object_element (blocks, i);
      const char *type = json_object_get_string_member (block, "type");
      g_autofree char *p = g_strdup_printf ("%s.content.%u", param, i);

      if (g_str_equal (type, "text"))
        {
          const char *text;

          if ((error = need_string (block, "text", p, &text)))
            return error;
          json_array_add_object_element (parts, text_part (text));
          *has_text = TRUE;
        }
      else if (g_str_equal (type, "image"))
        {
          JsonObject *part = NULL;

          if ((error = image_part (block, p, &part)))
            return error;
          json_array_add_object_element (parts, part);
          *has_text = TRUE;
        }
      else if (g_str_equal (type, "document"))
        {
          JsonObject *source = object_member (block, "source");
          const char *data = string_member (source, "data");

          /* Plain-text documents read as text; others need a model that
           * takes files, which a chat upstream is not. */
          if (g_strcmp0 (string_member (source, "type"), "text") != 0 || data == NULL)
            {
              g_autofree char *ps = g_strdup_printf ("%s.source", p);
              return bad_field (ps, "only plain-text documents (source type 'text') can be sent "
                                    "to a chat upstream");
            }
          json_array_add_object_element (parts, text_part (data));
          *has_text = TRUE;
        }
      else if (g_str_equal (type, "tool_result"))
        {
          const char *id;
          g_autoptr(GString) text = g_string_new (NULL);
          JsonObject *tool;

          if ((error = need_string (block, "tool_use_id", p, &id)))
            return error;
          if (!g_hash_table_contains (c->open_ids, id))
            {
              g_autofree char *pi = g_strdup_printf ("%s.tool_use_id", p);
              return bad_field (pi, "'%s' matches no tool_use block of the preceding assistant "
                                    "message", id);
            }
          g_hash_table_remove (c->open_ids, id);
          if ((error = tool_result_text (block, p, text, tool_images)))
            return error;
          if (json_object_get_boolean_member_with_default (block, "is_error", FALSE))
            g_string_prepend (text, "Error: ");
          tool = chat_message ("tool");
          json_object_set_string_member (tool, "tool_call_id", id);
          json_object_set_string_member (tool, "content", text->str);
          json_array_add_object_element (c->out, tool);
        }
      else if (g_str_equal (type, "thinking") || g_str_equal (type, "redacted_thinking"))
        continue;
      else
        {
          g_autofree char *pt = g_strdup_printf ("%s.type", p);
          return bad_field (pt, "unknown content block type '%s' in a user message", type);
        }
    }
  /* A tool's images follow its result, as the user's part of the turn. */
  for (guint i = 0; i < json_array_get_length (tool_images); i++)
    json_array_add_element (parts, json_node_copy (json_array_get_element (tool_images, i)));
  add_user_content (c->out, parts);
  return NULL;
}

static I2aApiError *
convert_assistant (Conversion *c,
                   JsonArray  *blocks,
                   const char *param)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GString) thinking = g_string_new (NULL);
  g_autoptr(JsonArray) calls = json_array_new ();
  JsonObject *message;
  I2aApiError *error;

  g_hash_table_remove_all (c->open_ids);
  for (guint i = 0; i < json_array_get_length (blocks); i++)
    {
      JsonObject *block = json_array_get_object_element (blocks, i);
      const char *type = json_object_get_string_member (block, "type");
      g_autofree char *p = g_strdup_printf ("%s.content.%u", param, i);

      if (g_str_equal (type, "text"))
        {
          const char *t;

          if ((error = need_string (block, "text", p, &t)))
            return error;
          g_string_append (text, t);
        }
      else if (g_str_equal (type, "tool_use"))
        {
          const char *id, *name;
          JsonNode *input = member (block, "input");
          JsonObject *call, *function;
          g_autofree char *arguments = NULL;

          if ((error = need_string (block, "id", p, &id)) ||
              (error = need_string (block, "name", p, &name)))
            return error;
          if (input != NULL && !JSON_NODE_HOLDS_OBJECT (input))
            {
              g_autofree char *pi = g_strdup_printf ("%s.input", p);
              return bad_field (pi, "must be an object, not %s", kind (input));
            }
          arguments = input ? to_json (input) : g_strdup ("{}");
          function = json_object_new ();
          json_object_set_string_member (function, "name", name);
          json_object_set_string_member (function, "arguments", arguments);
          call = json_object_new ();
          json_object_set_string_member (call, "id", id);
          json_object_set_string_member (call, "type", "function");
          json_object_set_object_member (call, "function", function);
          json_array_add_object_element (calls, call);
          g_hash_table_add (c->open_ids, g_strdup (id));
        }
      else if (g_str_equal (type, "thinking"))
        {
          const char *t = string_member (block, "thinking");

          if (t)
            g_string_append (thinking, t);
        }
      else if (g_str_equal (type, "redacted_thinking") ||
               g_str_equal (type, "server_tool_use") ||
               g_str_has_suffix (type, "_tool_result"))
        /* Readable only by Anthropic, or results of server tools that a
         * chat upstream never ran. */
        g_debug ("Dropping a '%s' block from the history", type);
      else
        {
          g_autofree char *pt = g_strdup_printf ("%s.type", p);
          return bad_field (pt, "unknown content block type '%s' in an assistant message", type);
        }
    }
  if (text->len == 0 && json_array_get_length (calls) == 0)
    return NULL;
  message = chat_message ("assistant");
  if (text->len > 0 || json_array_get_length (calls) == 0)
    json_object_set_string_member (message, "content", text->str);
  else
    json_object_set_null_member (message, "content");
  if (json_array_get_length (calls) > 0)
    json_object_set_array_member (message, "tool_calls", json_array_ref (calls));
  if (thinking->len > 0)
    json_object_set_string_member (message, "reasoning_content", thinking->str);
  json_array_add_object_element (c->out, message);
  return NULL;
}

/* Thinking travels back only inside the tool loop in progress (see the
 * header): drop it from every earlier assistant message. */
static void
trim_reasoning (JsonArray *out,
                guint      loop_start)
{
  for (guint i = 0; i < loop_start && i < json_array_get_length (out); i++)
    {
      JsonObject *message = json_array_get_object_element (out, i);

      if (json_object_has_member (message, "reasoning_content"))
        json_object_remove_member (message, "reasoning_content");
    }
}

static I2aApiError *
convert_messages (JsonObject *request,
                  GString    *system,
                  JsonArray  *out)
{
  JsonNode *node = member (request, "messages");
  JsonArray *messages;
  Conversion c = { out, g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL), 0 };
  I2aApiError *error = NULL;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      error = bad_field ("messages", "must be an array of messages, not %s", kind (node));
      goto out;
    }
  messages = json_node_get_array (node);
  if (json_array_get_length (messages) == 0)
    {
      error = bad_field ("messages", "must contain at least one message");
      goto out;
    }
  for (guint i = 0; i < json_array_get_length (messages) && error == NULL; i++)
    {
      JsonNode *item = json_array_get_element (messages, i);
      g_autofree char *p = g_strdup_printf ("messages.%u", i);
      g_autoptr(JsonArray) blocks = NULL;
      JsonObject *message;
      const char *role;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        {
          error = bad_field (p, "must be a message object, not %s", kind (item));
          break;
        }
      message = json_node_get_object (item);
      if ((error = need_string (message, "role", p, &role)))
        break;
      if (g_str_equal (role, "system"))
        {
          g_autofree char *pc = g_strdup_printf ("%s.content", p);
          error = add_system (system, member (message, "content"), pc);
          continue;
        }
      if (!g_str_equal (role, "user") && !g_str_equal (role, "assistant"))
        {
          g_autofree char *pr = g_strdup_printf ("%s.role", p);
          error = bad_field (pr, "must be 'user' or 'assistant', not '%s'", role);
          break;
        }
      if ((blocks = content_blocks (message, p, &error)) == NULL)
        break;
      if (g_str_equal (role, "user"))
        {
          gboolean has_text = FALSE;
          guint before = json_array_get_length (out);

          error = convert_user (&c, blocks, p, &has_text);
          /* Tool results answer calls once; a later turn cannot. */
          g_hash_table_remove_all (c.open_ids);
          if (has_text)
            c.loop_start = before;
        }
      else
        error = convert_assistant (&c, blocks, p);
    }
  if (error == NULL)
    trim_reasoning (out, c.loop_start);
out:
  g_hash_table_unref (c.open_ids);
  return error;
}

/* ---- tools -------------------------------------------------------------- */

static I2aApiError *
convert_tools (JsonObject *request,
               JsonObject *chat,
               gboolean   *have_tools)
{
  JsonNode *node = member (request, "tools");
  g_autoptr(JsonArray) tools = json_array_new ();

  *have_tools = FALSE;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return bad_field ("tools", "must be an array, not %s", kind (node));
  for (guint i = 0; i < json_array_get_length (json_node_get_array (node)); i++)
    {
      JsonNode *item = json_array_get_element (json_node_get_array (node), i);
      g_autofree char *p = g_strdup_printf ("tools.%u", i);
      JsonObject *tool, *function, *wrapper;
      const char *name, *type;
      JsonNode *schema;
      I2aApiError *error;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        return bad_field (p, "must be a tool object, not %s", kind (item));
      tool = json_node_get_object (item);
      type = string_member (tool, "type");
      if (type && !g_str_equal (type, "custom"))
        {
          /* Anthropic-hosted tools (web search, code execution, ...). */
          g_debug ("Dropping server tool '%s' (%s): a chat upstream cannot run it",
                   string_member (tool, "name"), type);
          continue;
        }
      if ((error = need_string (tool, "name", p, &name)))
        return error;
      schema = member (tool, "input_schema");
      if (schema != NULL && !JSON_NODE_HOLDS_OBJECT (schema))
        {
          g_autofree char *ps = g_strdup_printf ("%s.input_schema", p);
          return bad_field (ps, "must be a JSON schema object, not %s", kind (schema));
        }
      function = json_object_new ();
      json_object_set_string_member (function, "name", name);
      if (string_member (tool, "description"))
        json_object_set_string_member (function, "description", string_member (tool, "description"));
      if (schema)
        json_object_set_member (function, "parameters", json_node_copy (schema));
      else
        {
          JsonObject *empty = json_object_new ();

          json_object_set_string_member (empty, "type", "object");
          json_object_set_object_member (function, "parameters", empty);
        }
      wrapper = json_object_new ();
      json_object_set_string_member (wrapper, "type", "function");
      json_object_set_object_member (wrapper, "function", function);
      json_array_add_object_element (tools, wrapper);
    }
  if (json_array_get_length (tools) == 0)
    return NULL;
  *have_tools = TRUE;
  json_object_set_array_member (chat, "tools", json_array_ref (tools));
  return NULL;
}

static I2aApiError *
convert_tool_choice (JsonObject *request,
                     JsonObject *chat,
                     gboolean    have_tools)
{
  JsonNode *node = member (request, "tool_choice");
  JsonObject *choice;
  const char *type;
  I2aApiError *error;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return bad_field ("tool_choice", "must be an object, not %s", kind (node));
  choice = json_node_get_object (node);
  if ((error = need_string (choice, "type", "tool_choice", &type)))
    return error;
  if (json_object_get_boolean_member_with_default (choice, "disable_parallel_tool_use", FALSE) &&
      have_tools)
    json_object_set_boolean_member (chat, "parallel_tool_calls", FALSE);
  if (g_str_equal (type, "auto"))
    {
      if (have_tools)
        json_object_set_string_member (chat, "tool_choice", "auto");
    }
  else if (g_str_equal (type, "any"))
    {
      if (have_tools)
        json_object_set_string_member (chat, "tool_choice", "required");
    }
  else if (g_str_equal (type, "none"))
    {
      if (have_tools)
        json_object_set_string_member (chat, "tool_choice", "none");
    }
  else if (g_str_equal (type, "tool"))
    {
      const char *name;
      JsonObject *function, *wrapper;

      if ((error = need_string (choice, "name", "tool_choice", &name)))
        return error;
      function = json_object_new ();
      json_object_set_string_member (function, "name", name);
      wrapper = json_object_new ();
      json_object_set_string_member (wrapper, "type", "function");
      json_object_set_object_member (wrapper, "function", function);
      if (have_tools)
        json_object_set_object_member (chat, "tool_choice", wrapper);
      else
        json_object_unref (wrapper);
    }
  else
    return bad_field ("tool_choice.type", "must be auto, any, tool or none, not '%s'", type);
  return NULL;
}

/* ---- parameters --------------------------------------------------------- */

static I2aApiError *
copy_number (JsonObject *request,
             JsonObject *chat,
             const char *from,
             const char *to)
{
  JsonNode *node = member (request, from);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (!i2a_json_node_is_number (node))
    return bad_field (from, "must be a number, not %s", kind (node));
  json_object_set_member (chat, to, json_node_copy (node));
  return NULL;
}

static I2aApiError *
convert_thinking (JsonObject *request,
                  JsonObject *chat)
{
  JsonNode *node = member (request, "thinking");
  JsonObject *thinking;
  const char *type;
  I2aApiError *error;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return bad_field ("thinking", "must be an object, not %s", kind (node));
  thinking = json_node_get_object (node);
  if ((error = need_string (thinking, "type", "thinking", &type)))
    return error;
  if (g_str_equal (type, "enabled"))
    {
      JsonNode *budget = member (thinking, "budget_tokens");
      gint64 tokens = i2a_json_node_is_number (budget) ? json_node_get_int (budget) : 0;

      if (budget && !i2a_json_node_is_number (budget))
        return bad_field ("thinking.budget_tokens", "must be a number, not %s", kind (budget));
      json_object_set_string_member (chat, "reasoning_effort",
                                     tokens > 0 && tokens <= 4096 ? "low"
                                     : tokens > 0 && tokens <= 16384 ? "medium" : "high");
    }
  else if (g_str_equal (type, "adaptive"))
    {
      /* Claude Code says how hard to think in output_config.effort. */
      const char *effort = string_member (object_member (request, "output_config"), "effort");

      if (g_strcmp0 (effort, "low") != 0 && g_strcmp0 (effort, "high") != 0)
        effort = g_strcmp0 (effort, "max") == 0 ? "high" : "medium";
      json_object_set_string_member (chat, "reasoning_effort", effort);
    }
  else if (!g_str_equal (type, "disabled"))
    return bad_field ("thinking.type", "must be enabled, adaptive or disabled, not '%s'", type);
  return NULL;
}

static I2aApiError *
convert_parameters (JsonObject *request,
                    JsonObject *chat)
{
  JsonNode *stop = member (request, "stop_sequences");
  JsonNode *max_tokens = member (request, "max_tokens");
  JsonObject *metadata = object_member (request, "metadata");
  I2aApiError *error;

  if (max_tokens && !JSON_NODE_HOLDS_NULL (max_tokens) &&
      (!i2a_json_node_is_number (max_tokens) || json_node_get_int (max_tokens) < 1))
    return bad_field ("max_tokens", "must be a positive integer");
  if ((error = copy_number (request, chat, "max_tokens", "max_tokens")) ||
      (error = copy_number (request, chat, "temperature", "temperature")) ||
      (error = copy_number (request, chat, "top_p", "top_p")))
    return error;
  if (stop && !JSON_NODE_HOLDS_NULL (stop))
    {
      JsonArray *array;

      if (!JSON_NODE_HOLDS_ARRAY (stop))
        return bad_field ("stop_sequences", "must be an array of strings, not %s", kind (stop));
      array = json_node_get_array (stop);
      for (guint i = 0; i < json_array_get_length (array); i++)
        if (!i2a_json_node_is_string (json_array_get_element (array, i)))
          {
            g_autofree char *p = g_strdup_printf ("stop_sequences.%u", i);
            return bad_field (p, "must be a string, not %s", kind (json_array_get_element (array, i)));
          }
      if (json_array_get_length (array) > 0)
        json_object_set_member (chat, "stop", json_node_copy (stop));
    }
  if (string_member (metadata, "user_id"))
    json_object_set_string_member (chat, "user", string_member (metadata, "user_id"));
  if (member (request, "stream") && !JSON_NODE_HOLDS_NULL (member (request, "stream")))
    {
      JsonNode *s = member (request, "stream");

      if (!JSON_NODE_HOLDS_VALUE (s) || json_node_get_value_type (s) != G_TYPE_BOOLEAN)
        return bad_field ("stream", "must be a boolean, not %s", kind (s));
      if (json_node_get_boolean (s))
        {
          JsonObject *options = json_object_new ();

          json_object_set_boolean_member (chat, "stream", TRUE);
          /* message_delta carries usage: ask every upstream for it. */
          json_object_set_boolean_member (options, "include_usage", TRUE);
          json_object_set_object_member (chat, "stream_options", options);
        }
    }
  return convert_thinking (request, chat);
}

/* ---- public ------------------------------------------------------------- */

JsonObject *
i2a_messages_request_to_chat (JsonObject   *request,
                              I2aApiError **error)
{
  g_autoptr(JsonObject) chat = json_object_new ();
  g_autoptr(JsonArray) messages = json_array_new ();
  g_autoptr(GString) system = g_string_new (NULL);
  const char *model = string_member (request, "model");
  gboolean have_tools = FALSE;
  I2aApiError *err = NULL;

  if (model == NULL || *model == '\0')
    err = bad_field ("model", "must be a non-empty string, not %s", kind (member (request, "model")));
  if (err == NULL)
    err = add_system (system, member (request, "system"), "system");
  if (err == NULL)
    err = convert_messages (request, system, messages);
  if (err == NULL)
    err = convert_tools (request, chat, &have_tools);
  if (err == NULL)
    err = convert_tool_choice (request, chat, have_tools);
  if (err == NULL)
    err = convert_parameters (request, chat);
  if (err)
    {
      *error = err;
      return NULL;
    }

  json_object_set_string_member (chat, "model", model);
  if (system->len > 0)
    {
      JsonObject *message = chat_message ("system");
      JsonNode *first = json_node_new (JSON_NODE_OBJECT);

      json_object_set_string_member (message, "content", system->str);
      json_node_take_object (first, message);
      /* json-glib has no insert: rebuild with the system message first. */
      {
        JsonArray *ordered = json_array_sized_new (json_array_get_length (messages) + 1);

        json_array_add_element (ordered, first);
        for (guint i = 0; i < json_array_get_length (messages); i++)
          json_array_add_element (ordered, json_node_copy (json_array_get_element (messages, i)));
        json_array_unref (messages);
        messages = ordered;
      }
    }
  if (json_array_get_length (messages) == 0 ||
      (json_array_get_length (messages) == 1 && system->len > 0))
    {
      *error = bad_field ("messages", "must contain at least one user or assistant message "
                                      "with content");
      return NULL;
    }
  json_object_set_array_member (chat, "messages", json_array_ref (messages));
  if (!json_object_has_member (chat, "stream"))
    json_object_set_boolean_member (chat, "stream", FALSE);
  return g_steal_pointer (&chat);
}

I2aApiError *
i2a_messages_request_check (JsonObject *request)
{
  g_autoptr(JsonObject) chat = NULL;
  I2aApiError *error = NULL;

  chat = i2a_messages_request_to_chat (request, &error);
  return error;
}

GStrv
i2a_messages_request_dup_stop_sequences (JsonObject *request)
{
  JsonNode *stop = member (request, "stop_sequences");
  g_autoptr(GStrvBuilder) builder = NULL;

  if (stop == NULL || !JSON_NODE_HOLDS_ARRAY (stop))
    return NULL;
  builder = g_strv_builder_new ();
  for (guint i = 0; i < json_array_get_length (json_node_get_array (stop)); i++)
    {
      JsonNode *item = json_array_get_element (json_node_get_array (stop), i);

      if (i2a_json_node_is_string (item))
        g_strv_builder_add (builder, json_node_get_string (item));
    }
  return g_strv_builder_end (builder);
}
