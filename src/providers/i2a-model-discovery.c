/* i2a-model-discovery.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-model-discovery"

#include "config.h"

#include <string.h>

#include "i2a-error.h"
#include "i2a-json.h"
#include "i2a-model-discovery.h"
#include "i2a-model-fetch.h"
#include "i2a-util.h"

struct _I2aModelDiscovery
{
  GObject       parent_instance;

  I2aPool      *pool;
  char         *cache_path;
  JsonObject   *cache;         /* "accounts": {id: {base_url, models, updated}} */
  GHashTable   *fetched;       /* id -> fingerprint (base URL + key) of the last fetch */
  GCancellable *cancellable;
  gulong        reloaded_handler;
  guint         timer;
  guint         check_idle;
  gboolean      started;
  gboolean      writing;
  gboolean      write_again;
  GPtrArray    *flush_tasks;
};

G_DEFINE_FINAL_TYPE (I2aModelDiscovery, i2a_model_discovery, G_TYPE_OBJECT)

#define WATCHED_KEY "i2a-model-discovery-watched"

static void
i2a_model_discovery_dispose (GObject *object)
{
  I2aModelDiscovery *self = I2A_MODEL_DISCOVERY (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->timer, g_source_remove);
  g_clear_handle_id (&self->check_idle, g_source_remove);
  if (self->pool)
    g_clear_signal_handler (&self->reloaded_handler, self->pool);
  g_clear_object (&self->pool);
  G_OBJECT_CLASS (i2a_model_discovery_parent_class)->dispose (object);
}

static void
i2a_model_discovery_finalize (GObject *object)
{
  I2aModelDiscovery *self = I2A_MODEL_DISCOVERY (object);

  g_free (self->cache_path);
  g_clear_pointer (&self->cache, json_object_unref);
  g_clear_pointer (&self->fetched, g_hash_table_unref);
  g_clear_pointer (&self->flush_tasks, g_ptr_array_unref);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (i2a_model_discovery_parent_class)->finalize (object);
}

static void
i2a_model_discovery_class_init (I2aModelDiscoveryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = i2a_model_discovery_dispose;
  object_class->finalize = i2a_model_discovery_finalize;
}

static void
i2a_model_discovery_init (I2aModelDiscovery *self)
{
  self->cancellable = g_cancellable_new ();
  self->cache = json_object_new ();
  self->fetched = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->flush_tasks = g_ptr_array_new_with_free_func (g_object_unref);
}

I2aModelDiscovery *
i2a_model_discovery_new (I2aPool    *pool,
                         const char *cache_path)
{
  I2aModelDiscovery *self;

  g_return_val_if_fail (I2A_IS_POOL (pool), NULL);

  self = g_object_new (I2A_TYPE_MODEL_DISCOVERY, NULL);
  self->pool = g_object_ref (pool);
  self->cache_path = cache_path ? g_strdup (cache_path)
                                : g_build_filename (g_get_user_cache_dir (), "iflow2api", "models.json", NULL);
  return self;
}

/* ---- the cache file ----------------------------------------------------- */

static JsonObject *
cache_accounts (I2aModelDiscovery *self)
{
  JsonNode *node = json_object_get_member (self->cache, "accounts");

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    json_object_set_object_member (self->cache, "accounts", json_object_new ());
  return json_object_get_object_member (self->cache, "accounts");
}

static void
cache_load (I2aModelDiscovery *self)
{
  g_autofree char *data = NULL;
  gsize length;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (!g_file_get_contents (self->cache_path, &data, &length, NULL))
    return;
  if (!json_parser_load_from_data (parser, data, length, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_debug ("Ignoring the unreadable model cache %s", self->cache_path);
      return;
    }
  json_object_unref (self->cache);
  self->cache = json_object_ref (json_node_get_object (root));
}

static GStrv
strv_from_array (JsonArray *array)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

  for (guint i = 0; array && i < json_array_get_length (array); i++)
    {
      JsonNode *e = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_VALUE (e) && json_node_get_value_type (e) == G_TYPE_STRING)
        g_strv_builder_add (b, json_node_get_string (e));
    }
  return g_strv_builder_end (b);
}

/* The cached list of @account, when it was fetched from the same URL. */
static void
cache_apply (I2aModelDiscovery *self,
             I2aAccount        *account)
{
  JsonObject *accounts = cache_accounts (self);
  JsonNode *node = json_object_get_member (accounts, i2a_account_get_id (account));
  JsonObject *entry;
  g_auto(GStrv) models = NULL;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node) || i2a_account_get_models (account) != NULL)
    return;
  entry = json_node_get_object (node);
  if (g_strcmp0 (json_object_get_string_member_with_default (entry, "base_url", NULL),
                 i2a_account_get_base_url (account)) != 0 ||
      !json_object_has_member (entry, "models") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (entry, "models")))
    return;
  models = strv_from_array (json_object_get_array_member (entry, "models"));
  i2a_account_set_models (account, (const char *const *) models,
                          i2a_json_int_member (entry, "updated", 0));
}

static void start_write (I2aModelDiscovery *self);

static void
write_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(I2aModelDiscovery) self = user_data;
  g_autoptr(GError) error = NULL;

  self->writing = FALSE;
  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    g_warning ("Cannot write the model cache %s: %s", self->cache_path, error->message);
  if (self->write_again)
    {
      start_write (self);
      return;
    }
  for (guint i = 0; i < self->flush_tasks->len; i++)
    g_task_return_boolean (self->flush_tasks->pdata[i], TRUE);
  g_ptr_array_set_size (self->flush_tasks, 0);
}

static void
start_write (I2aModelDiscovery *self)
{
  g_autoptr(GFile) file = g_file_new_for_path (self->cache_path);
  g_autoptr(GFile) dir = g_file_get_parent (file);
  g_autoptr(JsonNode) root = json_node_init_object (json_node_alloc (), self->cache);
  char *data = json_to_string (root, TRUE);
  g_autoptr(GBytes) bytes = g_bytes_new_take (data, strlen (data));

  if (self->writing)
    {
      self->write_again = TRUE;
      return;
    }
  self->write_again = FALSE;
  self->writing = TRUE;
  /* A few bytes of metadata; the write itself is asynchronous. */
  g_file_make_directory_with_parents (dir, NULL, NULL);
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE,
                                       G_FILE_CREATE_PRIVATE | G_FILE_CREATE_REPLACE_DESTINATION,
                                       NULL, write_done_cb, g_object_ref (self));
}

static void
cache_store (I2aModelDiscovery *self,
             I2aAccount        *account)
{
  JsonObject *entry = json_object_new ();
  JsonArray *models = json_array_new ();
  const char *const *list = i2a_account_get_models (account);

  for (guint i = 0; list && list[i]; i++)
    json_array_add_string_element (models, list[i]);
  json_object_set_string_member (entry, "base_url", i2a_account_get_base_url (account));
  json_object_set_array_member (entry, "models", models);
  json_object_set_int_member (entry, "updated", i2a_account_get_models_updated (account));
  json_object_set_object_member (cache_accounts (self), i2a_account_get_id (account), entry);
  start_write (self);
}

/* ---- refreshing --------------------------------------------------------- */

static gboolean
account_is_discovered (I2aAccount *account)
{
  return i2a_account_get_provider (account) == I2A_PROVIDER_OPENAI;
}

/* Base URL and key: a change of either means a new list. Only a hash of
 * the key is kept. */
static char *
fingerprint (I2aAccount *account)
{
  const char *key = i2a_account_get_api_key (account);

  return g_strdup_printf ("%s\n%u", i2a_account_get_base_url (account), key ? g_str_hash (key) : 0);
}

/* A key-less api-key account waits for its key from the keyring. */
static gboolean
account_ready (I2aAccount *account)
{
  return i2a_account_has_api_key (account) ||
         g_strcmp0 (i2a_account_get_auth_type (account), I2A_AUTH_TYPE_NONE) == 0 ||
         i2a_account_get_auth_type (account) == NULL;
}

typedef struct
{
  I2aModelDiscovery *self;
  I2aAccount        *account;
  GTask             *task;      /* the refresh this fetch belongs to, or NULL */
} FetchData;

typedef struct
{
  guint   pending;
  GError *error;
} RefreshData;

static void
refresh_data_free (RefreshData *data)
{
  g_clear_error (&data->error);
  g_free (data);
}

static void
refresh_task_done (GTask  *task,
                   GError *error)
{
  RefreshData *data;

  if (task == NULL)
    return;
  data = g_task_get_task_data (task);
  if (error != NULL && data->error == NULL)
    data->error = g_error_copy (error);
  if (--data->pending > 0)
    return;
  if (data->error)
    g_task_return_error (task, g_steal_pointer (&data->error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
fetch_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  FetchData *data = user_data;
  I2aModelDiscovery *self = data->self;
  I2aAccount *account = data->account;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) models = i2a_model_fetch_finish (result, &error);

  if (models != NULL)
    {
      g_info ("Account %s serves %u models", i2a_account_get_id (account), g_strv_length (models));
      g_object_freeze_notify (G_OBJECT (account));
      i2a_account_set_models (account, (const char *const *) models, g_get_real_time () / G_USEC_PER_SEC);
      i2a_account_set_models_error (account, NULL);
      g_object_thaw_notify (G_OBJECT (account));
      if (self->pool != NULL)
        cache_store (self, account);
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_message ("Account %s: cannot list its models: %s", i2a_account_get_id (account), error->message);
      i2a_account_set_models_error (account, error->message);
    }
  refresh_task_done (data->task, error);
  g_clear_object (&data->task);
  g_object_unref (data->account);
  g_object_unref (data->self);
  g_free (data);
}

static void
fetch_account (I2aModelDiscovery *self,
               I2aAccount        *account,
               GTask             *task)
{
  FetchData *data = g_new0 (FetchData, 1);

  data->self = g_object_ref (self);
  data->account = g_object_ref (account);
  if (task != NULL)
    {
      data->task = g_object_ref (task);
      ((RefreshData *) g_task_get_task_data (task))->pending++;
    }
  g_hash_table_replace (self->fetched, g_strdup (i2a_account_get_id (account)), fingerprint (account));
  i2a_model_fetch_async (i2a_account_get_base_url (account), i2a_account_get_api_key (account),
                         self->cancellable, fetch_cb, data);
}

void
i2a_model_discovery_refresh_async (I2aModelDiscovery   *self,
                                   const char          *account_id,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  RefreshData *data = g_new0 (RefreshData, 1);
  GListModel *accounts;

  g_return_if_fail (I2A_IS_MODEL_DISCOVERY (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, i2a_model_discovery_refresh_async);
  g_task_set_task_data (task, data, (GDestroyNotify) refresh_data_free);
  data->pending = 1;  /* held until every fetch started */
  accounts = G_LIST_MODEL (self->pool);
  for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr(I2aAccount) account = g_list_model_get_item (accounts, i);

      if (!account_is_discovered (account) ||
          (account_id != NULL && g_strcmp0 (account_id, i2a_account_get_id (account)) != 0))
        continue;
      fetch_account (self, account, task);
    }
  if (account_id != NULL && data->pending == 1 &&
      (i2a_pool_lookup_account (self->pool, account_id) == NULL ||
       !account_is_discovered (i2a_pool_lookup_account (self->pool, account_id))))
    {
      g_autoptr(GError) error = g_error_new (I2A_ERROR, I2A_ERROR_FAILED,
                                             "There is no OpenAI-compatible account '%s'", account_id);
      refresh_task_done (task, error);
      return;
    }
  refresh_task_done (task, NULL);
}

gboolean
i2a_model_discovery_refresh_finish (I2aModelDiscovery  *self,
                                    GAsyncResult       *result,
                                    GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
i2a_model_discovery_flush_async (I2aModelDiscovery   *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  if (!self->writing)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  g_ptr_array_add (self->flush_tasks, task);
}

gboolean
i2a_model_discovery_flush_finish (I2aModelDiscovery  *self,
                                  GAsyncResult       *result,
                                  GError            **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- following the pool ------------------------------------------------- */

static void schedule_check (I2aModelDiscovery *self);

static void
key_notify_cb (I2aAccount        *account,
               GParamSpec        *pspec,
               I2aModelDiscovery *self)
{
  schedule_check (self);
}

/* Fetch for accounts that are new, changed URL or key, or never fetched. */
static gboolean
check_cb (gpointer user_data)
{
  I2aModelDiscovery *self = user_data;
  GListModel *accounts = G_LIST_MODEL (self->pool);

  self->check_idle = 0;
  for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr(I2aAccount) account = g_list_model_get_item (accounts, i);
      g_autofree char *fp = NULL;

      if (!account_is_discovered (account))
        continue;
      if (g_object_get_data (G_OBJECT (account), WATCHED_KEY) == NULL)
        {
          g_object_set_data (G_OBJECT (account), WATCHED_KEY, GINT_TO_POINTER (1));
          g_signal_connect_object (account, "notify::has-api-key", G_CALLBACK (key_notify_cb), self, 0);
          g_signal_connect_object (account, "notify::base-url", G_CALLBACK (key_notify_cb), self, 0);
          cache_apply (self, account);
        }
      if (!account_ready (account))
        continue;
      fp = fingerprint (account);
      if (g_strcmp0 (g_hash_table_lookup (self->fetched, i2a_account_get_id (account)), fp) != 0)
        fetch_account (self, account, NULL);
    }
  return G_SOURCE_REMOVE;
}

/* After the edit that caused a reload has put the key on the account. */
static void
schedule_check (I2aModelDiscovery *self)
{
  if (self->check_idle == 0)
    self->check_idle = g_idle_add (check_cb, self);
}

static void
reloaded_cb (I2aPool           *pool,
             I2aModelDiscovery *self)
{
  schedule_check (self);
}

static gboolean
timer_cb (gpointer user_data)
{
  I2aModelDiscovery *self = user_data;

  i2a_model_discovery_refresh_async (self, NULL, NULL, NULL, NULL);
  return G_SOURCE_CONTINUE;
}

void
i2a_model_discovery_load_cache (I2aModelDiscovery *self)
{
  GListModel *accounts;

  g_return_if_fail (I2A_IS_MODEL_DISCOVERY (self));
  cache_load (self);
  accounts = G_LIST_MODEL (self->pool);
  for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr(I2aAccount) account = g_list_model_get_item (accounts, i);

      if (account_is_discovered (account))
        cache_apply (self, account);
    }
}

void
i2a_model_discovery_start (I2aModelDiscovery *self)
{
  g_return_if_fail (I2A_IS_MODEL_DISCOVERY (self));

  if (self->started)
    return;
  self->started = TRUE;
  cache_load (self);
  self->reloaded_handler = g_signal_connect (self->pool, "config-reloaded", G_CALLBACK (reloaded_cb), self);
  self->timer = g_timeout_add_seconds (I2A_MODEL_DISCOVERY_INTERVAL_SECONDS, timer_cb, self);
  if (i2a_pool_is_loaded (self->pool))
    schedule_check (self);
}
