#define G_LOG_DOMAIN "i2a-account-store"

#include "config.h"

#include <string.h>

#include "i2a-account-store.h"
#include "i2a-error.h"
#include "i2a-util.h"

struct _I2aAccountStore
{
  GObject         parent_instance;

  I2aPool        *pool;
  I2aSecretStore *secrets;
  I2aRefresher   *refresher;
  I2aOAuthClient *client;       /* for import without a refresher */
  char           *default_base_url;
  GCancellable   *cancellable;
  gulong          reloaded_handler;
  gulong          expired_handler;
  gboolean        started;

  guint           pending;      /* keyring lookups in flight */
  guint           generation;   /* bumped by every sync */
  GError         *load_error;   /* from the last sync, if any */
  GPtrArray      *load_waiters; /* GTask */
};

G_DEFINE_FINAL_TYPE (I2aAccountStore, i2a_account_store, G_TYPE_OBJECT)

static gint64
now_wall (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static gboolean
entry_is_login (const I2aKeysAccount *entry)
{
  /* Keys in the file belong to whoever wrote the file; only key-less
   * entries take theirs from the keyring. */
  return entry->api_key == NULL &&
         (g_strcmp0 (entry->auth_type, I2A_AUTH_TYPE_OAUTH) == 0 ||
          g_strcmp0 (entry->auth_type, I2A_AUTH_TYPE_API_KEY) == 0);
}

static gboolean
entry_is_oauth (const I2aKeysAccount *entry)
{
  return entry->api_key == NULL && g_strcmp0 (entry->auth_type, I2A_AUTH_TYPE_OAUTH) == 0;
}

/* ---- loading from the keyring ------------------------------------------- */

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
  if (entry == NULL || account == NULL || !entry_is_login (entry))
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

      if (!entry_is_login (entry))
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

guint
i2a_account_store_count_login_accounts (I2aAccountStore *self)
{
  I2aKeysConfig *config;
  guint n = 0;

  g_return_val_if_fail (I2A_IS_ACCOUNT_STORE (self), 0);
  config = i2a_pool_get_config (self->pool);
  for (guint i = 0; i < config->accounts->len; i++)
    if (entry_is_login (config->accounts->pdata[i]))
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
         entry_is_login (entry);
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

/* ---- logout ------------------------------------------------------------- */

static void
logout_cleared_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  i2a_secret_store_clear_finish (I2A_SECRET_STORE (source), result, &error);
  if (error != NULL)
    {
      g_prefix_error (&error, "The account was removed, but its keyring item could not be: ");
      g_task_return_error (task, g_steal_pointer (&error));
    }
  else
    g_task_return_boolean (task, TRUE);
}

static void
logout_flushed_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  I2aAccountStore *self = g_task_get_source_object (task);
  const char *id = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!i2a_pool_flush_finish (I2A_POOL (source), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  i2a_secret_store_clear_async (self->secrets, id, g_task_get_cancellable (task),
                                logout_cleared_cb, g_object_ref (task));
}

void
i2a_account_store_logout_async (I2aAccountStore     *self,
                                const char          *account_id,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (I2A_IS_ACCOUNT_STORE (self));
  g_return_if_fail (account_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, i2a_account_store_logout_async);
  g_task_set_task_data (task, g_strdup (account_id), g_free);
  if (self->refresher)
    i2a_refresher_forget (self->refresher, account_id);
  if (!i2a_pool_remove_account (self->pool, account_id, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  i2a_pool_flush_async (self->pool, cancellable, logout_flushed_cb, g_steal_pointer (&task));
}

gboolean
i2a_account_store_logout_finish (I2aAccountStore  *self,
                                 GAsyncResult     *result,
                                 GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
