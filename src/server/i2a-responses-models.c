/* i2a-responses-models.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-responses-models.c: the model catalogue in Codex's own shape. Codex
 * asks GET /v1/models?client_version=X.Y.Z and parses every entry strictly
 * (a missing base_instructions rejects the whole catalogue), so each
 * entry carries all the fields its parser requires. */
#define G_LOG_DOMAIN "i2a-responses-door"

#include "config.h"

#include "i2a-http.h"
#include "i2a-model-index.h"
#include "i2a-models.h"
#include "i2a-responses-door.h"

#define FALLBACK_CONTEXT 128000

/* Codex sends a catalogue model's base_instructions as its first
 * developer message, instead of its own built-in prompt. */
static const char base_instructions[] =
  "You are a coding agent working in the user's terminal and workspace. "
  "Help with software engineering tasks: reading and changing code, running commands, "
  "explaining results.\n\n"
  "- Use the exec_command tool to run shell commands (list files, read them, build, test); "
  "prefer fast read-only commands such as rg, ls and sed -n to explore.\n"
  "- Keep edits to files small and focused; never rewrite unrelated code.\n"
  "- Respect the sandbox and approval rules you are given; ask before destructive actions.\n"
  "- After changing code, run the relevant tests or build when you can.\n"
  "- Keep answers short and concrete: say what you did, what you found and what is left.";

static void
add_level (JsonBuilder *b,
           const char  *effort,
           const char  *description)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "effort");
  json_builder_add_string_value (b, effort);
  json_builder_set_member_name (b, "description");
  json_builder_add_string_value (b, description);
  json_builder_end_object (b);
}

static void
add_model (JsonBuilder *b,
           const char  *id,
           guint        priority)
{
  const I2aModelInfo *info = i2a_models_lookup (id);
  gboolean thinking = info != NULL && info->thinking;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "slug");
  json_builder_add_string_value (b, id);
  json_builder_set_member_name (b, "display_name");
  json_builder_add_string_value (b, info && info->name ? info->name : id);
  json_builder_set_member_name (b, "description");
  json_builder_add_string_value (b, "Served by iflow2api over its account pool");
  json_builder_set_member_name (b, "default_reasoning_level");
  if (thinking)
    json_builder_add_string_value (b, "medium");
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "supported_reasoning_levels");
  json_builder_begin_array (b);
  /* Any effort but "none" switches the model's thinking on upstream. */
  if (thinking)
    {
      add_level (b, "low", "Thinking on");
      add_level (b, "medium", "Thinking on");
      add_level (b, "high", "Thinking on");
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "shell_type");
  json_builder_add_string_value (b, "unified_exec");
  json_builder_set_member_name (b, "visibility");
  json_builder_add_string_value (b, "list");
  json_builder_set_member_name (b, "supported_in_api");
  json_builder_add_boolean_value (b, TRUE);
  json_builder_set_member_name (b, "priority");
  json_builder_add_int_value (b, priority);
  json_builder_set_member_name (b, "upgrade");
  json_builder_add_null_value (b);
  json_builder_set_member_name (b, "base_instructions");
  json_builder_add_string_value (b, base_instructions);
  json_builder_set_member_name (b, "supports_reasoning_summaries");
  json_builder_add_boolean_value (b, thinking);
  json_builder_set_member_name (b, "support_verbosity");
  json_builder_add_boolean_value (b, FALSE);
  json_builder_set_member_name (b, "default_verbosity");
  json_builder_add_null_value (b);
  /* As for models Codex does not know: no freeform apply_patch grammar
   * (Codex 0.171 accepts only "freeform" or null here); edits go through
   * exec_command. */
  json_builder_set_member_name (b, "apply_patch_tool_type");
  json_builder_add_null_value (b);
  json_builder_set_member_name (b, "truncation_policy");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "mode");
  json_builder_add_string_value (b, "bytes");
  json_builder_set_member_name (b, "limit");
  json_builder_add_int_value (b, 10000);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "supports_parallel_tool_calls");
  json_builder_add_boolean_value (b, TRUE);
  json_builder_set_member_name (b, "context_window");
  json_builder_add_int_value (b, info && info->context_length > 0 ? info->context_length : FALLBACK_CONTEXT);
  json_builder_set_member_name (b, "experimental_supported_tools");
  json_builder_begin_array (b);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "input_modalities");
  json_builder_begin_array (b);
  json_builder_add_string_value (b, "text");
  if (info != NULL && info->vision)
    json_builder_add_string_value (b, "image");
  json_builder_end_array (b);
  json_builder_end_object (b);
}

void
i2a_responses_codex_models (I2aServer         *server,
                            SoupServerMessage *msg)
{
  g_autoptr(I2aApiError) error = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonArray *data;

  if (!i2a_pool_check_client_token (i2a_server_get_pool (server), i2a_http_get_bearer (msg), &error))
    {
      i2a_http_reply_error (msg, error);
      return;
    }
  /* The same models GET /v1/models lists for this client key (the pool's
   * accounts, discovered models, aliases), in Codex's shape. */
  list = i2a_pool_build_model_list (i2a_server_get_pool (server), i2a_http_get_bearer (msg), 0);
  data = json_object_get_array_member (json_node_get_object (list), "data");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "models");
  json_builder_begin_array (b);
  for (guint i = 0; i < json_array_get_length (data); i++)
    add_model (b, json_object_get_string_member (json_array_get_object_element (data, i), "id"), i + 1);
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  i2a_http_reply_json (msg, SOUP_STATUS_OK, root);
}
