/* fuzz-chat-request.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* fuzz-chat-request: a client's chat body through everything that happens
 * to it before it goes upstream: validation (with the limits), the iFlow
 * body rules for a stream and a non-stream answer, and serialization.
 *
 * Input: the request body. An optional first line "CT:<value>\n" sets the
 * Content-Type (default application/json), so the media-type check is
 * covered too. */
#define G_LOG_DOMAIN "i2a-fuzz"

#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "i2a-chat-validate.h"
#include "i2a-iflow-rules.h"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  i2a_fuzz_init ();
  return 0;
}

static void
apply_rules (JsonObject *request,
             gboolean    stream)
{
  g_autoptr(JsonObject) body = i2a_iflow_rules_apply (request, stream);
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *text = NULL;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();

  json_node_set_object (node, body);
  text = json_to_string (node, FALSE);
  /* What we send upstream must itself be JSON. */
  if (!json_parser_load_from_data (parser, text, -1, NULL))
    g_error ("the upstream body is not valid JSON: %.200s", text);
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autofree char *content_type = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonObject) request = NULL;
  g_autoptr(I2aApiError) error = NULL;
  const char *model;

  if (size >= 3 && memcmp (data, "CT:", 3) == 0)
    {
      const guint8 *nl = memchr (data, '\n', size);

      if (nl == NULL)
        return 0;
      content_type = g_strndup ((const char *) data + 3, nl - data - 3);
      size -= nl + 1 - data;
      data = nl + 1;
    }
  body = g_bytes_new (data, size);
  request = i2a_chat_validate (content_type ? content_type : "application/json", body, &error);
  if (request == NULL)
    {
      if (error == NULL || error->http_status < 400 || error->http_status > 499 || error->message == NULL)
        g_error ("validation failed without a 4xx error");
      return 0;
    }
  if (error != NULL)
    g_error ("validation passed but set an error");

  model = json_object_get_string_member (request, "model");
  (void) i2a_iflow_max_new_tokens (model);
  (void) i2a_iflow_thinking_requested (request);
  apply_rules (request, FALSE);
  apply_rules (request, TRUE);
  return 0;
}
