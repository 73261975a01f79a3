/* i2a-account-store-save.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-account-store-save.c: saving a browser login or an import of the
 * iFlow CLI's login: secrets to the keyring first (no keyring, no
 * account), then the secret-less entry to keys.json, then the live
 * account (handed to the refresher when it is OAuth). */
#define G_LOG_DOMAIN "i2a-account-store"

#include "config.h"

#include "i2a-account-store-private.h"
#include "i2a-error.h"
#include "i2a-util.h"

static gint64
now_wall (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* ---- saving a login ----------------------------------------------------- */

typedef struct
{
  char              *replace_id;
  char              *identity;    /* email, phone or username */
  char              *label;
  const char        *default_label; /* for a new account without label/identity */
  gboolean           from_cli;      /* import-cli */
  char              *base_url;
  const char        *auth_type;
  I2aAccountSecrets *secrets;
  gint64             obtained_at;
  char              *id;
  gboolean           created;
  I2aAccount        *account;
} SaveData;

static void
save_data_free (SaveData *data)
{
  g_free (data->replace_id);
  g_free (data->identity);
  g_free (data->label);
  g_free (data->base_url);
  i2a_account_secrets_free (data->secrets);
  g_free (data->id);
  g_clear_object (&data->account);
  g_free (data);
}

/* The account a login for @identity updates, or NULL. */
static const I2aKeysAccount *
find_by_identity (I2aKeysConfig *config,
                  const char    *identity)
{
  if (identity == NULL)
    return NULL;
  for (guint i = 0; i < config->accounts->len; i++)
    {
      const I2aKeysAccount *entry = config->accounts->pdata[i];

      if (entry->provider == I2A_PROVIDER_IFLOW && entry->email &&
          g_ascii_strcasecmp (entry->email, identity) == 0)
        return entry;
    }
  return NULL;
}

/* Accounts made by import-cli have ids "iflow-cli-<hex>": that is how a
 * repeat import finds its account when getUserInfo gives no email or
 * phone (or is not reachable), instead of adding a second one. */
#define CLI_IMPORT_ID_PREFIX "iflow-cli-"
#define CLI_IMPORT_LABEL     "iFlow CLI"

static gboolean
entry_is_cli_import (const I2aKeysAccount *entry)
{
  if (entry->api_key != NULL || entry->provider != I2A_PROVIDER_IFLOW)
    return FALSE;
  if (g_str_has_prefix (entry->id, CLI_IMPORT_ID_PREFIX))
    return TRUE;
  /* Imported before the prefix existed: the default label, no identity. */
  return entry->email == NULL && g_strcmp0 (entry->label, CLI_IMPORT_LABEL) == 0 &&
         _i2a_account_store_entry_is_login (entry);
}

/* The account an import of the CLI login of @identity (NULL: unknown)
 * updates, or NULL: one of another user is left alone. */
static const I2aKeysAccount *
find_cli_import (I2aKeysConfig *config,
                 const char    *identity)
{
  for (guint i = 0; i < config->accounts->len; i++)
    {
      const I2aKeysAccount *entry = config->accounts->pdata[i];

      if (!entry_is_cli_import (entry))
        continue;
      if (identity == NULL || entry->email == NULL || g_ascii_strcasecmp (entry->email, identity) == 0)
        return entry;
    }
  return NULL;
}

static char *
new_account_id (I2aKeysConfig *config,
                const char    *prefix)
{
  for (;;)
    {
      guint8 bytes[4];
      g_autofree char *hex = NULL;
      char *id;

      if (!i2a_random_bytes (bytes, sizeof bytes, NULL))
        return NULL;
      hex = i2a_hex_encode (bytes, sizeof bytes);
      /* Never reuse an id: a stale keyring item must not come back. */
      id = g_strdup_printf ("%s%s", prefix, hex);
      if (i2a_keys_config_lookup_account (config, id) == NULL)
        return id;
      g_free (id);
    }
}

static void
save_flushed_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SaveData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!i2a_pool_flush_finish (I2A_POOL (source), result, &error))
    {
      g_prefix_error (&error, "The account works now but could not be saved to keys.json: ");
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, g_object_ref (data->account), g_object_unref);
}

static void
save_stored_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  I2aAccountStore *self = g_task_get_source_object (task);
  SaveData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  I2aAccountSpec spec = I2A_ACCOUNT_SPEC_INIT;
  I2aAccount *account;

  if (!i2a_secret_store_store_finish (I2A_SECRET_STORE (source), result, &error))
    {
      /* No keyring, no account: never a plaintext fallback. */
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  spec.id = data->id;
  spec.label = data->label;
  spec.email = data->identity;
  spec.auth_type = data->auth_type;
  if (data->created)
    {
      g_autofree char *id = NULL;

      spec.provider = "iflow";
      spec.base_url = data->base_url;
      spec.enabled = TRUE;
      id = i2a_pool_add_account (self->pool, &spec, &error);
      if (id == NULL)
        {
          /* Don't leave credentials behind for an account that is not there. */
          i2a_secret_store_clear_async (self->secrets, data->id, NULL, NULL, NULL);
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }
  else if (!i2a_pool_update_account (self->pool, &spec, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  account = i2a_pool_lookup_account (self->pool, data->id);
  if (account == NULL)
    {
      g_task_return_new_error (task, I2A_ERROR, I2A_ERROR_FAILED,
                               "The account %s was saved but the pool does not show it", data->id);
      return;
    }
  data->account = g_object_ref (account);
  if (self->refresher && g_strcmp0 (data->auth_type, I2A_AUTH_TYPE_OAUTH) == 0)
    i2a_refresher_adopt (self->refresher, account, data->secrets, data->obtained_at);
  else
    {
      i2a_account_set_api_key (account, data->secrets->api_key);
      i2a_account_set_expires_at (account, data->secrets->expires_at);
      if (data->obtained_at > 0)
        i2a_account_set_last_refresh (account, data->obtained_at);
      i2a_account_set_last_refresh_error (account, NULL);
      i2a_account_set_state (account, I2A_ACCOUNT_STATE_OK);
    }
  g_message ("%s account %s", data->created ? "Added" : "Updated", data->id);
  i2a_pool_flush_async (self->pool, g_task_get_cancellable (task), save_flushed_cb, g_object_ref (task));
}

/* Takes @data. */
static void
save_account (I2aAccountStore *self,
              SaveData        *data,
              GTask           *task)
{
  I2aKeysConfig *config = i2a_pool_get_config (self->pool);
  const I2aKeysAccount *existing = NULL;
  g_autofree char *keyring_label = NULL;

  g_task_set_task_data (task, data, (GDestroyNotify) save_data_free);
  if (i2a_pool_get_config_path (self->pool) == NULL)
    {
      g_task_return_new_error (task, I2A_ERROR, I2A_ERROR_FAILED,
                               "No keys.json is in use, so the account cannot be saved");
      return;
    }
  if (data->replace_id != NULL)
    {
      existing = i2a_keys_config_lookup_account (config, data->replace_id);
      if (existing == NULL)
        {
          g_task_return_new_error (task, I2A_ERROR, I2A_ERROR_FAILED,
                                   "There is no account '%s'", data->replace_id);
          return;
        }
      if (existing->api_key != NULL)
        {
          /* Its key would win over the login's at the next reload. */
          g_task_return_new_error (task, I2A_ERROR, I2A_ERROR_FAILED,
                                   "Account '%s' has an api_key written in keys.json; remove it "
                                   "there before logging in to it", data->replace_id);
          return;
        }
    }
  else
    {
      existing = find_by_identity (config, data->identity);
      if (existing != NULL && existing->api_key != NULL)
        existing = NULL;  /* a hand-written account: leave it alone */
      if (existing == NULL && data->from_cli)
        existing = find_cli_import (config, data->identity);
    }

  data->created = existing == NULL;
  data->id = existing ? g_strdup (existing->id)
                      : new_account_id (config, data->from_cli ? CLI_IMPORT_ID_PREFIX : "iflow-");
  if (data->id == NULL)
    {
      g_task_return_new_error (task, I2A_ERROR, I2A_ERROR_FAILED, "No randomness for an account id");
      return;
    }
  if (data->label == NULL && data->created)
    data->label = g_strdup (data->identity ? data->identity :
                            data->default_label ? data->default_label : "iFlow account");
  keyring_label = g_strdup_printf ("iflow2api account %s",
                                   data->label ? data->label :
                                   (existing && existing->label) ? existing->label : data->id);
  i2a_secret_store_store_async (self->secrets, data->id, keyring_label, data->secrets,
                                g_task_get_cancellable (task), save_stored_cb, g_object_ref (task));
}

void
i2a_account_store_add_login_async (I2aAccountStore           *self,
                                   const I2aOAuthLoginResult *login,
                                   const char                *replace_id,
                                   const char                *label,
                                   GCancellable              *cancellable,
                                   GAsyncReadyCallback        callback,
                                   gpointer                   user_data)
{
  g_autoptr(GTask) task = NULL;
  SaveData *data;

  g_return_if_fail (I2A_IS_ACCOUNT_STORE (self));
  g_return_if_fail (login != NULL && login->tokens != NULL && login->user_info != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, i2a_account_store_add_login_async);
  data = g_new0 (SaveData, 1);
  data->replace_id = g_strdup (replace_id);
  data->identity = g_strdup (i2a_oauth_user_info_get_display_name (login->user_info));
  data->label = g_strdup (label);
  data->base_url = g_strdup (self->default_base_url);
  data->auth_type = I2A_AUTH_TYPE_OAUTH;
  data->obtained_at = now_wall ();
  data->secrets = i2a_account_secrets_new ();
  data->secrets->api_key = g_strdup (login->user_info->api_key);
  data->secrets->access_token = g_strdup (login->tokens->access_token);
  data->secrets->refresh_token = g_strdup (login->tokens->refresh_token);
  data->secrets->expires_at = login->tokens->expires_at;
  data->secrets->refreshed_at = data->obtained_at;
  save_account (self, data, task);
}

I2aAccount *
i2a_account_store_add_login_finish (I2aAccountStore  *self,
                                    GAsyncResult     *result,
                                    gboolean         *created,
                                    GError          **error)
{
  SaveData *data;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  data = g_task_get_task_data (G_TASK (result));
  if (created)
    *created = data ? data->created : FALSE;
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- importing the iFlow CLI login -------------------------------------- */

static void
import_user_info_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  I2aAccountStore *self = g_task_get_source_object (task);
  SaveData *data = g_object_steal_data (G_OBJECT (task), "save-data");
  g_autoptr(GError) error = NULL;
  g_autoptr(I2aOAuthUserInfo) info = i2a_oauth_client_get_user_info_finish (I2A_OAUTH_CLIENT (source),
                                                                             result, &error);

  if (info != NULL)
    data->identity = g_strdup (i2a_oauth_user_info_get_display_name (info));
  else
    g_debug ("Import: no user info for the CLI login (%s); importing without an email", error->message);
  save_account (self, data, task);
}

void
i2a_account_store_import_cli_async (I2aAccountStore     *self,
                                    I2aCliSettings      *cli,
                                    const char          *label,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SaveData *data;
  const char *api_key;

  g_return_if_fail (I2A_IS_ACCOUNT_STORE (self));
  g_return_if_fail (I2A_IS_CLI_SETTINGS (cli));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, i2a_account_store_import_cli_async);
  api_key = i2a_cli_settings_get_api_key (cli);
  if (api_key == NULL)
    {
      g_task_return_new_error (task, I2A_ERROR, I2A_ERROR_NOT_LOGGED_IN,
                               "No iFlow CLI login in %s (settings.json has no apiKey); "
                               "log in with `iflow` first", i2a_cli_settings_get_dir (cli));
      return;
    }

  data = g_new0 (SaveData, 1);
  data->label = g_strdup (label);
  data->default_label = CLI_IMPORT_LABEL;
  data->from_cli = TRUE;
  data->base_url = g_strdup (i2a_cli_settings_get_base_url (cli));
  data->secrets = i2a_account_secrets_new ();
  data->secrets->api_key = g_strdup (api_key);
  data->secrets->access_token = g_strdup (i2a_cli_settings_get_access_token (cli));
  data->secrets->refresh_token = g_strdup (i2a_cli_settings_get_refresh_token (cli));
  data->secrets->expires_at = i2a_cli_settings_get_expires_at (cli);
  /* Without a refresh token the key is used as it is until it expires. */
  data->auth_type = data->secrets->refresh_token ? I2A_AUTH_TYPE_OAUTH : I2A_AUTH_TYPE_API_KEY;

  if (data->secrets->access_token != NULL)
    {
      I2aOAuthClient *client;

      if (self->refresher)
        client = i2a_refresher_get_client (self->refresher);
      else
        client = self->client ? self->client : (self->client = i2a_oauth_client_new (NULL));
      /* Only for the email, so a later browser login of the same user
       * updates this account instead of adding a second one. */
      g_object_set_data_full (G_OBJECT (task), "save-data", data, (GDestroyNotify) save_data_free);
      i2a_oauth_client_get_user_info_async (client, data->secrets->access_token, cancellable,
                                            import_user_info_cb, g_steal_pointer (&task));
      return;
    }
  save_account (self, data, task);
}

I2aAccount *
i2a_account_store_import_cli_finish (I2aAccountStore  *self,
                                     GAsyncResult     *result,
                                     gboolean         *created,
                                     GError          **error)
{
  return i2a_account_store_add_login_finish (self, result, created, error);
}
