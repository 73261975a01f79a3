/* i2a-refresher.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-refresher.c: the refresher object, its tunables and the table of
 * managed accounts (adopt, forget, lookups). When a refresh runs is in
 * i2a-refresher-schedule.c, the refresh itself in i2a-refresher-refresh.c. */
#define G_LOG_DOMAIN "i2a-refresher"

#include "config.h"

#include <string.h>

#include "i2a-refresher-private.h"

G_DEFINE_FINAL_TYPE (I2aRefresher, i2a_refresher, G_TYPE_OBJECT)

enum { REFRESHED, REFRESH_FAILED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* ---- entries ------------------------------------------------------------ */

I2aRefresherEntry *
_i2a_refresher_entry_ref (I2aRefresherEntry *entry)
{
  entry->ref_count++;
  return entry;
}

void
_i2a_refresher_entry_unref (I2aRefresherEntry *entry)
{
  if (--entry->ref_count > 0)
    return;
  g_assert (entry->waiters->len == 0);
  g_clear_handle_id (&entry->timer_id, g_source_remove);
  g_ptr_array_unref (entry->waiters);
  g_clear_object (&entry->cancellable);
  g_clear_object (&entry->account);
  i2a_account_secrets_free (entry->secrets);
  g_free (entry->id);
  g_free (entry);
}

void
_i2a_refresher_entry_complete_waiters (I2aRefresherEntry *entry,
                                       const GError      *error)
{
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&entry->waiters);

  entry->waiters = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < waiters->len; i++)
    {
      GTask *task = waiters->pdata[i];

      if (error)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_boolean (task, TRUE);
    }
}

/* Removed from the table: stop everything, tell whoever waits. */
static void
entry_detach (gpointer data)
{
  I2aRefresherEntry *entry = data;
  g_autoptr(GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                         "Account %s is no longer refreshed", entry->id);

  entry->self = NULL;
  g_cancellable_cancel (entry->cancellable);
  g_clear_handle_id (&entry->timer_id, g_source_remove);
  _i2a_refresher_entry_complete_waiters (entry, error);
  _i2a_refresher_entry_unref (entry);
}

I2aRefresherEntry *
_i2a_refresher_lookup_entry (I2aRefresher *self,
                             I2aAccount   *account)
{
  I2aRefresherEntry *entry = g_hash_table_lookup (self->entries, i2a_account_get_id (account));

  /* A reload may have made a new object for the same id: follow it. */
  if (entry != NULL && entry->account != account)
    g_set_object (&entry->account, account);
  return entry;
}

/* The signals are registered here; the refresh in its own file emits them. */
void
_i2a_refresher_emit_refreshed (I2aRefresher *self,
                               I2aAccount   *account)
{
  g_signal_emit (self, signals[REFRESHED], 0, account);
}

void
_i2a_refresher_emit_refresh_failed (I2aRefresher *self,
                                    I2aAccount   *account,
                                    const GError *error)
{
  g_signal_emit (self, signals[REFRESH_FAILED], 0, account, error);
}

/* ---- object ------------------------------------------------------------- */

static void
i2a_refresher_dispose (GObject *object)
{
  I2aRefresher *self = I2A_REFRESHER (object);

  _i2a_refresher_unwatch_wakeups (self);
  if (self->entries)
    g_hash_table_remove_all (self->entries);

  G_OBJECT_CLASS (i2a_refresher_parent_class)->dispose (object);
}

static void
i2a_refresher_finalize (GObject *object)
{
  I2aRefresher *self = I2A_REFRESHER (object);

  g_clear_pointer (&self->entries, g_hash_table_unref);
  g_clear_object (&self->client);
  g_clear_object (&self->store);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (i2a_refresher_parent_class)->finalize (object);
}

static void
i2a_refresher_class_init (I2aRefresherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = i2a_refresher_dispose;
  object_class->finalize = i2a_refresher_finalize;

  signals[REFRESHED] = g_signal_new ("refreshed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 1, I2A_TYPE_ACCOUNT);
  signals[REFRESH_FAILED] = g_signal_new ("refresh-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                          I2A_TYPE_ACCOUNT, G_TYPE_ERROR);
}

static void
i2a_refresher_init (I2aRefresher *self)
{
  const char *env = g_getenv (I2A_REFRESHER_BASE_DELAY_ENV);

  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, entry_detach);
  self->lead_seconds = I2A_REFRESHER_DEFAULT_LEAD_SECONDS;
  self->base_delay_ms = I2A_REFRESHER_DEFAULT_BASE_DELAY_MS;
  self->max_delay_ms = I2A_REFRESHER_DEFAULT_MAX_DELAY_MS;
  self->max_tries = I2A_REFRESHER_DEFAULT_MAX_TRIES;
  self->check_seconds = I2A_REFRESHER_DEFAULT_CHECK_SECONDS;
  self->cancellable = g_cancellable_new ();
  if (env != NULL && g_ascii_strtoull (env, NULL, 10) > 0)
    self->base_delay_ms = (guint) MIN (g_ascii_strtoull (env, NULL, 10), G_MAXUINT / 2);
}

I2aRefresher *
i2a_refresher_new (I2aOAuthClient *client,
                   I2aSecretStore *store)
{
  I2aRefresher *self;

  g_return_val_if_fail (I2A_IS_OAUTH_CLIENT (client), NULL);

  self = g_object_new (I2A_TYPE_REFRESHER, NULL);
  self->client = g_object_ref (client);
  self->store = store ? g_object_ref (store) : NULL;
  _i2a_refresher_watch_wakeups (self);
  return self;
}

I2aOAuthClient *
i2a_refresher_get_client (I2aRefresher *self)
{
  g_return_val_if_fail (I2A_IS_REFRESHER (self), NULL);
  return self->client;
}

void
i2a_refresher_set_lead_seconds (I2aRefresher *self,
                                gint64        seconds)
{
  g_return_if_fail (I2A_IS_REFRESHER (self));
  self->lead_seconds = MAX (seconds, 0);
  i2a_refresher_check_all (self);
}

void
i2a_refresher_set_backoff (I2aRefresher *self,
                           guint         base_delay_ms,
                           guint         max_delay_ms,
                           guint         max_tries)
{
  g_return_if_fail (I2A_IS_REFRESHER (self));
  self->base_delay_ms = MAX (base_delay_ms, 1);
  self->max_delay_ms = MAX (max_delay_ms, self->base_delay_ms);
  self->max_tries = max_tries;
}

void
i2a_refresher_set_check_interval (I2aRefresher *self,
                                  guint         seconds)
{
  g_return_if_fail (I2A_IS_REFRESHER (self));
  self->check_seconds = MAX (seconds, 1);
  i2a_refresher_check_all (self);
}

void
i2a_refresher_set_clock_offset (I2aRefresher *self,
                                gint64        seconds)
{
  g_return_if_fail (I2A_IS_REFRESHER (self));
  self->clock_offset = seconds;
}

void
i2a_refresher_adopt (I2aRefresher            *self,
                     I2aAccount              *account,
                     const I2aAccountSecrets *secrets,
                     gint64                   obtained_at)
{
  I2aRefresherEntry *entry;

  g_return_if_fail (I2A_IS_REFRESHER (self));
  g_return_if_fail (I2A_IS_ACCOUNT (account));
  g_return_if_fail (secrets != NULL);

  entry = g_new0 (I2aRefresherEntry, 1);
  entry->ref_count = 1;
  entry->self = self;
  entry->id = g_strdup (i2a_account_get_id (account));
  entry->account = g_object_ref (account);
  entry->secrets = i2a_account_secrets_copy (secrets);
  entry->obtained_at = obtained_at;
  entry->key_expires_at = secrets->expires_at;
  entry->waiters = g_ptr_array_new_with_free_func (g_object_unref);
  entry->cancellable = g_cancellable_new ();
  /* A new login replaces the old entry (its refresh, its waiters). */
  g_hash_table_replace (self->entries, entry->id, entry);

  g_object_freeze_notify (G_OBJECT (account));
  if (secrets->api_key != NULL)
    i2a_account_set_api_key (account, secrets->api_key);
  i2a_account_set_expires_at (account, secrets->expires_at);
  /* A new login has none; credentials from the keyring bring theirs. */
  i2a_account_set_refresh_failures (account, secrets->refresh_failures);
  i2a_account_set_last_refresh_error (account, secrets->last_refresh_error);
  if (obtained_at > 0)
    {
      entry->secrets->refreshed_at = obtained_at;
      i2a_account_set_last_refresh (account, obtained_at);
    }
  i2a_account_set_state (account, I2A_ACCOUNT_STATE_OK);
  g_object_thaw_notify (G_OBJECT (account));
  /* Requests that started before now used another key. */
  if (secrets->api_key != NULL)
    entry->refreshed_mono = g_get_monotonic_time ();
  else
    entry->need_user_info = secrets->access_token != NULL;
  _i2a_refresher_entry_schedule (entry);
}

void
i2a_refresher_forget (I2aRefresher *self,
                      const char   *account_id)
{
  g_return_if_fail (I2A_IS_REFRESHER (self));
  g_hash_table_remove (self->entries, account_id);
}

gboolean
i2a_refresher_manages (I2aRefresher *self,
                       I2aAccount   *account)
{
  g_return_val_if_fail (I2A_IS_REFRESHER (self), FALSE);
  return g_hash_table_contains (self->entries, i2a_account_get_id (account));
}

I2aAccount *
i2a_refresher_lookup (I2aRefresher *self,
                      const char   *account_id)
{
  I2aRefresherEntry *entry;

  g_return_val_if_fail (I2A_IS_REFRESHER (self), NULL);
  entry = g_hash_table_lookup (self->entries, account_id);
  return entry ? entry->account : NULL;
}

static gint
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

GStrv
i2a_refresher_dup_account_ids (I2aRefresher *self)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  g_return_val_if_fail (I2A_IS_REFRESHER (self), NULL);
  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (ids, g_strdup (key));
  g_ptr_array_sort (ids, compare_strings);
  g_ptr_array_add (ids, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&ids), FALSE);
}

I2aAccountSecrets *
i2a_refresher_dup_secrets (I2aRefresher *self,
                           const char   *account_id)
{
  I2aRefresherEntry *entry;

  g_return_val_if_fail (I2A_IS_REFRESHER (self), NULL);
  entry = g_hash_table_lookup (self->entries, account_id);
  return entry ? i2a_account_secrets_copy (entry->secrets) : NULL;
}
