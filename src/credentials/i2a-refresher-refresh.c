/* i2a-refresher-refresh.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-refresher-refresh.c: one refresh of one account: the refresh grant,
 * getUserInfo for the new apiKey, the swap on the live account, the
 * keyring write, and on failure the classification (invalid_grant: needs
 * login; anything else: retry with backoff). When it runs is decided in
 * i2a-refresher-schedule.c. */
#define G_LOG_DOMAIN "i2a-refresher"

#include "config.h"

#include "i2a-util.h"
#include "i2a-error.h"
#include "i2a-refresher-private.h"

/* Errors end up in the UI and `iflow2api accounts`: keep them a line. */
#define MAX_ERROR_CHARS     180

/* Keyring writes. I2aSecretStore runs them one at a time in the order
 * they are asked (libsecret's file backend, used inside Flatpak, cannot
 * take overlapping writes), so each write simply snapshots the secrets
 * in force and the newest one lands last. */
typedef struct
{
  I2aRefresher *self;
  char         *id;
} SaveData;

static void
store_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  SaveData *data = user_data;
  g_autoptr(GError) error = NULL;

  if (!i2a_secret_store_store_finish (I2A_SECRET_STORE (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Account %s: the refreshed credentials could not be saved in the keyring "
               "(they work until iflow2api exits): %s", data->id, error->message);
  data->self->n_saving--;
  g_object_unref (data->self);
  g_free (data->id);
  g_free (data);
}

/* @tokens_changed: FALSE when only the refresh status changed. */
static void
store_secrets (I2aRefresherEntry *entry,
               gboolean           tokens_changed)
{
  I2aRefresher *self = entry->self;
  g_autofree char *label = NULL;
  const char *name;
  SaveData *data;

  if (self->store == NULL)
    {
      if (tokens_changed)
        g_warning ("Account %s: no keyring; refreshed credentials are kept in memory only", entry->id);
      return;
    }
  name = i2a_account_get_label (entry->account);
  if (name == NULL || *name == '\0')
    name = i2a_account_get_email (entry->account);
  label = g_strdup_printf ("iflow2api account %s", name && *name ? name : entry->id);
  data = g_new0 (SaveData, 1);
  data->self = g_object_ref (self);
  data->id = g_strdup (entry->id);
  self->n_saving++;
  /* Never cancelled: a refreshed token must reach the keyring (and
   * libsecret 0.20.5 warns when a write is cancelled). */
  i2a_secret_store_store_async (self->store, entry->id, label, entry->secrets,
                                NULL, store_done_cb, data);
}

gboolean
i2a_refresher_is_saving (I2aRefresher *self)
{
  g_return_val_if_fail (I2A_IS_REFRESHER (self), FALSE);
  return self->n_saving > 0;
}

static void
fail_try (I2aRefresherEntry *entry,
          GError            *error)
{
  I2aRefresher *self = entry->self;
  I2aAccount *account = entry->account;
  g_autofree char *message = g_utf8_substring (error->message, 0,
                                               MIN (g_utf8_strlen (error->message, -1), MAX_ERROR_CHARS));
  gboolean key_valid = entry->key_expires_at <= 0 || _i2a_refresher_clock_now (self) < entry->key_expires_at;
  guint delay;

  entry->running = FALSE;
  entry->tries++;
  g_object_freeze_notify (G_OBJECT (account));
  i2a_account_set_refresh_failures (account, i2a_account_get_refresh_failures (account) + 1);
  i2a_account_set_last_refresh_error (account, message);
  /* Kept with the credentials for `iflow2api accounts` and the next start. */
  entry->secrets->refresh_failures = i2a_account_get_refresh_failures (account);
  g_free (entry->secrets->last_refresh_error);
  entry->secrets->last_refresh_error = g_strdup (message);

  if (g_error_matches (error, I2A_ERROR, I2A_ERROR_OAUTH_INVALID_GRANT))
    {
      gboolean had_token = entry->secrets->refresh_token != NULL;

      g_message ("Account %s needs a new login: %s", entry->id, message);
      i2a_account_set_state (account, I2A_ACCOUNT_STATE_NEEDS_LOGIN);
      g_object_thaw_notify (G_OBJECT (account));
      /* A dead refresh token is useless; dropping it from the keyring is
       * how "needs login" survives a restart (and shows in `accounts`). */
      i2a_secret_free (g_steal_pointer (&entry->secrets->refresh_token));
      store_secrets (entry, had_token);
      _i2a_refresher_entry_complete_waiters (entry, error);
      _i2a_refresher_emit_refresh_failed (self, account, error);
      return;
    }

  /* Transient (or unexpected): the old key keeps serving meanwhile. */
  if (entry->tries <= self->max_tries)
    delay = (guint) MIN ((guint64) self->base_delay_ms << MIN (entry->tries - 1, 20u),
                         (guint64) self->max_delay_ms);
  else if (key_valid)
    delay = self->max_delay_ms;
  else
    /* Key gone and the server keeps failing: stop hammering it; a request,
     * a network change or the periodic check tries again. */
    delay = (guint) MIN ((guint64) self->check_seconds * 1000, G_MAXUINT);
  i2a_account_set_state (account, key_valid ? I2A_ACCOUNT_STATE_OK : I2A_ACCOUNT_STATE_ERROR);
  g_object_thaw_notify (G_OBJECT (account));
  g_message ("Account %s: refresh try %u failed (%s); next try in %u ms",
             entry->id, entry->tries, message, delay);
  entry->retry_pending = TRUE;
  _i2a_refresher_entry_arm_timer (entry, delay);
  /* New tokens without their apiKey must survive a restart too: the
   * refresh token used for them may be dead now, and their apiKey can only
   * be fetched with the new access token. */
  store_secrets (entry, entry->need_user_info);
  _i2a_refresher_entry_complete_waiters (entry, NULL);
  _i2a_refresher_emit_refresh_failed (self, account, error);
}

static void
succeed (I2aRefresherEntry *entry,
         I2aOAuthUserInfo  *info)
{
  I2aRefresher *self = entry->self;
  I2aAccount *account = entry->account;

  i2a_secret_free (entry->secrets->api_key);
  entry->secrets->api_key = g_strdup (info->api_key);
  entry->need_user_info = FALSE;
  entry->running = FALSE;
  entry->retry_pending = FALSE;
  entry->tries = 0;
  entry->key_expires_at = entry->secrets->expires_at;
  entry->refreshed_mono = g_get_monotonic_time ();
  entry->secrets->refreshed_at = i2a_refresher_now_wall ();
  entry->secrets->refresh_failures = 0;
  g_clear_pointer (&entry->secrets->last_refresh_error, g_free);

  /* Requests already sent keep the key they captured; new ones get this. */
  g_object_freeze_notify (G_OBJECT (account));
  i2a_account_set_api_key (account, info->api_key);
  i2a_account_set_expires_at (account, entry->secrets->expires_at);
  i2a_account_set_last_refresh (account, entry->secrets->refreshed_at);
  i2a_account_set_refresh_failures (account, 0);
  i2a_account_set_last_refresh_error (account, NULL);
  i2a_account_set_state (account, I2A_ACCOUNT_STATE_OK);
  g_object_thaw_notify (G_OBJECT (account));
  g_message ("Account %s: key refreshed; expires at %" G_GINT64_FORMAT, entry->id, entry->secrets->expires_at);

  store_secrets (entry, TRUE);
  _i2a_refresher_entry_complete_waiters (entry, NULL);
  _i2a_refresher_entry_schedule (entry);
  _i2a_refresher_emit_refreshed (self, account);
}

static void
user_info_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  I2aRefresherEntry *entry = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(I2aOAuthUserInfo) info = i2a_oauth_client_get_user_info_finish (I2A_OAUTH_CLIENT (source),
                                                                             result, &error);

  if (entry->self == NULL)
    {
      _i2a_refresher_entry_unref (entry);
      return;
    }
  if (info == NULL)
    fail_try (entry, error);  /* also saves the new tokens */
  else
    succeed (entry, info);
  _i2a_refresher_entry_unref (entry);
}

static void
fetch_user_info (I2aRefresherEntry *entry)
{
  i2a_oauth_client_get_user_info_async (entry->self->client, entry->secrets->access_token,
                                        entry->cancellable, user_info_cb, _i2a_refresher_entry_ref (entry));
}

static void
refresh_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  I2aRefresherEntry *entry = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(I2aOAuthTokens) tokens = i2a_oauth_client_refresh_finish (I2A_OAUTH_CLIENT (source),
                                                                      result, &error);

  if (entry->self == NULL)
    {
      _i2a_refresher_entry_unref (entry);
      return;
    }
  if (tokens == NULL)
    {
      fail_try (entry, error);
      _i2a_refresher_entry_unref (entry);
      return;
    }

  i2a_secret_free (entry->secrets->access_token);
  entry->secrets->access_token = g_steal_pointer (&tokens->access_token);
  /* The client hands back the old refresh token when none rotated. */
  if (tokens->refresh_token != NULL)
    {
      i2a_secret_free (entry->secrets->refresh_token);
      entry->secrets->refresh_token = g_steal_pointer (&tokens->refresh_token);
    }
  entry->secrets->expires_at = tokens->expires_at;
  entry->obtained_at = i2a_refresher_now_wall ();
  entry->need_user_info = TRUE;
  fetch_user_info (entry);
  _i2a_refresher_entry_unref (entry);
}

void
_i2a_refresher_entry_start_refresh (I2aRefresherEntry *entry)
{
  I2aAccount *account = entry->account;

  if (entry->running)
    return;
  g_clear_handle_id (&entry->timer_id, g_source_remove);
  if (entry->secrets->refresh_token == NULL && !entry->need_user_info)
    {
      g_autoptr(GError) error = g_error_new (I2A_ERROR, I2A_ERROR_OAUTH_INVALID_GRANT,
                                             "No refresh token is stored for this account; log in again");
      entry->running = TRUE;
      fail_try (entry, error);
      return;
    }
  entry->running = TRUE;
  entry->retry_pending = FALSE;
  i2a_account_set_state (account, I2A_ACCOUNT_STATE_REFRESHING);
  g_debug ("Account %s: refreshing (try %u)", entry->id, entry->tries + 1);
  if (entry->need_user_info)
    fetch_user_info (entry);
  else
    i2a_oauth_client_refresh_async (entry->self->client, entry->secrets->refresh_token,
                                    entry->cancellable, refresh_cb, _i2a_refresher_entry_ref (entry));
}
