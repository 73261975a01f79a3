/* i2a-account-store.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-account-store.c: the account store object, its accessors and the
 * lookups in the configuration in force. Loading secrets from the keyring
 * is i2a-account-store-load.c, saving a login i2a-account-store-save.c,
 * logout i2a-account-store-logout.c. */
#define G_LOG_DOMAIN "i2a-account-store"

#include "config.h"

#include <string.h>

#include "i2a-account-store-private.h"
#include "i2a-util.h"

G_DEFINE_FINAL_TYPE (I2aAccountStore, i2a_account_store, G_TYPE_OBJECT)

gboolean
_i2a_account_store_entry_is_login (const I2aKeysAccount *entry)
{
  /* Keys in the file belong to whoever wrote the file; only key-less
   * entries take theirs from the keyring. */
  return entry->api_key == NULL &&
         (g_strcmp0 (entry->auth_type, I2A_AUTH_TYPE_OAUTH) == 0 ||
          g_strcmp0 (entry->auth_type, I2A_AUTH_TYPE_API_KEY) == 0);
}

/* ---- object ------------------------------------------------------------- */

static void
i2a_account_store_dispose (GObject *object)
{
  I2aAccountStore *self = I2A_ACCOUNT_STORE (object);

  g_cancellable_cancel (self->cancellable);
  if (self->pool)
    {
      g_clear_signal_handler (&self->reloaded_handler, self->pool);
      g_clear_signal_handler (&self->expired_handler, self->pool);
    }
  g_clear_object (&self->refresher);
  g_clear_object (&self->client);
  g_clear_object (&self->secrets);
  g_clear_object (&self->pool);

  G_OBJECT_CLASS (i2a_account_store_parent_class)->dispose (object);
}

static void
i2a_account_store_finalize (GObject *object)
{
  I2aAccountStore *self = I2A_ACCOUNT_STORE (object);

  g_clear_error (&self->load_error);
  g_clear_pointer (&self->load_waiters, g_ptr_array_unref);
  g_clear_pointer (&self->default_base_url, g_free);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (i2a_account_store_parent_class)->finalize (object);
}

static void
i2a_account_store_class_init (I2aAccountStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = i2a_account_store_dispose;
  object_class->finalize = i2a_account_store_finalize;
}

static void
i2a_account_store_init (I2aAccountStore *self)
{
  self->cancellable = g_cancellable_new ();
  self->load_waiters = g_ptr_array_new_with_free_func (g_object_unref);
}

I2aAccountStore *
i2a_account_store_new (I2aPool        *pool,
                       I2aSecretStore *secrets,
                       I2aRefresher   *refresher)
{
  I2aAccountStore *self;

  g_return_val_if_fail (I2A_IS_POOL (pool), NULL);
  g_return_val_if_fail (I2A_IS_SECRET_STORE (secrets), NULL);

  self = g_object_new (I2A_TYPE_ACCOUNT_STORE, NULL);
  self->pool = g_object_ref (pool);
  self->secrets = g_object_ref (secrets);
  self->refresher = refresher ? g_object_ref (refresher) : NULL;
  /* A compatible iFlow deployment: where the accounts a login adds chat. */
  if (g_getenv ("IFLOW2API_API_BASE") != NULL && *g_getenv ("IFLOW2API_API_BASE") != '\0')
    i2a_account_store_set_default_base_url (self, g_getenv ("IFLOW2API_API_BASE"));
  return self;
}

I2aAccountStore *
i2a_account_store_new_for_app (I2aPool *pool)
{
  g_autoptr(I2aSecretStore) secrets = i2a_secret_store_new ();
  g_autoptr(I2aOAuthClient) client = i2a_oauth_client_new (NULL);
  g_autoptr(I2aRefresher) refresher = i2a_refresher_new (client, secrets);
  I2aAccountStore *self = i2a_account_store_new (pool, secrets, refresher);

  i2a_pool_set_refresher (pool, refresher);
  i2a_account_store_start (self);
  return self;
}

I2aPool *
i2a_account_store_get_pool (I2aAccountStore *self)
{
  g_return_val_if_fail (I2A_IS_ACCOUNT_STORE (self), NULL);
  return self->pool;
}

I2aSecretStore *
i2a_account_store_get_secret_store (I2aAccountStore *self)
{
  g_return_val_if_fail (I2A_IS_ACCOUNT_STORE (self), NULL);
  return self->secrets;
}

I2aRefresher *
i2a_account_store_get_refresher (I2aAccountStore *self)
{
  g_return_val_if_fail (I2A_IS_ACCOUNT_STORE (self), NULL);
  return self->refresher;
}

void
i2a_account_store_set_default_base_url (I2aAccountStore *self,
                                        const char      *base_url)
{
  g_return_if_fail (I2A_IS_ACCOUNT_STORE (self));
  g_free (self->default_base_url);
  self->default_base_url = base_url ? i2a_strip_trailing_slash (base_url) : NULL;
}

guint
i2a_account_store_count_login_accounts (I2aAccountStore *self)
{
  I2aKeysConfig *config;
  guint n = 0;

  g_return_val_if_fail (I2A_IS_ACCOUNT_STORE (self), 0);
  config = i2a_pool_get_config (self->pool);
  for (guint i = 0; i < config->accounts->len; i++)
    if (_i2a_account_store_entry_is_login (config->accounts->pdata[i]))
      n++;
  return n;
}

char *
i2a_account_store_resolve (I2aAccountStore *self,
                           const char      *name)
{
  I2aKeysConfig *config;

  g_return_val_if_fail (I2A_IS_ACCOUNT_STORE (self), NULL);
  config = i2a_pool_get_config (self->pool);
  if (name == NULL || *name == '\0')
    return NULL;
  if (i2a_keys_config_lookup_account (config, name))
    return g_strdup (name);
  for (guint pass = 0; pass < 2; pass++)
    for (guint i = 0; i < config->accounts->len; i++)
      {
        const I2aKeysAccount *entry = config->accounts->pdata[i];
        const char *fields[] = { entry->label, entry->email };

        for (guint f = 0; f < G_N_ELEMENTS (fields); f++)
          if (fields[f] && (pass == 0 ? strcmp (fields[f], name) == 0
                                      : g_ascii_strcasecmp (fields[f], name) == 0))
            return g_strdup (entry->id);
      }
  return NULL;
}
