/* test-account-store.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Accounts saved in keys.json + the keyring (I2aAccountStore), the iFlow
 * CLI import, and sharing a login with the iFlow CLI (I2aCliInterop).
 *
 * I2A_STORE_TEST_MODE=file (default): libsecret's file backend.
 * I2A_STORE_TEST_MODE=none: a session bus without any Secret Service; only
 * the "no keyring" tests run. */
#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "i2a-util.h"
#include "test-account-store-util.h"

static GAsyncResult *async_result;

static JsonObject *
read_json (const char *path)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static JsonObject *
keys_account (LoginStack *s,
              const char *id)
{
  g_autoptr(JsonObject) root = read_json (s->keys_path);
  JsonObject *accounts = json_object_get_object_member (root, "accounts");

  g_assert_nonnull (accounts);
  g_assert_true (json_object_has_member (accounts, id));
  return json_object_ref (json_object_get_object_member (accounts, id));
}

static gboolean
pool_loaded (gpointer data)
{
  return i2a_pool_is_loaded (data);
}

static guint
mode_of (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_mode & 0777;
}

/* ---- settings.json interop ---------------------------------------------- */

#define OLD_KEY "sk-00000000000000000000000000000000"
#define NEW_KEY "sk-11111111111111111111111111111111"

static void
test_interop_preserves_other_keys (void)
{
  g_autofree char *dir = i2a_test_mkdtemp ();
  g_autofree char *path = g_build_filename (dir, "settings.json", NULL);
  g_autoptr(JsonObject) obj = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) listing = NULL;
  GStatBuf before, after;
  const char *name;

  i2a_test_write_file (path,
                       "{\"cna\":\"abcdefabcdefabcdefabcdef\",\"bootAnimationShown\":true,"
                       "\"hasIdeOnboardingBeenShown\":{\"vscode\":true},\"selectedAuthType\":\"api-key\","
                       "\"apiKey\":\"" OLD_KEY "\",\"searchApiKey\":\"" OLD_KEY "\","
                       "\"baseUrl\":\"https://old.example/v1\",\"modelName\":\"glm-5\",\"extra\":[1,2,{\"x\":null}]}");
  g_assert_cmpint (g_chmod (path, 0644), ==, 0);
  g_assert_cmpint (g_stat (path, &before), ==, 0);

  g_assert_true (i2a_cli_interop_write_login (dir, NEW_KEY, "https://apis.example/v1", NULL, &error));
  g_assert_no_error (error);

  obj = read_json (path);
  g_assert_cmpstr (json_object_get_string_member (obj, "apiKey"), ==, NEW_KEY);
  g_assert_cmpstr (json_object_get_string_member (obj, "searchApiKey"), ==, NEW_KEY);
  g_assert_cmpstr (json_object_get_string_member (obj, "baseUrl"), ==, "https://apis.example/v1");
  g_assert_cmpstr (json_object_get_string_member (obj, "selectedAuthType"), ==, "oauth-iflow");
  /* Everything else as it was. */
  g_assert_cmpstr (json_object_get_string_member (obj, "cna"), ==, "abcdefabcdefabcdefabcdef");
  g_assert_true (json_object_get_boolean_member (obj, "bootAnimationShown"));
  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (obj, "hasIdeOnboardingBeenShown"),
                                                 "vscode"));
  g_assert_cmpstr (json_object_get_string_member (obj, "modelName"), ==, "glm-5");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (obj, "extra")), ==, 3);
  g_assert_cmpuint (json_object_get_size (obj), ==, 9);

  /* 0600, and replaced (a new inode), not rewritten in place. */
  g_assert_cmpuint (mode_of (path), ==, 0600);
  g_assert_cmpint (g_stat (path, &after), ==, 0);
  g_assert_cmpuint (before.st_ino, !=, after.st_ino);
  listing = g_dir_open (dir, 0, NULL);
  while ((name = g_dir_read_name (listing)) != NULL)
    g_assert_cmpstr (name, ==, "settings.json");
  i2a_test_rm_rf (dir);
}

static void
test_interop_search_key_of_its_own (void)
{
  g_autofree char *dir = i2a_test_mkdtemp ();
  g_autofree char *path = g_build_filename (dir, "settings.json", NULL);
  g_autoptr(JsonObject) obj = NULL;
  g_autoptr(GError) error = NULL;

  /* A searchApiKey the user set apart from apiKey is theirs to keep. */
  i2a_test_write_file (path, "{\"apiKey\":\"" OLD_KEY "\",\"searchApiKey\":\"sk-search\"}");
  g_assert_true (i2a_cli_interop_write_login (dir, NEW_KEY, NULL, "oauth-iflow", &error));
  g_assert_no_error (error);
  obj = read_json (path);
  g_assert_cmpstr (json_object_get_string_member (obj, "apiKey"), ==, NEW_KEY);
  g_assert_cmpstr (json_object_get_string_member (obj, "searchApiKey"), ==, "sk-search");
  g_assert_false (json_object_has_member (obj, "baseUrl"));
  i2a_test_rm_rf (dir);
}

static void
test_interop_creates_file (void)
{
  g_autofree char *home = i2a_test_mkdtemp ();
  g_autofree char *dir = g_build_filename (home, ".iflow", NULL);
  g_autofree char *path = g_build_filename (dir, "settings.json", NULL);
  g_autoptr(JsonObject) obj = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  i2a_cli_interop_write_login_async (dir, NEW_KEY, "https://apis.iflow.cn/v1", NULL, NULL, i2a_test_result_cb, &async_result);
  result = i2a_test_wait_result (&async_result);
  g_assert_true (i2a_cli_interop_write_login_finish (result, &error));
  g_assert_no_error (error);
  obj = read_json (path);
  g_assert_cmpuint (json_object_get_size (obj), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (obj, "apiKey"), ==, NEW_KEY);
  g_assert_cmpuint (mode_of (path), ==, 0600);
  g_assert_cmpuint (mode_of (dir), ==, 0700);
  i2a_test_rm_rf (home);
}

static void
test_interop_refuses_broken_file (void)
{
  g_autofree char *dir = i2a_test_mkdtemp ();
  g_autofree char *path = g_build_filename (dir, "settings.json", NULL);
  g_autofree char *after = NULL;
  g_autoptr(GError) error = NULL;
  const char *broken = "{\"apiKey\": \"" OLD_KEY "\", \"cna\": ";

  i2a_test_write_file (path, broken);
  g_assert_false (i2a_cli_interop_write_login (dir, NEW_KEY, NULL, NULL, &error));
  g_assert_error (error, I2A_ERROR, I2A_ERROR_INVALID_CONFIG);
  g_assert_null (strstr (error->message, OLD_KEY));
  g_assert_true (g_file_get_contents (path, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, broken);
  g_clear_error (&error);

  i2a_test_write_file (path, "[1, 2]");
  g_assert_false (i2a_cli_interop_write_login (dir, NEW_KEY, NULL, NULL, &error));
  g_assert_error (error, I2A_ERROR, I2A_ERROR_INVALID_CONFIG);
  i2a_test_rm_rf (dir);
}

/* ---- saving logins ------------------------------------------------------ */

static void
test_login_saves_without_secrets (void)
{
  LoginStack *s = login_stack_new (NULL, FALSE);
  g_autoptr(I2aOAuthLoginResult) login = login_stack_browser_login (s);
  g_autoptr(I2aAccount) account = NULL;
  g_autoptr(I2aAccountSecrets) stored = NULL;
  g_autoptr(JsonObject) entry = NULL;
  g_autoptr(GError) error = NULL;
  gboolean created = FALSE;
  const char *id;

  account = login_stack_add_login (s, login, NULL, "Work", &created);
  g_assert_true (created);
  id = i2a_account_get_id (account);
  g_assert_true (g_str_has_prefix (id, "iflow-"));
  g_assert_cmpstr (i2a_account_get_api_key (account), ==, login->user_info->api_key);
  g_assert_true (i2a_account_is_usable (account));
  g_assert_true (i2a_refresher_manages (s->refresher, account));
  g_assert_cmpint (i2a_account_get_expires_at (account), ==, login->tokens->expires_at);

  /* keys.json: the entry, and not one secret. */
  entry = keys_account (s, id);
  g_assert_cmpstr (json_object_get_string_member (entry, "label"), ==, "Work");
  g_assert_cmpstr (json_object_get_string_member (entry, "email"), ==, "tester@example.com");
  g_assert_cmpstr (json_object_get_string_member (entry, "provider"), ==, "iflow");
  g_assert_cmpstr (json_object_get_string_member (entry, "auth_type"), ==, "oauth-iflow");
  g_assert_cmpstr (json_object_get_string_member (entry, "base_url"), ==, s->fake_base);
  g_assert_true (json_object_has_member (entry, "max_concurrency"));
  g_assert_false (json_object_has_member (entry, "api_key"));
  login_stack_assert_file_has_no_secret (s, s->keys_path, NULL);
  g_assert_cmpuint (mode_of (s->keys_path), ==, 0600);

  /* The keyring: everything. */
  stored = login_stack_keyring_lookup (s, id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (stored);
  g_assert_cmpstr (stored->api_key, ==, login->user_info->api_key);
  g_assert_cmpstr (stored->access_token, ==, login->tokens->access_token);
  g_assert_cmpstr (stored->refresh_token, ==, login->tokens->refresh_token);
  g_assert_cmpint (stored->expires_at, ==, login->tokens->expires_at);
  login_stack_free (s);
}

static void
test_login_same_email_updates (void)
{
  LoginStack *s = login_stack_new (NULL, FALSE);
  g_autoptr(I2aAccount) first = login_stack_login (s, NULL);
  g_autoptr(I2aOAuthLoginResult) again = NULL;
  g_autoptr(I2aAccount) second = NULL;
  g_autoptr(I2aAccount) other = NULL;
  g_autoptr(I2aAccountSecrets) stored = NULL;
  gboolean created = TRUE;

  g_assert_cmpstr (i2a_account_get_label (first), ==, "tester@example.com");
  again = login_stack_browser_login (s);
  g_assert_cmpstr (again->user_info->api_key, !=, i2a_account_get_api_key (first));
  second = login_stack_add_login (s, again, NULL, NULL, &created);
  g_assert_false (created);
  g_assert_true (second == first);
  g_assert_cmpstr (i2a_account_get_api_key (first), ==, again->user_info->api_key);
  g_assert_cmpuint (i2a_pool_get_config (s->pool)->accounts->len, ==, 1);
  stored = login_stack_keyring_lookup (s, i2a_account_get_id (first), NULL);
  g_assert_cmpstr (stored->refresh_token, ==, again->tokens->refresh_token);

  /* Another user: another account. */
  fake_oauth_server_set_user_info_data (s->oauth,
                                        "{\"apiKey\":\"sk-22222222222222222222222222222222\","
                                        "\"email\":\"other@example.com\"}");
  other = login_stack_login (s, NULL);
  g_assert_true (other != first);
  g_assert_cmpuint (i2a_pool_get_config (s->pool)->accounts->len, ==, 2);
  g_assert_cmpuint (i2a_account_store_count_login_accounts (s->store), ==, 2);
  login_stack_flush (s);
  login_stack_assert_file_has_no_secret (s, s->keys_path, NULL);
  login_stack_free (s);
}

static void
test_login_replace_id (void)
{
  LoginStack *s = login_stack_new (NULL, FALSE);
  g_autoptr(I2aAccount) first = login_stack_login (s, "Mine");
  g_autoptr(I2aOAuthLoginResult) again = NULL;
  g_autoptr(I2aAccount) second = NULL;
  gboolean created = TRUE;

  /* Logging in again to a named account, even as another user. */
  fake_oauth_server_set_user_info_data (s->oauth,
                                        "{\"apiKey\":\"sk-33333333333333333333333333333333\","
                                        "\"email\":\"renamed@example.com\"}");
  again = login_stack_browser_login (s);
  second = login_stack_add_login (s, again, i2a_account_get_id (first), NULL, &created);
  g_assert_false (created);
  g_assert_true (second == first);
  g_assert_cmpstr (i2a_account_get_label (first), ==, "Mine");
  g_assert_cmpstr (i2a_account_get_email (first), ==, "renamed@example.com");
  g_assert_cmpstr (i2a_account_get_api_key (first), ==, "sk-33333333333333333333333333333333");
  login_stack_free (s);
}

static void
test_logout (void)
{
  LoginStack *s = login_stack_new (NULL, FALSE);
  g_autoptr(I2aAccount) account = login_stack_login (s, "Gone");
  g_autofree char *id = g_strdup (i2a_account_get_id (account));
  g_autoptr(I2aAccountSecrets) stored = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *resolved = NULL;
  g_autofree char *contents = NULL;

  resolved = i2a_account_store_resolve (s->store, "gone");
  g_assert_cmpstr (resolved, ==, id);
  g_clear_pointer (&resolved, g_free);
  resolved = i2a_account_store_resolve (s->store, "tester@example.com");
  g_assert_cmpstr (resolved, ==, id);

  i2a_account_store_logout_async (s->store, id, NULL, i2a_test_result_cb, &async_result);
  result = i2a_test_wait_result (&async_result);
  g_assert_true (i2a_account_store_logout_finish (s->store, result, &error));
  g_assert_no_error (error);
  g_assert_null (i2a_pool_lookup_account (s->pool, id));
  g_assert_false (i2a_refresher_manages (s->refresher, account));
  stored = login_stack_keyring_lookup (s, id, &error);
  g_assert_no_error (error);
  g_assert_null (stored);
  login_stack_flush (s);
  contents = login_stack_read_file (s->keys_path);
  g_assert_null (strstr (contents, id));
  login_stack_free (s);
}

/* ---- startup: keys.json + keyring --------------------------------------- */

static void
test_startup_loads_keyring (void)
{
  g_autofree char *keys = NULL;
  g_autofree char *fresh_id = NULL, *gone_id = NULL, *dead_id = NULL;
  g_autoptr(I2aAccountSecrets) secrets = i2a_account_secrets_new ();
  g_autofree char *refresh = NULL;
  I2aAccount *fresh, *gone, *dead, *manual;
  LoginStack *s;
  guint8 rnd[4];

  /* Unique ids: the file keyring outlives a test case. */
  i2a_random_bytes (rnd, sizeof rnd, NULL);
  fresh_id = g_strdup_printf ("t-%02x%02x%02x%02x-fresh", rnd[0], rnd[1], rnd[2], rnd[3]);
  gone_id = g_strdup_printf ("t-%02x%02x%02x%02x-gone", rnd[0], rnd[1], rnd[2], rnd[3]);
  dead_id = g_strdup_printf ("t-%02x%02x%02x%02x-dead", rnd[0], rnd[1], rnd[2], rnd[3]);
  keys = g_strdup_printf ("{\"accounts\":{"
                          "\"%s\":{\"auth_type\":\"oauth-iflow\",\"label\":\"Fresh\",\"base_url\":\"http://127.0.0.1:9/v1\"},"
                          "\"%s\":{\"auth_type\":\"oauth-iflow\",\"label\":\"Gone\"},"
                          "\"%s\":{\"auth_type\":\"oauth-iflow\",\"label\":\"Dead\"},"
                          "\"manual\":{\"api_key\":\"" I2A_TEST_KEY "\",\"label\":\"Manual\"}}}",
                          fresh_id, gone_id, dead_id);

  s = login_stack_new (NULL, FALSE);
  refresh = fake_oauth_server_add_refresh_token (s->oauth);
  secrets->api_key = g_strdup (NEW_KEY);
  secrets->access_token = g_strdup ("at-startup");
  secrets->refresh_token = g_strdup (refresh);
  secrets->expires_at = g_get_real_time () / G_USEC_PER_SEC + 7 * 86400;
  /* The refresh status saved with them: shown again after a restart. */
  secrets->refreshed_at = g_get_real_time () / G_USEC_PER_SEC - 3600;
  secrets->refresh_failures = 1;
  secrets->last_refresh_error = g_strdup ("iFlow is busy (too many requests)");
  login_stack_keyring_store (s, fresh_id, secrets);
  /* What the refresher leaves after invalid_grant: no refresh token. */
  g_clear_pointer (&secrets->refresh_token, g_free);
  secrets->refresh_failures = 2;
  g_free (secrets->last_refresh_error);
  secrets->last_refresh_error = g_strdup ("The refresh token was rejected (invalid_grant)");
  login_stack_keyring_store (s, dead_id, secrets);

  i2a_test_write_file (s->keys_path, keys);
  i2a_pool_reload (s->pool);
  login_stack_spin (300);
  login_stack_wait_loaded (s);

  fresh = i2a_pool_lookup_account (s->pool, fresh_id);
  gone = i2a_pool_lookup_account (s->pool, gone_id);
  dead = i2a_pool_lookup_account (s->pool, dead_id);
  manual = i2a_pool_lookup_account (s->pool, "manual");
  g_assert_nonnull (fresh);
  g_assert_cmpstr (i2a_account_get_api_key (fresh), ==, NEW_KEY);
  g_assert_cmpint (i2a_account_get_state (fresh), ==, I2A_ACCOUNT_STATE_OK);
  g_assert_true (i2a_account_is_usable (fresh));
  g_assert_true (i2a_refresher_manages (s->refresher, fresh));
  g_assert_cmpint (i2a_account_get_expires_at (fresh), ==, secrets->expires_at);
  g_assert_cmpint (i2a_account_get_last_refresh (fresh), ==, secrets->refreshed_at);
  g_assert_cmpuint (i2a_account_get_refresh_failures (fresh), ==, 1);
  g_assert_cmpstr (i2a_account_get_last_refresh_error (fresh), ==, "iFlow is busy (too many requests)");

  g_assert_cmpint (i2a_account_get_state (gone), ==, I2A_ACCOUNT_STATE_NEEDS_LOGIN);
  g_assert_false (i2a_account_is_usable (gone));
  g_assert_nonnull (i2a_account_get_last_refresh_error (gone));
  g_assert_cmpint (i2a_account_get_state (dead), ==, I2A_ACCOUNT_STATE_NEEDS_LOGIN);
  g_assert_false (i2a_account_is_usable (dead));
  g_assert_cmpuint (i2a_account_get_refresh_failures (dead), ==, 2);
  g_assert_cmpstr (i2a_account_get_last_refresh_error (dead), ==, "The refresh token was rejected (invalid_grant)");
  g_assert_cmpint (i2a_account_get_last_refresh (dead), ==, secrets->refreshed_at);
  g_assert_false (i2a_refresher_manages (s->refresher, dead));

  g_assert_true (i2a_account_is_usable (manual));
  g_assert_cmpstr (i2a_account_get_api_key (manual), ==, I2A_TEST_KEY);
  g_assert_false (i2a_refresher_manages (s->refresher, manual));
  /* Nothing was refreshed: the keys are far from expiry. */
  g_assert_cmpuint (fake_oauth_server_get_refresh_count (s->oauth), ==, 0);

  /* Removing an account from keys.json by hand stops its refresh. */
  i2a_test_write_file (s->keys_path, "{\"accounts\":{\"manual\":{\"api_key\":\"" I2A_TEST_KEY "\"}}}");
  i2a_pool_reload (s->pool);
  login_stack_spin (300);
  login_stack_wait_loaded (s);
  g_assert_null (i2a_refresher_lookup (s->refresher, fresh_id));
  login_stack_free (s);
}

/* ---- keys.json in a directory that does not exist yet --------------------- */

static gboolean
pool_has_accounts (gpointer data)
{
  return i2a_pool_get_config (data)->accounts->len > 0;
}

static void
test_startup_keys_dir_missing (void)
{
  g_autofree char *home = i2a_test_mkdtemp ();
  g_autofree char *iflow_dir = g_build_filename (home, ".iflow", NULL);
  g_autofree char *keys_dir = g_build_filename (home, ".iflow2api", NULL);
  g_autofree char *keys_path = g_build_filename (keys_dir, "keys.json", NULL);
  g_autoptr(I2aCliSettings) cli = NULL;
  g_autoptr(I2aPool) pool = NULL;
  I2aAccount *account;

  /* A first start: neither ~/.iflow2api nor keys.json exist. */
  g_assert_false (g_file_test (keys_dir, G_FILE_TEST_EXISTS));
  cli = i2a_cli_settings_new (iflow_dir);
  pool = i2a_pool_new_with_keys (cli, keys_path);
  g_assert_true (i2a_test_wait_until (pool_loaded, pool, 5000));
  g_assert_null (i2a_pool_get_load_error (pool));
  g_assert_cmpuint (i2a_pool_get_config (pool)->accounts->len, ==, 0);
  /* Private: it will hold the account list. */
  g_assert_true (g_file_test (keys_dir, G_FILE_TEST_IS_DIR));
  g_assert_cmpuint (mode_of (keys_dir), ==, 0700);

  /* `iflow2api login` in another process writes keys.json: the running
   * pool sees it live, with no reload call. */
  i2a_test_write_file (keys_path, "{\"accounts\":{\"late\":{\"api_key\":\"" I2A_TEST_KEY "\"}}}");
  g_assert_true (i2a_test_wait_until (pool_has_accounts, pool, 3000));
  account = i2a_pool_lookup_account (pool, "late");
  g_assert_nonnull (account);
  g_assert_cmpstr (i2a_account_get_api_key (account), ==, I2A_TEST_KEY);

  g_clear_object (&pool);
  g_clear_object (&cli);
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
  i2a_test_rm_rf (home);
}

/* ---- import-cli --------------------------------------------------------- */

static void
write_cli_login (LoginStack *s,
                 const char *refresh_token,
                 const char *access_token)
{
  g_autofree char *settings = g_build_filename (s->iflow_dir, "settings.json", NULL);
  g_autofree char *creds = g_build_filename (s->iflow_dir, "oauth_creds.json", NULL);
  g_autofree char *settings_json = g_strdup_printf ("{\"cna\":\"c\",\"selectedAuthType\":\"oauth-iflow\","
                                                    "\"apiKey\":\"%s\",\"baseUrl\":\"%s/\"}",
                                                    OLD_KEY, s->fake_base);
  gint64 expiry_ms = (g_get_real_time () / G_USEC_PER_SEC + 3 * 86400) * 1000;
  g_autofree char *creds_json = NULL;

  creds_json = g_strdup_printf ("{\"access_token\":\"%s\",\"refresh_token\":\"%s\","
                                "\"expiry_date\":%" G_GINT64_FORMAT ",\"token_type\":\"bearer\",\"apiKey\":\"%s\"}",
                                access_token, refresh_token, expiry_ms, OLD_KEY);
  i2a_test_write_file (settings, settings_json);
  i2a_test_write_file (creds, creds_json);
}

static gboolean
cli_has_key (gpointer data)
{
  return i2a_cli_settings_get_api_key (data) != NULL;
}

static gboolean
cli_has_old_key (gpointer data)
{
  return g_strcmp0 (i2a_cli_settings_get_api_key (data), OLD_KEY) == 0;
}

static I2aAccount *
import (LoginStack *s,
        gboolean   *created,
        GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  i2a_account_store_import_cli_async (s->store, s->cli, NULL, NULL, i2a_test_result_cb, &async_result);
  result = i2a_test_wait_result (&async_result);
  return i2a_account_store_import_cli_finish (s->store, result, created, error);
}

static void
test_import_cli (void)
{
  LoginStack *s = login_stack_new (NULL, FALSE);
  g_autofree char *refresh = fake_oauth_server_add_refresh_token (s->oauth);
  g_autoptr(I2aAccount) account = NULL;
  g_autoptr(I2aAccount) again = NULL;
  g_autoptr(I2aAccountSecrets) stored = NULL;
  g_autoptr(JsonObject) entry = NULL;
  g_autoptr(GError) error = NULL;
  const char *extra[] = { OLD_KEY, "at-from-cli", NULL };
  gboolean created = FALSE;

  fake_oauth_server_add_access_token (s->oauth, "at-from-cli");
  write_cli_login (s, refresh, "at-from-cli");
  i2a_cli_settings_reload (s->cli);
  g_assert_true (i2a_test_wait_until (cli_has_key, s->cli, 5000));

  account = import (s, &created, &error);
  g_assert_no_error (error);
  g_assert_true (created);
  g_assert_cmpstr (i2a_account_get_api_key (account), ==, OLD_KEY);
  g_assert_cmpstr (i2a_account_get_email (account), ==, "tester@example.com");
  g_assert_true (i2a_refresher_manages (s->refresher, account));
  g_assert_cmpint (i2a_account_get_expires_at (account), ==, i2a_cli_settings_get_expires_at (s->cli));

  login_stack_flush (s);
  entry = keys_account (s, i2a_account_get_id (account));
  g_assert_cmpstr (json_object_get_string_member (entry, "auth_type"), ==, "oauth-iflow");
  g_assert_cmpstr (json_object_get_string_member (entry, "base_url"), ==, s->fake_base);
  login_stack_assert_file_has_no_secret (s, s->keys_path, extra);

  stored = login_stack_keyring_lookup (s, i2a_account_get_id (account), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stored->api_key, ==, OLD_KEY);
  g_assert_cmpstr (stored->access_token, ==, "at-from-cli");
  g_assert_cmpstr (stored->refresh_token, ==, refresh);
  g_assert_cmpint (stored->expires_at, ==, i2a_cli_settings_get_expires_at (s->cli));

  /* The same login again updates the account. */
  again = import (s, &created, &error);
  g_assert_no_error (error);
  g_assert_false (created);
  g_assert_true (again == account);
  g_assert_cmpuint (i2a_pool_get_config (s->pool)->accounts->len, ==, 1);
  login_stack_free (s);
}

static void
test_import_cli_api_key_only (void)
{
  LoginStack *s = login_stack_new (NULL, FALSE);
  g_autofree char *settings = g_build_filename (s->iflow_dir, "settings.json", NULL);
  g_autoptr(I2aAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  gboolean created = FALSE;

  i2a_test_write_file (settings, "{\"selectedAuthType\":\"api-key\",\"apiKey\":\"" NEW_KEY "\"}");
  i2a_cli_settings_reload (s->cli);
  g_assert_true (i2a_test_wait_until (cli_has_key, s->cli, 5000));
  account = import (s, &created, &error);
  g_assert_no_error (error);
  g_assert_true (created);
  g_assert_cmpstr (i2a_account_get_auth_type (account), ==, "api-key");
  g_assert_cmpstr (i2a_account_get_label (account), ==, "iFlow CLI");
  g_assert_cmpstr (i2a_account_get_api_key (account), ==, NEW_KEY);
  g_assert_false (i2a_refresher_manages (s->refresher, account));
  login_stack_flush (s);
  {
    const char *extra[] = { NEW_KEY, NULL };
    login_stack_assert_file_has_no_secret (s, s->keys_path, extra);
  }

  /* No token, so no getUserInfo and no email: importing again (after the
   * user renamed it) still updates that account, label kept. */
  {
    I2aAccountSpec spec = I2A_ACCOUNT_SPEC_INIT;
    g_autoptr(I2aAccount) again = NULL;

    spec.id = i2a_account_get_id (account);
    spec.label = "Renamed";
    g_assert_true (i2a_pool_update_account (s->pool, &spec, &error));
    i2a_test_write_file (settings, "{\"selectedAuthType\":\"api-key\",\"apiKey\":\"" OLD_KEY "\"}");
    i2a_cli_settings_reload (s->cli);
    g_assert_true (i2a_test_wait_until (cli_has_old_key, s->cli, 5000));
    again = import (s, &created, &error);
    g_assert_no_error (error);
    g_assert_false (created);
    g_assert_true (again == account);
    g_assert_cmpuint (i2a_pool_get_config (s->pool)->accounts->len, ==, 1);
    g_assert_cmpstr (i2a_account_get_api_key (account), ==, OLD_KEY);
    g_assert_cmpstr (i2a_account_get_label (account), ==, "Renamed");
  }
  login_stack_free (s);
}

/* getUserInfo answers without email or phone: the second import must
 * still find the first one's account. */
static void
test_import_cli_repeat_without_identity (void)
{
  LoginStack *s = login_stack_new (NULL, FALSE);
  g_autofree char *refresh = fake_oauth_server_add_refresh_token (s->oauth);
  g_autoptr(I2aAccount) account = NULL;
  g_autoptr(I2aAccount) again = NULL;
  g_autoptr(I2aAccount) third = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) entry = NULL;
  gboolean created = FALSE;

  fake_oauth_server_set_user_info_data (s->oauth, "{\"apiKey\":\"" OLD_KEY "\"}");
  fake_oauth_server_add_access_token (s->oauth, "at-anonymous");
  write_cli_login (s, refresh, "at-anonymous");
  i2a_cli_settings_reload (s->cli);
  g_assert_true (i2a_test_wait_until (cli_has_key, s->cli, 5000));

  account = import (s, &created, &error);
  g_assert_no_error (error);
  g_assert_true (created);
  g_assert_null (i2a_account_get_email (account));
  g_assert_cmpstr (i2a_account_get_label (account), ==, "iFlow CLI");
  g_assert_true (g_str_has_prefix (i2a_account_get_id (account), "iflow-cli-"));

  again = import (s, &created, &error);
  g_assert_no_error (error);
  g_assert_false (created);
  g_assert_true (again == account);
  g_assert_cmpuint (i2a_pool_get_config (s->pool)->accounts->len, ==, 1);
  g_assert_cmpuint (fake_oauth_server_get_user_info_count (s->oauth), ==, 2);

  /* Also when getUserInfo fails altogether. */
  fake_oauth_server_set_user_info_failure (s->oauth, FAKE_OAUTH_FAIL_SERVER_ERROR, 0);
  third = import (s, &created, &error);
  g_assert_no_error (error);
  g_assert_false (created);
  g_assert_true (third == account);
  g_assert_cmpuint (i2a_pool_get_config (s->pool)->accounts->len, ==, 1);
  login_stack_flush (s);
  entry = keys_account (s, i2a_account_get_id (account));
  g_assert_cmpstr (json_object_get_string_member (entry, "label"), ==, "iFlow CLI");
  login_stack_free (s);
}

/* An import made before the "iflow-cli-" ids (random "iflow-" id, the
 * default label, no email) is found too; another user's import is not. */
static void
test_import_cli_repeat_legacy (void)
{
  LoginStack *s = login_stack_new ("{\"accounts\":{"
                                   "\"iflow-0badcafe\":{\"auth_type\":\"api-key\",\"label\":\"iFlow CLI\"},"
                                   "\"iflow-cli-00000001\":{\"auth_type\":\"api-key\",\"label\":\"Other\","
                                   "\"email\":\"other@example.com\"}}}",
                                   FALSE);
  g_autofree char *settings = g_build_filename (s->iflow_dir, "settings.json", NULL);
  g_autoptr(I2aAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  gboolean created = TRUE;

  i2a_test_write_file (settings, "{\"selectedAuthType\":\"api-key\",\"apiKey\":\"" NEW_KEY "\"}");
  i2a_cli_settings_reload (s->cli);
  g_assert_true (i2a_test_wait_until (cli_has_key, s->cli, 5000));
  account = import (s, &created, &error);
  g_assert_no_error (error);
  g_assert_false (created);
  g_assert_cmpstr (i2a_account_get_id (account), ==, "iflow-0badcafe");
  g_assert_cmpstr (i2a_account_get_api_key (account), ==, NEW_KEY);
  g_assert_cmpuint (i2a_pool_get_config (s->pool)->accounts->len, ==, 2);
  login_stack_free (s);
}

static void
test_import_cli_not_logged_in (void)
{
  LoginStack *s = login_stack_new (NULL, FALSE);
  g_autoptr(I2aAccount) account = NULL;
  g_autoptr(GError) error = NULL;

  account = import (s, NULL, &error);
  g_assert_null (account);
  g_assert_error (error, I2A_ERROR, I2A_ERROR_NOT_LOGGED_IN);
  g_assert_false (g_file_test (s->keys_path, G_FILE_TEST_EXISTS));
  login_stack_free (s);
}

/* ---- without a Secret Service ------------------------------------------- */

static void
test_no_keyring_login_fails_clearly (void)
{
  LoginStack *s = login_stack_new (NULL, FALSE);
  g_autoptr(I2aOAuthLoginResult) login = login_stack_browser_login (s);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(I2aAccount) account = NULL;

  i2a_account_store_add_login_async (s->store, login, NULL, NULL, NULL, i2a_test_result_cb, &async_result);
  result = i2a_test_wait_result (&async_result);
  account = i2a_account_store_add_login_finish (s->store, result, NULL, &error);
  g_assert_null (account);
  g_assert_error (error, I2A_ERROR, I2A_ERROR_SECRETS_UNAVAILABLE);
  g_assert_nonnull (strstr (error->message, "Secret Service"));
  g_test_message ("%s", error->message);
  /* Nothing written anywhere, least of all in plaintext. */
  g_assert_false (g_file_test (s->keys_path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (i2a_pool_get_config (s->pool)->accounts->len, ==, 0);
  login_stack_free (s);
}

static guint n_keyring_warnings;

static void
keyring_warning_cb (const char     *log_domain,
                    GLogLevelFlags  log_level,
                    const char     *message,
                    gpointer        user_data)
{
  g_assert_nonnull (strstr (message, "Secret Service"));
  n_keyring_warnings++;
}

static void
test_no_keyring_serves_what_it_can (void)
{
  LoginStack *s = login_stack_new ("{\"accounts\":{"
                                   "\"oauth\":{\"auth_type\":\"oauth-iflow\",\"label\":\"OAuth\"},"
                                   "\"manual\":{\"api_key\":\"" I2A_TEST_KEY "\",\"label\":\"Manual\"}}}",
                                   FALSE);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  I2aAccount *oauth, *manual;
  GLogLevelFlags old_fatal;
  guint handler;

  /* The app warns once; libsecret's own info messages come in between,
   * so g_test_expect_message () cannot be used. */
  old_fatal = g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  handler = g_log_set_handler ("i2a-account-store", G_LOG_LEVEL_WARNING, keyring_warning_cb, NULL);
  i2a_account_store_wait_loaded_async (s->store, NULL, i2a_test_result_cb, &async_result);
  result = i2a_test_wait_result (&async_result);
  g_log_remove_handler ("i2a-account-store", handler);
  g_log_set_always_fatal (old_fatal);
  g_assert_cmpuint (n_keyring_warnings, ==, 1);
  g_assert_false (i2a_account_store_wait_loaded_finish (s->store, result, &error));
  g_assert_error (error, I2A_ERROR, I2A_ERROR_SECRETS_UNAVAILABLE);

  oauth = i2a_pool_lookup_account (s->pool, "oauth");
  manual = i2a_pool_lookup_account (s->pool, "manual");
  g_assert_cmpint (i2a_account_get_state (oauth), ==, I2A_ACCOUNT_STATE_ERROR);
  g_assert_false (i2a_account_is_usable (oauth));
  g_assert_nonnull (strstr (i2a_account_get_last_refresh_error (oauth), "Secret Service"));
  g_assert_true (i2a_account_is_usable (manual));
  login_stack_free (s);
}

int
main (int   argc,
      char *argv[])
{
  const char *mode = g_getenv ("I2A_STORE_TEST_MODE");

  g_test_init (&argc, &argv, NULL);
  fake_oauth_log_guard_install ();

  if (g_strcmp0 (mode, "none") == 0)
    {
      g_test_add_func ("/accounts/store/no-keyring/login-fails-clearly", test_no_keyring_login_fails_clearly);
      g_test_add_func ("/accounts/store/no-keyring/serves-what-it-can", test_no_keyring_serves_what_it_can);
      return g_test_run ();
    }

  g_test_add_func ("/accounts/store/interop/preserves-other-keys", test_interop_preserves_other_keys);
  g_test_add_func ("/accounts/store/interop/search-key-of-its-own", test_interop_search_key_of_its_own);
  g_test_add_func ("/accounts/store/interop/creates-file", test_interop_creates_file);
  g_test_add_func ("/accounts/store/interop/refuses-broken-file", test_interop_refuses_broken_file);
  g_test_add_func ("/accounts/store/login/saves-without-secrets", test_login_saves_without_secrets);
  g_test_add_func ("/accounts/store/login/same-email-updates", test_login_same_email_updates);
  g_test_add_func ("/accounts/store/login/replace-id", test_login_replace_id);
  g_test_add_func ("/accounts/store/logout", test_logout);
  g_test_add_func ("/accounts/store/startup/loads-keyring", test_startup_loads_keyring);
  g_test_add_func ("/accounts/store/startup/keys-dir-missing", test_startup_keys_dir_missing);
  g_test_add_func ("/accounts/store/import-cli/oauth", test_import_cli);
  g_test_add_func ("/accounts/store/import-cli/api-key-only", test_import_cli_api_key_only);
  g_test_add_func ("/accounts/store/import-cli/repeat-without-identity", test_import_cli_repeat_without_identity);
  g_test_add_func ("/accounts/store/import-cli/repeat-legacy", test_import_cli_repeat_legacy);
  g_test_add_func ("/accounts/store/import-cli/not-logged-in", test_import_cli_not_logged_in);
  return g_test_run ();
}
