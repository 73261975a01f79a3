/* test-pool-model-rules.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The keys.json writer of "aliases" and "fallbacks" (what the window's
 * Models page calls): applied at once, written atomically with mode 0600,
 * everything else in the file kept; a rejected edit changes nothing. */
#include "config.h"

#include <sys/stat.h>
#include <glib/gstdio.h>

#include "pool-test-env.h"

static char *
read_file (Env *e)
{
  char *contents = NULL;
  GStatBuf st;

  i2a_test_pool_flush (e->pool);
  g_assert_true (g_file_get_contents (e->keys_path, &contents, NULL, NULL));
  g_assert_cmpint (g_stat (e->keys_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  return contents;
}

static JsonObject *
object_from (const char *json)
{
  g_autoptr(JsonNode) node = json_from_string (json, NULL);

  g_assert_nonnull (node);
  return json_object_ref (json_node_get_object (node));
}

static I2aModelRules *
rules (Env *e)
{
  return i2a_pool_get_config (e->pool)->model_rules;
}

static void
test_write (void)
{
  Env *e = env_new ("{\"x-note\": {\"keep\": [1, 2]}, " ACCOUNTS3 ("", "", "") ", " ROUTES "}");
  g_autoptr(JsonObject) aliases = object_from ("{\"claude-*\": \"glm-4.7\", \"gpt-5\": \"deepseek-chat\"}");
  g_autoptr(JsonObject) fallbacks = object_from ("{\"glm-5\": [\"glm-4.7\", \"deepseek-v3.2-chat\"]}");
  g_autoptr(JsonObject) none = json_object_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  const char *const *chain;

  g_assert_true (i2a_pool_set_model_rules (e->pool, aliases, fallbacks, &error));
  g_assert_no_error (error);
  /* In force at once. */
  g_assert_cmpstr (i2a_model_rules_resolve (rules (e), "claude-sonnet-4"), ==, "glm-4.7");
  g_assert_cmpstr (i2a_model_rules_resolve (rules (e), "gpt-5"), ==, "deepseek-chat");
  chain = i2a_model_rules_fallbacks (rules (e), "glm-5");
  g_assert_nonnull (chain);
  g_assert_cmpstr (chain[0], ==, "glm-4.7");
  g_assert_cmpstr (chain[1], ==, "deepseek-v3.2-chat");

  /* On disk, with everything else. */
  text = read_file (e);
  g_assert_nonnull (strstr (text, "\"claude-*\""));
  g_assert_nonnull (strstr (text, "\"deepseek-v3.2-chat\""));
  g_assert_nonnull (strstr (text, "\"x-note\""));
  g_assert_nonnull (strstr (text, KEY_1));
  g_assert_nonnull (strstr (text, TOK_P));
  g_clear_pointer (&text, g_free);

  /* NULL leaves a member; an empty object removes it. */
  g_assert_true (i2a_pool_set_model_rules (e->pool, NULL, none, &error));
  g_assert_no_error (error);
  g_assert_null (i2a_model_rules_fallbacks (rules (e), "glm-5"));
  g_assert_cmpstr (i2a_model_rules_resolve (rules (e), "gpt-5"), ==, "deepseek-chat");
  text = read_file (e);
  g_assert_null (strstr (text, "\"fallbacks\""));
  g_assert_nonnull (strstr (text, "\"aliases\""));
  g_assert_nonnull (strstr (text, "\"x-note\""));
  env_free (e);
}

static void
test_rejected (void)
{
  Env *e = env_new ("{" ACCOUNTS3 ("", "", "") ", \"aliases\": {\"gpt-5\": \"deepseek-chat\"}}");
  g_autoptr(JsonObject) bad = object_from ("{\"glm-5\": 3}");
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  g_assert_true (g_file_get_contents (e->keys_path, &before, NULL, NULL));

  g_assert_false (i2a_pool_set_model_rules (e->pool, NULL, bad, &error));
  g_assert_error (error, I2A_ERROR, I2A_ERROR_INVALID_CONFIG);
  /* The configuration in force, its document and the file are as they were. */
  g_assert_cmpstr (i2a_model_rules_resolve (rules (e), "gpt-5"), ==, "deepseek-chat");
  g_assert_false (json_object_has_member (json_node_get_object (i2a_pool_get_config (e->pool)->root),
                                          "fallbacks"));
  i2a_test_sleep_ms (200);
  g_assert_true (g_file_get_contents (e->keys_path, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, before);
  env_free (e);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/pool/model-rules/write", test_write);
  g_test_add_func ("/pool/model-rules/rejected", test_rejected);
  return g_test_run ();
}
