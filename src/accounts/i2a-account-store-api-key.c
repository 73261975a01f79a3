/* i2a-account-store-api-key.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-account-store-api-key.c: accounts of OpenAI-compatible providers
 * whose key lives in the keyring. Adding stores the key first and writes
 * the keys.json entry ("auth_type": "api-key", no "api_key") after; an
 * account that needs no key (a local server) gets "auth_type": "none".
 * Moving a plaintext "api_key" into the keyring works the same way round:
 * keyring first, then keys.json rewritten without it, so a failure never
 * loses the key. */
#define G_LOG_DOMAIN "i2a-account-store"

#include "config.h"

#include <string.h>

#include "i2a-account-store-private.h"
#include "i2a-error.h"
#include "i2a-util.h"

typedef struct
{
  char  *id;
  char  *label;
  char  *base_url;
  char  *api_key;           /* secret */
  gint   max_concurrency;
  gboolean created;
  GStrv  to_move;           /* migrate: ids left to move */
  guint  next;
  guint  moved;
} KeyData;

static void
key_data_free (KeyData *data)
{
  g_free (data->id);
  g_free (data->label);
  g_free (data->base_url);
  i2a_secret_free (data->api_key);
  g_strfreev (data->to_move);
  g_free (data);
}

static KeyData *
key_data_new (const char                  *id,
              const I2aApiKeyAccountSpec  *spec)
{
  KeyData *data = g_new0 (KeyData, 1);

  data->id = g_strdup (id);
  data->max_concurrency = -1;
  if (spec != NULL)
    {
      data->label = g_strdup (spec->label);
      data->base_url = spec->base_url ? i2a_strip_trailing_slash (spec->base_url) : NULL;
      data->api_key = spec->api_key ? g_strstrip (g_strdup (spec->api_key)) : NULL;
      data->max_concurrency = spec->max_concurrency;
    }
  return data;
}

static gboolean
check_base_url (const char  *url,
                GError     **error)
{
  if (url == NULL || (!g_str_has_prefix (url, "http://") && !g_str_has_prefix (url, "https://")) ||
      !g_uri_is_valid (url, G_URI_FLAGS_NONE, NULL) || strlen (url) <= strlen ("https://"))
    {
      g_set_error (error, I2A_ERROR, I2A_ERROR_FAILED,
                   "The base URL must be an http:// or https:// URL such as https://api.example.com/v1");
      return FALSE;
    }
  return TRUE;
}

/* "deepseek", "my-server", else "acc"; then "-2", "-3" … until free. */
static char *
pick_id (I2aKeysConfig *config,
         const char    *hint)
{
  g_autoptr(GString) base = g_string_new (NULL);

  for (const char *p = hint; p != NULL && *p != '\0' && base->len < 24; p++)
    {
      if (g_ascii_isalnum (*p))
        g_string_append_c (base, g_ascii_tolower (*p));
      else if (base->len > 0 && base->str[base->len - 1] != '-')
        g_string_append_c (base, '-');
    }
  while (base->len > 0 && base->str[base->len - 1] == '-')
    g_string_truncate (base, base->len - 1);
  if (base->len == 0)
    g_string_assign (base, "acc");
  if (i2a_keys_config_lookup_account (config, base->str) == NULL)
    return g_strdup (base->str);
  for (guint n = 2;; n++)
    {
      g_autofree char *id = g_strdup_printf ("%s-%u", base->str, n);

      if (i2a_keys_config_lookup_account (config, id) == NULL)
        return g_steal_pointer (&id);
    }
}

static void
put_key_on_account (I2aAccountStore *self,
                    const char      *id,
                    const char      *api_key)
{
  I2aAccount *account = i2a_pool_lookup_account (self->pool, id);

  /* The reload that follows an edit drops a key that is not in the file;
   * the keyring lookup brings it back, but without a gap this way. */
  if (account != NULL && api_key != NULL && *api_key != '\0')
    i2a_account_set_api_key (account, api_key);
}

static void
flushed_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!i2a_pool_flush_finish (I2A_POOL (source), result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/* ---- add ---------------------------------------------------------------- */

static void
add_write_entry (GTask *task)
{
  I2aAccountStore *self = g_task_get_source_object (task);
  KeyData *data = g_task_get_task_data (task);
  I2aAccountSpec spec = I2A_ACCOUNT_SPEC_INIT;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  gboolean has_key = data->api_key != NULL && *data->api_key != '\0';

  spec.id = data->id;
  spec.label = data->label;
  spec.base_url = data->base_url;
  spec.provider = "openai";
  spec.auth_type = has_key ? I2A_AUTH_TYPE_API_KEY : I2A_AUTH_TYPE_NONE;
  spec.max_concurrency = data->max_concurrency;
  id = i2a_pool_add_account (self->pool, &spec, &error);
  if (id == NULL)
    {
      /* Leave no orphan key behind. */
      if (has_key)
        i2a_secret_store_clear_async (self->secrets, data->id, NULL, NULL, NULL);
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  put_key_on_account (self, data->id, data->api_key);
  i2a_pool_flush_async (self->pool, g_task_get_cancellable (task), flushed_cb, task);
}

static void
add_stored_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;

  if (!i2a_secret_store_store_finish (I2A_SECRET_STORE (source), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  add_write_entry (task);
}

static I2aAccountSecrets *
secrets_for_key (const char *api_key)
{
  I2aAccountSecrets *secrets = i2a_account_secrets_new ();

  secrets->api_key = g_strdup (api_key);
  secrets->refreshed_at = g_get_real_time () / G_USEC_PER_SEC;
  return secrets;
}

void
i2a_account_store_add_api_key_async (I2aAccountStore            *self,
                                     const I2aApiKeyAccountSpec *spec,
                                     GCancellable               *cancellable,
                                     GAsyncReadyCallback         callback,
                                     gpointer                    user_data)
{
  GTask *task;
  KeyData *data;
  g_autoptr(GError) error = NULL;
  g_autoptr(I2aAccountSecrets) secrets = NULL;
  g_autofree char *keyring_label = NULL;

  g_return_if_fail (I2A_IS_ACCOUNT_STORE (self));
  g_return_if_fail (spec != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, i2a_account_store_add_api_key_async);
  data = key_data_new (NULL, spec);
  data->id = pick_id (i2a_pool_get_config (self->pool),
                      spec->id_hint ? spec->id_hint : spec->label);
  if (data->label == NULL || *data->label == '\0')
    {
      g_free (data->label);
      data->label = g_strdup (data->id);
    }
  g_task_set_task_data (task, data, (GDestroyNotify) key_data_free);
  if (!check_base_url (data->base_url, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  if (data->api_key == NULL || *data->api_key == '\0')
    {
      add_write_entry (task);
      return;
    }
  secrets = secrets_for_key (data->api_key);
  keyring_label = g_strdup_printf ("iflow2api: %s", data->label);
  i2a_secret_store_store_async (self->secrets, data->id, keyring_label, secrets, cancellable,
                                add_stored_cb, task);
}

char *
i2a_account_store_add_api_key_finish (I2aAccountStore  *self,
                                      GAsyncResult     *result,
                                      GError          **error)
{
  KeyData *data;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  data = g_task_get_task_data (G_TASK (result));
  return g_strdup (data->id);
}

/* ---- edit and move ------------------------------------------------------ */

static void
edit_write_entry (GTask *task)
{
  I2aAccountStore *self = g_task_get_source_object (task);
  KeyData *data = g_task_get_task_data (task);
  I2aAccountSpec spec = I2A_ACCOUNT_SPEC_INIT;
  g_autoptr(GError) error = NULL;

  spec.id = data->id;
  spec.label = data->label;
  spec.base_url = data->base_url;
  spec.max_concurrency = data->max_concurrency;
  if (data->api_key != NULL)
    {
      spec.drop_api_key = TRUE;
      spec.auth_type = *data->api_key != '\0' ? I2A_AUTH_TYPE_API_KEY : I2A_AUTH_TYPE_NONE;
    }
  if (!i2a_pool_update_account (self->pool, &spec, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  put_key_on_account (self, data->id, data->api_key);
  i2a_pool_flush_async (self->pool, g_task_get_cancellable (task), flushed_cb, task);
}

static void
edit_keyring_done (GTask  *task,
                   GError *error)
{
  if (error != NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  edit_write_entry (task);
}

static void
edit_stored_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GError *error = NULL;

  i2a_secret_store_store_finish (I2A_SECRET_STORE (source), result, &error);
  edit_keyring_done (user_data, error);
}

static void
edit_cleared_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GError *error = NULL;

  i2a_secret_store_clear_finish (I2A_SECRET_STORE (source), result, &error);
  edit_keyring_done (user_data, error);
}

static void
start_edit (I2aAccountStore *self,
            GTask           *task)
{
  KeyData *data = g_task_get_task_data (task);
  const I2aKeysAccount *entry = i2a_keys_config_lookup_account (i2a_pool_get_config (self->pool), data->id);
  g_autoptr(GError) error = NULL;

  if (entry == NULL)
    {
      g_task_return_new_error (task, I2A_ERROR, I2A_ERROR_FAILED, "There is no account '%s'", data->id);
      g_object_unref (task);
      return;
    }
  if (entry->provider != I2A_PROVIDER_OPENAI)
    {
      g_task_return_new_error (task, I2A_ERROR, I2A_ERROR_FAILED,
                               "Account '%s' is an iFlow login; log in again to change it", data->id);
      g_object_unref (task);
      return;
    }
  if (data->base_url != NULL && !check_base_url (data->base_url, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  if (data->api_key == NULL)
    edit_write_entry (task);
  else if (*data->api_key == '\0')
    i2a_secret_store_clear_async (self->secrets, data->id, g_task_get_cancellable (task),
                                  edit_cleared_cb, task);
  else
    {
      g_autoptr(I2aAccountSecrets) secrets = secrets_for_key (data->api_key);
      g_autofree char *keyring_label =
        g_strdup_printf ("iflow2api: %s", entry->label ? entry->label : data->id);

      i2a_secret_store_store_async (self->secrets, data->id, keyring_label, secrets,
                                    g_task_get_cancellable (task), edit_stored_cb, task);
    }
}

void
i2a_account_store_edit_api_key_async (I2aAccountStore            *self,
                                      const char                 *account_id,
                                      const I2aApiKeyAccountSpec *spec,
                                      GCancellable               *cancellable,
                                      GAsyncReadyCallback         callback,
                                      gpointer                    user_data)
{
  GTask *task;

  g_return_if_fail (I2A_IS_ACCOUNT_STORE (self));
  g_return_if_fail (account_id != NULL && spec != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, i2a_account_store_edit_api_key_async);
  g_task_set_task_data (task, key_data_new (account_id, spec), (GDestroyNotify) key_data_free);
  start_edit (self, task);
}

gboolean
i2a_account_store_edit_api_key_finish (I2aAccountStore  *self,
                                       GAsyncResult     *result,
                                       GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
i2a_account_store_has_plaintext_key (I2aAccountStore *self,
                                     const char      *account_id)
{
  const I2aKeysAccount *entry;

  g_return_val_if_fail (I2A_IS_ACCOUNT_STORE (self), FALSE);
  entry = i2a_keys_config_lookup_account (i2a_pool_get_config (self->pool), account_id);
  return entry != NULL && entry->api_key != NULL;
}

void
i2a_account_store_move_key_async (I2aAccountStore     *self,
                                  const char          *account_id,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task;
  KeyData *data;
  const I2aKeysAccount *entry;
  g_autoptr(I2aAccountSecrets) secrets = NULL;
  g_autofree char *keyring_label = NULL;

  g_return_if_fail (I2A_IS_ACCOUNT_STORE (self));
  g_return_if_fail (account_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, i2a_account_store_move_key_async);
  data = key_data_new (account_id, NULL);
  g_task_set_task_data (task, data, (GDestroyNotify) key_data_free);
  entry = i2a_keys_config_lookup_account (i2a_pool_get_config (self->pool), account_id);
  if (entry == NULL || entry->api_key == NULL)
    {
      g_task_return_new_error (task, I2A_ERROR, I2A_ERROR_FAILED,
                               "Account '%s' has no key in keys.json to move", account_id);
      g_object_unref (task);
      return;
    }
  data->api_key = g_strdup (entry->api_key);
  secrets = secrets_for_key (data->api_key);
  keyring_label = g_strdup_printf ("iflow2api: %s", entry->label ? entry->label : account_id);
  /* The entry keeps its provider: a moved iFlow key still goes to iFlow. */
  i2a_secret_store_store_async (self->secrets, account_id, keyring_label, secrets, cancellable,
                                edit_stored_cb, task);
}

gboolean
i2a_account_store_move_key_finish (I2aAccountStore  *self,
                                   GAsyncResult     *result,
                                   GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- migrate ------------------------------------------------------------ */

static void migrate_next (GTask *task);

static void
migrate_moved_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  KeyData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!i2a_account_store_move_key_finish (I2A_ACCOUNT_STORE (source), result, &error))
    {
      g_prefix_error (&error, "%s: ", data->to_move[data->next - 1]);
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  data->moved++;
  migrate_next (task);
}

static void
migrate_next (GTask *task)
{
  KeyData *data = g_task_get_task_data (task);

  if (data->to_move[data->next] == NULL)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  i2a_account_store_move_key_async (g_task_get_source_object (task), data->to_move[data->next++],
                                    g_task_get_cancellable (task), migrate_moved_cb, task);
}

void
i2a_account_store_migrate_keys_async (I2aAccountStore     *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  I2aKeysConfig *config;
  g_autoptr(GStrvBuilder) ids = g_strv_builder_new ();
  GTask *task;
  KeyData *data;

  g_return_if_fail (I2A_IS_ACCOUNT_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, i2a_account_store_migrate_keys_async);
  config = i2a_pool_get_config (self->pool);
  for (guint i = 0; i < config->accounts->len; i++)
    {
      const I2aKeysAccount *entry = config->accounts->pdata[i];

      if (entry->api_key != NULL)
        g_strv_builder_add (ids, entry->id);
    }
  data = key_data_new (NULL, NULL);
  data->to_move = g_strv_builder_end (ids);
  g_task_set_task_data (task, data, (GDestroyNotify) key_data_free);
  migrate_next (task);
}

gboolean
i2a_account_store_migrate_keys_finish (I2aAccountStore  *self,
                                       GAsyncResult     *result,
                                       guint            *n_moved,
                                       GError          **error)
{
  KeyData *data;
  gboolean ok;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  ok = g_task_propagate_boolean (G_TASK (result), error);
  data = g_task_get_task_data (G_TASK (result));
  if (n_moved)
    *n_moved = data->moved;
  return ok;
}
