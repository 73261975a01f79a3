/* fuzz-messages.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* fuzz-messages: the Messages front door's pure translators.
 *
 * Byte 0 picks what the rest is: even, a Messages request (translated to
 * a chat request, counted); odd, an upstream answer, fed line by line as
 * chat SSE payloads to the streaming translator (and whole to the
 * non-streaming one). Whatever the input: no CRITICAL, valid UTF-8 out,
 * every event a complete "event:/data:" pair whose data is a JSON object
 * of that type, and one message_start at most. (Tool input completeness
 * is a property of the upstream's arguments; the unit tests check it.) */
#define G_LOG_DOMAIN "i2a-fuzz"

#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "i2a-json.h"
#include "i2a-messages-reply.h"
#include "i2a-messages-request.h"
#include "i2a-token-estimate.h"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  i2a_fuzz_init ();
  return 0;
}

static void
fuzz_request (const char *text,
              gsize       len)
{
  g_autoptr(JsonObject) request = i2a_json_parse_object (text, len);
  g_autoptr(JsonObject) chat = NULL;
  g_autoptr(I2aApiError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *out = NULL;

  if (request == NULL)
    return;
  chat = i2a_messages_request_to_chat (request, &error);
  if (chat == NULL)
    {
      if (error == NULL || error->http_status != 400 || error->param == NULL)
        g_error ("a refused request without a 400 naming the field");
      return;
    }
  if (i2a_token_estimate_chat (chat) <= 0)
    g_error ("a request counted as no tokens");
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, chat);
  out = json_to_string (node, FALSE);
  if (i2a_json_parse_object (out, strlen (out)) == NULL)
    g_error ("the chat request does not parse back");
}

/* The shape rules on the translated stream. */
static void
check_events (const char *text)
{
  gboolean started = FALSE;
  const char *p = text;

  if (!g_utf8_validate (text, -1, NULL))
    g_error ("the translated stream is not UTF-8");
  while (*p)
    {
      const char *nl, *end;
      g_autofree char *name = NULL;
      g_autoptr(JsonObject) data = NULL;
      const char *type;

      if (!g_str_has_prefix (p, "event: "))
        g_error ("an event without its name: %.40s", p);
      nl = strchr (p, '\n');
      name = g_strndup (p + 7, nl - p - 7);
      p = nl + 1;
      if (!g_str_has_prefix (p, "data: "))
        g_error ("an event without data");
      end = strstr (p, "\n\n");
      if (end == NULL)
        g_error ("an unterminated event");
      data = i2a_json_parse_object (p + 6, end - p - 6);
      if (data == NULL || (type = json_object_get_string_member_with_default (data, "type", NULL)) == NULL ||
          !g_str_equal (type, name))
        g_error ("event %s: data is not an object of that type", name);
      if (g_str_equal (name, "message_start"))
        {
          if (started)
            g_error ("two message_start");
          started = TRUE;
        }
      p = end + 2;
    }
}

static void
fuzz_reply (const char *text,
            gsize       len)
{
  const char *stops[] = { "END", "\n\n", NULL };
  g_autoptr(I2aMessagesReply) reply = i2a_messages_reply_new ("m", stops, 7);
  g_autoptr(I2aMessagesReply) whole = i2a_messages_reply_new ("m", NULL, 7);
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GBytes) bytes = g_bytes_new (text, len);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(I2aApiError) error = NULL;
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i]; i++)
    i2a_messages_reply_event (reply, lines[i], strlen (lines[i]), out);
  i2a_messages_reply_end (reply, out);
  check_events (out->str);

  body = i2a_messages_reply_body (whole, bytes, &error);
  if (body)
    {
      gsize size = 0;
      const char *json = g_bytes_get_data (body, &size);
      g_autoptr(JsonObject) message = i2a_json_parse_object (json, size);

      if (!g_utf8_validate (json, size, NULL) || message == NULL)
        g_error ("the translated body is not a UTF-8 JSON object");
    }
  else if (error == NULL || error->http_status != 502)
    g_error ("an untranslatable body without a 502");
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *text = NULL;

  if (size < 1)
    return 0;
  text = i2a_fuzz_strndup (data + 1, size - 1);
  if (data[0] % 2 == 0)
    fuzz_request (text, strlen (text));
  else
    fuzz_reply (text, strlen (text));
  return 0;
}
