/* i2a-account-ops.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-account-ops"

#include "config.h"

#include <glib/gi18n.h>

#include "i2a-account-ops.h"
#include "i2a-cli-interop.h"
#include "i2a-error.h"
#include "i2a-util.h"

gboolean
i2a_account_ops_is_base_url (const char *text)
{
  g_autoptr(GUri) uri = text ? g_uri_parse (text, G_URI_FLAGS_NONE, NULL) : NULL;

  return uri != NULL &&
         (g_strcmp0 (g_uri_get_scheme (uri), "http") == 0 ||
          g_strcmp0 (g_uri_get_scheme (uri), "https") == 0) &&
         g_uri_get_host (uri) != NULL && *g_uri_get_host (uri) != '\0';
}

I2aAccount *
i2a_account_ops_lookup (GListModel *accounts,
                        const char *id)
{
  guint n = g_list_model_get_n_items (accounts);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(I2aAccount) account = g_list_model_get_item (accounts, i);

      if (g_strcmp0 (i2a_account_get_id (account), id) == 0)
        return g_steal_pointer (&account);
    }
  return NULL;
}

static gboolean
in_keys_file (I2aPool    *pool,
              I2aAccount *account)
{
  return pool != NULL &&
         g_strcmp0 (i2a_account_get_id (account), I2A_CLI_ACCOUNT_ID) != 0 &&
         i2a_pool_get_config_path (pool) != NULL;
}

void
i2a_account_ops_set_enabled (I2aPool    *pool,
                             I2aAccount *account,
                             gboolean    enabled)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (I2A_IS_ACCOUNT (account));

  if (in_keys_file (pool, account) &&
      i2a_pool_set_account_enabled (pool, i2a_account_get_id (account), enabled, &error))
    return;
  if (error != NULL)
    g_message ("Cannot save account %s: %s", i2a_account_get_id (account), error->message);
  /* Not in keys.json (the CLI login) or not writable: this session only. */
  i2a_account_set_enabled (account, enabled);
}

void
i2a_account_ops_set_max_concurrency (I2aPool    *pool,
                                     I2aAccount *account,
                                     guint       max)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (I2A_IS_ACCOUNT (account));

  if (in_keys_file (pool, account) &&
      i2a_pool_set_account_max_concurrency (pool, i2a_account_get_id (account), max, &error))
    return;
  if (error != NULL)
    g_message ("Cannot save account %s: %s", i2a_account_get_id (account), error->message);
  i2a_account_set_max_concurrency (account, max);
}

gboolean
i2a_account_ops_can_remove (I2aPool    *pool,
                            I2aAccount *account)
{
  /* The CLI login belongs to the iFlow CLI: log out there instead. */
  return g_strcmp0 (i2a_account_get_id (account), I2A_CLI_ACCOUNT_ID) != 0;
}

static void
logout_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (i2a_account_store_logout_finish (I2A_ACCOUNT_STORE (object), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

void
i2a_account_ops_remove_async (I2aAccountStore     *store,
                              I2aAccount          *account,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, i2a_account_ops_remove_async);
  if (!i2a_account_ops_can_remove (i2a_account_store_get_pool (store), account))
    {
      g_task_return_new_error (task, I2A_ERROR, I2A_ERROR_FAILED,
                               _("This login belongs to the iFlow CLI. Log out there to remove it."));
      return;
    }
  i2a_account_store_logout_async (store, i2a_account_get_id (account), cancellable,
                                  logout_cb, g_steal_pointer (&task));
}

gboolean
i2a_account_ops_remove_finish (GAsyncResult  *result,
                               GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
cli_written_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* The account itself is saved: a CLI that can't follow is only logged. */
  if (!i2a_cli_interop_write_login_finish (result, &error))
    g_message ("Cannot share the login with the iFlow CLI: %s", error->message);
}

static void
login_saved_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  const char *base_url = g_object_get_data (G_OBJECT (task), "base-url");
  I2aAccount *account;

  account = i2a_account_store_add_login_finish (I2A_ACCOUNT_STORE (object), result, NULL, &error);
  if (account == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (base_url != NULL && g_strcmp0 (base_url, i2a_account_get_base_url (account)) != 0)
    {
      I2aAccountSpec spec = I2A_ACCOUNT_SPEC_INIT;

      spec.id = i2a_account_get_id (account);
      spec.base_url = base_url;
      if (!i2a_pool_update_account (i2a_account_store_get_pool (I2A_ACCOUNT_STORE (object)),
                                    &spec, &error))
        {
          g_object_unref (account);
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }
  if (GPOINTER_TO_INT (g_task_get_task_data (task)) && i2a_account_has_api_key (account))
    i2a_cli_interop_write_login_async (NULL, i2a_account_get_api_key (account),
                                       i2a_account_get_base_url (account),
                                       I2A_CLI_AUTH_TYPE_OAUTH, NULL, cli_written_cb, NULL);
  g_task_return_pointer (task, account, g_object_unref);
}

void
i2a_account_ops_add_login_async (I2aAccountStore           *store,
                                 const char                *replace_id,
                                 const I2aOAuthLoginResult *result,
                                 const char                *base_url,
                                 gboolean                   share_with_cli,
                                 GCancellable              *cancellable,
                                 GAsyncReadyCallback        callback,
                                 gpointer                   user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_return_if_fail (I2A_IS_ACCOUNT_STORE (store));
  g_return_if_fail (result != NULL);

  g_task_set_source_tag (task, i2a_account_ops_add_login_async);
  g_task_set_task_data (task, GINT_TO_POINTER (share_with_cli), NULL);
  if (base_url != NULL)
    g_object_set_data_full (G_OBJECT (task), "base-url", i2a_strip_trailing_slash (base_url), g_free);
  i2a_account_store_add_login_async (store, result, replace_id, NULL, cancellable,
                                     login_saved_cb, g_steal_pointer (&task));
}

I2aAccount *
i2a_account_ops_add_login_finish (GAsyncResult  *result,
                                  GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
imported_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  I2aAccount *account;

  account = i2a_account_store_import_cli_finish (I2A_ACCOUNT_STORE (object), result, NULL, &error);
  if (account == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, account, g_object_unref);
}

static void
cli_loaded_cb (I2aCliSettings *cli,
               GTask          *task)
{
  I2aAccountStore *store = g_task_get_source_object (task);

  g_signal_handlers_disconnect_by_data (cli, task);
  if (i2a_cli_settings_get_api_key (cli) == NULL)
    {
      g_task_return_new_error (task, I2A_ERROR, I2A_ERROR_NOT_LOGGED_IN,
                               _("No iFlow CLI login was found in %s. Log in with “iflow” first."),
                               i2a_cli_settings_get_dir (cli));
      g_object_unref (task);
      return;
    }
  i2a_account_store_import_cli_async (store, cli, NULL, g_task_get_cancellable (task),
                                      imported_cb, task);
}

void
i2a_account_ops_import_cli_async (I2aAccountStore     *store,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task = g_task_new (store, cancellable, callback, user_data);
  I2aCliSettings *cli = i2a_pool_get_cli_settings (i2a_account_store_get_pool (store));

  g_task_set_source_tag (task, i2a_account_ops_import_cli_async);
  /* Re-read first: the user may have logged in with the CLI just now. */
  g_signal_connect (cli, "changed", G_CALLBACK (cli_loaded_cb), task);
  i2a_cli_settings_reload (cli);
}

I2aAccount *
i2a_account_ops_import_cli_finish (GAsyncResult  *result,
                                   GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

char *
i2a_account_ops_regenerate_key (I2aPool     *pool,
                                const char  *old_token,
                                GError     **error)
{
  return i2a_pool_regenerate_client_key (pool, old_token, error);
}
