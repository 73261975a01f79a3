/* test-models.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "i2a-iflow-rules.h"
#include "i2a-models.h"

/* The seven models of the original list plus the later CLI models. */
static const char * const required_ids[] = {
  "glm-4.7", "iFlow-ROME-30BA3B", "deepseek-v3.2-chat", "qwen3-coder-plus",
  "kimi-k2-thinking", "minimax-m2.1", "kimi-k2-0905",
  "glm-5", "glm-4.6", "kimi-k2", "kimi-k2.5", "minimax-m2.5", "qwen3-max",
  "qwen3-vl-plus",
  NULL
};

static void
test_list_shape (void)
{
  g_autoptr(JsonNode) root = i2a_models_build_list (1700000000);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  JsonObject *obj;
  JsonArray *data;
  guint i;

  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  obj = json_node_get_object (root);
  g_assert_cmpstr (json_object_get_string_member (obj, "object"), ==, "list");
  data = json_object_get_array_member (obj, "data");
  g_assert_cmpuint (json_array_get_length (data), ==, i2a_models_count ());
  g_assert_cmpuint (i2a_models_count (), >=, 14);

  for (i = 0; i < json_array_get_length (data); i++)
    {
      JsonObject *m = json_array_get_object_element (data, i);
      const char *id = json_object_get_string_member (m, "id");

      g_assert_nonnull (id);
      g_assert_false (g_hash_table_contains (seen, id));  /* no duplicates */
      g_hash_table_add (seen, (gpointer) id);
      g_assert_cmpstr (json_object_get_string_member (m, "object"), ==, "model");
      g_assert_cmpint (json_object_get_int_member (m, "created"), ==, 1700000000);
      g_assert_cmpstr (json_object_get_string_member (m, "owned_by"), ==, "iflow");
      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (m, "permission")), ==, 0);
      g_assert_cmpstr (json_object_get_string_member (m, "root"), ==, id);
      g_assert_true (json_object_get_null_member (m, "parent"));
      g_assert_cmpstr (i2a_models_get (i)->id, ==, id);
    }

  for (i = 0; required_ids[i]; i++)
    g_assert_true (g_hash_table_contains (seen, required_ids[i]));
}

static void
test_entries (void)
{
  guint n = i2a_models_count ();
  const I2aModelInfo *info;
  guint i;

  g_assert_null (i2a_models_get (n));

  for (i = 0; i < n; i++)
    {
      info = i2a_models_get (i);
      g_assert_nonnull (info);
      g_assert_nonnull (info->name);
      g_assert_cmpstr (info->name, !=, "");
      g_assert_cmpint (info->context_length, >, 0);
      /* The default output limit is what the official CLI sends. */
      g_assert_cmpint (info->max_output_tokens, ==, i2a_iflow_max_new_tokens (info->id));
      g_assert_cmpint (info->max_output_tokens, <, info->context_length);
      g_assert_true (i2a_models_lookup (info->id) == info);
    }

  info = i2a_models_lookup ("glm-5");
  g_assert_cmpstr (info->name, ==, "GLM-5");
  g_assert_cmpint (info->context_length, ==, 200000);
  g_assert_true (info->thinking);
  g_assert_false (info->vision);

  g_assert_false (i2a_models_lookup ("qwen3-coder-plus")->thinking);
  g_assert_true (i2a_models_lookup ("kimi-k2-thinking")->thinking);
  g_assert_true (i2a_models_lookup ("qwen3-vl-plus")->vision);
  g_assert_cmpint (i2a_models_lookup ("kimi-k2.5")->max_output_tokens, ==, 32768);
}

static void
test_aliases (void)
{
  static const struct { const char *client; const char *canonical; } cases[] = {
    { "glm-4.7", "glm-4.7" },
    { "GLM-4.7", "glm-4.7" },
    { "iflow-rome-30ba3b", "iFlow-ROME-30BA3B" },
    { "IFLOW-ROME-30BA3B", "iFlow-ROME-30BA3B" },
    { "iFlow-ROME-30BA3B", "iFlow-ROME-30BA3B" },
    { "deepseek-v3.2", "deepseek-v3.2-chat" },
    { "DeepSeek-V3.2", "deepseek-v3.2-chat" },
    { "deepseek-v3.2-chat", "deepseek-v3.2-chat" },
    { "iflow/glm-5", "glm-5" },
    { "iFlow/GLM-5", "glm-5" },
    { "iflow2api/kimi-k2.5", "kimi-k2.5" },
    { "iflow/deepseek-v3.2", "deepseek-v3.2-chat" },
    { "iflow2api/iflow-rome-30ba3b", "iFlow-ROME-30BA3B" },
    { "glm-4.6-exp", "glm-4.6" },
    { "kimi-k2-instruct-0905", "kimi-k2-0905" },
    { "Kimi-K2", "kimi-k2" },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("%s", cases[i].client);
      g_assert_cmpstr (i2a_models_canonical_id (cases[i].client), ==, cases[i].canonical);
    }

  g_assert_null (i2a_models_canonical_id ("gpt-4o"));
  g_assert_null (i2a_models_canonical_id (""));
  g_assert_null (i2a_models_canonical_id (NULL));
  g_assert_null (i2a_models_canonical_id ("iflow/"));
  g_assert_null (i2a_models_canonical_id ("other/glm-5"));
  g_assert_null (i2a_models_canonical_id ("glm-5x"));
  g_assert_null (i2a_models_lookup ("nope"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/upstream/models/list-shape", test_list_shape);
  g_test_add_func ("/upstream/models/entries", test_entries);
  g_test_add_func ("/upstream/models/aliases", test_aliases);

  return g_test_run ();
}
