/* test-pool-config.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* keys.json parsing and validation, constant-time token lookup, and the
 * pool's edits of keys.json (real files in a temp dir). */
#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "i2a-error.h"
#include "i2a-pool.h"
#include "i2a-test-util.h"
#include "i2a-util.h"

#define TOKEN_A "sk-local-user-a-0123456789abcdef"
#define TOKEN_POOL "sk-local-pool-0123456789abcdefXYZ9"

static const char *full_doc =
  "{ \"auth\": { \"enabled\": true, \"required\": true },\n"
  "  \"accounts\": { \"acc1\": { \"api_key\": \"sk-up-1111111111111111\", \"base_url\": \"https://apis.iflow.cn/v1/\", \"max_concurrency\": 2 },\n"
  "                \"acc2\": { \"api_key\": \"sk-up-2222222222222222\", \"max_concurrency\": 0, \"enabled\": false,\n"
  "                          \"label\": \"Second\", \"provider\": \"openai\", \"created_at\": \"x\" },\n"
  "                \"acc3\": { \"email\": \"a@b.c\", \"auth_type\": \"oauth-iflow\", \"oauth_refresh_token\": null } },\n"
  "  \"keys\": { \"" TOKEN_A "\": { \"account\": \"acc1\" },\n"
  "            \"" TOKEN_POOL "\": { \"accounts\": [\"acc1\", \"acc2\"], \"strategy\": \"round_robin\" } },\n"
  "  \"default\": { \"account\": \"acc1\" },\n"
  "  \"resilience\": { \"enabled\": true, \"failure_threshold\": 4, \"cool_down_seconds\": 9, \"retry_attempts\": 2,\n"
  "                  \"retry_backoff_ms\": 50, \"retry_status_codes\": [429, 503] },\n"
  "  \"queue\": { \"max_length\": 7, \"max_wait_seconds\": 3 },\n"
  "  \"x-unknown\": { \"kept\": true } }\n";

static void
test_parse_full (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(I2aKeysConfig) c = i2a_keys_config_parse (full_doc, -1, "keys.json", &error);
  const I2aKeysAccount *a1, *a2, *a3;
  I2aKeysRoute *r;

  g_assert_no_error (error);
  g_assert_true (c->auth_enabled && c->auth_required);
  g_assert_cmpuint (c->accounts->len, ==, 3);
  a1 = i2a_keys_config_lookup_account (c, "acc1");
  a2 = i2a_keys_config_lookup_account (c, "acc2");
  a3 = i2a_keys_config_lookup_account (c, "acc3");
  g_assert_cmpstr (a1->base_url, ==, "https://apis.iflow.cn/v1");
  g_assert_cmpuint (a1->max_concurrency, ==, 2);
  g_assert_true (a1->enabled);
  g_assert_cmpint (a1->provider, ==, I2A_PROVIDER_IFLOW);
  g_assert_false (a2->enabled);
  g_assert_cmpstr (a2->label, ==, "Second");
  g_assert_cmpint (a2->provider, ==, I2A_PROVIDER_OPENAI);
  /* An account without api_key is accepted (its key comes from the keyring). */
  g_assert_null (a3->api_key);
  g_assert_cmpstr (a3->email, ==, "a@b.c");
  g_assert_cmpstr (a3->auth_type, ==, "oauth-iflow");
  g_assert_cmpstr (a3->base_url, ==, "https://apis.iflow.cn/v1");

  r = i2a_keys_config_lookup_token (c, TOKEN_POOL, NULL);
  g_assert_nonnull (r);
  g_assert_cmpint (r->strategy, ==, I2A_STRATEGY_ROUND_ROBIN);
  g_assert_cmpstr (r->accounts[0], ==, "acc1");
  g_assert_cmpstr (r->accounts[1], ==, "acc2");
  g_assert_null (r->accounts[2]);
  r = i2a_keys_config_lookup_token (c, TOKEN_A, NULL);
  g_assert_cmpint (r->strategy, ==, I2A_STRATEGY_LEAST_BUSY);
  g_assert_nonnull (c->default_route);
  g_assert_cmpuint (c->resilience.failure_threshold, ==, 4);
  g_assert_cmpuint (c->resilience.cool_down_seconds, ==, 9);
  g_assert_cmpuint (c->resilience.retry_attempts, ==, 2);
  g_assert_cmpuint (c->resilience.retry_backoff_ms, ==, 50);
  g_assert_cmpuint (c->resilience.retry_status_codes->len, ==, 2);
  g_assert_cmpuint (c->queue_max_length, ==, 7);
  g_assert_cmpuint (c->queue_max_wait_seconds, ==, 3);
}

static void
test_parse_defaults (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(I2aKeysConfig) c = i2a_keys_config_parse ("{}", -1, "keys.json", &error);

  g_assert_no_error (error);
  g_assert_false (c->auth_enabled);
  g_assert_cmpuint (c->accounts->len, ==, 0);
  g_assert_true (c->resilience.enabled);
  g_assert_cmpuint (c->resilience.failure_threshold, ==, 3);
  g_assert_cmpuint (c->resilience.cool_down_seconds, ==, 30);
  g_assert_cmpuint (c->resilience.retry_attempts, ==, 1);
  g_assert_cmpuint (c->resilience.retry_backoff_ms, ==, 200);
  g_assert_cmpuint (c->resilience.retry_status_codes->len, ==, 5);
  g_assert_cmpuint (c->queue_max_length, ==, 100);
  g_assert_cmpuint (c->queue_max_wait_seconds, ==, 120);
}

typedef struct
{
  const char *doc;
  const char *message;   /* substring of the error */
} BadDoc;

#define ACC "\"accounts\": {\"acc1\": {\"api_key\": \"k\"}}"

static const BadDoc bad_docs[] = {
  { "{\n  \"auth\": {,}\n}", "keys.json:2:" },
  { "[1]", "top level: expected an object" },
  { "", "empty" },
  { "{" ACC ", \"keys\": {\"sk-secret-token-0001\": {\"accounts\": [\"acc1\", \"acc9\"]}}}",
    "keys.…0001.accounts[1]: unknown account 'acc9'" },
  { "{" ACC ", \"keys\": {\"sk-secret-token-0002\": {\"account\": \"acc1\", \"accounts\": [\"acc1\"]}}}",
    "keys.…0002: give either \"account\" or \"accounts\", not both" },
  { "{" ACC ", \"keys\": {\"sk-secret-token-0003\": {\"strategy\": \"least_busy\"}}}",
    "keys.…0003: needs \"account\"" },
  { "{" ACC ", \"keys\": {\"sk-secret-token-0004\": {\"accounts\": [\"acc1\"], \"strategy\": \"fastest\"}}}",
    "keys.…0004.strategy: unknown strategy 'fastest'" },
  { "{" ACC ", \"keys\": {\"sk-secret-token-0005\": {\"accounts\": []}}}", "keys.…0005.accounts: must list" },
  { "{" ACC ", \"default\": {\"account\": \"nope\"}}", "default.account: unknown account 'nope'" },
  { "{\"accounts\": {\"acc1\": {\"max_concurrency\": -1}}}", "accounts.acc1.max_concurrency: must be a whole number of at least 0" },
  { "{\"accounts\": {\"acc1\": {\"max_concurrency\": \"2\"}}}", "accounts.acc1.max_concurrency: expected a whole number, got a string" },
  { "{\"accounts\": {\"acc1\": {\"base_url\": \"ftp://x/v1\"}}}", "accounts.acc1.base_url: 'ftp://x/v1' is not an http:// or https:// URL" },
  { "{\"accounts\": {\"acc1\": {\"provider\": \"anthropic\"}}}", "accounts.acc1.provider: unknown provider 'anthropic'" },
  { "{\"accounts\": {\"acc1\": {\"enabled\": \"yes\"}}}", "accounts.acc1.enabled: expected true or false, got a string" },
  { "{\"accounts\": {\"acc1\": 5}}", "accounts.acc1: expected an object, got a number" },
  { "{\"accounts\": []}", "accounts: expected an object, got an array" },
  { "{\"auth\": {\"enabled\": 1}}", "auth.enabled: expected true or false" },
  { "{\"resilience\": {\"failure_threshold\": 0}}", "resilience.failure_threshold: must be a whole number of at least 1" },
  { "{\"resilience\": {\"retry_backoff_ms\": -5}}", "resilience.retry_backoff_ms" },
  { "{\"resilience\": {\"retry_status_codes\": [429, \"x\"]}}", "resilience.retry_status_codes[1]" },
  { "{\"queue\": {\"max_length\": 1.5}}", "queue.max_length: expected a whole number, got a fractional number" },
  { "{\"keys\": {\"a\": sk-unquoted-secret-token}}", "Parse error" },
};

static void
test_parse_errors (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_docs); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(I2aKeysConfig) c = i2a_keys_config_parse (bad_docs[i].doc, -1, "keys.json", &error);

      g_test_message ("case %u: %s", i, error ? error->message : "(accepted)");
      g_assert_null (c);
      g_assert_error (error, I2A_ERROR, I2A_ERROR_INVALID_CONFIG);
      g_assert_true (g_str_has_prefix (error->message, "keys.json"));
      g_assert_nonnull (strstr (error->message, bad_docs[i].message));
      /* Client tokens never appear in full. */
      g_assert_null (strstr (error->message, "sk-secret-token"));
      g_assert_null (strstr (error->message, "sk-unquoted-secret-token"));
    }
}

static void
test_secret_equal (void)
{
  g_assert_true (i2a_secret_equal ("sk-abc", "sk-abc"));
  g_assert_true (i2a_secret_equal ("", ""));
  g_assert_false (i2a_secret_equal ("sk-abc", "sk-abd"));
  g_assert_false (i2a_secret_equal ("sk-abc", "sk-ab"));
  g_assert_false (i2a_secret_equal ("sk-ab", "sk-abc"));
  g_assert_false (i2a_secret_equal ("sk-abc", ""));
  g_assert_false (i2a_secret_equal (NULL, "sk-abc"));
  g_assert_false (i2a_secret_equal ("sk-abc", NULL));
}

static void
test_lookup_walks_every_key (void)
{
  g_autoptr(I2aKeysConfig) c = i2a_keys_config_parse (full_doc, -1, "keys.json", NULL);
  guint n = 0;

  /* The match is the first key: the lookup still compares all of them. */
  g_assert_nonnull (i2a_keys_config_lookup_token (c, TOKEN_A, &n));
  g_assert_cmpuint (n, ==, c->tokens->len);
  g_assert_nonnull (i2a_keys_config_lookup_token (c, TOKEN_POOL, &n));
  g_assert_cmpuint (n, ==, c->tokens->len);
  g_assert_null (i2a_keys_config_lookup_token (c, "sk-local-user-a-0123456789abcdeX", &n));
  g_assert_cmpuint (n, ==, c->tokens->len);
  g_assert_null (i2a_keys_config_lookup_token (c, "sk-local", &n));
  g_assert_null (i2a_keys_config_lookup_token (c, NULL, &n));
}

/* ---- edits -------------------------------------------------------------- */

static gboolean
pool_loaded (gpointer data)
{
  return i2a_pool_is_loaded (data);
}

static void
flush (I2aPool *pool)
{
  i2a_test_pool_flush (pool);
}

static JsonObject *
read_doc (const char *path)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
test_store_edits (void)
{
  g_autofree char *dir = g_dir_make_tmp ("i2a-pool-XXXXXX", NULL);
  g_autofree char *iflow = g_build_filename (dir, "iflow", NULL);
  g_autofree char *path = g_build_filename (dir, "keys.json", NULL);
  g_autoptr(I2aCliSettings) cli = NULL;
  g_autoptr(I2aPool) pool = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) doc = NULL;
  g_autofree char *id = NULL;
  g_autofree char *key = NULL;
  g_autofree char *key2 = NULL;
  g_autofree char *text = NULL;
  I2aAccountSpec spec = I2A_ACCOUNT_SPEC_INIT;
  struct stat st;
  JsonObject *accounts;

  g_assert_true (g_file_set_contents (path, full_doc, -1, NULL));
  cli = i2a_cli_settings_new (iflow);
  pool = i2a_pool_new_with_keys (cli, path);
  g_assert_true (i2a_test_wait_until (pool_loaded, pool, 5000));
  g_assert_cmpstr (i2a_pool_get_config_path (pool), ==, path);
  g_assert_true (i2a_pool_is_multi_account (pool));

  /* An OAuth account: no api_key is ever written for it. */
  spec.label = "Work";
  spec.email = "me@example.com";
  spec.auth_type = "oauth-iflow";
  id = i2a_pool_add_account (pool, &spec, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (id, ==, "acc4");
  g_assert_nonnull (i2a_pool_lookup_account (pool, "acc4"));
  i2a_account_set_api_key (i2a_pool_lookup_account (pool, "acc4"), "sk-from-keyring-000000000000");
  g_assert_true (i2a_pool_set_account_max_concurrency (pool, "acc4", 3, &error));
  g_assert_true (i2a_pool_set_account_enabled (pool, "acc1", FALSE, &error));
  g_assert_no_error (error);
  /* Applied at once, key from the keyring kept on the live account. */
  g_assert_false (i2a_account_get_enabled (i2a_pool_lookup_account (pool, "acc1")));
  g_assert_cmpuint (i2a_account_get_max_concurrency (i2a_pool_lookup_account (pool, "acc4")), ==, 3);
  g_assert_true (i2a_account_has_api_key (i2a_pool_lookup_account (pool, "acc4")));
  key = i2a_pool_regenerate_client_key (pool, TOKEN_A, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (key, "sk-iflow-"));
  key2 = i2a_pool_regenerate_client_key (pool, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (i2a_pool_remove_account (pool, "acc2", &error));
  g_assert_no_error (error);
  g_assert_null (i2a_pool_lookup_account (pool, "acc2"));
  flush (pool);

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_null (strstr (text, "sk-from-keyring"));
  doc = read_doc (path);
  accounts = json_object_get_object_member (doc, "accounts");
  g_assert_false (json_object_has_member (json_object_get_object_member (accounts, "acc4"), "api_key"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (accounts, "acc4"), "email"),
                   ==, "me@example.com");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (accounts, "acc4"), "max_concurrency"),
                   ==, 3);
  g_assert_false (json_object_get_boolean_member (json_object_get_object_member (accounts, "acc1"), "enabled"));
  g_assert_false (json_object_has_member (accounts, "acc2"));
  /* Unknown members survive; the old token is gone, its route moved. */
  g_assert_true (json_object_has_member (doc, "x-unknown"));
  g_assert_true (json_object_has_member (json_object_get_object_member (accounts, "acc3"), "oauth_refresh_token"));
  g_assert_false (json_object_has_member (json_object_get_object_member (doc, "keys"), TOKEN_A));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_object_get_object_member (doc, "keys"), key),
                                                  "account"), ==, "acc1");
  g_assert_true (json_object_has_member (json_object_get_object_member (doc, "keys"), key2));
  /* acc2 dropped from the pool route, which keeps acc1. */
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      json_object_get_object_member (json_object_get_object_member (doc, "keys"), TOKEN_POOL),
                      "accounts")), ==, 1);

  /* Invalid edits are refused and change nothing. */
  spec = (I2aAccountSpec) I2A_ACCOUNT_SPEC_INIT;
  spec.id = "acc3";
  spec.base_url = "gopher://x";
  g_assert_false (i2a_pool_update_account (pool, &spec, &error));
  g_assert_error (error, I2A_ERROR, I2A_ERROR_INVALID_CONFIG);
  g_clear_error (&error);
  g_assert_cmpstr (i2a_account_get_base_url (i2a_pool_lookup_account (pool, "acc3")), ==, "https://apis.iflow.cn/v1");
  g_assert_false (i2a_pool_remove_account (pool, "nope", &error));
  g_clear_error (&error);

  g_clear_object (&pool);
  g_unlink (path);
  g_rmdir (iflow);
  g_rmdir (dir);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/pool/config/parse-full", test_parse_full);
  g_test_add_func ("/pool/config/parse-defaults", test_parse_defaults);
  g_test_add_func ("/pool/config/errors", test_parse_errors);
  g_test_add_func ("/pool/auth/secret-equal", test_secret_equal);
  g_test_add_func ("/pool/auth/lookup-walks-every-key", test_lookup_walks_every_key);
  g_test_add_func ("/pool/store/edits", test_store_edits);
  return g_test_run ();
}
