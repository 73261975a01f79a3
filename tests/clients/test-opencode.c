/* test-opencode.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* src/clients: OpenCode setup (plan, apply, backups, undo) and the
 * `iflow2api opencode` subcommand as a subprocess, on real files in a temp
 * dir. The text helpers are in test-client-text.c. */
#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "i2a-client-key.h"
#include "i2a-error.h"
#include "i2a-models.h"
#include "i2a-opencode.h"
#include "i2a-test-util.h"

#define KEY "sk-iflow-Secret0123456789abcdWXYZ"

/* A user's file: other providers (one with a literal key), floats, UTF-8,
 * nesting, and a default model of their own. */
static const char user_config[] =
  "{\n"
  "  \"$schema\": \"https://opencode.ai/config.json\",\n"
  "  \"theme\": \"tokyonight\",\n"
  "  \"model\": \"anthropic/claude-sonnet-4-5\",\n"
  "  \"provider\": {\n"
  "    \"anthropic\": { \"options\": { \"apiKey\": \"sk-ant-LiteralKey00009999\" } },\n"
  "    \"ollama\": { \"npm\": \"@ai-sdk/openai-compatible\", \"options\": { \"baseURL\": \"http://localhost:11434/v1\",\n"
  "                \"apiKey\": \"{env:OLLAMA_KEY}\" }, \"models\": { \"llama3\": {} } }\n"
  "  },\n"
  "  \"agent\": { \"build\": { \"temperature\": 0.7, \"top_p\": 1.0, \"steps\": 12, \"note\": \"中文 \\\"quoted\\\"\\n\" } },\n"
  "  \"instructions\": [\"AGENTS.md\", \"docs/*.md\"],\n"
  "  \"share\": null,\n"
  "  \"autoupdate\": false\n"
  "}\n";

typedef struct
{
  char *dir;
  char *path;     /* dir/cfg/opencode/opencode.json */
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->dir = i2a_test_mkdtemp ();
  f->path = g_build_filename (f->dir, "cfg", "opencode", "opencode.json", NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  i2a_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

static char *
read_file (const char *path,
           gsize      *length)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, length, &error);
  g_assert_no_error (error);
  return contents;
}

static guint
file_mode (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_mode & 0777;
}

static void
write_mode (const char *path,
            const char *contents,
            guint       mode)
{
  i2a_test_write_file (path, contents);
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
}

static JsonNode *
parse (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

static JsonNode *
parse_file (const char *path)
{
  g_autofree char *text = read_file (path, NULL);

  return parse (text);
}

static guint
count_backups (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) backups = i2a_client_list_backups (path, &error);

  g_assert_no_error (error);
  return g_strv_length (backups);
}

static I2aClientPlan *
plan_with_key (const char *path,
               const char *key)
{
  g_autoptr(GError) error = NULL;
  I2aClientOptions options = { NULL, "http://127.0.0.1:8123/v1", key, NULL, NULL };
  I2aClientPlan *plan = i2a_client_plan_setup (&i2a_client_opencode, path, &options, &error);

  g_assert_no_error (error);
  g_assert_nonnull (plan);
  return plan;
}

static void
apply_ok (I2aClientPlan *plan,
          char           **backup)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (i2a_client_plan_apply (plan, backup, &error));
  g_assert_no_error (error);
}

static JsonObject *
provider_of (JsonNode   *root,
             const char *name)
{
  return json_object_get_object_member (json_object_get_object_member (json_node_get_object (root), "provider"), name);
}

/* ---- plans -------------------------------------------------------------- */

static void
test_fresh_file (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(I2aClientPlan) plan = plan_with_key (f->path, KEY);
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *backup = NULL;
  g_autofree char *backup_data = NULL;
  gsize backup_length = 1;
  JsonObject *provider, *options, *models, *glm;

  g_assert_false (i2a_client_plan_get_file_exists (plan));
  g_assert_true (i2a_client_plan_get_changed (plan));
  g_assert_cmpstr (i2a_client_plan_get_old_text (plan), ==, "");
  apply_ok (plan, &backup);

  g_assert_cmpuint (file_mode (f->path), ==, 0600);
  root = parse_file (f->path);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (root), "$schema"), ==,
                   "https://opencode.ai/config.json");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (root), "model"), ==, "iflow2api/glm-5");
  g_assert_false (json_object_has_member (json_node_get_object (root), "small_model"));
  provider = provider_of (root, "iflow2api");
  g_assert_cmpstr (json_object_get_string_member (provider, "npm"), ==, "@ai-sdk/openai-compatible");
  g_assert_cmpstr (json_object_get_string_member (provider, "name"), ==, "iflow2api");
  options = json_object_get_object_member (provider, "options");
  g_assert_cmpstr (json_object_get_string_member (options, "baseURL"), ==, "http://127.0.0.1:8123/v1");
  g_assert_cmpstr (json_object_get_string_member (options, "apiKey"), ==, KEY);
  models = json_object_get_object_member (provider, "models");
  g_assert_cmpuint (json_object_get_size (models), ==, i2a_models_count ());
  for (guint i = 0; i < i2a_models_count (); i++)
    {
      const I2aModelInfo *info = i2a_models_get (i);
      JsonObject *entry = json_object_get_object_member (models, info->id);
      JsonObject *limit = json_object_get_object_member (entry, "limit");

      g_assert_cmpstr (json_object_get_string_member (entry, "name"), ==, info->name);
      g_assert_cmpint (json_object_get_int_member (limit, "context"), ==, info->context_length);
      /* OpenCode refuses a custom model whose output limit is 0. */
      g_assert_cmpint (json_object_get_int_member (limit, "output"), >, 0);
      g_assert_cmpint (json_object_get_boolean_member (entry, "reasoning"), ==, info->thinking);
    }
  glm = json_object_get_object_member (models, "glm-5");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (glm, "limit"), "output"), ==, 32000);

  /* The backup of "no file" is empty: undo removes the file again. */
  g_assert_nonnull (backup);
  backup_data = read_file (backup, &backup_length);
  g_assert_cmpuint (backup_length, ==, 0);
  g_assert_cmpuint (file_mode (backup), ==, 0600);
}

static void
test_preserves_user_config (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(I2aClientPlan) plan = NULL;
  g_autoptr(JsonNode) before = parse (user_config);
  g_autoptr(JsonNode) after = NULL;
  g_autofree char *backup = NULL;
  g_autofree char *backup_data = NULL;
  g_autofree char *text = NULL;
  JsonObject *providers;

  write_mode (f->path, user_config, 0640);
  plan = plan_with_key (f->path, KEY);
  g_assert_true (i2a_client_plan_get_file_exists (plan));
  apply_ok (plan, &backup);

  /* Same permissions, even ones the umask would not give. */
  g_assert_cmpuint (file_mode (f->path), ==, 0640);
  backup_data = read_file (backup, NULL);
  g_assert_cmpstr (backup_data, ==, user_config);

  after = parse_file (f->path);
  /* The user's default model stays: only --model replaces it. */
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (after), "model"), ==,
                   "anthropic/claude-sonnet-4-5");
  g_assert_nonnull (provider_of (after, "iflow2api"));
  providers = json_object_get_object_member (json_node_get_object (after), "provider");
  json_object_remove_member (providers, "iflow2api");
  g_assert_true (json_node_equal (before, after));

  /* No double noise: 0.7 stays 0.7 in the file. */
  text = read_file (f->path, NULL);
  g_assert_nonnull (strstr (text, "\"temperature\": 0.7,"));
  g_assert_nonnull (strstr (text, "中文"));
}

static void
test_existing_provider_merged (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(I2aClientPlan) plan = NULL;
  g_autoptr(JsonNode) after = NULL;
  JsonObject *provider, *models;

  i2a_test_write_file (f->path,
    "{\"provider\": {\"iflow2api\": {\"options\": {\"baseURL\": \"http://old/v1\", \"timeout\": 600000},\n"
    "  \"models\": {\"glm-5\": {\"name\": \"old\", \"options\": {\"x\": 1}}, \"my-own\": {\"name\": \"Mine\"}}}}}");
  plan = plan_with_key (f->path, KEY);
  apply_ok (plan, NULL);
  after = parse_file (f->path);
  provider = provider_of (after, "iflow2api");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (provider, "options"), "timeout"), ==, 600000);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (provider, "options"), "baseURL"), ==,
                   "http://127.0.0.1:8123/v1");
  models = json_object_get_object_member (provider, "models");
  g_assert_true (json_object_has_member (models, "my-own"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (models, "glm-5"), "name"), ==, "GLM-5");
  g_assert_true (json_object_has_member (json_object_get_object_member (models, "glm-5"), "options"));

  /* A second identical setup changes nothing and makes no backup. */
  g_clear_object (&plan);
  plan = plan_with_key (f->path, KEY);
  g_assert_false (i2a_client_plan_get_changed (plan));
  g_assert_cmpstr (i2a_client_plan_get_diff (plan), ==, "");
  apply_ok (plan, NULL);
  g_assert_cmpuint (count_backups (f->path), ==, 1);
}

static void
test_backup_rotation (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *previous = NULL;
  g_auto(GStrv) backups = NULL;

  i2a_test_write_file (f->path, user_config);
  for (guint i = 0; i < 8; i++)
    {
      g_autofree char *key = g_strdup_printf ("sk-iflow-rotation-key-%02u", i);
      g_autoptr(I2aClientPlan) plan = plan_with_key (f->path, key);

      g_free (previous);
      previous = read_file (f->path, NULL);
      apply_ok (plan, NULL);
    }
  backups = i2a_client_list_backups (f->path, NULL);
  g_assert_cmpuint (g_strv_length (backups), ==, I2A_CLIENT_MAX_BACKUPS);
  /* Newest first: the first one holds the file as it was before the last
   * apply, and all of them sort after each other. */
  {
    g_autofree char *newest = read_file (backups[0], NULL);

    g_assert_cmpstr (newest, ==, previous);
  }
  for (guint i = 0; i + 1 < I2A_CLIENT_MAX_BACKUPS; i++)
    {
      g_autofree char *a = read_file (backups[i], NULL);
      g_autofree char *b = read_file (backups[i + 1], NULL);
      g_autofree char *key_a = g_strdup_printf ("rotation-key-%02u", 6 - i);
      g_autofree char *key_b = g_strdup_printf ("rotation-key-%02u", 5 - i);

      g_assert_nonnull (strstr (a, key_a));
      g_assert_nonnull (strstr (b, key_b));
    }
}

static void
test_undo (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(I2aClientPlan) plan = NULL;
  g_autoptr(I2aClientPlan) undo = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *restored = NULL;
  const char *original = "{\"theme\":\"x\",   \"n\": 0.10}\n";

  /* Nothing to undo yet. */
  undo = i2a_client_plan_undo (&i2a_client_opencode, f->path, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_null (undo);
  g_clear_error (&error);

  write_mode (f->path, original, 0644);
  plan = plan_with_key (f->path, KEY);
  apply_ok (plan, NULL);
  undo = i2a_client_plan_undo (&i2a_client_opencode, f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (i2a_client_plan_get_kind (undo), ==, I2A_CLIENT_PLAN_UNDO);
  g_assert_null (strstr (i2a_client_plan_get_diff (undo), KEY));
  g_assert_nonnull (strstr (i2a_client_plan_get_diff (undo), "-      \"name\": \"iflow2api\","));
  apply_ok (undo, NULL);

  /* Byte for byte, with its mode, and the backup is used up. */
  restored = read_file (f->path, NULL);
  g_assert_cmpstr (restored, ==, original);
  g_assert_cmpuint (file_mode (f->path), ==, 0644);
  g_assert_cmpuint (count_backups (f->path), ==, 0);
}

static void
test_undo_fresh_removes (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(I2aClientPlan) plan = plan_with_key (f->path, KEY);
  g_autoptr(I2aClientPlan) undo = NULL;
  g_autoptr(GError) error = NULL;

  apply_ok (plan, NULL);
  g_assert_true (g_file_test (f->path, G_FILE_TEST_EXISTS));
  undo = i2a_client_plan_undo (&i2a_client_opencode, f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (i2a_client_plan_get_new_text (undo), ==, "");
  apply_ok (undo, NULL);
  g_assert_false (g_file_test (f->path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_backups (f->path), ==, 0);
}

static void
test_bom (Fixture       *f,
          gconstpointer  data)
{
  g_autoptr(I2aClientPlan) plan = NULL;
  g_autoptr(JsonNode) after = NULL;
  g_autofree char *text = NULL;

  i2a_test_write_file (f->path, "\xef\xbb\xbf{\"theme\": \"opencode\"}\n");
  plan = plan_with_key (f->path, KEY);
  apply_ok (plan, NULL);
  text = read_file (f->path, NULL);
  g_assert_true (text[0] == '{');
  after = parse (text);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (after), "theme"), ==, "opencode");
  g_assert_nonnull (provider_of (after, "iflow2api"));
}

static void
test_comments_refused (Fixture       *f,
                       gconstpointer  data)
{
  const char *cases[] = {
    "{\n  // my providers\n  \"theme\": \"x\"\n}\n",
    "{\n  \"theme\": /* dark */ \"x\"\n}\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(I2aClientPlan) plan = NULL;
      g_autofree char *after = NULL;
      I2aClientOptions options = { .api_key = KEY };

      i2a_test_write_file (f->path, cases[i]);
      plan = i2a_client_plan_setup (&i2a_client_opencode, f->path, &options, &error);
      g_assert_null (plan);
      g_assert_error (error, I2A_ERROR, I2A_ERROR_INVALID_CONFIG);
      g_assert_nonnull (strstr (error->message, "comments"));
      g_assert_nonnull (strstr (error->message, "left unchanged"));
      g_assert_true (g_str_has_prefix (error->message, f->path));
      after = read_file (f->path, NULL);
      g_assert_cmpstr (after, ==, cases[i]);
      g_assert_cmpuint (count_backups (f->path), ==, 0);
    }
}

static void
test_invalid_refused (Fixture       *f,
                      gconstpointer  data)
{
  const char *cases[] = { "{\"a\": 1,}", "[1, 2]", "{\"provider\": \"oops\"}" };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(I2aClientPlan) plan = NULL;
      g_autofree char *after = NULL;

      i2a_test_write_file (f->path, cases[i]);
      plan = i2a_client_plan_setup (&i2a_client_opencode, f->path, NULL, &error);
      g_assert_error (error, I2A_ERROR, I2A_ERROR_INVALID_CONFIG);
      g_assert_nonnull (strstr (error->message, "unchanged"));
      after = read_file (f->path, NULL);
      g_assert_cmpstr (after, ==, cases[i]);
    }
}

static void
test_preview_writes_nothing (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(I2aClientPlan) fresh = plan_with_key (f->path, KEY);
  g_autoptr(I2aClientPlan) existing = NULL;
  g_autofree char *parent = g_path_get_dirname (f->path);
  g_autofree char *after = NULL;
  const char *diff;
  GStatBuf before_st, after_st;

  /* Not even the directory. */
  g_assert_false (g_file_test (parent, G_FILE_TEST_EXISTS));
  g_assert_null (strstr (i2a_client_plan_get_diff (fresh), KEY));
  g_assert_nonnull (strstr (i2a_client_plan_get_diff (fresh), "\"apiKey\": \"…WXYZ\""));

  i2a_test_write_file (f->path, user_config);
  g_assert_cmpint (g_stat (f->path, &before_st), ==, 0);
  existing = plan_with_key (f->path, KEY);
  diff = i2a_client_plan_get_diff (existing);
  g_assert_true (g_str_has_prefix (diff, "--- "));
  g_assert_nonnull (strstr (diff, "+        \"apiKey\": \"…WXYZ\""));
  /* Neither our key nor the user's other secrets appear in full. */
  g_assert_null (strstr (diff, KEY));
  g_assert_null (strstr (i2a_client_plan_get_new_text (existing), KEY));
  g_assert_null (strstr (i2a_client_plan_get_old_text (existing), "LiteralKey"));
  g_assert_null (strstr (i2a_client_plan_get_new_text (existing), "LiteralKey"));
  g_assert_nonnull (strstr (i2a_client_plan_get_new_text (existing), "{env:OLLAMA_KEY}"));

  after = read_file (f->path, NULL);
  g_assert_cmpstr (after, ==, user_config);
  g_assert_cmpint (g_stat (f->path, &after_st), ==, 0);
  g_assert_cmpint (after_st.st_mtime, ==, before_st.st_mtime);
  g_assert_cmpuint (count_backups (f->path), ==, 0);
}

static void
test_changed_since_preview (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(I2aClientPlan) plan = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *after = NULL;

  i2a_test_write_file (f->path, "{\"theme\": \"a\"}");
  plan = plan_with_key (f->path, KEY);
  i2a_test_write_file (f->path, "{\"theme\": \"edited meanwhile\"}");
  g_assert_false (i2a_client_plan_apply (plan, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WRONG_ETAG);
  after = read_file (f->path, NULL);
  g_assert_cmpstr (after, ==, "{\"theme\": \"edited meanwhile\"}");
  g_assert_cmpuint (count_backups (f->path), ==, 0);
}

static void
test_pending_key (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(I2aClientPlan) plan = plan_with_key (f->path, I2A_CLIENT_PENDING_KEY);
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (strstr (i2a_client_plan_get_diff (plan), I2A_CLIENT_PENDING_KEY));
  g_assert_false (i2a_client_plan_apply (plan, NULL, &error));
  g_assert_error (error, I2A_ERROR, I2A_ERROR_FAILED);
  g_assert_false (g_file_test (f->path, G_FILE_TEST_EXISTS));
}

static void
test_symlink_kept (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *target = g_build_filename (f->dir, "dotfiles", "opencode.json", NULL);
  g_autofree char *parent = g_path_get_dirname (f->path);
  g_autoptr(I2aClientPlan) plan = NULL;
  g_autoptr(JsonNode) after = NULL;

  write_mode (target, "{\"theme\": \"x\"}", 0600);
  g_mkdir_with_parents (parent, 0700);
  g_assert_cmpint (symlink ("../../dotfiles/opencode.json", f->path), ==, 0);
  plan = plan_with_key (f->path, KEY);
  apply_ok (plan, NULL);
  g_assert_true (g_file_test (f->path, G_FILE_TEST_IS_SYMLINK));
  after = parse_file (target);
  g_assert_nonnull (provider_of (after, "iflow2api"));
}

static void
test_model_options (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(I2aClientPlan) plan = NULL;
  g_autoptr(JsonNode) after = NULL;
  I2aClientOptions options = { "iflow", NULL, KEY, "iflow/Kimi-K2.5", "minimax-m2.5" };
  I2aClientOptions leave = { NULL, NULL, KEY, "", NULL };
  I2aClientOptions bad = { NULL, NULL, KEY, "gpt-4o", NULL };
  JsonObject *root;

  plan = i2a_client_plan_setup (&i2a_client_opencode, f->path, &options, &error);
  g_assert_no_error (error);
  apply_ok (plan, NULL);
  after = parse_file (f->path);
  root = json_node_get_object (after);
  g_assert_cmpstr (json_object_get_string_member (root, "model"), ==, "iflow/kimi-k2.5");
  g_assert_cmpstr (json_object_get_string_member (root, "small_model"), ==, "iflow/minimax-m2.5");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (provider_of (after, "iflow"), "options"),
                                                  "baseURL"), ==, "http://127.0.0.1:8000/v1");
  g_clear_object (&plan);

  g_unlink (f->path);
  plan = i2a_client_plan_setup (&i2a_client_opencode, f->path, &leave, &error);
  g_assert_no_error (error);
  g_assert_null (strstr (i2a_client_plan_get_new_text (plan), "\"model\""));
  g_clear_object (&plan);

  plan = i2a_client_plan_setup (&i2a_client_opencode, f->path, &bad, &error);
  g_assert_error (error, I2A_ERROR, I2A_ERROR_INVALID_CONFIG);
  g_assert_nonnull (strstr (error->message, "gpt-4o"));
}

static void
test_async (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(I2aClientPlan) plan = NULL;
  g_autoptr(I2aClientPlan) undo = NULL;
  g_autofree char *backup = NULL;
  g_auto(GStrv) backups = NULL;
  GAsyncResult *slot = NULL;
  GAsyncResult *res = NULL;
  I2aClientOptions options = { .api_key = KEY };

  i2a_test_write_file (f->path, "{}");
  i2a_client_plan_setup_async (&i2a_client_opencode, f->path, &options, NULL, i2a_test_result_cb, &slot);
  plan = i2a_client_plan_setup_finish ((res = i2a_test_wait_result (&slot)), &error);
  g_assert_no_error (error);
  g_clear_object (&res);
  i2a_client_plan_apply_async (plan, NULL, i2a_test_result_cb, &slot);
  g_assert_true (i2a_client_plan_apply_finish (plan, (res = i2a_test_wait_result (&slot)), &backup, &error));
  g_assert_no_error (error);
  g_clear_object (&res);

  i2a_client_list_backups_async (f->path, NULL, i2a_test_result_cb, &slot);
  backups = i2a_client_list_backups_finish ((res = i2a_test_wait_result (&slot)), &error);
  g_assert_no_error (error);
  g_clear_object (&res);
  g_assert_cmpuint (g_strv_length (backups), ==, 1);
  g_assert_cmpstr (backups[0], ==, backup);

  i2a_client_plan_undo_async (&i2a_client_opencode, f->path, NULL, i2a_test_result_cb, &slot);
  undo = i2a_client_plan_undo_finish ((res = i2a_test_wait_result (&slot)), &error);
  g_assert_no_error (error);
  g_clear_object (&res);
  g_assert_cmpstr (i2a_client_plan_get_backup_path (undo), ==, backup);
}

static void
test_default_path (void)
{
  g_autofree char *dir = i2a_test_mkdtemp ();
  g_autofree char *jsonc = g_build_filename (dir, "opencode", "opencode.jsonc", NULL);
  g_autofree char *json = g_build_filename (dir, "opencode", "opencode.json", NULL);
  g_autofree char *p1 = NULL;
  g_autofree char *p2 = NULL;
  g_autofree char *p3 = NULL;

  g_setenv ("XDG_CONFIG_HOME", dir, TRUE);
  g_unsetenv ("OPENCODE_CONFIG");
  p1 = i2a_opencode_default_config_path ();
  g_assert_cmpstr (p1, ==, json);
  i2a_test_write_file (jsonc, "{}");
  p2 = i2a_opencode_default_config_path ();
  g_assert_cmpstr (p2, ==, jsonc);
  g_setenv ("OPENCODE_CONFIG", "/somewhere/else.json", TRUE);
  p3 = i2a_opencode_default_config_path ();
  g_assert_cmpstr (p3, ==, "/somewhere/else.json");
  g_unsetenv ("OPENCODE_CONFIG");
  i2a_test_rm_rf (dir);
}

/* The table the CLI and the window's Clients section use. */
static void
test_client_table (void)
{
  const I2aClient * const *all = i2a_clients_all ();
  gboolean found = FALSE;

  g_assert_true (i2a_client_find ("opencode") == &i2a_client_opencode);
  g_assert_null (i2a_client_find ("no-such-client"));
  g_assert_null (i2a_client_find (NULL));
  for (guint i = 0; all[i]; i++)
    {
      g_assert_nonnull (all[i]->id);
      g_assert_nonnull (all[i]->name);
      g_assert_nonnull (all[i]->write);
      g_assert_nonnull (all[i]->show);
      g_assert_nonnull (all[i]->default_path);
      g_assert_true (i2a_client_find (all[i]->id) == all[i]);
      found |= all[i] == &i2a_client_opencode;
    }
  g_assert_true (found);
}

/* ---- the subcommand ------------------------------------------------------ */

typedef struct
{
  int   status;
  char *out;
  char *err;
} Run;

static void
run_clear (Run *run)
{
  g_free (run->out);
  g_free (run->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

static void
run_cli (Fixture            *f,
         const char * const *args,
         Run                *run)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *config_home = g_build_filename (f->dir, "cfg", NULL);
  g_autofree char *keys = g_build_filename (f->dir, "keys.json", NULL);

  g_ptr_array_add (argv, (gpointer) g_getenv ("I2A_BINARY"));
  g_ptr_array_add (argv, (gpointer) "opencode");
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  g_subprocess_launcher_setenv (launcher, "HOME", f->dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "IFLOW2API_KEYS_PATH", keys, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "OPENCODE_CONFIG");
  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  run->status = g_subprocess_get_exit_status (proc);
  if (run->status != 0)
    g_test_message ("iflow2api exited %d: %s", run->status, run->err);
}

static void
test_cli_no_auth (Fixture       *f,
                  gconstpointer  data)
{
  g_auto(Run) preview = { 0 };
  g_auto(Run) apply = { 0 };
  g_auto(Run) undo = { 0 };
  g_autoptr(JsonNode) root = NULL;
  const char * const none[] = { NULL };
  const char * const do_apply[] = { "--apply", "--port", "8765", NULL };
  const char * const do_undo[] = { "--undo", NULL };

  if (g_getenv ("I2A_BINARY") == NULL)
    {
      g_test_skip ("I2A_BINARY is not set");
      return;
    }
  run_cli (f, none, &preview);
  g_assert_cmpint (preview.status, ==, 0);
  g_assert_nonnull (strstr (preview.out, "+++ "));
  g_assert_nonnull (strstr (preview.out, "\"apiKey\": \"iflow2api-local\""));
  g_assert_nonnull (strstr (preview.out, "Client auth is off"));
  g_assert_false (g_file_test (f->path, G_FILE_TEST_EXISTS));

  run_cli (f, do_apply, &apply);
  g_assert_cmpint (apply.status, ==, 0);
  g_assert_cmpuint (file_mode (f->path), ==, 0600);
  root = parse_file (f->path);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (provider_of (root, "iflow2api"), "options"),
                                                  "baseURL"), ==, "http://127.0.0.1:8765/v1");

  run_cli (f, do_undo, &undo);
  g_assert_cmpint (undo.status, ==, 0);
  g_assert_false (g_file_test (f->path, G_FILE_TEST_EXISTS));
}

static void
test_cli_client_key (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *keys = g_build_filename (f->dir, "keys.json", NULL);
  g_autofree char *keys_before = NULL;
  g_autofree char *keys_after = NULL;
  g_autoptr(I2aKeysConfig) config = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Run) preview = { 0 };
  g_auto(Run) apply = { 0 };
  g_auto(Run) again = { 0 };
  const char * const none[] = { NULL };
  const char * const do_apply[] = { "--apply", NULL };
  const char *key;

  if (g_getenv ("I2A_BINARY") == NULL)
    {
      g_test_skip ("I2A_BINARY is not set");
      return;
    }
  /* Auth on, and the only key reaches one account of two. */
  i2a_test_write_file (keys,
    "{\"auth\": {\"enabled\": true, \"required\": true},\n"
    " \"accounts\": {\"acc1\": {\"api_key\": \"sk-up-1111111111\"}, \"acc2\": {\"api_key\": \"sk-up-2222222222\"}},\n"
    " \"keys\": {\"sk-iflow-partial-000000000000\": {\"account\": \"acc1\"}}}\n");
  keys_before = read_file (keys, NULL);

  run_cli (f, none, &preview);
  g_assert_cmpint (preview.status, ==, 0);
  g_assert_nonnull (strstr (preview.out, "--apply adds one"));
  keys_after = read_file (keys, NULL);
  g_assert_cmpstr (keys_after, ==, keys_before);
  g_assert_false (g_file_test (f->path, G_FILE_TEST_EXISTS));

  run_cli (f, do_apply, &apply);
  g_assert_cmpint (apply.status, ==, 0);
  g_clear_pointer (&keys_after, g_free);
  keys_after = read_file (keys, NULL);
  config = i2a_keys_config_parse (keys_after, -1, keys, &error);
  g_assert_no_error (error);
  key = i2a_client_key_find_for_all (config);
  g_assert_nonnull (key);
  g_assert_true (g_str_has_prefix (key, "sk-iflow-"));
  root = parse_file (f->path);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (provider_of (root, "iflow2api"), "options"),
                                                  "apiKey"), ==, key);
  /* The key is in the file, never on the terminal. */
  g_assert_null (strstr (apply.out, key));
  g_assert_null (strstr (apply.err, key));

  /* Next time the same key is found and nothing changes. */
  run_cli (f, none, &again);
  g_assert_cmpint (again.status, ==, 0);
  g_assert_nonnull (strstr (again.out, "nothing to do"));
  g_assert_null (strstr (again.out, key));
}

static void
test_cli_comments (Fixture       *f,
                   gconstpointer  data)
{
  const char *text = "{\n  // keep me\n  \"theme\": \"x\"\n}\n";
  g_autofree char *after = NULL;
  g_auto(Run) run = { 0 };
  const char * const do_apply[] = { "--apply", NULL };

  if (g_getenv ("I2A_BINARY") == NULL)
    {
      g_test_skip ("I2A_BINARY is not set");
      return;
    }
  i2a_test_write_file (f->path, text);
  run_cli (f, do_apply, &run);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.err, "comments"));
  after = read_file (f->path, NULL);
  g_assert_cmpstr (after, ==, text);
  g_assert_cmpuint (count_backups (f->path), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/clients/opencode/default-path", test_default_path);
  g_test_add_func ("/clients/table", test_client_table);
#define ADD(path, func) g_test_add ("/clients/opencode/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("fresh-file", test_fresh_file);
  ADD ("preserves-user-config", test_preserves_user_config);
  ADD ("existing-provider-merged", test_existing_provider_merged);
  ADD ("backup-rotation", test_backup_rotation);
  ADD ("undo", test_undo);
  ADD ("undo-fresh-removes", test_undo_fresh_removes);
  ADD ("bom", test_bom);
  ADD ("comments-refused", test_comments_refused);
  ADD ("invalid-refused", test_invalid_refused);
  ADD ("preview-writes-nothing", test_preview_writes_nothing);
  ADD ("changed-since-preview", test_changed_since_preview);
  ADD ("pending-key", test_pending_key);
  ADD ("symlink-kept", test_symlink_kept);
  ADD ("model-options", test_model_options);
  ADD ("async", test_async);
  ADD ("cli/no-auth", test_cli_no_auth);
  ADD ("cli/client-key", test_cli_client_key);
  ADD ("cli/comments", test_cli_comments);
#undef ADD
  return g_test_run ();
}
