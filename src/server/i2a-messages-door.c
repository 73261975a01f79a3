/* i2a-messages-door.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The Anthropic Messages front door: Messages JSON in, the shared chat
 * request path (routing, failover, slots, breaker, counters) in the middle,
 * Messages JSON or events out. The translators are in src/translate/. */
#define G_LOG_DOMAIN "i2a-messages-door"

#include "config.h"

#include <string.h>

#include "i2a-body-work.h"
#include "i2a-chat-request.h"
#include "i2a-http.h"
#include "i2a-json-limits.h"
#include "i2a-messages-door.h"
#include "i2a-messages-reply.h"
#include "i2a-messages-request.h"
#include "i2a-model-index.h"
#include "i2a-token-estimate.h"

/* ---- the door ----------------------------------------------------------- */

static void
messages_reply_error (SoupServerMessage *msg,
                      const I2aApiError *error)
{
  g_autofree char *json = i2a_messages_error_json (error);
  /* Measured first: the order in which arguments are evaluated is
   * unspecified, and g_steal_pointer () clears json. */
  gsize len = strlen (json);
  g_autoptr(GBytes) body = g_bytes_new_take (g_steal_pointer (&json), len);

  i2a_http_reply_bytes (msg, error->http_status, "application/json", body);
  if (error->retry_after >= 0)
    {
      g_autofree char *value = g_strdup_printf ("%d", error->retry_after);

      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Retry-After", value);
    }
}

/* The estimate of the prompt's tokens is worked out with the translation
 * (it reads every string of the conversation: too slow for the main loop
 * with a long one) and kept in the client's request for the answer
 * translator of each attempt. No Messages API field has this name, and a
 * client's value is replaced. */
#define INPUT_TOKENS_MEMBER "x-iflow2api-input-tokens"

static I2aReply *
messages_reply_new (JsonObject *client_request,
                    JsonObject *chat_request)
{
  g_auto(GStrv) stops = i2a_messages_request_dup_stop_sequences (client_request);
  gint64 tokens = json_object_get_int_member_with_default (client_request, INPUT_TOKENS_MEMBER, -1);

  return (I2aReply *) i2a_messages_reply_new (json_object_get_string_member (client_request, "model"),
                                              (const char * const *) stops,
                                              tokens >= 0 ? tokens : i2a_token_estimate_chat (chat_request));
}

static void
messages_reply_free (I2aReply *reply)
{
  i2a_messages_reply_free ((I2aMessagesReply *) reply);
}

static void
messages_stream_event (I2aReply   *reply,
                       const char *data,
                       gsize       len,
                       GString    *out)
{
  i2a_messages_reply_event ((I2aMessagesReply *) reply, data, len, out);
}

static void
messages_stream_end (I2aReply *reply,
                     GString  *out)
{
  i2a_messages_reply_end ((I2aMessagesReply *) reply, out);
}

static void
messages_stream_error (I2aReply          *reply,
                       const I2aApiError *error,
                       GString           *out)
{
  i2a_messages_reply_error ((I2aMessagesReply *) reply, error, out);
}

static GBytes *
messages_translate_body (I2aReply     *reply,
                         GBytes       *chat_body,
                         I2aApiError **error)
{
  return i2a_messages_reply_body ((I2aMessagesReply *) reply, chat_body, error);
}

const I2aFrontDoor i2a_messages_door = {
  .name = "messages",
  .reply_error = messages_reply_error,
  .reply_new = messages_reply_new,
  .reply_free = messages_reply_free,
  .stream_event = messages_stream_event,
  .stream_end = messages_stream_end,
  .stream_error = messages_stream_error,
  .keepalive = "event: ping\ndata: {\"type\":\"ping\"}\n\n",
  .translate_body = messages_translate_body,
  .keepalive_before_first_byte = TRUE,
};

/* ---- endpoints ---------------------------------------------------------- */

static void
reply_simple (SoupServerMessage *msg,
              guint              status,
              const char        *message)
{
  g_autoptr(I2aApiError) error = i2a_api_error_new (status, NULL, NULL, "%s", message);

  messages_reply_error (msg, error);
}

static gboolean
require_post (SoupServerMessage *msg)
{
  if (g_str_equal (soup_server_message_get_method (msg), SOUP_METHOD_POST))
    return TRUE;
  reply_simple (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "Use POST on this path");
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", "POST");
  return FALSE;
}

/* Claude Code sends its key as x-api-key (ANTHROPIC_API_KEY) or as a
 * bearer token (ANTHROPIC_AUTH_TOKEN): both are client keys. */
static const char *
client_token (SoupServerMessage *msg)
{
  const char *key = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                  "x-api-key");

  if (key && *key)
    return key;
  return i2a_http_get_bearer (msg);
}

static gboolean
content_type_is_json (const char *content_type)
{
  return content_type == NULL || *content_type == '\0' ||
         g_ascii_strcasecmp (content_type, "application/json") == 0 ||
         g_str_has_suffix (content_type, "+json");
}

static I2aApiError *
bad_body (const char *text)
{
  return i2a_api_error_new (400, "invalid_request_error", "invalid_request", "%s", text);
}

/* The request body as a JSON object, or NULL with @error (a 400). Pure:
 * runs in a worker thread for big bodies. */
static JsonObject *
parse_body (GBytes              *raw,
            const I2aJsonLimits *limits,
            I2aApiError        **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) parse_error = NULL;
  gsize len = 0;
  const char *data = g_bytes_get_data (raw, &len);
  JsonNode *root;

  if (len == 0)
    {
      *error = bad_body ("The request body is empty; send a JSON object");
      return NULL;
    }
  if (!g_utf8_validate (data, len, NULL))
    {
      *error = bad_body ("The request body is not valid UTF-8");
      return NULL;
    }
  /* Before the parser: it recurses per level and allocates per value. */
  if ((*error = i2a_json_check_limits (data, len, limits)) != NULL)
    return NULL;
  if (!json_parser_load_from_data (parser, data, (gssize) len, &parse_error))
    {
      *error = i2a_api_error_new (400, "invalid_request_error", "invalid_json",
                                  "The request body is not valid JSON: %s", parse_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      *error = bad_body ("The request body must be a JSON object");
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

/* A Messages body -> the client's request, the chat request and its bytes
 * (forwarded as they are to OpenAI-compatible upstreams). Pure. */
typedef struct
{
  GBytes            *raw;
  I2aJsonLimits      limits;
  JsonObject        *request;
  JsonObject        *chat;
  GBytes            *chat_raw;
  GBytes            *prepared[2];
  I2aApiError       *error;
} Translation;

static void
translation_free (Translation *t)
{
  g_clear_pointer (&t->raw, g_bytes_unref);
  g_clear_pointer (&t->request, json_object_unref);
  g_clear_pointer (&t->chat, json_object_unref);
  g_clear_pointer (&t->chat_raw, g_bytes_unref);
  g_clear_pointer (&t->prepared[0], g_bytes_unref);
  g_clear_pointer (&t->prepared[1], g_bytes_unref);
  g_clear_pointer (&t->error, i2a_api_error_free);
  g_free (t);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Translation, translation_free)

static void
translate (GBytes   *body,
           gpointer  data)
{
  Translation *t = data;
  g_autoptr(JsonNode) node = NULL;
  char *text;

  t->raw = g_bytes_ref (body);
  if ((t->request = parse_body (t->raw, &t->limits, &t->error)) == NULL)
    return;
  /* Bad input is refused before any slot is taken or byte sent upstream. */
  if ((t->chat = i2a_messages_request_to_chat (t->request, &t->error)) == NULL)
    return;
  json_object_set_int_member (t->request, INPUT_TOKENS_MEMBER, i2a_token_estimate_chat (t->chat));
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, t->chat);
  text = json_to_string (node, FALSE);
  t->chat_raw = g_bytes_new_take (text, strlen (text));
  i2a_body_work_prepare (t->chat, t->chat_raw, t->prepared);
}

static void
continue_messages (I2aServer         *server,
                   SoupServerMessage *msg,
                   gpointer           data)
{
  g_autoptr(Translation) t = data;

  if (t->error)
    messages_reply_error (msg, t->error);
  else
    i2a_body_work_start (server, msg, &i2a_messages_door, client_token (msg),
                         t->request, t->chat, t->chat_raw, t->prepared);
}

static void
handle_messages (I2aServer         *server,
                 SoupServerMessage *msg)
{
  SoupMessageHeaders *h = soup_server_message_get_request_headers (msg);
  Translation *t;

  if (!content_type_is_json (soup_message_headers_get_content_type (h, NULL)))
    {
      reply_simple (msg, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE, "Send the request as application/json");
      return;
    }
  t = g_new0 (Translation, 1);
  t->limits = *i2a_server_get_json_limits (server);
  i2a_body_work_run (server, msg, translate, continue_messages, t);
}

/* A count_tokens body, parsed and estimated (off the main loop when it
 * is big: Claude Code sends its whole history here too). */
typedef struct
{
  I2aJsonLimits  limits;
  I2aApiError   *error;
  gint64         tokens;
} Count;

static void
count_tokens (GBytes   *body,
              gpointer  data)
{
  Count *c = data;
  g_autoptr(JsonObject) request = NULL;
  g_autoptr(JsonObject) chat = NULL;

  if ((request = parse_body (body, &c->limits, &c->error)) == NULL)
    return;
  /* count_tokens requests carry no max_tokens; nothing else differs. */
  if ((chat = i2a_messages_request_to_chat (request, &c->error)) == NULL)
    return;
  c->tokens = i2a_token_estimate_chat (chat);
}

static void
counted (I2aServer         *server,
         SoupServerMessage *msg,
         gpointer           data)
{
  Count *c = data;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  if (c->error)
    messages_reply_error (msg, c->error);
  else
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "input_tokens");
      json_builder_add_int_value (b, c->tokens);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      i2a_http_reply_json (msg, SOUP_STATUS_OK, root);
    }
  g_clear_pointer (&c->error, i2a_api_error_free);
  g_free (c);
}

/* A local estimate: Claude Code compacts its context by this number, and a
 * constant would silently switch that off. */
static void
handle_count_tokens (I2aServer         *server,
                     SoupServerMessage *msg)
{
  SoupMessageHeaders *h = soup_server_message_get_request_headers (msg);
  g_autoptr(I2aApiError) error = NULL;
  Count *c;

  if (!i2a_pool_check_client_token (i2a_server_get_pool (server), client_token (msg), &error))
    {
      messages_reply_error (msg, error);
      return;
    }
  if (!content_type_is_json (soup_message_headers_get_content_type (h, NULL)))
    {
      reply_simple (msg, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE, "Send the request as application/json");
      return;
    }
  c = g_new0 (Count, 1);
  c->limits = *i2a_server_get_json_limits (server);
  i2a_body_work_run (server, msg, count_tokens, counted, c);
}

static void
reply_ok (SoupServerMessage *msg)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, "ok");
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  i2a_http_reply_json (msg, SOUP_STATUS_OK, root);
}

/* GET /v1/models from an Anthropic client (it sends anthropic-version):
 * the catalogue in Anthropic's list shape, for Claude Code's picker. */
static void
handle_models (I2aServer         *server,
               SoupServerMessage *msg)
{
  I2aPool *pool = i2a_server_get_pool (server);
  const char *token = client_token (msg);
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GDateTime) created = g_date_time_new_from_unix_utc (1735689600);
  g_autofree char *created_at = g_date_time_format_iso8601 (created);
  JsonArray *data;
  guint n;

  /* A client key routed to some accounts sees only their models. */
  if (i2a_keys_config_lookup_token (i2a_pool_get_config (pool), token, NULL) == NULL)
    token = NULL;
  list = i2a_pool_build_model_list (pool, token, 1735689600);
  data = json_object_get_array_member (json_node_get_object (list), "data");
  n = json_array_get_length (data);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "data");
  json_builder_begin_array (b);
  for (guint i = 0; i < n; i++)
    {
      const char *id = json_object_get_string_member (json_array_get_object_element (data, i), "id");

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, "model");
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, id);
      json_builder_set_member_name (b, "display_name");
      json_builder_add_string_value (b, id);
      json_builder_set_member_name (b, "created_at");
      json_builder_add_string_value (b, created_at);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "has_more");
  json_builder_add_boolean_value (b, FALSE);
  json_builder_set_member_name (b, "first_id");
  if (n > 0)
    json_builder_add_string_value (b, json_object_get_string_member (json_array_get_object_element (data, 0), "id"));
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "last_id");
  if (n > 0)
    json_builder_add_string_value (b, json_object_get_string_member (json_array_get_object_element (data, n - 1), "id"));
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  i2a_http_reply_json (msg, SOUP_STATUS_OK, root);
}

gboolean
i2a_messages_door_route (I2aServer         *server,
                         SoupServerMessage *msg,
                         const char        *path)
{
  const char *method = soup_server_message_get_method (msg);

  if ((g_str_equal (path, "/v1/models") || g_str_equal (path, "/models")) &&
      (g_str_equal (method, SOUP_METHOD_GET) || g_str_equal (method, SOUP_METHOD_HEAD)) &&
      soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "anthropic-version"))
    {
      handle_models (server, msg);
      return TRUE;
    }
  if (g_str_equal (path, "/v1/messages") || g_str_equal (path, "/messages"))
    {
      if (require_post (msg))
        handle_messages (server, msg);
      return TRUE;
    }
  if (g_str_equal (path, "/v1/messages/count_tokens") || g_str_equal (path, "/messages/count_tokens"))
    {
      if (require_post (msg))
        handle_count_tokens (server, msg);
      return TRUE;
    }
  /* Claude Code's preflights: some versions give up on a 404 here. */
  if ((g_str_equal (path, "/") && (g_str_equal (method, SOUP_METHOD_HEAD) || g_str_equal (method, SOUP_METHOD_GET))) ||
      (g_str_equal (path, "/api/hello") && g_str_equal (method, SOUP_METHOD_HEAD)))
    {
      reply_ok (msg);
      return TRUE;
    }
  /* Its telemetry: accepted and dropped, never forwarded. */
  if (g_str_equal (path, "/api/event_logging/batch") && g_str_equal (method, SOUP_METHOD_POST))
    {
      reply_ok (msg);
      return TRUE;
    }
  return FALSE;
}
