/* test-account-store-util.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "test-account-store-util.h"

static GAsyncResult *spin_result;
guint login_stack_oauth_timeout;

static gboolean
pool_loaded (gpointer data)
{
  return i2a_pool_is_loaded (data);
}

static gboolean
cli_loaded (gpointer data)
{
  return i2a_cli_settings_is_loaded (data);
}

LoginStack *
login_stack_new (const char *keys_json,
                 gboolean    with_server)
{
  LoginStack *s = g_new0 (LoginStack, 1);
  g_autoptr(GError) error = NULL;

  s->oauth = fake_oauth_server_new ();
  s->fake = i2a_fake_iflow_new ();
  s->fake_base = i2a_fake_iflow_dup_base_url (s->fake);
  s->home = i2a_test_mkdtemp ();
  s->iflow_dir = g_build_filename (s->home, ".iflow", NULL);
  s->keys_path = g_build_filename (s->home, ".iflow2api", "keys.json", NULL);
  {
    g_autofree char *dir = g_path_get_dirname (s->keys_path);

    /* The pool follows keys.json by watching this directory. */
    g_mkdir_with_parents (dir, 0700);
  }
  if (keys_json != NULL)
    i2a_test_write_file (s->keys_path, keys_json);
  g_mkdir_with_parents (s->iflow_dir, 0700);

  s->cli = i2a_cli_settings_new (s->iflow_dir);
  g_assert_true (i2a_test_wait_until (cli_loaded, s->cli, 5000));
  s->pool = i2a_pool_new_with_keys (s->cli, s->keys_path);
  g_assert_true (i2a_test_wait_until (pool_loaded, s->pool, 5000));
  g_assert_null (i2a_pool_get_load_error (s->pool));

  s->secrets = i2a_secret_store_new ();
  if (login_stack_oauth_timeout > 0)
    s->client = g_object_new (I2A_TYPE_OAUTH_CLIENT, "base-url", fake_oauth_server_get_base_url (s->oauth),
                              "timeout", login_stack_oauth_timeout, NULL);
  else
    s->client = i2a_oauth_client_new (fake_oauth_server_get_base_url (s->oauth));
  s->refresher = i2a_refresher_new (s->client, s->secrets);
  i2a_refresher_set_backoff (s->refresher, 20, 200, 5);
  s->store = i2a_account_store_new (s->pool, s->secrets, s->refresher);
  i2a_account_store_set_default_base_url (s->store, s->fake_base);
  i2a_pool_set_refresher (s->pool, s->refresher);
  i2a_account_store_start (s->store);

  if (with_server)
    {
      s->server = i2a_server_new (s->pool);
      g_assert_true (i2a_server_start (s->server, "127.0.0.1", 0, &error));
      g_assert_no_error (error);
      s->base = g_strdup_printf ("http://127.0.0.1:%u", i2a_server_get_port (s->server));
      s->http = soup_session_new_with_options ("timeout", 0, "max-conns", 64, "max-conns-per-host", 64, NULL);
    }
  return s;
}

void
login_stack_free (LoginStack *s)
{
  if (s->http)
    {
      soup_session_abort (s->http);
      g_object_unref (s->http);
    }
  if (s->server)
    i2a_test_server_finalize (s->server);
  /* Let keyring writes land before the next test uses the keyring. */
  while (i2a_refresher_is_saving (s->refresher))
    g_main_context_iteration (NULL, TRUE);
  i2a_test_drain ();
  /* A test's GAsyncResult may still hold the store as its source object:
   * disposing it drops what it holds, the rest must then finalize. */
  g_object_run_dispose (G_OBJECT (s->store));
  g_object_unref (s->store);
  g_object_run_dispose (G_OBJECT (s->refresher));
  /* The pool holds the refresher, the refresher the client and secrets.
   * Keyring calls and file reloads of the pool's live pickup may still
   * be in flight: each must let go once they finish. */
  i2a_test_finalize_soon (s->pool);
  i2a_test_finalize_soon (s->refresher);
  i2a_test_finalize_soon (s->client);
  i2a_test_finalize_soon (s->secrets);
  i2a_test_finalize_soon (s->cli);
  fake_oauth_server_free (s->oauth);
  i2a_fake_iflow_free (s->fake);
  i2a_test_rm_rf (s->home);
  g_free (s->home);
  g_free (s->iflow_dir);
  g_free (s->keys_path);
  g_free (s->fake_base);
  g_free (s->base);
  g_free (s);
}

I2aOAuthLoginResult *
login_stack_browser_login (LoginStack *s)
{
  g_autoptr(I2aOAuthLogin) login = i2a_oauth_login_new (s->client);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  I2aOAuthLoginResult *login_result;
  guint status = 0;

  i2a_oauth_login_set_first_port (login, 0);
  i2a_oauth_login_start_async (login, NULL, i2a_test_result_cb, &spin_result);
  g_assert_nonnull (i2a_oauth_login_get_authorize_url (login));
  g_assert_true (fake_browser_open (i2a_oauth_login_get_authorize_url (login), &status, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (status, ==, 200);
  result = i2a_test_wait_result (&spin_result);
  login_result = i2a_oauth_login_start_finish (login, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (login_result);
  return login_result;
}

I2aAccount *
login_stack_add_login (LoginStack          *s,
                       I2aOAuthLoginResult *login,
                       const char          *replace_id,
                       const char          *label,
                       gboolean            *created)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  I2aAccount *account;

  i2a_fake_iflow_add_key (s->fake, login->user_info->api_key);
  i2a_account_store_add_login_async (s->store, login, replace_id, label, NULL, i2a_test_result_cb, &spin_result);
  result = i2a_test_wait_result (&spin_result);
  account = i2a_account_store_add_login_finish (s->store, result, created, &error);
  g_assert_no_error (error);
  g_assert_nonnull (account);
  return account;
}

I2aAccount *
login_stack_login (LoginStack *s,
                   const char *label)
{
  g_autoptr(I2aOAuthLoginResult) login = login_stack_browser_login (s);

  return login_stack_add_login (s, login, NULL, label, NULL);
}

I2aAccountSecrets *
login_stack_keyring_lookup (LoginStack  *s,
                            const char  *id,
                            GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  i2a_secret_store_lookup_async (s->secrets, id, NULL, i2a_test_result_cb, &spin_result);
  result = i2a_test_wait_result (&spin_result);
  return i2a_secret_store_lookup_finish (s->secrets, result, error);
}

void
login_stack_keyring_store (LoginStack              *s,
                           const char              *id,
                           const I2aAccountSecrets *secrets)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  i2a_secret_store_store_async (s->secrets, id, NULL, secrets, NULL, i2a_test_result_cb, &spin_result);
  result = i2a_test_wait_result (&spin_result);
  g_assert_true (i2a_secret_store_store_finish (s->secrets, result, &error));
  g_assert_no_error (error);
}

void
login_stack_flush (LoginStack *s)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  i2a_pool_flush_async (s->pool, NULL, i2a_test_result_cb, &spin_result);
  result = i2a_test_wait_result (&spin_result);
  g_assert_true (i2a_pool_flush_finish (s->pool, result, &error));
  g_assert_no_error (error);
}

void
login_stack_wait_loaded (LoginStack *s)
{
  g_autoptr(GAsyncResult) result = NULL;

  i2a_account_store_wait_loaded_async (s->store, NULL, i2a_test_result_cb, &spin_result);
  result = i2a_test_wait_result (&spin_result);
  i2a_account_store_wait_loaded_finish (s->store, result, NULL);
}

char *
login_stack_read_file (const char *path)
{
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return g_strdup ("");
  return contents;
}

void
login_stack_assert_file_has_no_secret (LoginStack         *s,
                                       const char         *path,
                                       const char * const *extra)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  const char * const *issued = fake_oauth_server_get_issued_secrets (s->oauth);

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpuint (length, >, 0);
  for (guint i = 0; issued && issued[i]; i++)
    if (g_strstr_len (contents, length, issued[i]) != NULL)
      g_error ("%s contains a secret the OAuth server issued", path);
  for (guint i = 0; extra && extra[i]; i++)
    if (g_strstr_len (contents, length, extra[i]) != NULL)
      g_error ("%s contains a secret", path);
}

I2aTestResponse *
login_stack_chat (LoginStack *s,
                  const char *content,
                  gboolean    stream)
{
  g_autofree char *body = i2a_test_chat_body ("glm-5", content, stream);
  g_autofree char *url = g_strdup_printf ("%s/v1/chat/completions", s->base);

  return i2a_test_request (s->http, "POST", url, NULL, "application/json", body, 0, 0);
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

void
login_stack_spin (guint ms)
{
  i2a_test_wait_until (never, NULL, ms);
}
