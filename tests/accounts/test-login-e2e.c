/* test-login-e2e.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* A browser login end to end: fake iflow.cn + test browser -> I2aOAuthLogin
 * -> I2aAccountStore -> keys.json + keyring -> the live pool -> a chat
 * request through the proxy to the fake iFlow with the new apiKey.
 *
 * Runs on libsecret's file backend and, in the 'keyring' suite, against a
 * real gnome-keyring (keyring-session.sh). */
#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "test-account-store-util.h"

static void
test_login_then_chat (void)
{
  LoginStack *s = login_stack_new (NULL, TRUE);
  g_autoptr(I2aOAuthLoginResult) login = NULL;
  g_autoptr(I2aAccount) account = NULL;
  g_autoptr(I2aAccountSecrets) stored = NULL;
  g_autoptr(I2aTestResponse) before = NULL;
  g_autoptr(I2aTestResponse) r = NULL;
  g_autoptr(I2aTestResponse) streamed = NULL;
  g_autoptr(GError) error = NULL;
  I2aFakeRequest *req;
  GStatBuf st;

  /* Not logged in yet: nothing to route to. */
  before = login_stack_chat (s, "hello", FALSE);
  g_assert_cmpuint (before->status, ==, 401);

  fake_oauth_server_set_expires_in (s->oauth, 7 * 86400);
  login = login_stack_browser_login (s);
  g_assert_cmpuint (fake_oauth_server_get_code_exchange_count (s->oauth), ==, 1);
  g_assert_cmpuint (fake_oauth_server_get_user_info_count (s->oauth), ==, 1);
  account = login_stack_add_login (s, login, NULL, NULL, NULL);

  /* In the pool, usable, from the login. */
  g_assert_true (i2a_pool_lookup_account (s->pool, i2a_account_get_id (account)) == account);
  g_assert_true (i2a_pool_is_multi_account (s->pool));
  g_assert_true (i2a_account_is_usable (account));
  g_assert_cmpstr (i2a_account_get_auth_type (account), ==, "oauth-iflow");

  /* A chat request uses the new apiKey. */
  r = login_stack_chat (s, "hello", FALSE);
  g_assert_cmpuint (r->status, ==, 200);
  req = i2a_fake_iflow_get_last_request (s->fake);
  g_assert_nonnull (req);
  g_assert_cmpstr (req->api_key, ==, login->user_info->api_key);
  g_assert_true (req->signature_ok);
  streamed = login_stack_chat (s, "hello", TRUE);
  g_assert_cmpuint (streamed->status, ==, 200);
  g_assert_cmpstr (i2a_fake_iflow_get_last_request (s->fake)->api_key, ==, login->user_info->api_key);

  /* keys.json: no secret the fake handed out (codes, tokens, keys). */
  login_stack_flush (s);
  login_stack_assert_file_has_no_secret (s, s->keys_path, NULL);
  g_assert_cmpint (g_stat (s->keys_path, &st), ==, 0);
  g_assert_cmpuint (st.st_mode & 0777, ==, 0600);

  /* The keyring holds them. */
  stored = login_stack_keyring_lookup (s, i2a_account_get_id (account), &error);
  g_assert_no_error (error);
  g_assert_nonnull (stored);
  g_assert_cmpstr (stored->api_key, ==, login->user_info->api_key);
  g_assert_cmpstr (stored->refresh_token, ==, login->tokens->refresh_token);
  g_assert_cmpstr (stored->access_token, ==, login->tokens->access_token);

  /* No secret went to the log either. */
  fake_oauth_log_guard_assert_clean ();
  login_stack_free (s);
}

/* A second process (here: a second pool on the same files, as
 * `iflow2api login` would be) adds an account; the running app's pool
 * picks it up from keys.json + keyring without a restart. */
static gboolean
account_appeared (gpointer data)
{
  gpointer *args = data;

  return i2a_pool_lookup_account (args[0], args[1]) != NULL &&
         i2a_account_is_usable (i2a_pool_lookup_account (args[0], args[1]));
}

static void
test_live_pickup (void)
{
  LoginStack *app = login_stack_new ("{\"accounts\":{}}", TRUE);
  g_autoptr(I2aCliSettings) cli = i2a_cli_settings_new (app->iflow_dir);
  g_autoptr(I2aPool) other_pool = i2a_pool_new_with_keys (cli, app->keys_path);
  g_autoptr(I2aAccountStore) other = NULL;
  g_autoptr(I2aOAuthLoginResult) login = NULL;
  g_autoptr(I2aAccount) added = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(I2aTestResponse) r = NULL;
  g_autofree char *id = NULL;
  gpointer args[2];
  I2aAccount *live;

  while (!i2a_pool_is_loaded (other_pool))
    g_main_context_iteration (NULL, TRUE);
  other = i2a_account_store_new (other_pool, app->secrets, NULL);
  i2a_account_store_set_default_base_url (other, app->fake_base);

  login = login_stack_browser_login (app);
  i2a_fake_iflow_add_key (app->fake, login->user_info->api_key);
  i2a_account_store_add_login_async (other, login, NULL, "Elsewhere", NULL, i2a_test_result_cb, &result);
  result = i2a_test_wait_result (&result);
  added = i2a_account_store_add_login_finish (other, result, NULL, &error);
  g_assert_no_error (error);
  id = g_strdup (i2a_account_get_id (added));

  args[0] = app->pool;
  args[1] = id;
  g_assert_true (i2a_test_wait_until (account_appeared, args, 10000));
  live = i2a_pool_lookup_account (app->pool, id);
  g_assert_cmpstr (i2a_account_get_label (live), ==, "Elsewhere");
  g_assert_cmpstr (i2a_account_get_api_key (live), ==, login->user_info->api_key);
  g_assert_true (i2a_refresher_manages (app->refresher, live));

  r = login_stack_chat (app, "hello", FALSE);
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpstr (i2a_fake_iflow_get_last_request (app->fake)->api_key, ==, login->user_info->api_key);

  g_object_run_dispose (G_OBJECT (other));
  login_stack_free (app);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  fake_oauth_log_guard_install ();

  g_test_add_func ("/accounts/login-e2e/login-then-chat", test_login_then_chat);
  g_test_add_func ("/accounts/login-e2e/live-pickup", test_live_pickup);
  return g_test_run ();
}
