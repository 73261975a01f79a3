/* i2a-chat-model.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-chat-model.c: the routing hooks of a chat request, shared by every
 * front door because every door runs through I2aChatRequest.
 *
 * Before routing: the client's model (the "model" the door put in the chat
 * JSON) and the conversation's session key go to the dispatch, which
 * applies aliases and fallbacks, picks only accounts serving the model and
 * keeps a conversation on its account. The session key is the client's
 * x-claude-code-session-id (or session_id) header, else the chat JSON's
 * "prompt_cache_key", else "user", else a hash of the system prompt and the
 * first user message: a door that knows a conversation id puts it in
 * "prompt_cache_key".
 *
 * Per attempt: when the dispatch asks another model of the upstream (an
 * alias target, a fallback), the upstream gets that name; the client still
 * sees the name it asked for in every answer, and the header
 * x-iflow2api-model names the model that answered. */
#define G_LOG_DOMAIN "i2a-chat-request"

#include "config.h"

#include <string.h>

#include "i2a-chat-request-private.h"
#include "i2a-routing.h"

#define ANSWERED_HEADER "x-iflow2api-model"

static const char *const session_headers[] = { "x-claude-code-session-id", "session_id", "session-id" };

void
_i2a_chat_model_begin (I2aChatRequest *self)
{
  SoupMessageHeaders *h = soup_server_message_get_request_headers (self->msg);
  const char *header = NULL;
  g_autofree char *key = NULL;
  gboolean follow = FALSE;

  for (guint i = 0; header == NULL && i < G_N_ELEMENTS (session_headers); i++)
    header = soup_message_headers_get_one (h, session_headers[i]);
  key = i2a_routing_session_key (self->request, header, &follow);
  i2a_dispatch_set_request (self->dispatch, self->model, key, follow);
}

/* The dispatch asks another model than the client named. */
static const char *
rerouted_model (I2aChatRequest *self)
{
  const char *model = i2a_dispatch_get_model (self->dispatch);

  if (model == NULL || self->model == NULL || g_ascii_strcasecmp (model, self->model) == 0)
    return NULL;
  return model;
}

gboolean
_i2a_chat_model_for_attempt (I2aChatRequest  *self,
                             JsonObject     **request,
                             GBytes         **raw)
{
  const char *model = rerouted_model (self);
  g_autoptr(JsonNode) copy = NULL;
  JsonObject *obj;
  char *text;
  gsize len;

  if (model == NULL)
    {
      *request = json_object_ref (self->request);
      *raw = g_bytes_ref (self->raw);
      return FALSE;
    }
  g_debug ("Asking the upstream for %s instead of %s", model, self->model);
  {
    g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), self->request);

    copy = json_node_copy (node);
  }
  obj = json_node_get_object (copy);
  json_object_set_string_member (obj, "model", model);
  text = json_to_string (copy, FALSE);
  len = strlen (text);
  *request = json_object_ref (obj);
  *raw = g_bytes_new_take (text, len);
  return TRUE;
}

static gboolean
header_safe (const char *value)
{
  for (const guchar *p = (const guchar *) value; *p; p++)
    if (*p < 0x20 || *p == 0x7f)
      return FALSE;
  return TRUE;
}

void
_i2a_chat_model_add_header (I2aChatRequest     *self,
                            SoupMessageHeaders *headers)
{
  const char *model = i2a_dispatch_get_model (self->dispatch);

  if (model == NULL)
    model = self->model;
  /* The client's name for it may hold any character (a CR or LF from a
   * JSON escape): a header value may not, so such a name is not echoed. */
  if (model != NULL && header_safe (model))
    soup_message_headers_replace (headers, ANSWERED_HEADER, model);
}

char *
_i2a_chat_model_rename (I2aChatRequest *self,
                        const char     *data,
                        gsize           len,
                        gsize          *out_len)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonNode *root;
  JsonObject *obj;
  char *text;

  if (rerouted_model (self) == NULL || len == 0 || data[0] != '{' ||
      g_strstr_len (data, len, "\"model\"") == NULL)
    return NULL;
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, data, len, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  obj = json_node_get_object (root);
  if (!json_object_has_member (obj, "model"))
    return NULL;
  json_object_set_string_member (obj, "model", self->model);
  text = json_to_string (root, FALSE);
  *out_len = strlen (text);
  return text;
}
