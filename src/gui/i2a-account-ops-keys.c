/* i2a-account-ops-keys.c: accounts of OpenAI-compatible services, as the
 * window adds and edits them: the key to the keyring first (no keyring,
 * no account), then the entry without it to keys.json, then the live
 * account; and the connection test the dialog runs before saving. */
#define G_LOG_DOMAIN "i2a-account-ops"

#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>
#include <string.h>

#include "i2a-account-ops.h"
#include "i2a-error.h"
#include "i2a-json.h"
#include "i2a-upstream-error.h"
#include "i2a-util.h"

#define TEST_TIMEOUT_SECONDS 20

/* ---- saving --------------------------------------------------------------- */

typedef struct
{
  char    *id;
  char    *label;
  char    *base_url;
  char    *api_key;        /* a secret */
  guint    max_concurrency;
  char    *quota_window;
  gint64   quota_requests;
  gint64   quota_tokens;
  gboolean created;
} SaveData;

static void
save_data_free (SaveData *data)
{
  g_free (data->id);
  g_free (data->label);
  g_free (data->base_url);
  g_free (data->quota_window);
  i2a_secret_free (data->api_key);
  g_free (data);
}

static void
flushed_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SaveData *data = g_task_get_task_data (task);
  I2aAccountStore *store = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  I2aAccount *account;

  if (!i2a_pool_flush_finish (I2A_POOL (object), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  account = i2a_pool_lookup_account (i2a_account_store_get_pool (store), data->id);
  if (account == NULL)
    g_task_return_new_error (task, I2A_ERROR, I2A_ERROR_FAILED,
                             "The account %s was saved but the pool does not show it", data->id);
  else
    g_task_return_pointer (task, g_object_ref (account), g_object_unref);
}

/* The keyring has the key (or there is none to store): write keys.json. */
static void
write_entry (GTask *task)
{
  I2aAccountStore *store = g_task_get_source_object (task);
  I2aPool *pool = i2a_account_store_get_pool (store);
  SaveData *data = g_task_get_task_data (task);
  I2aAccountSpec spec = I2A_ACCOUNT_SPEC_INIT;
  g_autoptr(GError) error = NULL;
  I2aAccount *account;

  spec.id = data->id;
  spec.label = data->label;
  spec.base_url = data->base_url;
  spec.max_concurrency = (gint) data->max_concurrency;
  if (data->created)
    {
      g_autofree char *id = NULL;

      spec.provider = "openai";
      spec.auth_type = I2A_AUTH_TYPE_API_KEY;
      spec.enabled = TRUE;
      id = i2a_pool_add_account (pool, &spec, &error);
      if (id == NULL)
        {
          /* Don't leave a key behind for an account that is not there. */
          i2a_secret_store_clear_async (i2a_account_store_get_secret_store (store), data->id,
                                        NULL, NULL, NULL);
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }
  else if (!i2a_pool_update_account (pool, &spec, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!i2a_pool_set_account_quota (pool, data->id, data->quota_requests, data->quota_tokens,
                                   data->quota_window, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  account = i2a_pool_lookup_account (pool, data->id);
  if (account != NULL && data->api_key != NULL)
    {
      i2a_account_set_api_key (account, data->api_key);
      i2a_account_set_state (account, I2A_ACCOUNT_STATE_OK);
    }
  g_message ("%s account %s", data->created ? "Added" : "Updated", data->id);
  i2a_pool_flush_async (pool, g_task_get_cancellable (task), flushed_cb, g_object_ref (task));
}

static void
key_stored_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  /* No keyring, no account: never a plaintext fallback. */
  if (!i2a_secret_store_store_finish (I2A_SECRET_STORE (object), result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    write_entry (task);
}

static char *
new_account_id (I2aPool *pool)
{
  for (guint tries = 0; tries < 8; tries++)
    {
      guint8 bytes[4];
      g_autofree char *hex = NULL;
      g_autofree char *id = NULL;

      if (!i2a_random_bytes (bytes, sizeof bytes, NULL))
        return NULL;
      hex = i2a_hex_encode (bytes, sizeof bytes);
      id = g_strconcat ("api-", hex, NULL);
      if (i2a_keys_config_lookup_account (i2a_pool_get_config (pool), id) == NULL)
        return g_steal_pointer (&id);
    }
  return NULL;
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
  I2aPool *pool = i2a_account_store_get_pool (store);
  g_autoptr(I2aAccountSecrets) secrets = NULL;
  g_autofree char *keyring_label = NULL;
  SaveData *data;

  g_return_if_fail (I2A_IS_ACCOUNT_STORE (store));
  g_return_if_fail (account == NULL || I2A_IS_ACCOUNT (account));
  g_return_if_fail (fields != NULL && fields->base_url != NULL);

  g_task_set_source_tag (task, i2a_account_ops_save_api_account_async);
  data = g_new0 (SaveData, 1);
  g_task_set_task_data (task, data, (GDestroyNotify) save_data_free);
  data->created = account == NULL;
  data->id = account ? g_strdup (i2a_account_get_id (account)) : new_account_id (pool);
  data->label = g_strdup (fields->label);
  data->base_url = i2a_strip_trailing_slash (fields->base_url);
  data->api_key = fields->api_key && *fields->api_key ? g_strdup (fields->api_key) : NULL;
  data->max_concurrency = fields->max_concurrency;
  data->quota_window = g_strdup (fields->quota_window);
  data->quota_requests = fields->quota_requests;
  data->quota_tokens = fields->quota_tokens;

  if (i2a_pool_get_config_path (pool) == NULL)
    {
      g_task_return_new_error (task, I2A_ERROR, I2A_ERROR_FAILED,
                               _("No keys.json is in use, so the account cannot be saved."));
      return;
    }
  if (data->id == NULL)
    {
      g_task_return_new_error (task, I2A_ERROR, I2A_ERROR_FAILED, "No randomness for an account id");
      return;
    }
  if (data->api_key != NULL && i2a_account_ops_has_plaintext_key (pool, account))
    {
      /* Its key in keys.json would win over the keyring's at the next reload. */
      g_task_return_new_error (task, I2A_ERROR, I2A_ERROR_FAILED,
                               _("This account’s key is written in keys.json. Move it to the keyring first."));
      return;
    }
  if (data->api_key == NULL)
    {
      write_entry (task);
      return;
    }

  secrets = i2a_account_secrets_new ();
  secrets->api_key = g_strdup (data->api_key);
  keyring_label = g_strdup_printf ("iflow2api account %s", data->label ? data->label : data->id);
  i2a_secret_store_store_async (i2a_account_store_get_secret_store (store), data->id,
                                keyring_label, secrets, cancellable,
                                key_stored_cb, g_steal_pointer (&task));
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

/* ---- the connection test -------------------------------------------------- */

static void
models_read_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SoupMessage *msg = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(I2aApiError) api_error = NULL;
  g_autoptr(JsonObject) root = NULL;
  JsonArray *models;
  gsize len = 0;
  const char *text;

  body = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  if (body == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  text = g_bytes_get_data (body, &len);
  api_error = i2a_upstream_error_classify (soup_message_get_status (msg), text, len, NULL, NULL);
  if (api_error != NULL)
    {
      g_task_return_new_error (task, I2A_ERROR, I2A_ERROR_UPSTREAM, "HTTP %u: %s",
                               soup_message_get_status (msg), api_error->message);
      return;
    }
  root = i2a_json_parse_object (text, len);
  models = root && json_object_has_member (root, "data") &&
           JSON_NODE_HOLDS_ARRAY (json_object_get_member (root, "data"))
           ? json_object_get_array_member (root, "data") : NULL;
  if (models == NULL)
    {
      g_task_return_new_error (task, I2A_ERROR, I2A_ERROR_FAILED,
                               _("The answer is not a list of models."));
      return;
    }
  g_task_return_int (task, (gssize) json_array_get_length (models));
}

void
i2a_account_ops_test_connection_async (const char          *base_url,
                                       const char          *api_key,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(SoupSession) session = NULL;
  g_autofree char *base = i2a_strip_trailing_slash (base_url);
  g_autofree char *url = g_strconcat (base, "/models", NULL);
  SoupMessage *msg;

  g_task_set_source_tag (task, i2a_account_ops_test_connection_async);
  msg = soup_message_new (SOUP_METHOD_GET, url);
  if (msg == NULL)
    {
      g_task_return_new_error (task, I2A_ERROR, I2A_ERROR_FAILED,
                               _("“%s” is not a valid URL."), base_url);
      return;
    }
  g_task_set_task_data (task, msg, g_object_unref);
  if (api_key != NULL && *api_key != '\0')
    {
      g_autofree char *auth = g_strconcat ("Bearer ", api_key, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
      explicit_bzero (auth, strlen (auth));
    }
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Accept", "application/json");
  session = soup_session_new_with_options ("timeout", TEST_TIMEOUT_SECONDS, NULL);
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, cancellable,
                                    models_read_cb, g_steal_pointer (&task));
}

gint
i2a_account_ops_test_connection_finish (GAsyncResult  *result,
                                        GError       **error)
{
  return (gint) g_task_propagate_int (G_TASK (result), error);
}
