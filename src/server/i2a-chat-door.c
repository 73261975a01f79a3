/* i2a-chat-door.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The identity front door of /v1/chat/completions: the upstream's chat
 * answer goes to the client as it is, errors in OpenAI's shape. */
#define G_LOG_DOMAIN "i2a-chat-door"

#include "config.h"

#include <string.h>

#include "i2a-front-door.h"
#include "i2a-http.h"

struct _I2aReply
{
  gboolean sent_done;   /* the upstream's own [DONE] went out */
};

static I2aReply *
chat_reply_new (JsonObject *client_request,
                JsonObject *chat_request)
{
  return g_new0 (I2aReply, 1);
}

static void
chat_reply_free (I2aReply *reply)
{
  g_free (reply);
}

static void
chat_stream_event (I2aReply   *reply,
                   const char *data,
                   gsize       len,
                   GString    *out)
{
  if (g_str_equal (data, "[DONE]"))
    reply->sent_done = TRUE;
  /* Multi-line data goes back out as one data: line each. */
  for (const char *p = data; p;)
    {
      const char *nl = strchr (p, '\n');

      g_string_append (out, "data: ");
      g_string_append_len (out, p, nl ? nl - p : (gssize) strlen (p));
      g_string_append_c (out, '\n');
      p = nl ? nl + 1 : NULL;
    }
  g_string_append_c (out, '\n');
}

static void
chat_stream_end (I2aReply *reply,
                 GString  *out)
{
  /* iFlow does not always send [DONE]; clients wait for it. */
  if (!reply->sent_done)
    g_string_append (out, "data: [DONE]\n\n");
}

static void
chat_stream_error (I2aReply          *reply,
                   const I2aApiError *error,
                   GString           *out)
{
  g_autofree char *json = i2a_api_error_to_string (error);

  g_string_append_printf (out, "data: %s\n\ndata: [DONE]\n\n", json);
}

static GBytes *
chat_translate_body (I2aReply     *reply,
                     GBytes       *chat_body,
                     I2aApiError **error)
{
  return g_bytes_ref (chat_body);
}

const I2aFrontDoor i2a_chat_door = {
  .name = "chat",
  .reply_error = i2a_http_reply_error,
  .reply_new = chat_reply_new,
  .reply_free = chat_reply_free,
  .stream_event = chat_stream_event,
  .stream_end = chat_stream_end,
  .stream_error = chat_stream_error,
  .keepalive = ": keep-alive\n\n",
  .translate_body = chat_translate_body,
  .relay_event_names = TRUE,
};
