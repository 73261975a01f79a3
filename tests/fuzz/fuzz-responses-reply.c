/* fuzz-responses-reply.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* fuzz-responses-reply: a chat answer from upstream through the Responses
 * answer translator, as a stream of payloads or as one body, for a request
 * with a function tool and a custom tool. Every event must be a whole SSE
 * event with JSON data, a body must be JSON, and a finished answer must
 * have its response object.
 *
 * Input: as fuzz-messages-reply (byte 0: bit 0 one body, bit 1 end with an
 * error; then the body or one payload per line). */
#define G_LOG_DOMAIN "i2a-fuzz"

#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "i2a-responses-reply.h"

static JsonObject *request;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  static const char text[] =
    "{\"model\":\"gpt-5-codex\",\"stream\":true,\"instructions\":\"x\","
    "\"tools\":[{\"type\":\"function\",\"name\":\"shell\",\"parameters\":{\"type\":\"object\"}},"
    "{\"type\":\"custom\",\"name\":\"apply_patch\",\"format\":{\"type\":\"grammar\"}}],"
    "\"reasoning\":{\"effort\":\"high\",\"summary\":\"auto\"}}";

  i2a_fuzz_init ();
  request = i2a_fuzz_parse_request ((const guint8 *) text, strlen (text));
  g_assert (request != NULL);
  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr(I2aResponsesReply) reply = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  guint8 mode;

  if (size < 1)
    return 0;
  mode = data[0];
  data++;
  size--;
  reply = i2a_responses_reply_new (request, "resp_fuzz", 1767225600);

  if (mode & 1)
    {
      g_autoptr(GBytes) chat = g_bytes_new (data, size);
      g_autoptr(GBytes) body = NULL;
      g_autoptr(I2aApiError) error = NULL;

      body = i2a_responses_reply_translate (reply, chat, &error);
      if (body == NULL)
        {
          if (error == NULL || error->http_status < 500 || error->http_status > 599)
            g_error ("a chat body refused without a 5xx");
          return 0;
        }
      i2a_fuzz_assert_json (g_bytes_get_data (body, NULL), g_bytes_get_size (body), "the response object");
      if (i2a_responses_reply_get_response (reply) == NULL)
        g_error ("a translated body without its response object");
      return 0;
    }

  for (size_t off = 0; off < size;)
    {
      const guint8 *nl = memchr (data + off, '\n', size - off);
      size_t end = nl ? (size_t) (nl - data) : size;
      g_autofree char *payload = i2a_fuzz_strndup (data + off, end - off);

      i2a_responses_reply_stream_event (reply, payload, strlen (payload), out);
      off = end + 1;
    }
  if (mode & 2)
    {
      g_autoptr(I2aApiError) error = i2a_api_error_new (502, "api_error", "upstream_error",
                                                        "The upstream connection broke");
      i2a_responses_reply_stream_error (reply, error, out);
    }
  else
    i2a_responses_reply_stream_end (reply, out);
  i2a_fuzz_assert_sse (out, "the Responses stream");
  if (i2a_responses_reply_get_response (reply) == NULL)
    g_error ("a finished stream without its response object");
  return 0;
}
