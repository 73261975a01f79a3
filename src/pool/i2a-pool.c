/* i2a-pool.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-pool"

#include "config.h"

#include <errno.h>
#include <string.h>

#include "i2a-error.h"
#include "i2a-pool-private.h"
#include "i2a-util.h"

/* Editors write in bursts (truncate, write, rename): read once it settles. */
#define RELOAD_DEBOUNCE_MS 150

static void i2a_pool_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (I2aPool, i2a_pool, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, i2a_pool_list_model_init))

enum {
  PROP_0,
  PROP_MULTI_ACCOUNT,
  PROP_AUTH_REQUIRED,
  PROP_CONFIG_PATH,
  PROP_LOADED,
  PROP_QUEUE_LENGTH,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

enum { CONFIG_RELOADED, CHANGED, TOKEN_EXPIRED, QUOTA_EXHAUSTED, N_SIGNALS };
static guint signals[N_SIGNALS];

static GQuark slot_quark;

/* ---- list model --------------------------------------------------------- */

static GType
i2a_pool_get_item_type (GListModel *model)
{
  return I2A_TYPE_ACCOUNT;
}

static guint
i2a_pool_get_n_items (GListModel *model)
{
  return I2A_POOL (model)->accounts->len;
}

static gpointer
i2a_pool_get_item (GListModel *model,
                   guint       position)
{
  I2aPool *self = I2A_POOL (model);

  if (position >= self->accounts->len)
    return NULL;
  return g_object_ref (self->accounts->pdata[position]);
}

static void
i2a_pool_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = i2a_pool_get_item_type;
  iface->get_n_items = i2a_pool_get_n_items;
  iface->get_item = i2a_pool_get_item;
}

/* Swap in @items and tell the list the smallest changed range. */
static void
replace_items (I2aPool   *self,
               GPtrArray *items)
{
  GPtrArray *old = self->accounts;
  guint prefix = 0, suffix = 0;

  while (prefix < old->len && prefix < items->len && old->pdata[prefix] == items->pdata[prefix])
    prefix++;
  while (suffix < old->len - prefix && suffix < items->len - prefix &&
         old->pdata[old->len - 1 - suffix] == items->pdata[items->len - 1 - suffix])
    suffix++;
  self->accounts = g_ptr_array_ref (items);
  if (prefix + suffix < old->len || prefix + suffix < items->len)
    g_list_model_items_changed (G_LIST_MODEL (self), prefix,
                                old->len - prefix - suffix, items->len - prefix - suffix);
  g_ptr_array_unref (old);
}

/* ---- slots -------------------------------------------------------------- */

I2aPoolSlot *
_i2a_pool_slot (I2aAccount *account)
{
  I2aPoolSlot *slot = g_object_get_qdata (G_OBJECT (account), slot_quark);

  if (slot == NULL)
    {
      slot = g_new0 (I2aPoolSlot, 1);
      g_object_set_qdata_full (G_OBJECT (account), slot_quark, slot, g_free);
    }
  return slot;
}

void
_i2a_pool_emit_changed (I2aPool *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

void
_i2a_pool_notify_queue (I2aPool *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_QUEUE_LENGTH]);
}

/* ---- applying a configuration ------------------------------------------- */

static I2aAccount *
find_in (GPtrArray  *accounts,
         const char *id)
{
  for (guint i = 0; i < accounts->len; i++)
    if (g_strcmp0 (i2a_account_get_id (accounts->pdata[i]), id) == 0)
      return accounts->pdata[i];
  return NULL;
}

static void
update_account (I2aPool              *self,
                I2aAccount           *account,
                const I2aKeysAccount *entry)
{
  const I2aKeysAccount *before = i2a_keys_config_lookup_account (self->config, entry->id);

  i2a_account_set_label (account, entry->label);
  i2a_account_set_email (account, entry->email);
  i2a_account_set_auth_type (account, entry->auth_type);
  i2a_account_set_provider (account, entry->provider);
  i2a_account_set_base_url (account, entry->base_url);
  i2a_account_set_max_concurrency (account, entry->max_concurrency);
  i2a_account_set_enabled (account, entry->enabled);
  /* A key from the file follows the file; a key that never was in the
   * file came from the keyring and stays. */
  if (entry->api_key != NULL)
    i2a_account_set_api_key (account, entry->api_key);
  else if (before != NULL && before->api_key != NULL)
    i2a_account_set_api_key (account, NULL);
}

gboolean
_i2a_pool_apply_config (I2aPool        *self,
                        I2aKeysConfig  *config,
                        GError        **error)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  gboolean was_multi = i2a_pool_is_multi_account (self);
  gboolean was_required = i2a_pool_get_auth_required (self);

  if (self->exposed && !(config->auth_enabled && config->auth_required))
    {
      g_set_error (error, I2A_ERROR, I2A_ERROR_BIND_REFUSED,
                   "the server listens beyond 127.0.0.1, so \"auth\" must stay "
                   "{\"enabled\": true, \"required\": true}");
      return FALSE;
    }

  if (config->accounts->len == 0)
    g_ptr_array_add (items, g_object_ref (self->cli_account));
  for (guint i = 0; i < config->accounts->len; i++)
    {
      const I2aKeysAccount *entry = config->accounts->pdata[i];
      I2aAccount *account = find_in (self->accounts, entry->id);

      if (account != NULL && account != self->cli_account)
        g_object_ref (account);
      else
        {
          account = i2a_account_new (entry->id, entry->provider, entry->base_url);
          /* /v1/models and the UI follow what discovery learns. */
          g_signal_connect_object (account, "notify::models", G_CALLBACK (_i2a_pool_emit_changed), self,
                                   G_CONNECT_SWAPPED);
        }
      g_object_freeze_notify (G_OBJECT (account));
      update_account (self, account, entry);
      g_object_thaw_notify (G_OBJECT (account));
      g_ptr_array_add (items, account);
    }

  g_clear_pointer (&self->config, i2a_keys_config_unref);
  self->config = i2a_keys_config_ref (config);
  self->all_cursor = 0;
  replace_items (self, items);

  if (was_multi != i2a_pool_is_multi_account (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MULTI_ACCOUNT]);
  if (was_required != i2a_pool_get_auth_required (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AUTH_REQUIRED]);
  g_signal_emit (self, signals[CONFIG_RELOADED], 0);
  _i2a_pool_emit_changed (self);
  /* Limits may have grown, accounts may have gone: re-examine waiters. */
  _i2a_pool_kick_queue (self);
  _i2a_pool_schedule_circuit_timer (self);
  return TRUE;
}

/* ---- loading keys.json -------------------------------------------------- */

static void
set_loaded (I2aPool *self)
{
  if (self->loaded)
    return;
  self->loaded = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
}

static void
reject_file (I2aPool *self,
             GError  *error)
{
  if (self->loaded)
    g_warning ("Ignoring %s: %s. The previous configuration stays in force.",
               self->path, error->message);
  else
    g_warning ("Cannot use %s: %s", self->path, error->message);
  g_clear_error (&self->load_error);
  self->load_error = g_error_copy (error);
  _i2a_pool_emit_changed (self);
}

static void
load_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(I2aPool) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(I2aKeysConfig) config = NULL;
  g_autofree char *data = NULL;
  g_autofree char *etag = NULL;
  gsize length = 0;

  if (!g_file_load_contents_finish (G_FILE (source), result, &data, &length, &etag, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        {
          /* No file (or it was deleted): the CLI login serves. */
          g_clear_error (&self->load_error);
          if (self->config->accounts->len > 0 || self->config->auth_enabled)
            g_message ("%s is gone; using the iFlow CLI login", self->path);
          config = i2a_keys_config_new_empty ();
        }
      else
        {
          g_autoptr(GError) wrapped = g_error_new (I2A_ERROR, I2A_ERROR_INVALID_CONFIG, "cannot read it: %s",
                                                   error->message);
          reject_file (self, wrapped);
          set_loaded (self);
          return;
        }
    }
  else
    {
      /* Our own write coming back, or overtaken by one in progress. */
      if (_i2a_pool_store_busy (self) || (self->load_error == NULL && _i2a_pool_store_wrote (self, etag)))
        {
          set_loaded (self);
          return;
        }
      config = i2a_keys_config_parse (data, length, self->path, &error);
      if (config == NULL)
        {
          reject_file (self, error);
          set_loaded (self);
          return;
        }
    }

  if (!_i2a_pool_apply_config (self, config, &error))
    reject_file (self, error);
  else
    {
      if (self->load_error)
        g_message ("%s is valid again and applied", self->path);
      g_clear_error (&self->load_error);
      g_debug ("Applied %s: %u account(s), %u client key(s)", self->path,
               config->accounts->len, config->tokens->len);
    }
  set_loaded (self);
}

void
i2a_pool_reload (I2aPool *self)
{
  g_autoptr(GFile) file = NULL;

  if (self->path == NULL)
    return;
  g_clear_handle_id (&self->reload_id, g_source_remove);
  /* The newest read wins. */
  if (self->load_cancellable)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  self->load_cancellable = g_cancellable_new ();
  file = g_file_new_for_path (self->path);
  g_file_load_contents_async (file, self->load_cancellable, load_cb, g_object_ref (self));
}

static gboolean
reload_timeout_cb (gpointer user_data)
{
  I2aPool *self = user_data;

  self->reload_id = 0;
  i2a_pool_reload (self);
  return G_SOURCE_REMOVE;
}

static void
monitor_cb (GFileMonitor      *monitor,
            GFile             *file,
            GFile             *other,
            GFileMonitorEvent  event,
            I2aPool           *self)
{
  g_autofree char *base = g_path_get_basename (self->path);
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *other_name = other ? g_file_get_basename (other) : NULL;

  if (g_strcmp0 (name, base) != 0 && g_strcmp0 (other_name, base) != 0)
    return;
  if (event == G_FILE_MONITOR_EVENT_ATTRIBUTE_CHANGED || event == G_FILE_MONITOR_EVENT_PRE_UNMOUNT)
    return;
  g_clear_handle_id (&self->reload_id, g_source_remove);
  self->reload_id = g_timeout_add (RELOAD_DEBOUNCE_MS, reload_timeout_cb, self);
}

static void
start_monitor (I2aPool *self)
{
  g_autofree char *dir_path = g_path_get_dirname (self->path);
  g_autoptr(GFile) dir = g_file_new_for_path (dir_path);
  g_autoptr(GError) error = NULL;

  /* Account/OAuth fix: on a first start ~/.iflow2api may not exist yet,
   * and a monitor on a missing directory misses the keys.json that a
   * later `iflow2api login` (another process) creates in it. Create it
   * now, private (it holds the account list), so there is a directory to
   * watch. Best effort: without it the file is still read at startup. */
  if (g_mkdir_with_parents (dir_path, 0700) != 0)
    g_debug ("Cannot create %s: %s", dir_path, g_strerror (errno));

  /* The directory, not the file: atomic saves replace the file's inode. */
  self->monitor = g_file_monitor_directory (dir, G_FILE_MONITOR_WATCH_MOVES, NULL, &error);
  if (self->monitor == NULL)
    {
      g_warning ("Cannot watch %s for changes (%s); restart to apply edits", dir_path, error->message);
      return;
    }
  g_signal_connect (self->monitor, "changed", G_CALLBACK (monitor_cb), self);
}

/* ---- object ------------------------------------------------------------- */

static void
cli_changed_cb (I2aCliSettings *cli,
                I2aPool        *self)
{
  I2aAccount *account = self->cli_account;

  i2a_account_set_api_key (account, i2a_cli_settings_get_api_key (cli));
  i2a_account_set_base_url (account, i2a_cli_settings_get_base_url (cli));
  i2a_account_set_auth_type (account, i2a_cli_settings_get_auth_type (cli));
}

static void
i2a_pool_dispose (GObject *object)
{
  I2aPool *self = I2A_POOL (object);

  _i2a_pool_fail_waiters (self);
  g_clear_handle_id (&self->reload_id, g_source_remove);
  g_clear_handle_id (&self->circuit_timer, g_source_remove);
  if (self->load_cancellable)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  if (self->monitor)
    {
      g_signal_handlers_disconnect_by_data (self->monitor, self);
      g_file_monitor_cancel (self->monitor);
    }
  g_clear_object (&self->monitor);
  if (self->cli)
    g_signal_handlers_disconnect_by_data (self->cli, self);
  g_clear_object (&self->cli);
  g_clear_object (&self->refresher);
  _i2a_pool_store_dispose (self);

  G_OBJECT_CLASS (i2a_pool_parent_class)->dispose (object);
}

static void
i2a_pool_finalize (GObject *object)
{
  I2aPool *self = I2A_POOL (object);

  g_clear_object (&self->cli_account);
  g_clear_pointer (&self->accounts, g_ptr_array_unref);
  g_clear_pointer (&self->config, i2a_keys_config_unref);
  g_clear_pointer (&self->path, g_free);
  g_clear_error (&self->load_error);

  G_OBJECT_CLASS (i2a_pool_parent_class)->finalize (object);
}

static void
i2a_pool_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  I2aPool *self = I2A_POOL (object);

  switch (prop_id)
    {
    case PROP_MULTI_ACCOUNT: g_value_set_boolean (value, i2a_pool_is_multi_account (self)); break;
    case PROP_AUTH_REQUIRED: g_value_set_boolean (value, i2a_pool_get_auth_required (self)); break;
    case PROP_CONFIG_PATH: g_value_set_string (value, self->path); break;
    case PROP_LOADED: g_value_set_boolean (value, self->loaded); break;
    case PROP_QUEUE_LENGTH: g_value_set_uint (value, self->waiters.length); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
i2a_pool_class_init (I2aPoolClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = i2a_pool_dispose;
  object_class->finalize = i2a_pool_finalize;
  object_class->get_property = i2a_pool_get_property;

  properties[PROP_MULTI_ACCOUNT] = g_param_spec_boolean ("multi-account", NULL, NULL, FALSE, ro);
  properties[PROP_AUTH_REQUIRED] = g_param_spec_boolean ("auth-required", NULL, NULL, FALSE, ro);
  properties[PROP_CONFIG_PATH] = g_param_spec_string ("config-path", NULL, NULL, NULL, ro);
  properties[PROP_LOADED] = g_param_spec_boolean ("loaded", NULL, NULL, FALSE, ro);
  properties[PROP_QUEUE_LENGTH] = g_param_spec_uint ("queue-length", NULL, NULL, 0, G_MAXUINT, 0, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[CONFIG_RELOADED] = g_signal_new ("config-reloaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[TOKEN_EXPIRED] = g_signal_new ("token-expired", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, I2A_TYPE_ACCOUNT);
  /* Every account a request could use is out of quota: (client key id or
   * NULL for the default route, seconds until one frees up). */
  signals[QUOTA_EXHAUSTED] = g_signal_new ("quota-exhausted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_UINT);
  slot_quark = g_quark_from_static_string ("i2a-pool-slot");
}

static void
i2a_pool_init (I2aPool *self)
{
  self->accounts = g_ptr_array_new_with_free_func (g_object_unref);
  self->config = i2a_keys_config_new_empty ();
  g_queue_init (&self->waiters);
}

I2aPool *
i2a_pool_new (I2aCliSettings *cli)
{
  I2aPool *self = g_object_new (I2A_TYPE_POOL, NULL);

  self->cli = g_object_ref (cli);
  self->cli_account = i2a_account_new (I2A_CLI_ACCOUNT_ID, I2A_PROVIDER_IFLOW,
                                       i2a_cli_settings_get_base_url (cli));
  i2a_account_set_label (self->cli_account, "iFlow CLI login");
  g_signal_connect (cli, "changed", G_CALLBACK (cli_changed_cb), self);
  cli_changed_cb (cli, self);
  g_ptr_array_add (self->accounts, g_object_ref (self->cli_account));
  self->loaded = TRUE;
  return self;
}

I2aPool *
i2a_pool_new_with_keys (I2aCliSettings *cli,
                        const char     *keys_path)
{
  I2aPool *self = i2a_pool_new (cli);

  self->path = keys_path ? g_strdup (keys_path) : i2a_keys_config_default_path ();
  self->loaded = FALSE;
  start_monitor (self);
  i2a_pool_reload (self);
  return self;
}

I2aCliSettings *i2a_pool_get_cli_settings (I2aPool *self) { return self->cli; }
const char *i2a_pool_get_config_path (I2aPool *self) { return self->path; }
gboolean i2a_pool_is_loaded (I2aPool *self) { return self->loaded; }
const GError *i2a_pool_get_load_error (I2aPool *self) { return self->load_error; }
I2aKeysConfig *i2a_pool_get_config (I2aPool *self) { return self->config; }
guint i2a_pool_get_queue_length (I2aPool *self) { return self->waiters.length; }

gboolean
i2a_pool_is_multi_account (I2aPool *self)
{
  return self->config != NULL && self->config->accounts->len > 0;
}

gboolean
i2a_pool_get_auth_required (I2aPool *self)
{
  return self->config != NULL && self->config->auth_enabled && self->config->auth_required;
}

void
i2a_pool_set_exposed (I2aPool  *self,
                      gboolean  exposed)
{
  self->exposed = exposed;
}

void
i2a_pool_set_refresher (I2aPool      *self,
                        I2aRefresher *refresher)
{
  g_return_if_fail (I2A_IS_POOL (self));
  g_set_object (&self->refresher, refresher);
}

I2aRefresher *
i2a_pool_get_refresher (I2aPool *self)
{
  g_return_val_if_fail (I2A_IS_POOL (self), NULL);
  return self->refresher;
}

I2aAccount *
i2a_pool_lookup_account (I2aPool    *self,
                         const char *id)
{
  if (g_strcmp0 (id, I2A_CLI_ACCOUNT_ID) == 0)
    return self->cli_account;
  return find_in (self->accounts, id);
}

guint
i2a_pool_get_circuit_open_for (I2aPool    *self,
                               I2aAccount *account)
{
  I2aPoolSlot *slot = _i2a_pool_slot (account);
  gint64 now = g_get_monotonic_time ();

  if (slot->open_until <= now)
    return 0;
  return (guint) ((slot->open_until - now + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
}

/* ---- client auth -------------------------------------------------------- */

static I2aApiError *
auth_error (const char *token)
{
  I2aApiError *error;

  if (token == NULL)
    error = i2a_api_error_new (401, "authentication_error", "missing_api_key",
                               "Missing Authorization: Bearer <api-key>. This server requires one "
                               "of the client keys configured in keys.json.");
  else
    error = i2a_api_error_new (401, "authentication_error", "invalid_api_key", "Invalid API key");
  return error;
}

gboolean
i2a_pool_check_client_token (I2aPool      *self,
                             const char   *token,
                             I2aApiError **error)
{
  if (!i2a_pool_get_auth_required (self))
    return TRUE;
  if (token != NULL && i2a_keys_config_lookup_token (self->config, token, NULL) != NULL)
    return TRUE;
  if (error)
    *error = auth_error (token);
  return FALSE;
}

/* ---- default strategy (the app's "default-strategy" setting) ----------
 *
 * Requests with no route at all (no client key route, no "default" in
 * keys.json) use every account. The dispatch picks least_busy for a NULL
 * route; for round_robin the pool hands it a route of its own listing every
 * account, whose cursor keeps the rotation. Kept as object data so the
 * pool's private struct and the dispatch stay as they are; it lives as long
 * as the pool, which every dispatch holds a reference on. */

typedef struct
{
  I2aStrategy  strategy;
  I2aKeysRoute all;      /* accounts: refreshed at each begin */
} DefaultStrategy;

static void
default_strategy_free (gpointer data)
{
  DefaultStrategy *ds = data;

  g_strfreev (ds->all.accounts);
  g_free (ds);
}

static DefaultStrategy *
default_strategy (I2aPool *self)
{
  static GQuark quark;
  DefaultStrategy *ds;

  if (quark == 0)
    quark = g_quark_from_static_string ("i2a-pool-default-strategy");
  ds = g_object_get_qdata (G_OBJECT (self), quark);
  if (ds == NULL)
    {
      ds = g_new0 (DefaultStrategy, 1);
      ds->strategy = I2A_STRATEGY_LEAST_BUSY;
      ds->all.strategy = I2A_STRATEGY_ROUND_ROBIN;
      g_object_set_qdata_full (G_OBJECT (self), quark, ds, default_strategy_free);
    }
  return ds;
}

void
i2a_pool_set_default_strategy (I2aPool     *self,
                               I2aStrategy  strategy)
{
  g_return_if_fail (I2A_IS_POOL (self));
  g_return_if_fail (strategy == I2A_STRATEGY_LEAST_BUSY || strategy == I2A_STRATEGY_ROUND_ROBIN);

  default_strategy (self)->strategy = strategy;
}

I2aStrategy
i2a_pool_get_default_strategy (I2aPool *self)
{
  g_return_val_if_fail (I2A_IS_POOL (self), I2A_STRATEGY_LEAST_BUSY);

  return default_strategy (self)->strategy;
}

/* The route for a request that has none: NULL (every account, least_busy)
 * or the pool's round-robin route over every account. */
static I2aKeysRoute *
route_for_no_route (I2aPool *self)
{
  DefaultStrategy *ds = default_strategy (self);
  GStrvBuilder *ids;

  if (ds->strategy == I2A_STRATEGY_LEAST_BUSY ||
      !i2a_pool_is_multi_account (self) || self->accounts->len == 0)
    return NULL;
  /* Same members as a NULL route: the live list, by id. */
  ids = g_strv_builder_new ();
  for (guint i = 0; i < self->accounts->len; i++)
    g_strv_builder_add (ids, i2a_account_get_id (self->accounts->pdata[i]));
  g_strfreev (ds->all.accounts);
  ds->all.accounts = g_strv_builder_end (ids);
  g_strv_builder_unref (ids);
  return &ds->all;
}

I2aDispatch *
i2a_pool_begin (I2aPool      *self,
                const char   *token,
                I2aApiError **error)
{
  I2aKeysConfig *config = self->config;
  I2aKeysRoute *route = NULL;

  /* Tokens route even without auth; auth decides what an unknown one gets. */
  if (token != NULL)
    route = i2a_keys_config_lookup_token (config, token, NULL);
  if (route == NULL && config->auth_enabled && config->auth_required)
    {
      if (error)
        *error = auth_error (token);
      return NULL;
    }
  if (route != NULL)
    {
      /* Limits before any work: no slot, no queue place. */
      I2aApiError *limited = _i2a_pool_check_key_limits (self, route);

      if (limited)
        {
          if (error)
            *error = limited;
          else
            i2a_api_error_free (limited);
          return NULL;
        }
    }
  if (route == NULL)
    route = config->default_route;
  if (route == NULL)
    route = route_for_no_route (self);  /* the default strategy */
  return _i2a_dispatch_new (self, config, route);
}

/* ---- health ------------------------------------------------------------- */

void
i2a_pool_add_health (I2aPool     *self,
                     JsonBuilder *builder)
{
  guint n = self->accounts->len;
  guint enabled = 0, available = 0, usable = 0;

  for (guint i = 0; i < n; i++)
    {
      I2aAccount *account = self->accounts->pdata[i];

      if (i2a_account_get_enabled (account))
        enabled++;
      if (i2a_account_is_usable (account))
        {
          usable++;
          if (i2a_pool_get_circuit_open_for (self, account) == 0)
            available++;
        }
    }

  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, available > 0 ? "healthy" : "degraded");
  json_builder_set_member_name (builder, "iflow_logged_in");
  json_builder_add_boolean_value (builder, usable > 0);
  json_builder_set_member_name (builder, "multi_account");
  json_builder_add_boolean_value (builder, i2a_pool_is_multi_account (self));
  json_builder_set_member_name (builder, "accounts_total");
  json_builder_add_int_value (builder, n);
  json_builder_set_member_name (builder, "accounts_enabled");
  json_builder_add_int_value (builder, enabled);
  json_builder_set_member_name (builder, "accounts_available");
  json_builder_add_int_value (builder, available);
}

void
_i2a_pool_emit_token_expired (I2aPool    *self,
                              I2aAccount *account)
{
  g_signal_emit (self, signals[TOKEN_EXPIRED], 0, account);
}

void
_i2a_pool_emit_quota_exhausted (I2aPool    *self,
                                const char *key_id,
                                guint       resets_in)
{
  g_signal_emit (self, signals[QUOTA_EXHAUSTED], 0, key_id, resets_in);
}
