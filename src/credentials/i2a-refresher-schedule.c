/* i2a-refresher-schedule.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-refresher-schedule.c: when an account's key is refreshed. A
 * monotonic timer per account for "expiry minus lead", re-checked against
 * the wall clock (which a suspend moves on behind the timer's back) on
 * every wake-up: the timer itself, the periodic check, a network change,
 * logind's resume signal, and each request (ensure_fresh). The refresh
 * itself is i2a-refresher-refresh.c. */
#define G_LOG_DOMAIN "i2a-refresher"

#include "config.h"

#include "i2a-error.h"
#include "i2a-refresher-private.h"

#define NETWORK_SETTLE_MS   2000

/* The wall clock as the schedule sees it (tests shift it). */
gint64
_i2a_refresher_clock_now (I2aRefresher *self)
{
  return i2a_refresher_now_wall () + self->clock_offset;
}

/* ---- schedule ----------------------------------------------------------- */

/* Wall-clock second at which the key should be refreshed. */
static gint64
due_time (I2aRefresher      *self,
          I2aRefresherEntry *entry)
{
  gint64 expires_at = entry->secrets->expires_at;
  gint64 lead = self->lead_seconds;

  if (expires_at <= 0)
    /* Unknown expiry: refresh at once, then once per check interval. */
    return entry->obtained_at > 0 ? entry->obtained_at + self->check_seconds : 0;
  if (entry->obtained_at > 0 && expires_at > entry->obtained_at)
    lead = MIN (lead, (expires_at - entry->obtained_at) / 2);
  return expires_at - lead;
}

static gboolean
entry_is_due (I2aRefresher      *self,
              I2aRefresherEntry *entry)
{
  return _i2a_refresher_clock_now (self) >= due_time (self, entry);
}

static gboolean
timer_cb (gpointer user_data)
{
  I2aRefresherEntry *entry = user_data;

  entry->timer_id = 0;
  if (entry->retry_pending || entry_is_due (entry->self, entry))
    _i2a_refresher_entry_start_refresh (entry);
  else
    _i2a_refresher_entry_schedule (entry);  /* woke early: this was a periodic check */
  return G_SOURCE_REMOVE;
}

void
_i2a_refresher_entry_arm_timer (I2aRefresherEntry *entry,
                                guint              delay_ms)
{
  g_clear_handle_id (&entry->timer_id, g_source_remove);
  entry->timer_id = g_timeout_add (delay_ms, timer_cb, entry);
}

/* Next regular refresh, from the wall clock. */
void
_i2a_refresher_entry_schedule (I2aRefresherEntry *entry)
{
  I2aRefresher *self = entry->self;
  gint64 delay;

  g_clear_handle_id (&entry->timer_id, g_source_remove);
  if (entry->running || i2a_account_get_state (entry->account) == I2A_ACCOUNT_STATE_NEEDS_LOGIN)
    return;
  delay = due_time (self, entry) - _i2a_refresher_clock_now (self);
  if (delay <= 0)
    {
      _i2a_refresher_entry_start_refresh (entry);
      return;
    }
  /* Wake at least every check interval to look at the wall clock again
   * (a monotonic timer falls behind across suspend). */
  delay = MIN (delay, (gint64) self->check_seconds);
  g_debug ("Account %s: next refresh check in %" G_GINT64_FORMAT " s", entry->id, delay);
  _i2a_refresher_entry_arm_timer (entry, (guint) (delay * 1000));
}

/* ---- network and resume ------------------------------------------------- */

static gboolean
network_settled_cb (gpointer user_data)
{
  I2aRefresher *self = user_data;

  self->network_idle = 0;
  i2a_refresher_check_all (self);
  return G_SOURCE_REMOVE;
}

static void
network_changed_cb (GNetworkMonitor *monitor,
                    gboolean         available,
                    I2aRefresher    *self)
{
  if (!available)
    return;
  /* Changes come in bursts while interfaces come up: wait for quiet. */
  g_clear_handle_id (&self->network_idle, g_source_remove);
  self->network_idle = g_timeout_add (NETWORK_SETTLE_MS, network_settled_cb, self);
}

static void
prepare_for_sleep_cb (GDBusConnection *connection,
                      const char      *sender,
                      const char      *path,
                      const char      *interface,
                      const char      *signal,
                      GVariant        *parameters,
                      gpointer         user_data)
{
  I2aRefresher *self = user_data;
  gboolean going_to_sleep = FALSE;

  if (g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(b)")))
    g_variant_get (parameters, "(b)", &going_to_sleep);
  if (!going_to_sleep)
    {
      g_debug ("Resumed from suspend: checking token expiry");
      network_changed_cb (NULL, TRUE, self);
    }
}

static void
system_bus_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  GDBusConnection *bus = g_bus_get_finish (result, &error);
  I2aRefresher *self;

  if (bus == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("No system bus (%s): resume is noticed by the periodic check only", error->message);
      return;
    }
  self = I2A_REFRESHER (user_data);
  self->system_bus = bus;
  self->sleep_subscription =
    g_dbus_connection_signal_subscribe (bus, "org.freedesktop.login1", "org.freedesktop.login1.Manager",
                                        "PrepareForSleep", "/org/freedesktop/login1", NULL,
                                        G_DBUS_SIGNAL_FLAGS_NONE, prepare_for_sleep_cb, self, NULL);
}

/* Monotonic timers stop during suspend and miss a network that comes
 * back: these are the other moments to look at the wall clock. */
void
_i2a_refresher_watch_wakeups (I2aRefresher *self)
{
  self->network = g_network_monitor_get_default ();
  self->network_handler = g_signal_connect (self->network, "network-changed",
                                            G_CALLBACK (network_changed_cb), self);
  g_bus_get (G_BUS_TYPE_SYSTEM, self->cancellable, system_bus_cb, self);
}

/* From dispose: nothing may call back into a dying refresher. */
void
_i2a_refresher_unwatch_wakeups (I2aRefresher *self)
{
  g_cancellable_cancel (self->cancellable);
  if (self->network_handler)
    g_clear_signal_handler (&self->network_handler, self->network);
  g_clear_handle_id (&self->network_idle, g_source_remove);
  if (self->sleep_subscription)
    {
      g_dbus_connection_signal_unsubscribe (self->system_bus, self->sleep_subscription);
      self->sleep_subscription = 0;
    }
  g_clear_object (&self->system_bus);
}

/* ---- what callers ask ---------------------------------------------------- */

gboolean
i2a_refresher_is_due (I2aRefresher *self,
                      I2aAccount   *account)
{
  I2aRefresherEntry *entry;

  g_return_val_if_fail (I2A_IS_REFRESHER (self), FALSE);
  entry = _i2a_refresher_lookup_entry (self, account);
  return entry != NULL && entry_is_due (self, entry);
}

gboolean
i2a_refresher_needs_wait (I2aRefresher *self,
                          I2aAccount   *account)
{
  I2aRefresherEntry *entry;

  g_return_val_if_fail (I2A_IS_REFRESHER (self), FALSE);
  entry = _i2a_refresher_lookup_entry (self, account);
  if (entry == NULL)
    return FALSE;
  return entry->running || (!entry->retry_pending && entry_is_due (self, entry));
}

static gboolean
recently_refreshed (I2aRefresherEntry *entry)
{
  return entry->refreshed_mono != 0 &&
         g_get_monotonic_time () - entry->refreshed_mono < I2A_REFRESHER_RECENT_SECONDS * G_USEC_PER_SEC;
}

void
i2a_refresher_ensure_fresh_async (I2aRefresher        *self,
                                  I2aAccount          *account,
                                  gint64               rejected_since,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  I2aRefresherEntry *entry;

  g_return_if_fail (I2A_IS_REFRESHER (self));
  g_return_if_fail (I2A_IS_ACCOUNT (account));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, i2a_refresher_ensure_fresh_async);
  entry = _i2a_refresher_lookup_entry (self, account);
  if (entry == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (!entry->running && i2a_account_get_state (account) == I2A_ACCOUNT_STATE_NEEDS_LOGIN)
    {
      g_task_return_new_error (task, I2A_ERROR, I2A_ERROR_OAUTH_INVALID_GRANT,
                               "Account %s needs a new login", entry->id);
      return;
    }
  if (!entry->running)
    {
      gboolean due = entry_is_due (self, entry) ||
                     (rejected_since > 0 && entry->refreshed_mono <= rejected_since);

      if (entry->retry_pending || !due)
        {
          g_task_return_boolean (task, TRUE);
          return;
        }
      _i2a_refresher_entry_start_refresh (entry);
      /* _i2a_refresher_entry_start_refresh may fail at once (no refresh token). */
      if (!entry->running)
        {
          if (i2a_account_get_state (account) == I2A_ACCOUNT_STATE_NEEDS_LOGIN)
            g_task_return_new_error (task, I2A_ERROR, I2A_ERROR_OAUTH_INVALID_GRANT,
                                     "Account %s needs a new login", entry->id);
          else
            g_task_return_boolean (task, TRUE);
          return;
        }
    }
  g_ptr_array_add (entry->waiters, g_steal_pointer (&task));
}

gboolean
i2a_refresher_ensure_fresh_finish (I2aRefresher  *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
i2a_refresher_refresh_now (I2aRefresher *self,
                           I2aAccount   *account)
{
  I2aRefresherEntry *entry;

  g_return_if_fail (I2A_IS_REFRESHER (self));
  entry = _i2a_refresher_lookup_entry (self, account);
  if (entry == NULL || entry->running || entry->retry_pending || recently_refreshed (entry) ||
      i2a_account_get_state (account) == I2A_ACCOUNT_STATE_NEEDS_LOGIN)
    return;
  _i2a_refresher_entry_start_refresh (entry);
}

void
i2a_refresher_check_all (I2aRefresher *self)
{
  GList *entries;

  g_return_if_fail (I2A_IS_REFRESHER (self));
  /* _i2a_refresher_entry_start_refresh never changes the table, but keep the entries alive. */
  entries = g_hash_table_get_values (self->entries);
  g_list_foreach (entries, (GFunc) _i2a_refresher_entry_ref, NULL);
  for (GList *l = entries; l != NULL; l = l->next)
    {
      I2aRefresherEntry *entry = l->data;

      if (entry->self == NULL || entry->running ||
          i2a_account_get_state (entry->account) == I2A_ACCOUNT_STATE_NEEDS_LOGIN)
        continue;
      if (entry->retry_pending && i2a_account_get_state (entry->account) == I2A_ACCOUNT_STATE_ERROR)
        _i2a_refresher_entry_start_refresh (entry);  /* the network may be what was broken */
      else if (!entry->retry_pending)
        _i2a_refresher_entry_schedule (entry);       /* re-reads the wall clock */
    }
  g_list_free_full (entries, (GDestroyNotify) _i2a_refresher_entry_unref);
}
