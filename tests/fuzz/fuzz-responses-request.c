/* fuzz-responses-request.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* fuzz-responses-request: an OpenAI Responses request body read as the
 * front doors read bodies (UTF-8, limits, parser), its input items and the
 * translation to a chat request, then the iFlow body rules. The chat
 * request must be JSON. */
#define G_LOG_DOMAIN "i2a-fuzz"

#include "config.h"

#include "fuzz-common.h"
#include "i2a-iflow-rules.h"
#include "i2a-responses-request.h"
#include "i2a-token-estimate.h"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  i2a_fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr(JsonObject) request = i2a_fuzz_parse_request (data, size);
  g_autoptr(JsonArray) items = NULL;
  g_autoptr(JsonObject) chat = NULL;
  g_autoptr(JsonObject) upstream = NULL;
  g_autoptr(I2aApiError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;

  if (request == NULL)
    return 0;
  items = i2a_responses_input_items (request, &error);
  if (items == NULL)
    {
      if (error == NULL || error->http_status != 400)
        g_error ("input refused without a 400");
      return 0;
    }
  chat = i2a_responses_to_chat (request, items, &error);
  if (chat == NULL)
    {
      if (error == NULL || error->http_status != 400)
        g_error ("a request refused without a 400");
      return 0;
    }
  (void) i2a_responses_is_custom_tool (request, "apply_patch");
  (void) i2a_token_estimate_chat (chat);

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, chat);
  text = json_to_string (node, FALSE);
  i2a_fuzz_assert_json (text, -1, "the chat request");
  if (json_object_has_member (chat, "model") &&
      json_node_get_value_type (json_object_get_member (chat, "model")) == G_TYPE_STRING)
    upstream = i2a_iflow_rules_apply (chat, TRUE);
  return 0;
}
