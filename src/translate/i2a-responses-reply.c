/* i2a-responses-reply.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-responses-reply.c: chat answer -> Responses answer (object and
 * event stream). */
#define G_LOG_DOMAIN "i2a-responses"

#include "config.h"

#include <string.h>

#include "i2a-json.h"
#include "i2a-responses-reply.h"
#include "i2a-responses-request.h"

typedef enum
{
  ITEM_MESSAGE,
  ITEM_REASONING,
  ITEM_CALL,
} ItemKind;

typedef struct
{
  ItemKind  kind;
  guint     output_index;
  char     *id;
  GString  *text;         /* message text, reasoning summary or call arguments */
  char     *call_id;
  char     *name;
  gboolean  custom;       /* a custom (freeform) tool: input, not arguments */
  gint64    chat_index;   /* the upstream's tool_calls[].index */
  gboolean  done;
} Item;

struct _I2aResponsesReply
{
  JsonObject *request;
  char       *id;
  gint64      created_at;
  guint64     sequence;
  guint       counter;      /* for item ids */
  gboolean    started;      /* response.created went out */
  gboolean    finished;     /* the last event went out */
  GPtrArray  *items;        /* Item *, in output order */
  Item       *text_item;    /* the open message or reasoning item */
  char       *finish_reason;
  JsonObject *usage;        /* the upstream's chat usage */
  JsonObject *response;     /* the final response object */
};

static void
item_free (Item *item)
{
  g_free (item->id);
  g_string_free (item->text, TRUE);
  g_free (item->call_id);
  g_free (item->name);
  g_free (item);
}

I2aResponsesReply *
i2a_responses_reply_new (JsonObject *request,
                         const char *id,
                         gint64      created_at)
{
  I2aResponsesReply *self = g_new0 (I2aResponsesReply, 1);

  self->request = json_object_ref (request);
  self->id = g_strdup (id);
  self->created_at = created_at;
  self->items = g_ptr_array_new_with_free_func ((GDestroyNotify) item_free);
  return self;
}

void
i2a_responses_reply_free (I2aResponsesReply *self)
{
  if (self == NULL)
    return;
  json_object_unref (self->request);
  g_free (self->id);
  g_ptr_array_unref (self->items);
  g_free (self->finish_reason);
  g_clear_pointer (&self->usage, json_object_unref);
  g_clear_pointer (&self->response, json_object_unref);
  g_free (self);
}

JsonObject *
i2a_responses_reply_get_response (I2aResponsesReply *self)
{
  return self->response;
}

/* ---- JSON snapshots ----------------------------------------------------- */

static const char *
get_string (JsonObject *obj,
            const char *name)
{
  JsonNode *node = obj ? json_object_get_member (obj, name) : NULL;

  if (node && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return json_node_get_string (node);
  return NULL;
}

static gint64
get_int (JsonObject *obj,
         const char *name)
{
  JsonNode *node = obj ? json_object_get_member (obj, name) : NULL;

  if (node && JSON_NODE_HOLDS_VALUE (node) &&
      (json_node_get_value_type (node) == G_TYPE_INT64 || json_node_get_value_type (node) == G_TYPE_DOUBLE))
    return json_node_get_int (node);
  return 0;
}

static JsonObject *
get_object (JsonObject *obj,
            const char *name)
{
  JsonNode *node = obj ? json_object_get_member (obj, name) : NULL;

  return node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* The client's value of @name, or @fallback (owned) when it sent none. */
/* json_node_init_array () would take a reference of its own on a new
 * array, which then leaks. */
static JsonNode *
empty_array_node (void)
{
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  json_node_take_array (node, json_array_new ());
  return node;
}

static void
echo_member (I2aResponsesReply *self,
             JsonObject        *response,
             const char        *name,
             JsonNode          *fallback)
{
  JsonNode *node = json_object_get_member (self->request, name);

  if (node != NULL)
    {
      json_object_set_member (response, name, json_node_copy (node));
      if (fallback)
        json_node_unref (fallback);
    }
  else
    json_object_set_member (response, name, fallback ? fallback : json_node_new (JSON_NODE_NULL));
}

static JsonObject *
text_part (const char *type,
           const char *text)
{
  JsonObject *part = json_object_new ();

  json_object_set_string_member (part, "type", type);
  json_object_set_string_member (part, "text", text);
  if (g_str_equal (type, "output_text"))
    {
      json_object_set_array_member (part, "annotations", json_array_new ());
      json_object_set_array_member (part, "logprobs", json_array_new ());
    }
  return part;
}

/* The custom tool's raw input from the function arguments {"input": …};
 * arguments that are not that object go through as they are. */
static char *
custom_input (const char *arguments)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  const char *input;

  if (json_parser_load_from_data (parser, arguments, -1, NULL) &&
      (root = json_parser_get_root (parser)) != NULL && JSON_NODE_HOLDS_OBJECT (root) &&
      (input = get_string (json_node_get_object (root), I2A_RESPONSES_CUSTOM_INPUT)) != NULL)
    return g_strdup (input);
  return g_strdup (arguments);
}

static JsonObject *
item_json (Item *item)
{
  JsonObject *obj = json_object_new ();
  const char *status = item->done ? "completed" : "in_progress";

  json_object_set_string_member (obj, "id", item->id);
  switch (item->kind)
    {
    case ITEM_MESSAGE:
      {
        JsonArray *content = json_array_new ();

        json_object_set_string_member (obj, "type", "message");
        json_object_set_string_member (obj, "status", status);
        json_object_set_string_member (obj, "role", "assistant");
        if (item->done)
          json_array_add_object_element (content, text_part ("output_text", item->text->str));
        json_object_set_array_member (obj, "content", content);
      }
      break;
    case ITEM_REASONING:
      {
        JsonArray *summary = json_array_new ();

        json_object_set_string_member (obj, "type", "reasoning");
        if (item->done)
          json_array_add_object_element (summary, text_part ("summary_text", item->text->str));
        json_object_set_array_member (obj, "summary", summary);
      }
      break;
    case ITEM_CALL:
      json_object_set_string_member (obj, "type", item->custom ? "custom_tool_call" : "function_call");
      json_object_set_string_member (obj, "status", status);
      json_object_set_string_member (obj, "call_id", item->call_id);
      json_object_set_string_member (obj, "name", item->name ? item->name : "");
      if (item->custom)
        {
          g_autofree char *input = item->done ? custom_input (item->text->str) : g_strdup ("");

          json_object_set_string_member (obj, "input", input);
        }
      else
        json_object_set_string_member (obj, "arguments", item->done ? item->text->str : "");
      break;
    }
  return obj;
}

static JsonObject *
usage_json (JsonObject *chat_usage)
{
  JsonObject *usage = json_object_new ();
  JsonObject *in = json_object_new ();
  JsonObject *out = json_object_new ();
  gint64 input = get_int (chat_usage, "prompt_tokens");
  gint64 output = get_int (chat_usage, "completion_tokens");
  gint64 total = get_int (chat_usage, "total_tokens");

  json_object_set_int_member (usage, "input_tokens", input);
  json_object_set_int_member (in, "cached_tokens", get_int (get_object (chat_usage, "prompt_tokens_details"), "cached_tokens"));
  json_object_set_object_member (usage, "input_tokens_details", in);
  json_object_set_int_member (usage, "output_tokens", output);
  json_object_set_int_member (out, "reasoning_tokens",
                              get_int (get_object (chat_usage, "completion_tokens_details"), "reasoning_tokens"));
  json_object_set_object_member (usage, "output_tokens_details", out);
  json_object_set_int_member (usage, "total_tokens", total > 0 ? total : input + output);
  return usage;
}

/* The response object as it stands; @status "in_progress", "completed",
 * "incomplete" or "failed". */
static JsonObject *
response_json (I2aResponsesReply *self,
               const char        *status,
               const I2aApiError *error)
{
  JsonObject *response = json_object_new ();
  JsonArray *output = json_array_new ();
  JsonObject *text;

  json_object_set_string_member (response, "id", self->id);
  json_object_set_string_member (response, "object", "response");
  json_object_set_int_member (response, "created_at", self->created_at);
  json_object_set_string_member (response, "status", status);
  if (error != NULL)
    {
      JsonObject *err = json_object_new ();

      json_object_set_string_member (err, "code", error->code ? error->code : error->type ? error->type : "server_error");
      json_object_set_string_member (err, "message", error->message ? error->message : "");
      json_object_set_object_member (response, "error", err);
    }
  else
    json_object_set_null_member (response, "error");
  if (g_str_equal (status, "incomplete"))
    {
      JsonObject *details = json_object_new ();

      json_object_set_string_member (details, "reason",
                                     g_strcmp0 (self->finish_reason, "content_filter") == 0
                                     ? "content_filter" : "max_output_tokens");
      json_object_set_object_member (response, "incomplete_details", details);
    }
  else
    json_object_set_null_member (response, "incomplete_details");
  echo_member (self, response, "instructions", NULL);
  echo_member (self, response, "max_output_tokens", NULL);
  echo_member (self, response, "model", NULL);
  for (guint i = 0; i < self->items->len; i++)
    json_array_add_object_element (output, item_json (self->items->pdata[i]));
  json_object_set_array_member (response, "output", output);
  echo_member (self, response, "parallel_tool_calls", json_node_init_boolean (json_node_alloc (), TRUE));
  echo_member (self, response, "previous_response_id", NULL);
  echo_member (self, response, "reasoning", NULL);
  echo_member (self, response, "store", json_node_init_boolean (json_node_alloc (), TRUE));
  echo_member (self, response, "temperature", NULL);
  if (get_object (self->request, "text") == NULL)
    {
      JsonObject *format = json_object_new ();

      text = json_object_new ();
      json_object_set_string_member (format, "type", "text");
      json_object_set_object_member (text, "format", format);
      json_object_set_object_member (response, "text", text);
    }
  else
    echo_member (self, response, "text", NULL);
  echo_member (self, response, "tool_choice", json_node_init_string (json_node_alloc (), "auto"));
  echo_member (self, response, "tools", empty_array_node ());
  echo_member (self, response, "top_p", NULL);
  json_object_set_string_member (response, "truncation", "disabled");
  if (g_str_equal (status, "in_progress"))
    json_object_set_null_member (response, "usage");
  else
    json_object_set_object_member (response, "usage", usage_json (self->usage));
  echo_member (self, response, "metadata", i2a_json_node_new_object ());
  return response;
}

/* ---- events ------------------------------------------------------------- */

static JsonObject *
event_new (const char *type)
{
  JsonObject *event = json_object_new ();

  json_object_set_string_member (event, "type", type);
  return event;
}

/* "event: TYPE\ndata: {…,"sequence_number":N}\n\n"; takes @event. */
static void
emit (I2aResponsesReply *self,
      GString           *out,
      JsonObject        *event)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_object_set_int_member (event, "sequence_number", (gint64) self->sequence++);
  json_node_take_object (node, event);
  json_generator_set_root (generator, node);
  g_string_append (out, "event: ");
  g_string_append (out, get_string (event, "type"));
  g_string_append (out, "\ndata: ");
  json_generator_to_gstring (generator, out);
  g_string_append (out, "\n\n");
}

static void
emit_response (I2aResponsesReply *self,
               GString           *out,
               const char        *type,
               JsonObject        *response)
{
  JsonObject *event = event_new (type);

  json_object_set_object_member (event, "response", response);
  emit (self, out, event);
}

static void
start (I2aResponsesReply *self,
       GString           *out)
{
  if (self->started)
    return;
  self->started = TRUE;
  emit_response (self, out, "response.created", response_json (self, "in_progress", NULL));
  emit_response (self, out, "response.in_progress", response_json (self, "in_progress", NULL));
}

static JsonObject *
item_event (const char *type,
            Item       *item)
{
  JsonObject *event = event_new (type);

  json_object_set_string_member (event, "item_id", item->id);
  json_object_set_int_member (event, "output_index", item->output_index);
  return event;
}

/* "PREFIX_<response id without resp_>_N": unique per response, and
 * across responses through the response id. */
static char *
new_id (I2aResponsesReply *self,
        const char        *prefix)
{
  return g_strdup_printf ("%s_%s_%u", prefix,
                          g_str_has_prefix (self->id, "resp_") ? self->id + 5 : self->id, self->counter++);
}

/* A new item; for a call, @call (the upstream's tool call) gives its
 * index, id and name, which output_item.added already shows. */
static Item *
open_item (I2aResponsesReply *self,
           GString           *out,
           ItemKind           kind,
           gint64             chat_index,
           const char        *call_id,
           const char        *name)
{
  static const char * const prefixes[] = { "msg", "rs", "fc" };
  Item *item = g_new0 (Item, 1);
  JsonObject *event;

  item->kind = kind;
  item->output_index = self->items->len;
  item->text = g_string_new (NULL);
  item->id = new_id (self, prefixes[kind]);
  if (kind == ITEM_CALL)
    {
      item->chat_index = chat_index;
      item->name = g_strdup (name);
      item->call_id = call_id && *call_id ? g_strdup (call_id) : new_id (self, "call");
      item->custom = i2a_responses_is_custom_tool (self->request, name);
    }
  g_ptr_array_add (self->items, item);
  if (out == NULL)
    return item;

  event = event_new ("response.output_item.added");
  json_object_set_int_member (event, "output_index", item->output_index);
  json_object_set_object_member (event, "item", item_json (item));
  emit (self, out, event);
  if (kind == ITEM_MESSAGE)
    {
      event = item_event ("response.content_part.added", item);
      json_object_set_int_member (event, "content_index", 0);
      json_object_set_object_member (event, "part", text_part ("output_text", ""));
      emit (self, out, event);
    }
  else if (kind == ITEM_REASONING)
    {
      event = item_event ("response.reasoning_summary_part.added", item);
      json_object_set_int_member (event, "summary_index", 0);
      json_object_set_object_member (event, "part", text_part ("summary_text", ""));
      emit (self, out, event);
    }
  return item;
}

static void
close_item (I2aResponsesReply *self,
            GString           *out,
            Item              *item)
{
  JsonObject *event;

  if (item->done)
    return;
  item->done = TRUE;
  if (self->text_item == item)
    self->text_item = NULL;
  if (out == NULL)
    return;
  if (item->kind == ITEM_MESSAGE)
    {
      event = item_event ("response.output_text.done", item);
      json_object_set_int_member (event, "content_index", 0);
      json_object_set_string_member (event, "text", item->text->str);
      json_object_set_array_member (event, "logprobs", json_array_new ());
      emit (self, out, event);
      event = item_event ("response.content_part.done", item);
      json_object_set_int_member (event, "content_index", 0);
      json_object_set_object_member (event, "part", text_part ("output_text", item->text->str));
      emit (self, out, event);
    }
  else if (item->kind == ITEM_REASONING)
    {
      event = item_event ("response.reasoning_summary_text.done", item);
      json_object_set_int_member (event, "summary_index", 0);
      json_object_set_string_member (event, "text", item->text->str);
      emit (self, out, event);
      event = item_event ("response.reasoning_summary_part.done", item);
      json_object_set_int_member (event, "summary_index", 0);
      json_object_set_object_member (event, "part", text_part ("summary_text", item->text->str));
      emit (self, out, event);
    }
  else if (item->custom)
    {
      /* The raw input is only known once the arguments object is whole. */
      g_autofree char *input = custom_input (item->text->str);

      event = item_event ("response.custom_tool_call_input.delta", item);
      json_object_set_string_member (event, "delta", input);
      emit (self, out, event);
      event = item_event ("response.custom_tool_call_input.done", item);
      json_object_set_string_member (event, "input", input);
      emit (self, out, event);
    }
  else
    {
      event = item_event ("response.function_call_arguments.done", item);
      json_object_set_string_member (event, "arguments", item->text->str);
      emit (self, out, event);
    }
  event = event_new ("response.output_item.done");
  json_object_set_int_member (event, "output_index", item->output_index);
  json_object_set_object_member (event, "item", item_json (item));
  emit (self, out, event);
}

static void
close_all (I2aResponsesReply *self,
           GString           *out)
{
  for (guint i = 0; i < self->items->len; i++)
    close_item (self, out, self->items->pdata[i]);
}

/* Text for the message or reasoning item, opening it when needed. */
static void
add_text (I2aResponsesReply *self,
          GString           *out,
          ItemKind           kind,
          const char        *text)
{
  Item *item = self->text_item;
  JsonObject *event;

  if (text == NULL || *text == '\0')
    return;
  if (item == NULL || item->kind != kind)
    {
      if (item != NULL)
        close_item (self, out, item);
      item = self->text_item = open_item (self, out, kind, 0, NULL, NULL);
    }
  g_string_append (item->text, text);
  if (out == NULL)
    return;
  if (kind == ITEM_MESSAGE)
    {
      event = item_event ("response.output_text.delta", item);
      json_object_set_int_member (event, "content_index", 0);
      json_object_set_string_member (event, "delta", text);
      json_object_set_array_member (event, "logprobs", json_array_new ());
    }
  else
    {
      event = item_event ("response.reasoning_summary_text.delta", item);
      json_object_set_int_member (event, "summary_index", 0);
      json_object_set_string_member (event, "delta", text);
    }
  emit (self, out, event);
}

static Item *
find_call (I2aResponsesReply *self,
           gint64             chat_index)
{
  /* The newest: an index may come again after its call was closed. */
  for (guint i = self->items->len; i-- > 0;)
    {
      Item *item = self->items->pdata[i];

      if (item->kind == ITEM_CALL && item->chat_index == chat_index)
        return item;
    }
  return NULL;
}

static void
add_tool_calls (I2aResponsesReply *self,
                GString           *out,
                JsonArray         *calls)
{
  for (guint i = 0; i < json_array_get_length (calls); i++)
    {
      JsonNode *node = json_array_get_element (calls, i);
      JsonObject *call, *function;
      JsonNode *index;
      const char *arguments;
      gint64 chat_index = i;
      Item *item;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      call = json_node_get_object (node);
      function = get_object (call, "function");
      index = json_object_get_member (call, "index");
      if (index != NULL && JSON_NODE_HOLDS_VALUE (index) && json_node_get_value_type (index) == G_TYPE_INT64)
        chat_index = json_node_get_int (index);
      item = find_call (self, chat_index);
      if (item == NULL || item->done)
        {
          const char *name = get_string (function, "name");
          const char *id = get_string (call, "id");

          if (self->text_item != NULL)
            close_item (self, out, self->text_item);
          item = open_item (self, out, ITEM_CALL, chat_index, id, name);
        }
      else if (item->name == NULL && get_string (function, "name") != NULL)
        {
          item->name = g_strdup (get_string (function, "name"));
          item->custom = i2a_responses_is_custom_tool (self->request, item->name);
        }
      arguments = get_string (function, "arguments");
      if (arguments == NULL || *arguments == '\0')
        continue;
      g_string_append (item->text, arguments);
      if (out != NULL && !item->custom)
        {
          JsonObject *event = item_event ("response.function_call_arguments.delta", item);

          json_object_set_string_member (event, "delta", arguments);
          emit (self, out, event);
        }
    }
}

/* One choice's delta (streaming) or message (not). */
static void
add_choice (I2aResponsesReply *self,
            GString           *out,
            JsonObject        *choice,
            const char        *member)
{
  JsonObject *delta = get_object (choice, member);
  JsonNode *calls;

  if (get_string (choice, "finish_reason") != NULL)
    {
      g_free (self->finish_reason);
      self->finish_reason = g_strdup (get_string (choice, "finish_reason"));
    }
  if (delta == NULL)
    return;
  add_text (self, out, ITEM_REASONING, get_string (delta, "reasoning_content"));
  add_text (self, out, ITEM_MESSAGE, get_string (delta, "content"));
  calls = json_object_get_member (delta, "tool_calls");
  if (calls != NULL && JSON_NODE_HOLDS_ARRAY (calls))
    add_tool_calls (self, out, json_node_get_array (calls));
}

static void
take_usage (I2aResponsesReply *self,
            JsonObject        *chunk)
{
  JsonObject *usage = get_object (chunk, "usage");

  if (usage == NULL)
    return;
  g_clear_pointer (&self->usage, json_object_unref);
  self->usage = json_object_ref (usage);
}

static JsonObject *
first_choice (JsonObject *chunk)
{
  JsonNode *choices = json_object_get_member (chunk, "choices");
  JsonNode *first;

  if (choices == NULL || !JSON_NODE_HOLDS_ARRAY (choices) ||
      json_array_get_length (json_node_get_array (choices)) == 0)
    return NULL;
  first = json_array_get_element (json_node_get_array (choices), 0);
  return JSON_NODE_HOLDS_OBJECT (first) ? json_node_get_object (first) : NULL;
}

void
i2a_responses_reply_stream_event (I2aResponsesReply *self,
                                  const char        *data,
                                  gsize              len,
                                  GString           *out)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonNode *root;
  JsonObject *chunk, *choice;

  if (self->finished)
    return;
  start (self, out);
  if (len == strlen ("[DONE]") && memcmp (data, "[DONE]", len) == 0)
    return;
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, len, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_debug ("Skipping an upstream event that is not a JSON object");
      return;
    }
  chunk = json_node_get_object (root);
  take_usage (self, chunk);
  if ((choice = first_choice (chunk)) != NULL)
    add_choice (self, out, choice, "delta");
}

static const char *
final_status (I2aResponsesReply *self)
{
  if (g_strcmp0 (self->finish_reason, "length") == 0 ||
      g_strcmp0 (self->finish_reason, "content_filter") == 0)
    return "incomplete";
  return "completed";
}

void
i2a_responses_reply_stream_end (I2aResponsesReply *self,
                                GString           *out)
{
  const char *status;

  if (self->finished)
    return;
  start (self, out);
  close_all (self, out);
  status = final_status (self);
  g_clear_pointer (&self->response, json_object_unref);
  self->response = response_json (self, status, NULL);
  self->finished = TRUE;
  emit_response (self, out, g_str_equal (status, "incomplete") ? "response.incomplete" : "response.completed",
                 json_object_ref (self->response));
}

void
i2a_responses_reply_stream_error (I2aResponsesReply *self,
                                  const I2aApiError *error,
                                  GString           *out)
{
  if (self->finished)
    return;
  start (self, out);
  g_clear_pointer (&self->response, json_object_unref);
  self->response = response_json (self, "failed", error);
  self->finished = TRUE;
  emit_response (self, out, "response.failed", json_object_ref (self->response));
}

GBytes *
i2a_responses_reply_translate (I2aResponsesReply  *self,
                               GBytes             *chat_body,
                               I2aApiError       **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  gsize len = 0;
  const char *data = g_bytes_get_data (chat_body, &len);
  JsonNode *root;
  JsonObject *chunk, *choice;
  char *text;

  /* An empty body has no data pointer, which the parser refuses loudly. */
  if (!json_parser_load_from_data (parser, data ? data : "", len, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      (choice = first_choice (chunk = json_node_get_object (root))) == NULL)
    {
      *error = i2a_api_error_new (502, "api_error", "bad_upstream_response",
                                  "The upstream's answer is not a chat completion");
      return NULL;
    }
  take_usage (self, chunk);
  add_choice (self, NULL, choice, "message");
  close_all (self, NULL);
  g_clear_pointer (&self->response, json_object_unref);
  self->response = response_json (self, final_status (self), NULL);
  self->finished = TRUE;
  json_node_set_object (node, self->response);
  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, &len);
  return g_bytes_new_take (text, len);
}
