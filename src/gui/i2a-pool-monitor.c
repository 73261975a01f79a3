/* i2a-pool-monitor.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-pool-monitor"

#include "config.h"

#include "i2a-pool-monitor.h"

struct _I2aPoolMonitor
{
  GObject     parent_instance;

  GListModel *model;
  /* Parallel to the model: the accounts we listen to, so we can disconnect
   * exactly those when they leave. */
  GPtrArray  *accounts;
  /* Accounts seen in needs-login, so each transition notifies once. */
  GHashTable *needs_login;

  guint       n_configured;
  guint       n_usable;
  guint       n_unavailable;
  guint       circuit_timeout_id;
};

enum {
  PROP_0,
  PROP_MODEL,
  PROP_N_ACCOUNTS,
  PROP_N_CONFIGURED,
  PROP_N_USABLE,
  PROP_N_UNAVAILABLE,
  N_PROPS
};

enum {
  ACCOUNT_NEEDS_LOGIN,
  ALL_UNAVAILABLE,
  N_SIGNALS
};

static GParamSpec *properties [N_PROPS];
static guint signals [N_SIGNALS];

G_DEFINE_FINAL_TYPE (I2aPoolMonitor, i2a_pool_monitor, G_TYPE_OBJECT)

static void i2a_pool_monitor_recount (I2aPoolMonitor *self);

gboolean
i2a_pool_monitor_account_is_configured (I2aAccount *account)
{
  return i2a_account_has_api_key (account) ||
         i2a_account_get_state (account) == I2A_ACCOUNT_STATE_NEEDS_LOGIN;
}

static gboolean
account_available_now (I2aAccount *account,
                       gint64      now)
{
  return i2a_account_is_usable (account) &&
         i2a_account_get_state (account) != I2A_ACCOUNT_STATE_ERROR &&
         !i2a_account_is_circuit_open (account, now);
}

static gboolean
circuit_closed_cb (gpointer user_data)
{
  I2aPoolMonitor *self = user_data;

  self->circuit_timeout_id = 0;
  i2a_pool_monitor_recount (self);
  return G_SOURCE_REMOVE;
}

static void
i2a_pool_monitor_recount (I2aPoolMonitor *self)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 next_close = 0;
  guint configured = 0, usable = 0, unavailable = 0;
  guint old_usable = self->n_usable;

  for (guint i = 0; i < self->accounts->len; i++)
    {
      I2aAccount *account = g_ptr_array_index (self->accounts, i);
      gint64 until = i2a_account_get_circuit_open_until (account);

      if (!i2a_pool_monitor_account_is_configured (account))
        continue;
      configured++;
      if (account_available_now (account, now))
        usable++;
      else
        unavailable++;
      if (until > now && (next_close == 0 || until < next_close))
        next_close = until;
    }

  /* An open circuit closes by the clock, not by a property change: one
   * timer for the earliest one, so the counts stay right. */
  g_clear_handle_id (&self->circuit_timeout_id, g_source_remove);
  if (next_close > 0)
    self->circuit_timeout_id = g_timeout_add_seconds ((guint) (next_close - now),
                                                      circuit_closed_cb, self);

  g_object_freeze_notify (G_OBJECT (self));
  if (configured != self->n_configured)
    {
      self->n_configured = configured;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_CONFIGURED]);
    }
  if (usable != self->n_usable)
    {
      self->n_usable = usable;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_USABLE]);
    }
  if (unavailable != self->n_unavailable)
    {
      self->n_unavailable = unavailable;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_UNAVAILABLE]);
    }
  g_object_thaw_notify (G_OBJECT (self));

  if (old_usable > 0 && usable == 0 && configured > 0)
    g_signal_emit (self, signals[ALL_UNAVAILABLE], 0);
}

static void
account_notify_cb (I2aAccount     *account,
                   GParamSpec     *pspec,
                   I2aPoolMonitor *self)
{
  gboolean needs_login = i2a_account_get_state (account) == I2A_ACCOUNT_STATE_NEEDS_LOGIN;

  if (needs_login && g_hash_table_add (self->needs_login, account))
    g_signal_emit (self, signals[ACCOUNT_NEEDS_LOGIN], 0, account);
  else if (!needs_login)
    g_hash_table_remove (self->needs_login, account);

  i2a_pool_monitor_recount (self);
}

static void
unwatch_account (gpointer data,
                 gpointer user_data)
{
  I2aAccount *account = data;
  I2aPoolMonitor *self = user_data;

  g_signal_handlers_disconnect_by_data (account, self);
  g_hash_table_remove (self->needs_login, account);
}

static void
items_changed_cb (GListModel     *model,
                  guint           position,
                  guint           removed,
                  guint           added,
                  I2aPoolMonitor *self)
{
  for (guint i = 0; i < removed; i++)
    unwatch_account (g_ptr_array_index (self->accounts, position + i), self);
  g_ptr_array_remove_range (self->accounts, position, removed);

  for (guint i = 0; i < added; i++)
    {
      I2aAccount *account = g_list_model_get_item (model, position + i);

      g_ptr_array_insert (self->accounts, position + i, account);
      g_signal_connect (account, "notify", G_CALLBACK (account_notify_cb), self);
      /* An account loaded in the needs-login state is a known state, not
       * a transition: don't notify for it. */
      if (i2a_account_get_state (account) == I2A_ACCOUNT_STATE_NEEDS_LOGIN)
        g_hash_table_add (self->needs_login, account);
    }

  if (removed != added)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ACCOUNTS]);
  i2a_pool_monitor_recount (self);
}

static void
i2a_pool_monitor_dispose (GObject *object)
{
  I2aPoolMonitor *self = I2A_POOL_MONITOR (object);

  g_clear_handle_id (&self->circuit_timeout_id, g_source_remove);
  if (self->accounts != NULL)
    g_ptr_array_foreach (self->accounts, unwatch_account, self);
  g_clear_pointer (&self->accounts, g_ptr_array_unref);
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  g_clear_object (&self->model);
  g_clear_pointer (&self->needs_login, g_hash_table_unref);

  G_OBJECT_CLASS (i2a_pool_monitor_parent_class)->dispose (object);
}

static void
i2a_pool_monitor_constructed (GObject *object)
{
  I2aPoolMonitor *self = I2A_POOL_MONITOR (object);

  G_OBJECT_CLASS (i2a_pool_monitor_parent_class)->constructed (object);

  g_signal_connect (self->model, "items-changed", G_CALLBACK (items_changed_cb), self);
  items_changed_cb (self->model, 0, 0, g_list_model_get_n_items (self->model), self);
}

static void
i2a_pool_monitor_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  I2aPoolMonitor *self = I2A_POOL_MONITOR (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      g_value_set_object (value, self->model);
      break;
    case PROP_N_ACCOUNTS:
      g_value_set_uint (value, i2a_pool_monitor_get_n_accounts (self));
      break;
    case PROP_N_CONFIGURED:
      g_value_set_uint (value, self->n_configured);
      break;
    case PROP_N_USABLE:
      g_value_set_uint (value, self->n_usable);
      break;
    case PROP_N_UNAVAILABLE:
      g_value_set_uint (value, self->n_unavailable);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
i2a_pool_monitor_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  I2aPoolMonitor *self = I2A_POOL_MONITOR (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      self->model = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
i2a_pool_monitor_class_init (I2aPoolMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->constructed = i2a_pool_monitor_constructed;
  object_class->dispose = i2a_pool_monitor_dispose;
  object_class->get_property = i2a_pool_monitor_get_property;
  object_class->set_property = i2a_pool_monitor_set_property;

  properties[PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ACCOUNTS] = g_param_spec_uint ("n-accounts", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_N_CONFIGURED] = g_param_spec_uint ("n-configured", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_N_USABLE] = g_param_spec_uint ("n-usable", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_N_UNAVAILABLE] = g_param_spec_uint ("n-unavailable", NULL, NULL, 0, G_MAXUINT, 0, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[ACCOUNT_NEEDS_LOGIN] =
    g_signal_new ("account-needs-login", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, I2A_TYPE_ACCOUNT);
  signals[ALL_UNAVAILABLE] =
    g_signal_new ("all-unavailable", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
i2a_pool_monitor_init (I2aPoolMonitor *self)
{
  self->accounts = g_ptr_array_new_with_free_func (g_object_unref);
  self->needs_login = g_hash_table_new (NULL, NULL);
}

I2aPoolMonitor *
i2a_pool_monitor_new (GListModel *accounts)
{
  g_return_val_if_fail (G_IS_LIST_MODEL (accounts), NULL);

  return g_object_new (I2A_TYPE_POOL_MONITOR, "model", accounts, NULL);
}

GListModel *
i2a_pool_monitor_get_model (I2aPoolMonitor *self)
{
  g_return_val_if_fail (I2A_IS_POOL_MONITOR (self), NULL);

  return self->model;
}

guint
i2a_pool_monitor_get_n_accounts (I2aPoolMonitor *self)
{
  g_return_val_if_fail (I2A_IS_POOL_MONITOR (self), 0);

  return self->accounts->len;
}

guint
i2a_pool_monitor_get_n_configured (I2aPoolMonitor *self)
{
  g_return_val_if_fail (I2A_IS_POOL_MONITOR (self), 0);

  return self->n_configured;
}

guint
i2a_pool_monitor_get_n_usable (I2aPoolMonitor *self)
{
  g_return_val_if_fail (I2A_IS_POOL_MONITOR (self), 0);

  return self->n_usable;
}

guint
i2a_pool_monitor_get_n_unavailable (I2aPoolMonitor *self)
{
  g_return_val_if_fail (I2A_IS_POOL_MONITOR (self), 0);

  return self->n_unavailable;
}
