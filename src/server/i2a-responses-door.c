/* i2a-responses-door.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The OpenAI Responses front door: Responses JSON in, the shared chat
 * request path (aliases, routing, failover, slots, breaker, counters) in
 * the middle, a response object or Responses events out, errors in
 * OpenAI's shape. Stored responses live in i2a-responses-store.h. The
 * translators are in src/translate/. */
#define G_LOG_DOMAIN "i2a-responses-door"

#include "config.h"

#include <string.h>

#include "i2a-body-work.h"
#include "i2a-chat-request.h"
#include "i2a-http.h"
#include "i2a-json-limits.h"
#include "i2a-models.h"
#include "i2a-responses-door.h"
#include "i2a-responses-reply.h"
#include "i2a-responses-request.h"
#include "i2a-responses-store.h"

/* ---- the store ---------------------------------------------------------- */

/* Where the request handler leaves the serialized conversation for the
 * store, in the request it hands on (never echoed: the reply copies only
 * the members it names). */
#define HISTORY_MEMBER "x-iflow2api-history"

/* As OpenAI's: stored unless the client says store: false (as Codex
 * does: it resends the whole conversation each turn). */
static gboolean
wants_store (JsonObject *request)
{
  JsonNode *store = json_object_get_member (request, "store");

  return store == NULL || !JSON_NODE_HOLDS_VALUE (store) ||
         json_node_get_value_type (store) != G_TYPE_BOOLEAN || json_node_get_boolean (store);
}

static void
apply_settings (GSettings *settings)
{
  i2a_responses_store_set_limits (i2a_responses_store_get_default (),
                                  (guint) MAX (g_settings_get_int (settings, "responses-store-count"), 0),
                                  (gsize) MAX (g_settings_get_int (settings, "responses-store-mb"), 0) * 1024 * 1024);
}

/* The process's store, sized by the app's settings when they are
 * installed (the desktop app and --headless share them), and resized when
 * they change. */
static I2aResponsesStore *
store (void)
{
  static gboolean configured;

  if (!configured)
    {
      GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
      g_autoptr(GSettingsSchema) schema = source ? g_settings_schema_source_lookup (source, APP_ID, TRUE) : NULL;

      configured = TRUE;
      if (schema != NULL && g_settings_schema_has_key (schema, "responses-store-count") &&
          g_settings_schema_has_key (schema, "responses-store-mb"))
        {
          /* Lives as long as the process, like the store. */
          GSettings *settings = g_settings_new_full (schema, NULL, NULL);

          apply_settings (settings);
          g_signal_connect (settings, "changed::responses-store-count", G_CALLBACK (apply_settings), NULL);
          g_signal_connect (settings, "changed::responses-store-mb", G_CALLBACK (apply_settings), NULL);
        }
    }
  return i2a_responses_store_get_default ();
}

/* ---- the door ----------------------------------------------------------- */

struct _I2aReply
{
  I2aResponsesReply *reply;
  GBytes            *history;   /* the conversation sent, serialized, for the store */
  gboolean           store;
};

static I2aReply *
responses_reply_new (JsonObject *client_request,
                     JsonObject *chat_request)
{
  I2aReply *self = g_new0 (I2aReply, 1);
  g_autofree char *uuid = g_uuid_string_random ();
  g_autoptr(GString) id = g_string_new ("resp_");
  JsonNode *history = json_object_get_member (client_request, HISTORY_MEMBER);

  /* resp_ and 32 hex digits, like OpenAI's ids. */
  for (const char *c = uuid; *c; c++)
    if (*c != '-')
      g_string_append_c (id, *c);
  self->reply = i2a_responses_reply_new (client_request, id->str, g_get_real_time () / G_USEC_PER_SEC);
  self->store = wants_store (client_request);
  /* The handler serialized the whole conversation (earlier turns too)
   * where it parsed the request, off the main loop for a big one: each
   * attempt makes a reply on the main loop, and a long conversation takes
   * a while to copy or write out. */
  if (self->store && history != NULL && JSON_NODE_HOLDS_VALUE (history) &&
      json_node_get_value_type (history) == G_TYPE_STRING)
    {
      const char *text = json_node_get_string (history);

      /* The bytes of the request's own string: no copy of a long
       * conversation per attempt. */
      self->history = g_bytes_new_with_free_func (text, strlen (text), (GDestroyNotify) json_object_unref,
                                                  json_object_ref (client_request));
    }
  return self;
}

static void
responses_reply_free (I2aReply *self)
{
  i2a_responses_reply_free (self->reply);
  g_clear_pointer (&self->history, g_bytes_unref);
  g_free (self);
}

static void
keep (I2aReply *self)
{
  JsonObject *response = i2a_responses_reply_get_response (self->reply);

  if (self->store && response != NULL)
    i2a_responses_store_put (store (), response, self->history);
}

static void
responses_stream_event (I2aReply   *self,
                        const char *data,
                        gsize       len,
                        GString    *out)
{
  i2a_responses_reply_stream_event (self->reply, data, len, out);
}

static void
responses_stream_end (I2aReply *self,
                      GString  *out)
{
  i2a_responses_reply_stream_end (self->reply, out);
  keep (self);
}

static void
responses_stream_error (I2aReply          *self,
                        const I2aApiError *error,
                        GString           *out)
{
  i2a_responses_reply_stream_error (self->reply, error, out);
}

static GBytes *
responses_translate_body (I2aReply     *self,
                          GBytes       *chat_body,
                          I2aApiError **error)
{
  GBytes *body = i2a_responses_reply_translate (self->reply, chat_body, error);

  if (body != NULL)
    keep (self);
  return body;
}

const I2aFrontDoor i2a_responses_door = {
  .name = "responses",
  .reply_error = i2a_http_reply_error,
  .reply_new = responses_reply_new,
  .reply_free = responses_reply_free,
  .stream_event = responses_stream_event,
  .stream_end = responses_stream_end,
  .stream_error = responses_stream_error,
  /* An SSE comment: Codex and the SDKs skip it. */
  .keepalive = ": keep-alive\n\n",
  .translate_body = responses_translate_body,
};

/* ---- POST /v1/responses ------------------------------------------------- */

static void
reply_simple (SoupServerMessage *msg,
              guint              status,
              const char        *code,
              const char        *param,
              const char        *message)
{
  g_autoptr(I2aApiError) error = i2a_api_error_new (status, NULL, code, "%s", message);

  error->param = g_strdup (param);
  i2a_http_reply_error (msg, error);
}

static gboolean
content_type_is_json (const char *content_type)
{
  g_autofree char *media = NULL;
  const char *semi;

  if (content_type == NULL || *content_type == '\0')
    return TRUE;
  semi = strchr (content_type, ';');
  media = g_strstrip (g_ascii_strdown (content_type, semi ? semi - content_type : -1));
  return g_str_equal (media, "application/json") || g_str_has_suffix (media, "+json");
}

static I2aApiError *
bad_request (const char *code,
             const char *param,
             const char *message)
{
  I2aApiError *error = i2a_api_error_new (SOUP_STATUS_BAD_REQUEST, NULL, code, "%s", message);

  error->param = g_strdup (param);
  return error;
}

/* The request body as a JSON object, or NULL with @error set. Pure. */
static JsonObject *
parse_body (GBytes               *raw,
            const I2aJsonLimits  *limits,
            I2aApiError         **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) parse_error = NULL;
  gsize len = 0;
  const char *data = g_bytes_get_data (raw, &len);
  JsonNode *root;

  if (len == 0)
    {
      *error = bad_request ("invalid_request", NULL,
                            "The request body is empty: expected a JSON object with 'model' and 'input'");
      return NULL;
    }
  if (!g_utf8_validate (data, len, NULL))
    {
      *error = bad_request ("invalid_request", NULL, "The request body is not valid UTF-8");
      return NULL;
    }
  /* Before the parser: it recurses per level and allocates per value. */
  if ((*error = i2a_json_check_limits (data, len, limits)) != NULL)
    return NULL;
  if (!json_parser_load_from_data (parser, data, (gssize) len, &parse_error))
    {
      g_autofree char *text = g_strdup_printf ("The request body is not valid JSON: %s", parse_error->message);

      *error = bad_request ("invalid_json", NULL, text);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      *error = bad_request ("invalid_request", NULL, "The request body must be a JSON object");
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

/* @request with its input replaced by @items (earlier turns first). */
static JsonObject *
with_history (JsonObject *request,
              JsonArray  *items)
{
  JsonObject *copy = json_object_new ();
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  json_object_iter_init (&iter, request);
  while (json_object_iter_next (&iter, &name, &value))
    if (!g_str_equal (name, "input"))
      json_object_set_member (copy, name, json_node_ref (value));
  json_object_set_array_member (copy, "input", json_array_ref (items));
  return copy;
}

/* A Responses request on its way to the chat path: parsed, its input
 * items read, the stored conversation it continues put in front, and
 * translated to a chat request and its bytes. The steps that may take a
 * while with a big body run through i2a_body_work_run (); looking up the
 * stored conversation is the main loop's. */
typedef struct
{
  GBytes        *raw;
  I2aJsonLimits  limits;
  JsonObject    *request;
  JsonArray     *items;
  char          *previous_id;   /* previous_response_id, until resolved */
  GBytes        *history;       /* its stored conversation */
  JsonObject    *resolved;      /* @request with the whole conversation */
  JsonObject    *chat;
  GBytes        *chat_raw;
  GBytes        *prepared[2];
  I2aApiError   *error;
} Create;

static void
create_free (Create *c)
{
  g_clear_pointer (&c->raw, g_bytes_unref);
  g_clear_pointer (&c->request, json_object_unref);
  g_clear_pointer (&c->items, json_array_unref);
  g_free (c->previous_id);
  g_clear_pointer (&c->history, g_bytes_unref);
  g_clear_pointer (&c->resolved, json_object_unref);
  g_clear_pointer (&c->chat, json_object_unref);
  g_clear_pointer (&c->chat_raw, g_bytes_unref);
  g_clear_pointer (&c->prepared[0], g_bytes_unref);
  g_clear_pointer (&c->prepared[1], g_bytes_unref);
  g_clear_pointer (&c->error, i2a_api_error_free);
  g_free (c);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Create, create_free)

/* @c->items (after the stored conversation, if any) -> the chat request. */
static void
create_translate (Create *c)
{
  g_autoptr(JsonNode) node = NULL;
  char *text;

  if (c->history)
    {
      g_autoptr(JsonArray) history = i2a_responses_store_parse_history (c->history);

      if (history == NULL)
        {
          c->error = bad_request ("previous_response_not_found", "previous_response_id",
                                  "'previous_response_id': the stored conversation cannot be read. "
                                  "Send the whole conversation in 'input' instead.");
          return;
        }
      for (guint i = 0; i < json_array_get_length (c->items); i++)
        json_array_add_element (history, json_node_copy (json_array_get_element (c->items, i)));
      g_clear_pointer (&c->items, json_array_unref);
      c->items = g_steal_pointer (&history);
    }
  c->resolved = with_history (c->request, c->items);
  if ((c->chat = i2a_responses_to_chat (c->resolved, c->items, &c->error)) == NULL)
    return;
  if (wants_store (c->request))
    {
      g_autoptr(JsonNode) items = json_node_new (JSON_NODE_ARRAY);
      g_autofree char *history = NULL;

      json_node_set_array (items, c->items);
      history = json_to_string (items, FALSE);
      json_object_set_string_member (c->resolved, HISTORY_MEMBER, history);
    }
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, c->chat);
  text = json_to_string (node, FALSE);
  /* OpenAI-compatible upstreams get these bytes as they are. */
  c->chat_raw = g_bytes_new_take (text, strlen (text));
  i2a_body_work_prepare (c->chat, c->chat_raw, c->prepared);
}

/* Parse and read the items; translate unless a stored conversation must
 * be looked up first. Pure. */
static void
create_parse (GBytes   *body,
              gpointer  data)
{
  Create *c = data;
  JsonNode *previous;

  c->raw = g_bytes_ref (body);
  if ((c->request = parse_body (c->raw, &c->limits, &c->error)) == NULL)
    return;
  /* Bad input is refused before any slot is taken or byte sent upstream. */
  if ((c->items = i2a_responses_input_items (c->request, &c->error)) == NULL)
    return;
  previous = json_object_get_member (c->request, "previous_response_id");
  if (previous != NULL && !JSON_NODE_HOLDS_NULL (previous))
    {
      if (!JSON_NODE_HOLDS_VALUE (previous) || json_node_get_value_type (previous) != G_TYPE_STRING)
        c->error = bad_request ("invalid_request", "previous_response_id",
                                "'previous_response_id' must be a string");
      else
        c->previous_id = g_strdup (json_node_get_string (previous));
      return;
    }
  create_translate (c);
}

static void
create_translate_work (GBytes   *body,
                       gpointer  data)
{
  create_translate (data);
}

static void
create_dispatch (I2aServer         *server,
                 SoupServerMessage *msg,
                 gpointer           data)
{
  g_autoptr(Create) c = data;

  if (c->error)
    i2a_http_reply_error (msg, c->error);
  else
    i2a_body_work_start (server, msg, &i2a_responses_door, i2a_http_get_bearer (msg),
                         c->resolved, c->chat, c->chat_raw, c->prepared);
}

static void
create_parsed (I2aServer         *server,
               SoupServerMessage *msg,
               gpointer           data)
{
  Create *c = data;

  if (c->error == NULL && c->previous_id != NULL)
    {
      c->history = i2a_responses_store_dup_history_bytes (store (), c->previous_id);
      if (c->history == NULL)
        {
          g_autofree char *message =
            g_strdup_printf ("'previous_response_id': no response '%s' is stored here. It was never stored "
                             "(store: false, or another server), or it was evicted from the in-memory store, "
                             "which keeps only the newest responses. Send the whole conversation in 'input' instead.",
                             c->previous_id);

          c->error = bad_request ("previous_response_not_found", "previous_response_id", message);
          create_dispatch (server, msg, c);
          return;
        }
      i2a_body_work_continue (server, msg, g_bytes_get_size (c->raw) + g_bytes_get_size (c->history),
                              create_translate_work, create_dispatch, c);
      return;
    }
  create_dispatch (server, msg, c);
}

static void
handle_create (I2aServer         *server,
               SoupServerMessage *msg)
{
  SoupMessageHeaders *h = soup_server_message_get_request_headers (msg);
  Create *c;

  if (!content_type_is_json (soup_message_headers_get_content_type (h, NULL)))
    {
      reply_simple (msg, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", NULL,
                    "Send the request body as JSON with 'Content-Type: application/json'");
      return;
    }
  c = g_new0 (Create, 1);
  c->limits = *i2a_server_get_json_limits (server);
  i2a_body_work_run (server, msg, create_parse, create_parsed, c);
}

/* ---- GET /v1/responses/{id} --------------------------------------------- */

static void
handle_get (I2aServer         *server,
            SoupServerMessage *msg,
            const char        *id)
{
  g_autoptr(I2aApiError) error = NULL;
  g_autoptr(GBytes) body = NULL;

  if (!i2a_pool_check_client_token (i2a_server_get_pool (server), i2a_http_get_bearer (msg), &error))
    {
      i2a_http_reply_error (msg, error);
      return;
    }
  body = i2a_responses_store_dup_response (store (), id);
  if (body == NULL)
    {
      g_autofree char *message =
        g_strdup_printf ("No response with id '%s' is stored: it was never stored here (store: false), "
                         "or it was evicted from the in-memory store, which keeps only the newest responses", id);

      reply_simple (msg, SOUP_STATUS_NOT_FOUND, "not_found", NULL, message);
      return;
    }
  i2a_http_reply_bytes (msg, SOUP_STATUS_OK, "application/json", body);
}

static void
handle_delete (I2aServer         *server,
               SoupServerMessage *msg,
               const char        *id)
{
  g_autoptr(I2aApiError) error = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  if (!i2a_pool_check_client_token (i2a_server_get_pool (server), i2a_http_get_bearer (msg), &error))
    {
      i2a_http_reply_error (msg, error);
      return;
    }
  if (!i2a_responses_store_remove (store (), id))
    {
      g_autofree char *message = g_strdup_printf ("No response with id '%s' is stored", id);

      reply_simple (msg, SOUP_STATUS_NOT_FOUND, "not_found", NULL, message);
      return;
    }
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, id);
  json_builder_set_member_name (b, "object");
  json_builder_add_string_value (b, "response");
  json_builder_set_member_name (b, "deleted");
  json_builder_add_boolean_value (b, TRUE);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  i2a_http_reply_json (msg, SOUP_STATUS_OK, root);
}

/* ---- routing ------------------------------------------------------------ */

static void
not_allowed (SoupServerMessage *msg,
             const char        *allow,
             const char        *message)
{
  reply_simple (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "method_not_allowed", NULL, message);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", allow);
}

gboolean
i2a_responses_door_route (I2aServer         *server,
                          SoupServerMessage *msg,
                          const char        *path,
                          GHashTable        *query)
{
  const char *method = soup_server_message_get_method (msg);
  const char *rest;

  if ((g_str_equal (path, "/v1/models") || g_str_equal (path, "/models")) &&
      query != NULL && g_hash_table_contains (query, "client_version") &&
      g_str_equal (method, SOUP_METHOD_GET))
    {
      i2a_responses_codex_models (server, msg);
      return TRUE;
    }
  if (g_str_has_prefix (path, "/v1/responses"))
    rest = path + strlen ("/v1/responses");
  else if (g_str_has_prefix (path, "/responses"))
    rest = path + strlen ("/responses");
  else
    return FALSE;

  if (*rest == '\0')
    {
      SoupMessageHeaders *h = soup_server_message_get_request_headers (msg);

      if (g_str_equal (method, SOUP_METHOD_POST))
        handle_create (server, msg);
      /* Codex's WebSocket transport: never 101, so it stays on HTTP. */
      else if (soup_message_headers_header_contains (h, "Upgrade", "websocket"))
        not_allowed (msg, "POST", "WebSocket is not supported on /v1/responses: send POST /v1/responses "
                     "over HTTP (in Codex: supports_websockets = false)");
      else
        not_allowed (msg, "POST", "Use POST on /v1/responses");
      return TRUE;
    }
  if (*rest != '/' || rest[1] == '\0')
    return FALSE;
  rest++;
  /* Codex compacts locally for any provider but OpenAI's own and Azure,
   * so this is only here to say so clearly. */
  if (g_str_equal (rest, "compact"))
    {
      reply_simple (msg, 501, "not_implemented", NULL,
                    "POST /v1/responses/compact is not supported by iflow2api; clients compact the "
                    "conversation themselves (Codex does so for every custom provider)");
      return TRUE;
    }
  if (strchr (rest, '/') != NULL)
    return FALSE;
  if (g_str_equal (method, SOUP_METHOD_GET))
    handle_get (server, msg, rest);
  else if (g_str_equal (method, SOUP_METHOD_DELETE))
    handle_delete (server, msg, rest);
  else
    not_allowed (msg, "GET, DELETE", "Use GET or DELETE on /v1/responses/{id}");
  return TRUE;
}
