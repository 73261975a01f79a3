/* test-codex.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* src/clients: the Codex profile (plan, masked diff, kept user lines,
 * undo) and the `iflow2api codex` subcommand as a subprocess. */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "i2a-client-key.h"
#include "i2a-codex.h"
#include "i2a-error.h"
#include "i2a-test-util.h"

#define KEY "sk-client-abcdef0123456789WXYZ"

static char *
read_text (const char *path)
{
  char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return text;
}

static void
test_default_path (void)
{
  g_autofree char *p1 = NULL;
  g_autofree char *p2 = NULL;
  g_autofree char *home = g_build_filename (g_get_home_dir (), ".codex", "iflow2api.config.toml", NULL);

  g_setenv ("CODEX_HOME", "/somewhere/codex", TRUE);
  p1 = i2a_codex_default_config_path ();
  g_assert_cmpstr (p1, ==, "/somewhere/codex/iflow2api.config.toml");
  g_unsetenv ("CODEX_HOME");
  p2 = i2a_codex_default_config_path ();
  g_assert_cmpstr (p2, ==, home);
  g_assert_true (i2a_client_find ("codex") == &i2a_client_codex);
}

/* A new profile with a key: the file has it, the preview only "…WXYZ". */
static void
test_new_profile (void)
{
  g_autofree char *dir = i2a_test_mkdtemp ();
  g_autofree char *path = g_build_filename (dir, "iflow2api.config.toml", NULL);
  I2aClientOptions options = { NULL, "http://127.0.0.1:8123/v1", KEY, "glm-4.7", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(I2aClientPlan) plan = i2a_client_plan_setup (&i2a_client_codex, path, &options, &error);
  g_autofree char *text = NULL;
  GStatBuf st;

  g_assert_no_error (error);
  g_assert_true (i2a_client_plan_get_changed (plan));
  g_assert_null (strstr (i2a_client_plan_get_diff (plan), KEY));
  g_assert_nonnull (strstr (i2a_client_plan_get_diff (plan), "+experimental_bearer_token = \"…WXYZ\""));
  g_assert_true (i2a_client_plan_apply (plan, NULL, &error));
  g_assert_no_error (error);
  text = read_text (path);
  g_assert_nonnull (strstr (text, "model_provider = \"iflow2api\"\nmodel = \"glm-4.7\"\n"));
  g_assert_nonnull (strstr (text, "[model_providers.iflow2api]\nname = \"iflow2api\"\n"
                                  "base_url = \"http://127.0.0.1:8123/v1\"\nwire_api = \"responses\"\n"
                                  "supports_websockets = false\nexperimental_bearer_token = \"" KEY "\"\n"));
  /* It holds a key. */
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpuint (st.st_mode & 0777, ==, 0600);
  i2a_test_rm_rf (dir);
}

/* Client auth off: no key line at all. The user's own lines stay; our
 * table and top-level keys are replaced, not duplicated; undo restores. */
static void
test_existing_profile (void)
{
  g_autofree char *dir = i2a_test_mkdtemp ();
  g_autofree char *path = g_build_filename (dir, "iflow2api.config.toml", NULL);
  const char *user =
    "model = \"glm-4.6\"\n"
    "model_reasoning_effort = \"high\"\n"
    "model_provider = \"other\"\n"
    "\n"
    "[model_providers.iflow2api]\n"
    "base_url = \"http://old/v1\"\n"
    "experimental_bearer_token = \"sk-old-0000\"\n"
    "\n"
    "[mcp_servers.docs]\n"
    "command = \"docs-server\"\n";
  I2aClientOptions options = { NULL, "http://127.0.0.1:8000/v1", I2A_CLIENT_KEY_NO_AUTH, NULL, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(I2aClientPlan) plan = NULL;
  g_autoptr(I2aClientPlan) again = NULL;
  g_autoptr(I2aClientPlan) undo = NULL;
  g_autofree char *text = NULL;
  g_autofree char *restored = NULL;

  i2a_test_write_file (path, user);
  plan = i2a_client_plan_setup (&i2a_client_codex, path, &options, &error);
  g_assert_no_error (error);
  g_assert_null (strstr (i2a_client_plan_get_diff (plan), "sk-old-0000"));
  g_assert_true (i2a_client_plan_apply (plan, NULL, &error));
  g_assert_no_error (error);
  text = read_text (path);
  /* The profile's model is kept without --model. */
  g_assert_nonnull (strstr (text, "model_provider = \"iflow2api\"\nmodel = \"glm-4.6\"\nmodel_reasoning_effort = \"high\"\n"));
  g_assert_nonnull (strstr (text, "[mcp_servers.docs]\ncommand = \"docs-server\"\n"));
  g_assert_null (strstr (text, "bearer"));
  g_assert_null (strstr (text, "\"other\""));
  g_assert_null (strstr (text, "http://old"));
  g_assert_nonnull (strstr (text, "base_url = \"http://127.0.0.1:8000/v1\""));
  /* Applying again changes nothing. */
  again = i2a_client_plan_setup (&i2a_client_codex, path, &options, &error);
  g_assert_no_error (error);
  g_assert_false (i2a_client_plan_get_changed (again));
  undo = i2a_client_plan_undo (&i2a_client_codex, path, &error);
  g_assert_no_error (error);
  g_assert_true (i2a_client_plan_apply (undo, NULL, &error));
  restored = read_text (path);
  g_assert_cmpstr (restored, ==, user);
  i2a_test_rm_rf (dir);
}

static void
test_refusals (void)
{
  g_autofree char *dir = i2a_test_mkdtemp ();
  g_autofree char *path = g_build_filename (dir, "iflow2api.config.toml", NULL);
  I2aClientOptions options = { NULL, NULL, NULL, "gpt-4o", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(I2aClientPlan) plan = i2a_client_plan_setup (&i2a_client_codex, path, &options, &error);

  g_assert_null (plan);
  g_assert_error (error, I2A_ERROR, I2A_ERROR_INVALID_CONFIG);
  g_assert_nonnull (strstr (error->message, "gpt-4o"));
  g_clear_error (&error);
  i2a_test_write_file (path, "model = \"\xff\xfe\"\n");
  options.model = NULL;
  plan = i2a_client_plan_setup (&i2a_client_codex, path, &options, &error);
  g_assert_null (plan);
  g_assert_error (error, I2A_ERROR, I2A_ERROR_INVALID_CONFIG);
  i2a_test_rm_rf (dir);
}

/* The real subcommand with $CODEX_HOME: preview, --apply (a client key
 * from keys.json, never printed in full), --list-backups, --undo; Codex's
 * own config.toml is never touched. */
static void
test_command (void)
{
  g_autofree char *dir = i2a_test_mkdtemp ();
  g_autofree char *codex_home = g_build_filename (dir, "codex", NULL);
  g_autofree char *path = g_build_filename (codex_home, "iflow2api.config.toml", NULL);
  g_autofree char *config = g_build_filename (codex_home, "config.toml", NULL);
  g_autofree char *keys = g_build_filename (dir, "keys.json", NULL);
  const char *bin = g_getenv ("I2A_BINARY");
  const char *modes[I2A_TEST_CLIENT_STEPS] = { NULL, "--apply", "--list-backups", "--undo" };
  const char *user_config = "model = \"o3\"\n";

  if (bin == NULL || !g_file_test (bin, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("iflow2api not built");
      return;
    }
  i2a_test_write_client_keys (keys, KEY);
  g_mkdir_with_parents (codex_home, 0700);
  i2a_test_write_file (config, user_config);
  for (guint i = 0; i < I2A_TEST_CLIENT_STEPS; i++)
    {
      g_autofree char *out = i2a_test_run_client_step ("codex", i, dir, keys, "CODEX_HOME", codex_home);

      g_assert_null (strstr (out, KEY));
      if (modes[i] == NULL)
        {
          g_assert_nonnull (strstr (out, "+wire_api = \"responses\""));
          g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
        }
      if (g_strcmp0 (modes[i], "--apply") == 0)
        {
          g_autofree char *text = read_text (path);

          g_assert_nonnull (strstr (text, "base_url = \"http://127.0.0.1:8765/v1\""));
          g_assert_nonnull (strstr (text, "experimental_bearer_token = \"" KEY "\""));
          g_assert_nonnull (strstr (out, "codex --profile iflow2api"));
        }
      if (g_strcmp0 (modes[i], "--list-backups") == 0)
        g_assert_nonnull (strstr (out, "iflow2api.config.toml.bak-"));
    }
  /* Undo removed the profile it had created; config.toml is untouched. */
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  {
    g_autofree char *text = read_text (config);

    g_assert_cmpstr (text, ==, user_config);
  }
  i2a_test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/clients/codex/default-path", test_default_path);
  g_test_add_func ("/clients/codex/new-profile", test_new_profile);
  g_test_add_func ("/clients/codex/existing-profile", test_existing_profile);
  g_test_add_func ("/clients/codex/refusals", test_refusals);
  g_test_add_func ("/clients/codex/command", test_command);
  return g_test_run ();
}
