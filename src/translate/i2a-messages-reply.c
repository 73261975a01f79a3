/* i2a-messages-reply.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Chat completions answer -> Anthropic Messages answer. */
#define G_LOG_DOMAIN "i2a-messages-reply"

#include "config.h"

#include <string.h>

#include "i2a-json.h"
#include "i2a-messages-reply.h"

typedef enum { BLOCK_NONE, BLOCK_THINKING, BLOCK_TEXT, BLOCK_TOOL } BlockKind;

typedef struct
{
  gint64   upstream_index;
  char    *id;
  char    *name;
  GString *args;
  gboolean opened;
  gboolean closed;
} Tool;

struct _I2aMessagesReply
{
  char      *model;
  char      *id;
  GStrv      stops;
  gint64     input_estimate;

  gboolean   started;       /* message_start went out */
  gboolean   ended;         /* message_stop (or an error event) went out */
  BlockKind  open_kind;
  guint      open_index;
  Tool      *open_tool;
  guint      next_index;
  GPtrArray *tools;         /* Tool *, in order of appearance */
  gboolean   any_tool_block;

  char      *finish_reason;
  char      *matched_stop;
  gboolean   have_usage;
  gint64     prompt_tokens;
  gint64     completion_tokens;
  gint64     cached_tokens;
};

static void
tool_free (gpointer data)
{
  Tool *tool = data;

  g_free (tool->id);
  g_free (tool->name);
  g_string_free (tool->args, TRUE);
  g_free (tool);
}

I2aMessagesReply *
i2a_messages_reply_new (const char         *model,
                        const char * const *stop_sequences,
                        gint64              input_estimate)
{
  I2aMessagesReply *self = g_new0 (I2aMessagesReply, 1);
  g_autofree char *uuid = g_uuid_string_random ();
  GString *id = g_string_new ("msg_");

  for (const char *p = uuid; *p; p++)
    if (*p != '-')
      g_string_append_c (id, *p);
  self->id = g_string_free (id, FALSE);
  self->model = g_strdup (model ? model : "");
  self->stops = g_strdupv ((char **) stop_sequences);
  self->input_estimate = input_estimate;
  self->tools = g_ptr_array_new_with_free_func (tool_free);
  return self;
}

void
i2a_messages_reply_free (I2aMessagesReply *self)
{
  if (self == NULL)
    return;
  g_free (self->model);
  g_free (self->id);
  g_strfreev (self->stops);
  g_ptr_array_unref (self->tools);
  g_free (self->finish_reason);
  g_free (self->matched_stop);
  g_free (self);
}

/* ---- errors ------------------------------------------------------------- */

const char *
i2a_messages_error_type (const I2aApiError *error)
{
  switch (error->http_status)
    {
    case 401: return "authentication_error";
    case 403: return "permission_error";
    case 404: return "not_found_error";
    case 429: return "rate_limit_error";
    case 503: case 529: return "overloaded_error";
    default: return error->http_status >= 500 ? "api_error" : "invalid_request_error";
    }
}

static JsonNode *
error_node (const I2aApiError *error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "error");
  json_builder_set_member_name (b, "error");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, i2a_messages_error_type (error));
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, error->message ? error->message : "");
  json_builder_end_object (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

char *
i2a_messages_error_json (const I2aApiError *error)
{
  g_autoptr(JsonNode) node = error_node (error);

  return json_to_string (node, FALSE);
}

/* ---- events ------------------------------------------------------------- */

static void
emit (GString    *out,
      const char *name,
      JsonNode   *data)
{
  g_autofree char *json = json_to_string (data, FALSE);

  /* Whatever bytes an upstream string held, the client gets UTF-8. */
  if (!g_utf8_validate (json, -1, NULL))
    {
      char *valid = g_utf8_make_valid (json, -1);

      g_free (json);
      json = valid;
    }
  g_string_append_printf (out, "event: %s\ndata: %s\n\n", name, json);
}

static void
emit_builder (GString     *out,
              const char  *name,
              JsonBuilder *b)
{
  g_autoptr(JsonNode) node = json_builder_get_root (b);

  emit (out, name, node);
}

static void
add_string (JsonBuilder *b,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (b, name);
  if (value)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
add_int (JsonBuilder *b,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

static void
add_usage (I2aMessagesReply *self,
           JsonBuilder      *b,
           gboolean          final)
{
  json_builder_set_member_name (b, "usage");
  json_builder_begin_object (b);
  if (self->have_usage)
    {
      add_int (b, "input_tokens", MAX (0, self->prompt_tokens - self->cached_tokens));
      add_int (b, "output_tokens", self->completion_tokens);
      add_int (b, "cache_read_input_tokens", self->cached_tokens);
    }
  else
    {
      add_int (b, "input_tokens", self->input_estimate);
      add_int (b, "output_tokens", final ? self->completion_tokens : 0);
    }
  json_builder_end_object (b);
}

static void
ensure_started (I2aMessagesReply *self,
                GString          *out)
{
  g_autoptr(JsonBuilder) b = NULL;

  if (self->started)
    return;
  self->started = TRUE;
  b = json_builder_new ();
  json_builder_begin_object (b);
  add_string (b, "type", "message_start");
  json_builder_set_member_name (b, "message");
  json_builder_begin_object (b);
  add_string (b, "id", self->id);
  add_string (b, "type", "message");
  add_string (b, "role", "assistant");
  add_string (b, "model", self->model);
  json_builder_set_member_name (b, "content");
  json_builder_begin_array (b);
  json_builder_end_array (b);
  add_string (b, "stop_reason", NULL);
  add_string (b, "stop_sequence", NULL);
  add_usage (self, b, FALSE);
  json_builder_end_object (b);
  json_builder_end_object (b);
  emit_builder (out, "message_start", b);
}

static void
close_block (I2aMessagesReply *self,
             GString          *out)
{
  g_autoptr(JsonBuilder) b = NULL;

  if (self->open_kind == BLOCK_NONE)
    return;
  if (self->open_kind == BLOCK_TOOL && self->open_tool)
    self->open_tool->closed = TRUE;
  b = json_builder_new ();
  json_builder_begin_object (b);
  add_string (b, "type", "content_block_stop");
  add_int (b, "index", self->open_index);
  json_builder_end_object (b);
  emit_builder (out, "content_block_stop", b);
  self->open_kind = BLOCK_NONE;
  self->open_tool = NULL;
}

static void
open_block (I2aMessagesReply *self,
            BlockKind         kind,
            Tool             *tool,
            GString          *out)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  close_block (self, out);
  self->open_kind = kind;
  self->open_index = self->next_index++;
  self->open_tool = tool;
  json_builder_begin_object (b);
  add_string (b, "type", "content_block_start");
  add_int (b, "index", self->open_index);
  json_builder_set_member_name (b, "content_block");
  json_builder_begin_object (b);
  switch (kind)
    {
    case BLOCK_THINKING:
      add_string (b, "type", "thinking");
      add_string (b, "thinking", "");
      /* Only Anthropic can sign thinking: never a made-up signature. */
      add_string (b, "signature", "");
      break;
    case BLOCK_TEXT:
      add_string (b, "type", "text");
      add_string (b, "text", "");
      break;
    case BLOCK_TOOL:
    case BLOCK_NONE:
    default:
      add_string (b, "type", "tool_use");
      add_string (b, "id", tool->id);
      add_string (b, "name", tool->name);
      json_builder_set_member_name (b, "input");
      json_builder_begin_object (b);
      json_builder_end_object (b);
      tool->opened = TRUE;
      self->any_tool_block = TRUE;
      break;
    }
  json_builder_end_object (b);
  json_builder_end_object (b);
  emit_builder (out, "content_block_start", b);
}

static void
emit_delta (I2aMessagesReply *self,
            const char       *delta_type,
            const char       *field,
            const char       *text,
            gssize            len,
            GString          *out)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *piece = len < 0 ? g_strdup (text) : g_strndup (text, len);

  json_builder_begin_object (b);
  add_string (b, "type", "content_block_delta");
  add_int (b, "index", self->open_index);
  json_builder_set_member_name (b, "delta");
  json_builder_begin_object (b);
  add_string (b, "type", delta_type);
  add_string (b, field, piece);
  json_builder_end_object (b);
  json_builder_end_object (b);
  emit_builder (out, "content_block_delta", b);
}

static void
add_text (I2aMessagesReply *self,
          BlockKind         kind,
          const char       *text,
          GString          *out)
{
  if (text == NULL || *text == '\0')
    return;
  if (self->open_kind != kind)
    open_block (self, kind, NULL, out);
  if (kind == BLOCK_THINKING)
    emit_delta (self, "thinking_delta", "thinking", text, -1, out);
  else
    emit_delta (self, "text_delta", "text", text, -1, out);
}

/* ---- tools -------------------------------------------------------------- */

static JsonObject *
object_or_null (JsonObject *object,
                const char *name)
{
  JsonNode *node = object ? json_object_get_member (object, name) : NULL;

  return node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static const char *
string_or_null (JsonObject *object,
                const char *name)
{
  JsonNode *node = object ? json_object_get_member (object, name) : NULL;

  return node && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
         ? json_node_get_string (node) : NULL;
}


static gboolean
is_json_object (const char *text,
                gsize       len)
{
  g_autoptr(JsonObject) object = i2a_json_parse_object (text, len);

  return object != NULL;
}

static Tool *
find_tool (I2aMessagesReply *self,
           gint64            index)
{
  for (guint i = 0; i < self->tools->len; i++)
    {
      Tool *tool = self->tools->pdata[i];

      if (tool->upstream_index == index)
        return tool;
    }
  return NULL;
}

/* Opens @tool's block and sends what its arguments hold so far. */
static void
open_tool (I2aMessagesReply *self,
           Tool             *tool,
           GString          *out)
{
  if (tool->id == NULL)
    tool->id = g_strdup_printf ("toolu_%s_%u", self->id + 4, self->tools->len);
  if (tool->name == NULL)
    tool->name = g_strdup ("");
  open_block (self, BLOCK_TOOL, tool, out);
  if (tool->args->len > 0)
    emit_delta (self, "input_json_delta", "partial_json", tool->args->str, tool->args->len, out);
}

static void
add_tool_piece (I2aMessagesReply *self,
                JsonObject       *call,
                guint             position,
                GString          *out)
{
  gint64 index = i2a_json_int_member (call, "index", position);
  JsonObject *function = object_or_null (call, "function");
  const char *id = json_object_get_string_member_with_default (call, "id", NULL);
  const char *name = function ? json_object_get_string_member_with_default (function, "name", NULL) : NULL;
  const char *args = function ? json_object_get_string_member_with_default (function, "arguments", NULL) : NULL;
  Tool *tool = find_tool (self, index);

  if (tool == NULL)
    {
      tool = g_new0 (Tool, 1);
      tool->upstream_index = index;
      tool->args = g_string_new (NULL);
      g_ptr_array_add (self->tools, tool);
    }
  if (id && *id && tool->id == NULL)
    tool->id = g_strdup (id);
  if (name && *name && tool->name == NULL)
    tool->name = g_strdup (name);
  if (args == NULL || *args == '\0')
    return;
  /* Some upstreams repeat the whole arguments in the last chunk after
   * streaming them: a second complete object is not more input. */
  if (tool->args->len > 0 && args[0] == '{' &&
      is_json_object (tool->args->str, tool->args->len) && is_json_object (args, strlen (args)))
    return;
  if (tool->closed)
    {
      g_warning ("Tool call %s got arguments after its block closed (interleaved tool calls); "
                 "they are lost", tool->id);
      return;
    }
  g_string_append (tool->args, args);
  if (!tool->opened)
    open_tool (self, tool, out);
  else if (self->open_tool == tool)
    emit_delta (self, "input_json_delta", "partial_json", args, -1, out);
}

/* ---- chunks ------------------------------------------------------------- */

static void
read_usage (I2aMessagesReply *self,
            JsonObject       *usage)
{
  JsonObject *details;

  if (usage == NULL)
    return;
  self->have_usage = TRUE;
  self->prompt_tokens = i2a_json_int_member (usage, "prompt_tokens", 0);
  self->completion_tokens = i2a_json_int_member (usage, "completion_tokens", 0);
  details = object_or_null (usage, "prompt_tokens_details");
  self->cached_tokens = details ? i2a_json_int_member (details, "cached_tokens", 0) : 0;
  if (json_object_has_member (usage, "cache_read_input_tokens"))
    self->cached_tokens = i2a_json_int_member (usage, "cache_read_input_tokens", 0);
}

/* Which stop sequence ended the answer, when the upstream says so
 * (vLLM's "stop_reason", SGLang's "matched_stop"). */
static void
read_matched_stop (I2aMessagesReply *self,
                   JsonObject       *choice)
{
  const char *names[] = { "stop_reason", "matched_stop" };

  for (guint i = 0; i < G_N_ELEMENTS (names) && self->stops; i++)
    {
      const char *value = string_or_null (choice, names[i]);

      if (value && g_strv_contains ((const char * const *) self->stops, value))
        {
          g_free (self->matched_stop);
          self->matched_stop = g_strdup (value);
        }
    }
}

static void
read_choice (I2aMessagesReply *self,
             JsonObject       *choice,
             JsonObject       *delta,
             GString          *out)
{
  JsonNode *calls = delta ? json_object_get_member (delta, "tool_calls") : NULL;
  const char *finish = string_or_null (choice, "finish_reason");
  const char *reasoning = string_or_null (delta, "reasoning_content");

  if (reasoning == NULL)
    reasoning = string_or_null (delta, "reasoning");
  add_text (self, BLOCK_THINKING, reasoning, out);
  add_text (self, BLOCK_TEXT, string_or_null (delta, "content"), out);
  if (calls && JSON_NODE_HOLDS_ARRAY (calls))
    for (guint i = 0; i < json_array_get_length (json_node_get_array (calls)); i++)
      {
        JsonNode *call = json_array_get_element (json_node_get_array (calls), i);

        if (JSON_NODE_HOLDS_OBJECT (call))
          add_tool_piece (self, json_node_get_object (call), i, out);
      }
  if (finish && *finish)
    {
      g_free (self->finish_reason);
      self->finish_reason = g_strdup (finish);
    }
  read_matched_stop (self, choice);
}

/* An error object in place of a chunk ({"error":{...}} or iFlow's
 * {"status":"449","msg":...}). */
static I2aApiError *
chunk_error (JsonObject *chunk)
{
  JsonObject *error = object_or_null (chunk, "error");
  const char *status = string_or_null (chunk, "status");
  const char *message;

  if (json_object_has_member (chunk, "choices"))
    return NULL;
  if (error)
    {
      message = string_or_null (error, "message");
      return i2a_api_error_new (502, "api_error", NULL, "%s", message ? message : "upstream error");
    }
  if (status && (message = string_or_null (chunk, "msg")) != NULL)
    {
      guint code = (guint) g_ascii_strtoull (status, NULL, 10);

      return i2a_api_error_new (code == 429 || code == 449 ? 429 : 502, NULL, status, "%s", message);
    }
  return NULL;
}

static const char *
stop_reason (I2aMessagesReply *self)
{
  const char *finish = self->finish_reason;

  /* Tool blocks mean the client must run them, whatever the upstream
   * called its stop; a tool stop without a block would hang the agent. */
  if (self->any_tool_block)
    return "tool_use";
  if (g_strcmp0 (finish, "length") == 0)
    return "max_tokens";
  if (g_strcmp0 (finish, "content_filter") == 0)
    return "refusal";
  if (self->matched_stop)
    return "stop_sequence";
  return "end_turn";
}

static void
finish_stream (I2aMessagesReply *self,
               GString          *out)
{
  g_autoptr(JsonBuilder) b = NULL;

  if (self->ended)
    return;
  ensure_started (self, out);
  /* Tools whose arguments never came, or came only at the very end. */
  for (guint i = 0; i < self->tools->len; i++)
    {
      Tool *tool = self->tools->pdata[i];

      if (!tool->opened)
        open_tool (self, tool, out);
    }
  if (self->open_kind == BLOCK_TOOL && self->open_tool && self->open_tool->args->len == 0)
    emit_delta (self, "input_json_delta", "partial_json", "{}", -1, out);
  close_block (self, out);

  b = json_builder_new ();
  json_builder_begin_object (b);
  add_string (b, "type", "message_delta");
  json_builder_set_member_name (b, "delta");
  json_builder_begin_object (b);
  add_string (b, "stop_reason", stop_reason (self));
  add_string (b, "stop_sequence", g_str_equal (stop_reason (self), "stop_sequence") ? self->matched_stop : NULL);
  json_builder_end_object (b);
  add_usage (self, b, TRUE);
  json_builder_end_object (b);
  emit_builder (out, "message_delta", b);
  g_string_append (out, "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
  self->ended = TRUE;
}

void
i2a_messages_reply_event (I2aMessagesReply *self,
                          const char       *data,
                          gsize             len,
                          GString          *out)
{
  g_autoptr(JsonObject) chunk = NULL;
  g_autoptr(I2aApiError) error = NULL;
  JsonNode *choices;

  if (self->ended)
    return;
  if (len == 6 && memcmp (data, "[DONE]", 6) == 0)
    {
      finish_stream (self, out);
      return;
    }
  chunk = i2a_json_parse_object (data, len);
  if (chunk == NULL)
    {
      g_debug ("Ignoring an upstream event that is not a JSON object");
      return;
    }
  if ((error = chunk_error (chunk)) != NULL)
    {
      i2a_messages_reply_error (self, error, out);
      return;
    }
  ensure_started (self, out);
  read_usage (self, object_or_null (chunk, "usage"));
  choices = json_object_get_member (chunk, "choices");
  if (choices && JSON_NODE_HOLDS_ARRAY (choices) && json_array_get_length (json_node_get_array (choices)) > 0)
    {
      JsonNode *first = json_array_get_element (json_node_get_array (choices), 0);

      if (JSON_NODE_HOLDS_OBJECT (first))
        read_choice (self, json_node_get_object (first),
                     object_or_null (json_node_get_object (first), "delta"), out);
    }
}

void
i2a_messages_reply_end (I2aMessagesReply *self,
                        GString          *out)
{
  finish_stream (self, out);
}

void
i2a_messages_reply_error (I2aMessagesReply  *self,
                          const I2aApiError *error,
                          GString           *out)
{
  g_autoptr(JsonNode) node = NULL;

  if (self->ended)
    return;
  self->ended = TRUE;
  node = error_node (error);
  emit (out, "error", node);
}

/* ---- non-streaming ------------------------------------------------------ */

static void
add_block_text (JsonBuilder *b,
                const char  *type,
                const char  *field,
                const char  *text)
{
  json_builder_begin_object (b);
  add_string (b, "type", type);
  add_string (b, field, text);
  if (g_str_equal (type, "thinking"))
    add_string (b, "signature", "");
  json_builder_end_object (b);
}

GBytes *
i2a_messages_reply_body (I2aMessagesReply *self,
                         GBytes           *chat_body,
                         I2aApiError     **error)
{
  gsize size = 0;
  const char *data = g_bytes_get_data (chat_body, &size);
  g_autoptr(JsonObject) chat = i2a_json_parse_object (data, size);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  JsonNode *choices = chat ? json_object_get_member (chat, "choices") : NULL;
  JsonObject *choice = NULL, *message = NULL;
  JsonNode *calls;
  const char *text, *reasoning;
  char *json;

  if (choices && JSON_NODE_HOLDS_ARRAY (choices) && json_array_get_length (json_node_get_array (choices)) > 0 &&
      JSON_NODE_HOLDS_OBJECT (json_array_get_element (json_node_get_array (choices), 0)))
    choice = json_array_get_object_element (json_node_get_array (choices), 0);
  message = object_or_null (choice, "message");
  if (message == NULL)
    {
      *error = i2a_api_error_new (502, "api_error", "bad_upstream_response",
                                  "The upstream's answer is not a chat completion (no choices[0].message)");
      return NULL;
    }
  read_usage (self, object_or_null (chat, "usage"));
  g_free (self->finish_reason);
  self->finish_reason = g_strdup (string_or_null (choice, "finish_reason"));
  read_matched_stop (self, choice);

  json_builder_begin_object (b);
  add_string (b, "id", self->id);
  add_string (b, "type", "message");
  add_string (b, "role", "assistant");
  add_string (b, "model", self->model);
  json_builder_set_member_name (b, "content");
  json_builder_begin_array (b);
  reasoning = string_or_null (message, "reasoning_content");
  if (reasoning == NULL)
    reasoning = string_or_null (message, "reasoning");
  if (reasoning && *reasoning)
    add_block_text (b, "thinking", "thinking", reasoning);
  text = string_or_null (message, "content");
  if (text && *text)
    add_block_text (b, "text", "text", text);
  calls = json_object_get_member (message, "tool_calls");
  if (calls && JSON_NODE_HOLDS_ARRAY (calls))
    for (guint i = 0; i < json_array_get_length (json_node_get_array (calls)); i++)
      {
        JsonObject *call = json_array_get_object_element (json_node_get_array (calls), i);
        JsonObject *function = object_or_null (call, "function");
        const char *args = string_or_null (function, "arguments");
        const char *id = string_or_null (call, "id");
        g_autofree char *fallback_id = g_strdup_printf ("toolu_%s_%u", self->id + 4, i);
        g_autoptr(JsonParser) parser = json_parser_new ();

        if (function == NULL)
          continue;
        if (args == NULL || *args == '\0')
          args = "{}";
        if (!json_parser_load_from_data (parser, args, -1, NULL) ||
            !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
          {
            *error = i2a_api_error_new (502, "api_error", "bad_upstream_response",
                                        "The upstream's arguments for tool '%s' are not a JSON object",
                                        string_or_null (function, "name"));
            return NULL;
          }
        json_builder_begin_object (b);
        add_string (b, "type", "tool_use");
        add_string (b, "id", id && *id ? id : fallback_id);
        add_string (b, "name", string_or_null (function, "name") ?: "");
        json_builder_set_member_name (b, "input");
        json_builder_add_value (b, json_node_copy (json_parser_get_root (parser)));
        json_builder_end_object (b);
        self->any_tool_block = TRUE;
      }
  json_builder_end_array (b);
  add_string (b, "stop_reason", stop_reason (self));
  add_string (b, "stop_sequence", g_str_equal (stop_reason (self), "stop_sequence") ? self->matched_stop : NULL);
  add_usage (self, b, TRUE);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json = json_to_string (root, FALSE);
  if (!g_utf8_validate (json, -1, NULL))
    {
      char *valid = g_utf8_make_valid (json, -1);

      g_free (json);
      json = valid;
    }
  return g_bytes_new_take (json, strlen (json));
}
