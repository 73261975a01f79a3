/* i2a-account-ops-keys.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-account-ops-keys.c: accounts of OpenAI-compatible services, as the
 * window adds, edits and tests them, over the account store's api-key
 * API (the key to the keyring first, then keys.json without it) and the
 * shared GET {base}/models call. */
#define G_LOG_DOMAIN "i2a-account-ops"

#include "config.h"

#include "i2a-account-ops.h"
#include "i2a-error.h"
#include "i2a-model-fetch.h"

typedef struct
{
  char   *id;
  char   *quota_window;
  gint64  quota_requests;
  gint64  quota_tokens;
} SaveData;

static void
save_data_free (SaveData *data)
{
  g_free (data->id);
  g_free (data->quota_window);
  g_free (data);
}

/* The entry and key are saved: the quota, then the live account. */
static void
return_account (GTask      *task,
                const char *id)
{
  I2aAccountStore *store = g_task_get_source_object (task);
  I2aPool *pool = i2a_account_store_get_pool (store);
  SaveData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  I2aAccount *account;

  if (!i2a_pool_set_account_quota (pool, id, data->quota_requests, data->quota_tokens,
                                   data->quota_window, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  account = i2a_pool_lookup_account (pool, id);
  if (account == NULL)
    g_task_return_new_error (task, I2A_ERROR, I2A_ERROR_FAILED,
                             "The account %s was saved but the pool does not show it", id);
  else
    g_task_return_pointer (task, g_object_ref (account), g_object_unref);
}

static void
added_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;

  id = i2a_account_store_add_api_key_finish (I2A_ACCOUNT_STORE (object), result, &error);
  if (id == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    return_account (task, id);
}

static void
edited_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!i2a_account_store_edit_api_key_finish (I2A_ACCOUNT_STORE (object), result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    return_account (task, ((SaveData *) g_task_get_task_data (task))->id);
}

void
i2a_account_ops_save_api_account_async (I2aAccountStore           *store,
                                        I2aAccount                *account,
                                        const I2aApiAccountFields *fields,
                                        GCancellable              *cancellable,
                                        GAsyncReadyCallback        callback,
                                        gpointer                   user_data)
{
  g_autoptr(GTask) task = g_task_new (store, cancellable, callback, user_data);
  I2aApiKeyAccountSpec spec = I2A_API_KEY_ACCOUNT_SPEC_INIT;
  gboolean has_key = fields->api_key != NULL && *fields->api_key != '\0';
  SaveData *data;

  g_return_if_fail (I2A_IS_ACCOUNT_STORE (store));
  g_return_if_fail (account == NULL || I2A_IS_ACCOUNT (account));
  g_return_if_fail (fields != NULL && fields->base_url != NULL);

  g_task_set_source_tag (task, i2a_account_ops_save_api_account_async);
  data = g_new0 (SaveData, 1);
  data->quota_window = g_strdup (fields->quota_window);
  data->quota_requests = fields->quota_requests;
  data->quota_tokens = fields->quota_tokens;
  g_task_set_task_data (task, data, (GDestroyNotify) save_data_free);
  spec.label = fields->label;
  spec.base_url = fields->base_url;
  spec.max_concurrency = (gint) fields->max_concurrency;
  if (account == NULL)
    {
      spec.id_hint = fields->preset_id;
      spec.api_key = has_key ? fields->api_key : NULL;
      i2a_account_store_add_api_key_async (store, &spec, cancellable, added_cb, g_steal_pointer (&task));
      return;
    }
  /* An empty field keeps the stored key. */
  spec.api_key = has_key ? fields->api_key : NULL;
  data->id = g_strdup (i2a_account_get_id (account));
  i2a_account_store_edit_api_key_async (store, i2a_account_get_id (account), &spec, cancellable,
                                        edited_cb, g_steal_pointer (&task));
}

I2aAccount *
i2a_account_ops_save_api_account_finish (GAsyncResult  *result,
                                         GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
i2a_account_ops_has_plaintext_key (I2aPool    *pool,
                                   I2aAccount *account)
{
  const I2aKeysAccount *entry;

  if (pool == NULL || account == NULL)
    return FALSE;
  entry = i2a_keys_config_lookup_account (i2a_pool_get_config (pool), i2a_account_get_id (account));
  return entry != NULL && entry->api_key != NULL;
}

static void
moved_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (i2a_account_store_move_key_finish (I2A_ACCOUNT_STORE (object), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

void
i2a_account_ops_move_key_async (I2aAccountStore     *store,
                                I2aAccount          *account,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (store, cancellable, callback, user_data);

  g_task_set_source_tag (task, i2a_account_ops_move_key_async);
  i2a_account_store_move_key_async (store, i2a_account_get_id (account), cancellable,
                                    moved_cb, g_steal_pointer (&task));
}

gboolean
i2a_account_ops_move_key_finish (GAsyncResult  *result,
                                 GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
fetched_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) models = i2a_model_fetch_finish (result, &error);

  if (models == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_int (task, g_strv_length (models));
}

void
i2a_account_ops_test_connection_async (const char          *base_url,
                                       const char          *api_key,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, i2a_account_ops_test_connection_async);
  i2a_model_fetch_async (base_url, api_key, cancellable, fetched_cb, g_steal_pointer (&task));
}

gint
i2a_account_ops_test_connection_finish (GAsyncResult  *result,
                                        GError       **error)
{
  return (gint) g_task_propagate_int (G_TASK (result), error);
}
