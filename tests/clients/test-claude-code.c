/* test-claude-code.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* src/clients: Claude Code setup (the env block of settings.json) through
 * the shared client-setup module, on real files in a temp dir, and the
 * `iflow2api claude-code` subcommand as a subprocess. */
#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "i2a-claude-code.h"
#include "i2a-client-key.h"
#include "i2a-error.h"
#include "i2a-json.h"
#include "i2a-test-util.h"

#define KEY "sk-iflow-Secret0123456789abcdWXYZ"

/* A user's settings: permissions, hooks, an env entry of their own. */
static const char user_settings[] =
  "{\n"
  "  \"theme\": \"dark\",\n"
  "  \"permissions\": { \"allow\": [\"Bash(npm run test:*)\"], \"deny\": [\"Read(./.env)\"] },\n"
  "  \"env\": { \"MY_FLAG\": \"1\", \"ANTHROPIC_MODEL\": \"claude-opus-4-1\" },\n"
  "  \"hooks\": { \"PreToolUse\": [] },\n"
  "  \"includeCoAuthoredBy\": false\n"
  "}\n";

static JsonObject *
read_json (const char *path)
{
  g_autofree char *text = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &text, &len, NULL));
  return i2a_json_parse_object (text, len);
}

static const char *
env_get (JsonObject *root,
         const char *name)
{
  return json_object_get_string_member (json_object_get_object_member (root, "env"), name);
}

static void
test_default_path (void)
{
  g_autofree char *home_path = NULL;
  g_autofree char *expected = g_build_filename (g_get_home_dir (), ".claude", "settings.json", NULL);
  g_autofree char *dir_path = NULL;

  g_unsetenv ("CLAUDE_CONFIG_DIR");
  home_path = i2a_claude_code_default_config_path ();
  g_assert_cmpstr (home_path, ==, expected);
  g_setenv ("CLAUDE_CONFIG_DIR", "/tmp/cc-config", TRUE);
  dir_path = i2a_claude_code_default_config_path ();
  g_assert_cmpstr (dir_path, ==, "/tmp/cc-config/settings.json");
  g_unsetenv ("CLAUDE_CONFIG_DIR");
  g_assert_true (i2a_client_find ("claude-code") == &i2a_client_claude_code);
}

static void
test_setup_and_undo (void)
{
  g_autofree char *dir = i2a_test_mkdtemp ();
  g_autofree char *path = g_build_filename (dir, "settings.json", NULL);
  I2aClientOptions options = { .base_url = "http://127.0.0.1:8123/v1", .api_key = KEY,
                               .model = "glm-4.7", .small_model = "qwen3-coder-plus" };
  g_autoptr(GError) error = NULL;
  g_autoptr(I2aClientPlan) plan = NULL;
  g_autoptr(I2aClientPlan) undo = NULL;
  g_autoptr(JsonObject) root = NULL;
  g_autofree char *backup = NULL;
  g_autofree char *after_undo = NULL;

  i2a_test_write_file (path, user_settings);
  plan = i2a_client_plan_setup (&i2a_client_claude_code, path, &options, &error);
  g_assert_no_error (error);
  g_assert_true (i2a_client_plan_get_changed (plan));
  /* The preview masks the key. */
  g_assert_null (strstr (i2a_client_plan_get_diff (plan), KEY));
  g_assert_nonnull (strstr (i2a_client_plan_get_diff (plan), "ANTHROPIC_BASE_URL"));
  g_assert_true (i2a_client_plan_apply (plan, &backup, &error));
  g_assert_no_error (error);
  g_assert_nonnull (backup);

  root = read_json (path);
  g_assert_cmpstr (env_get (root, "ANTHROPIC_BASE_URL"), ==, "http://127.0.0.1:8123");
  g_assert_cmpstr (env_get (root, "ANTHROPIC_AUTH_TOKEN"), ==, KEY);
  g_assert_cmpstr (env_get (root, "ANTHROPIC_MODEL"), ==, "glm-4.7");
  g_assert_cmpstr (env_get (root, "ANTHROPIC_DEFAULT_OPUS_MODEL"), ==, "glm-4.7");
  g_assert_cmpstr (env_get (root, "ANTHROPIC_DEFAULT_SONNET_MODEL"), ==, "glm-4.7");
  g_assert_cmpstr (env_get (root, "ANTHROPIC_DEFAULT_HAIKU_MODEL"), ==, "qwen3-coder-plus");
  g_assert_cmpstr (env_get (root, "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"), ==, "1");
  /* Everything else is kept. */
  g_assert_cmpstr (env_get (root, "MY_FLAG"), ==, "1");
  g_assert_cmpstr (json_object_get_string_member (root, "theme"), ==, "dark");
  g_assert_true (json_object_has_member (root, "hooks"));
  g_assert_false (json_object_get_boolean_member (root, "includeCoAuthoredBy"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      json_object_get_object_member (root, "permissions"), "deny")), ==, 1);

  /* Again: nothing changes. */
  g_clear_object (&plan);
  plan = i2a_client_plan_setup (&i2a_client_claude_code, path, &options, &error);
  g_assert_no_error (error);
  g_assert_false (i2a_client_plan_get_changed (plan));

  undo = i2a_client_plan_undo (&i2a_client_claude_code, path, &error);
  g_assert_no_error (error);
  g_assert_true (i2a_client_plan_apply (undo, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &after_undo, NULL, NULL));
  g_assert_cmpstr (after_undo, ==, user_settings);
  i2a_test_rm_rf (dir);
}

/* No file yet: created 0600 (it holds a key); without --model the
 * default is set only when the file has none. */
static void
test_new_file_and_defaults (void)
{
  g_autofree char *dir = i2a_test_mkdtemp ();
  g_autofree char *path = g_build_filename (dir, "sub", "settings.json", NULL);
  I2aClientOptions options = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(I2aClientPlan) plan = i2a_client_plan_setup (&i2a_client_claude_code, path, &options, &error);
  g_autoptr(JsonObject) root = NULL;
  GStatBuf st;

  g_assert_no_error (error);
  g_assert_true (i2a_client_plan_apply (plan, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  root = read_json (path);
  g_assert_cmpstr (env_get (root, "ANTHROPIC_BASE_URL"), ==, "http://127.0.0.1:8000");
  g_assert_cmpstr (env_get (root, "ANTHROPIC_AUTH_TOKEN"), ==, I2A_CLIENT_KEY_NO_AUTH);
  g_assert_cmpstr (env_get (root, "ANTHROPIC_MODEL"), ==, I2A_CLAUDE_CODE_DEFAULT_MODEL);
  i2a_test_rm_rf (dir);
}

static void
test_refusals (void)
{
  g_autofree char *dir = i2a_test_mkdtemp ();
  g_autofree char *path = g_build_filename (dir, "settings.json", NULL);
  I2aClientOptions unknown = { .model = "gpt-99" };
  I2aClientOptions plain = { 0 };
  const char *bad[] = {
    "{ // a comment\n \"theme\": \"dark\" }\n",
    "{\"env\": [\"A=1\"]}\n",
    "[1, 2]\n",
    "{\"theme\": \"dark\",}\n",
  };

  i2a_test_write_file (path, "{}\n");
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(I2aClientPlan) plan = i2a_client_plan_setup (&i2a_client_claude_code, path, &unknown, &error);

    g_assert_null (plan);
    g_assert_error (error, I2A_ERROR, I2A_ERROR_INVALID_CONFIG);
    g_assert_nonnull (strstr (error->message, "gpt-99"));
  }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(I2aClientPlan) plan = NULL;
      g_autofree char *text = NULL;

      i2a_test_write_file (path, bad[i]);
      plan = i2a_client_plan_setup (&i2a_client_claude_code, path, &plain, &error);
      g_assert_null (plan);
      g_assert_error (error, I2A_ERROR, I2A_ERROR_INVALID_CONFIG);
      g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
      g_assert_cmpstr (text, ==, bad[i]);
    }
  i2a_test_rm_rf (dir);
}

/* The real subcommand: preview, --apply, --list-backups, --undo, with
 * $CLAUDE_CONFIG_DIR and a client key from keys.json. */
static void
test_command (void)
{
  g_autofree char *dir = i2a_test_mkdtemp ();
  g_autofree char *cfg = g_build_filename (dir, "claude", NULL);
  g_autofree char *path = g_build_filename (cfg, "settings.json", NULL);
  g_autofree char *keys = g_build_filename (dir, "keys.json", NULL);
  const char *bin = g_getenv ("I2A_BINARY");
  const char *modes[I2A_TEST_CLIENT_STEPS] = { NULL, "--apply", "--list-backups", "--undo" };
  g_autoptr(JsonObject) root = NULL;

  if (bin == NULL || !g_file_test (bin, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("iflow2api not built");
      return;
    }
  i2a_test_write_client_keys (keys, "sk-client-abcdef0123456789");
  g_mkdir_with_parents (cfg, 0700);
  i2a_test_write_file (path, user_settings);
  for (guint i = 0; i < I2A_TEST_CLIENT_STEPS; i++)
    {
      g_autofree char *out = i2a_test_run_client_step ("claude-code", i, dir, keys, "CLAUDE_CONFIG_DIR", cfg);

      /* The client key never shows in full. */
      g_assert_null (strstr (out, "sk-client-abcdef0123456789"));
      if (modes[i] == NULL)
        g_assert_nonnull (strstr (out, "ANTHROPIC_BASE_URL"));
      if (g_strcmp0 (modes[i], "--apply") == 0)
        {
          root = read_json (path);
          g_assert_cmpstr (env_get (root, "ANTHROPIC_BASE_URL"), ==, "http://127.0.0.1:8765");
          g_assert_cmpstr (env_get (root, "ANTHROPIC_AUTH_TOKEN"), ==, "sk-client-abcdef0123456789");
          g_assert_cmpstr (env_get (root, "ANTHROPIC_MODEL"), ==, "glm-4.7");
        }
      if (g_strcmp0 (modes[i], "--list-backups") == 0)
        g_assert_nonnull (strstr (out, "settings.json.bak-"));
    }
  {
    g_autofree char *text = NULL;

    g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
    g_assert_cmpstr (text, ==, user_settings);
  }
  i2a_test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/clients/claude-code/default-path", test_default_path);
  g_test_add_func ("/clients/claude-code/setup-and-undo", test_setup_and_undo);
  g_test_add_func ("/clients/claude-code/new-file", test_new_file_and_defaults);
  g_test_add_func ("/clients/claude-code/refusals", test_refusals);
  g_test_add_func ("/clients/claude-code/command", test_command);
  return g_test_run ();
}
