/* i2a-account-store-load.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-account-store-load.c: following the pool. Key-less accounts get
 * their secrets from the keyring at start and after every keys.json
 * reload (a login made by `iflow2api login` elsewhere shows up live);
 * OAuth ones go to the refresher, which also hears "token-expired". */
#define G_LOG_DOMAIN "i2a-account-store"

#include "config.h"

#include "i2a-account-store-private.h"

static gboolean
entry_is_oauth (const I2aKeysAccount *entry)
{
  return entry->api_key == NULL && g_strcmp0 (entry->auth_type, I2A_AUTH_TYPE_OAUTH) == 0;
}

static void
complete_load_waiters (I2aAccountStore *self)
{
  g_autoptr(GPtrArray) waiters = NULL;

  if (self->pending > 0 || self->load_waiters->len == 0)
    return;
  waiters = g_steal_pointer (&self->load_waiters);
  self->load_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < waiters->len; i++)
    {
      if (self->load_error)
        g_task_return_error (waiters->pdata[i], g_error_copy (self->load_error));
      else
        g_task_return_boolean (waiters->pdata[i], TRUE);
    }
}

static void
mark_needs_login (I2aAccount *account,
                  const char *why)
{
  g_object_freeze_notify (G_OBJECT (account));
  i2a_account_set_state (account, I2A_ACCOUNT_STATE_NEEDS_LOGIN);
  i2a_account_set_last_refresh_error (account, why);
  g_object_thaw_notify (G_OBJECT (account));
}

/* Keyring secrets @found for an account the pool has now. */
static void
apply_secrets (I2aAccountStore      *self,
               I2aAccount           *account,
               const I2aKeysAccount *entry,
               I2aAccountSecrets    *found)
{
  const char *id = entry->id;

  if (!entry_is_oauth (entry) || self->refresher == NULL)
    {
      if (found->api_key == NULL)
        return;
      if (g_strcmp0 (i2a_account_get_api_key (account), found->api_key) != 0)
        i2a_account_set_api_key (account, found->api_key);
      i2a_account_set_expires_at (account, found->expires_at);
      if (found->refreshed_at > 0)
        i2a_account_set_last_refresh (account, found->refreshed_at);
      if (i2a_account_get_state (account) != I2A_ACCOUNT_STATE_REFRESHING)
        i2a_account_set_state (account, I2A_ACCOUNT_STATE_OK);
      return;
    }

  if (found->refresh_token == NULL)
    {
      /* The refresher drops a refresh token the server rejected, so that
       * "needs login" survives a restart. */
      i2a_refresher_forget (self->refresher, id);
      if (found->api_key)
        i2a_account_set_api_key (account, found->api_key);
      i2a_account_set_expires_at (account, found->expires_at);
      if (found->refreshed_at > 0)
        i2a_account_set_last_refresh (account, found->refreshed_at);
      i2a_account_set_refresh_failures (account, found->refresh_failures);
      mark_needs_login (account, found->last_refresh_error ? found->last_refresh_error
                                 : "The login expired or was revoked; log in again");
      return;
    }

  {
    g_autoptr(I2aAccountSecrets) current = i2a_refresher_dup_secrets (self->refresher, id);
    gboolean adopt;

    if (current == NULL)
      adopt = TRUE;
    else if (g_strcmp0 (current->refresh_token, found->refresh_token) == 0)
      adopt = FALSE;
    else
      /* A login made elsewhere (`iflow2api login`) is newer; our own
       * refresh writes the keyring after memory, never the other way. */
      adopt = found->expires_at > current->expires_at ||
              i2a_account_get_state (account) == I2A_ACCOUNT_STATE_NEEDS_LOGIN;
    if (adopt)
      {
        g_debug ("Account %s: credentials loaded from the keyring", id);
        /* When the tokens were issued: the lead, and "last refresh". */
        i2a_refresher_adopt (self->refresher, account, found, found->refreshed_at);
      }
  }
}

typedef struct
{
  I2aAccountStore *self;
  char            *id;
} LookupData;

static void
lookup_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  LookupData *data = user_data;
  I2aAccountStore *self = data->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(I2aAccountSecrets) found = i2a_secret_store_lookup_finish (I2A_SECRET_STORE (source),
                                                                       result, &error);
  const I2aKeysAccount *entry;
  I2aAccount *account;

  self->pending--;
  if (self->pool == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    goto out;  /* disposed meanwhile */
  entry = i2a_keys_config_lookup_account (i2a_pool_get_config (self->pool), data->id);
  account = i2a_pool_lookup_account (self->pool, data->id);
  if (entry == NULL || account == NULL || !_i2a_account_store_entry_is_login (entry))
    goto out;

  if (error != NULL)
    {
      /* Keep serving the others; say on the account why it cannot. */
      if (!i2a_account_has_api_key (account))
        {
          i2a_account_set_state (account, I2A_ACCOUNT_STATE_ERROR);
          i2a_account_set_last_refresh_error (account, error->message);
        }
      if (self->load_error == NULL)
        {
          g_warning ("Cannot load the credentials of the logged-in accounts: %s", error->message);
          self->load_error = g_steal_pointer (&error);
        }
    }
  else if (found == NULL)
    {
      if (entry_is_oauth (entry) &&
          !(self->refresher && i2a_refresher_manages (self->refresher, account)))
        mark_needs_login (account, "No credentials for this account in the keyring; log in again");
    }
  else
    apply_secrets (self, account, entry, found);

out:
  complete_load_waiters (self);
  g_object_unref (data->self);
  g_free (data->id);
  g_free (data);
}

static void
sync_with_config (I2aAccountStore *self)
{
  I2aKeysConfig *config = i2a_pool_get_config (self->pool);

  g_clear_error (&self->load_error);
  for (guint i = 0; i < config->accounts->len; i++)
    {
      const I2aKeysAccount *entry = config->accounts->pdata[i];
      LookupData *data;

      if (!_i2a_account_store_entry_is_login (entry))
        continue;
      data = g_new0 (LookupData, 1);
      data->self = g_object_ref (self);
      data->id = g_strdup (entry->id);
      self->pending++;
      /* Not cancellable: libsecret 0.20.5 warns (GError set twice) when a
       * lookup is cancelled; the callback holds a ref instead. */
      i2a_secret_store_lookup_async (self->secrets, entry->id, NULL, lookup_cb, data);
    }

  /* Accounts gone from keys.json (logout, hand edit) stop refreshing. */
  if (self->refresher)
    {
      g_auto(GStrv) ids = i2a_refresher_dup_account_ids (self->refresher);

      for (guint i = 0; ids[i]; i++)
        {
          const I2aKeysAccount *entry = i2a_keys_config_lookup_account (config, ids[i]);

          if (entry == NULL || !entry_is_oauth (entry))
            i2a_refresher_forget (self->refresher, ids[i]);
        }
    }
  complete_load_waiters (self);
}

static void
config_reloaded_cb (I2aPool         *pool,
                    I2aAccountStore *self)
{
  sync_with_config (self);
}

static void
token_expired_cb (I2aPool         *pool,
                  I2aAccount      *account,
                  I2aAccountStore *self)
{
  if (self->refresher && i2a_refresher_manages (self->refresher, account))
    {
      g_info ("Account %s: upstream says the key expired; refreshing now", i2a_account_get_id (account));
      i2a_refresher_refresh_now (self->refresher, account);
    }
}

void
i2a_account_store_start (I2aAccountStore *self)
{
  g_return_if_fail (I2A_IS_ACCOUNT_STORE (self));

  if (self->started)
    return;
  self->started = TRUE;
  self->reloaded_handler = g_signal_connect (self->pool, "config-reloaded",
                                             G_CALLBACK (config_reloaded_cb), self);
  self->expired_handler = g_signal_connect (self->pool, "token-expired",
                                            G_CALLBACK (token_expired_cb), self);
  if (i2a_pool_is_loaded (self->pool))
    sync_with_config (self);
}

static void
loaded_notify_cb (I2aPool    *pool,
                  GParamSpec *pspec,
                  GTask      *task)
{
  I2aAccountStore *self = g_task_get_source_object (task);

  if (!i2a_pool_is_loaded (pool))
    return;
  g_signal_handlers_disconnect_by_data (pool, task);
  g_ptr_array_add (self->load_waiters, task);
  complete_load_waiters (self);
}

void
i2a_account_store_wait_loaded_async (I2aAccountStore     *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (I2A_IS_ACCOUNT_STORE (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, i2a_account_store_wait_loaded_async);
  if (!i2a_pool_is_loaded (self->pool))
    {
      /* The first sync runs from "config-reloaded" before "loaded". */
      g_signal_connect (self->pool, "notify::loaded", G_CALLBACK (loaded_notify_cb), task);
      return;
    }
  g_ptr_array_add (self->load_waiters, task);
  complete_load_waiters (self);
}

gboolean
i2a_account_store_wait_loaded_finish (I2aAccountStore  *self,
                                      GAsyncResult     *result,
                                      GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
