#define G_LOG_DOMAIN "i2a-refresher"

#include "config.h"

#include <string.h>

#include "i2a-error.h"
#include "i2a-refresher.h"

#define MAX_ERROR_CHARS     180
#define NETWORK_SETTLE_MS   2000

typedef struct
{
  gint               ref_count;
  I2aRefresher      *self;            /* NULL once forgotten */
  char              *id;
  I2aAccount        *account;
  I2aAccountSecrets *secrets;
  gint64             obtained_at;     /* wall s the tokens were issued; 0 = unknown */
  gint64             key_expires_at;  /* expiry in force when the apiKey was issued */
  gint64             refreshed_mono;  /* monotonic µs of the last success */
  guint              timer_id;
  guint              tries;           /* consecutive failed tries */
  gboolean           running;
  gboolean           retry_pending;   /* a failed try waits for its next one */
  gboolean           need_user_info;  /* new tokens, apiKey not fetched yet */
  GPtrArray         *waiters;         /* GTask */
  GCancellable      *cancellable;
} Entry;

struct _I2aRefresher
{
  GObject          parent_instance;

  I2aOAuthClient  *client;
  I2aSecretStore  *store;
  GHashTable      *entries;          /* id -> Entry */

  gint64           lead_seconds;
  guint            base_delay_ms;
  guint            max_delay_ms;
  guint            max_tries;
  guint            check_seconds;
  gint64           clock_offset;     /* tests: simulated suspend */

  GNetworkMonitor *network;
  gulong           network_handler;
  guint            network_idle;
  GCancellable    *cancellable;      /* the system bus lookup */
  guint            n_saving;         /* keyring writes in flight */
  GDBusConnection *system_bus;
  guint            sleep_subscription;
};

G_DEFINE_FINAL_TYPE (I2aRefresher, i2a_refresher, G_TYPE_OBJECT)

enum { REFRESHED, REFRESH_FAILED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void start_refresh (Entry *entry);
static void schedule (Entry *entry);

static gint64
now_wall (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* The wall clock as the schedule sees it (tests shift it). */
static gint64
clock_now (I2aRefresher *self)
{
  return now_wall () + self->clock_offset;
}

/* ---- entries ------------------------------------------------------------ */

static Entry *
entry_ref (Entry *entry)
{
  entry->ref_count++;
  return entry;
}

static void
entry_unref (Entry *entry)
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

static void
complete_waiters (Entry        *entry,
                  const GError *error)
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
  Entry *entry = data;
  g_autoptr(GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                         "Account %s is no longer refreshed", entry->id);

  entry->self = NULL;
  g_cancellable_cancel (entry->cancellable);
  g_clear_handle_id (&entry->timer_id, g_source_remove);
  complete_waiters (entry, error);
  entry_unref (entry);
}

static Entry *
lookup_entry (I2aRefresher *self,
              I2aAccount   *account)
{
  Entry *entry = g_hash_table_lookup (self->entries, i2a_account_get_id (account));

  /* A reload may have made a new object for the same id: follow it. */
  if (entry != NULL && entry->account != account)
    g_set_object (&entry->account, account);
  return entry;
}

/* ---- schedule ----------------------------------------------------------- */

/* Wall-clock second at which the key should be refreshed. */
static gint64
due_time (I2aRefresher *self,
          Entry        *entry)
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
entry_is_due (I2aRefresher *self,
              Entry        *entry)
{
  return clock_now (self) >= due_time (self, entry);
}

static gboolean
timer_cb (gpointer user_data)
{
  Entry *entry = user_data;

  entry->timer_id = 0;
  if (entry->retry_pending || entry_is_due (entry->self, entry))
    start_refresh (entry);
  else
    schedule (entry);  /* woke early: this was a periodic check */
  return G_SOURCE_REMOVE;
}

static void
arm_timer (Entry *entry,
           guint  delay_ms)
{
  g_clear_handle_id (&entry->timer_id, g_source_remove);
  entry->timer_id = g_timeout_add (delay_ms, timer_cb, entry);
}

/* Next regular refresh, from the wall clock. */
static void
schedule (Entry *entry)
{
  I2aRefresher *self = entry->self;
  gint64 delay;

  g_clear_handle_id (&entry->timer_id, g_source_remove);
  if (entry->running || i2a_account_get_state (entry->account) == I2A_ACCOUNT_STATE_NEEDS_LOGIN)
    return;
  delay = due_time (self, entry) - clock_now (self);
  if (delay <= 0)
    {
      start_refresh (entry);
      return;
    }
  /* Wake at least every check interval to look at the wall clock again
   * (a monotonic timer falls behind across suspend). */
  delay = MIN (delay, (gint64) self->check_seconds);
  g_debug ("Account %s: next refresh check in %" G_GINT64_FORMAT " s", entry->id, delay);
  arm_timer (entry, (guint) (delay * 1000));
}

/* ---- the refresh -------------------------------------------------------- */

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
store_secrets (Entry    *entry,
               gboolean  tokens_changed)
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
fail_try (Entry  *entry,
          GError *error)
{
  I2aRefresher *self = entry->self;
  I2aAccount *account = entry->account;
  g_autofree char *message = g_utf8_substring (error->message, 0,
                                               MIN (g_utf8_strlen (error->message, -1), MAX_ERROR_CHARS));
  gboolean key_valid = entry->key_expires_at <= 0 || clock_now (self) < entry->key_expires_at;
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
      i2a_oauth_wipe_free (g_steal_pointer (&entry->secrets->refresh_token));
      store_secrets (entry, had_token);
      complete_waiters (entry, error);
      g_signal_emit (self, signals[REFRESH_FAILED], 0, account, error);
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
  arm_timer (entry, delay);
  /* New tokens without their apiKey must survive a restart too: the
   * refresh token used for them may be dead now (protocol §8 item 9). */
  store_secrets (entry, entry->need_user_info);
  complete_waiters (entry, NULL);
  g_signal_emit (self, signals[REFRESH_FAILED], 0, account, error);
}

static void
succeed (Entry            *entry,
         I2aOAuthUserInfo *info)
{
  I2aRefresher *self = entry->self;
  I2aAccount *account = entry->account;

  i2a_oauth_wipe_free (entry->secrets->api_key);
  entry->secrets->api_key = g_strdup (info->api_key);
  entry->need_user_info = FALSE;
  entry->running = FALSE;
  entry->retry_pending = FALSE;
  entry->tries = 0;
  entry->key_expires_at = entry->secrets->expires_at;
  entry->refreshed_mono = g_get_monotonic_time ();
  entry->secrets->refreshed_at = now_wall ();
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
  complete_waiters (entry, NULL);
  schedule (entry);
  g_signal_emit (self, signals[REFRESHED], 0, account);
}

static void
user_info_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Entry *entry = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(I2aOAuthUserInfo) info = i2a_oauth_client_get_user_info_finish (I2A_OAUTH_CLIENT (source),
                                                                             result, &error);

  if (entry->self == NULL)
    {
      entry_unref (entry);
      return;
    }
  if (info == NULL)
    fail_try (entry, error);  /* also saves the new tokens */
  else
    succeed (entry, info);
  entry_unref (entry);
}

static void
fetch_user_info (Entry *entry)
{
  i2a_oauth_client_get_user_info_async (entry->self->client, entry->secrets->access_token,
                                        entry->cancellable, user_info_cb, entry_ref (entry));
}

static void
refresh_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Entry *entry = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(I2aOAuthTokens) tokens = i2a_oauth_client_refresh_finish (I2A_OAUTH_CLIENT (source),
                                                                      result, &error);

  if (entry->self == NULL)
    {
      entry_unref (entry);
      return;
    }
  if (tokens == NULL)
    {
      fail_try (entry, error);
      entry_unref (entry);
      return;
    }

  i2a_oauth_wipe_free (entry->secrets->access_token);
  entry->secrets->access_token = g_steal_pointer (&tokens->access_token);
  /* The client hands back the old refresh token when none rotated. */
  if (tokens->refresh_token != NULL)
    {
      i2a_oauth_wipe_free (entry->secrets->refresh_token);
      entry->secrets->refresh_token = g_steal_pointer (&tokens->refresh_token);
    }
  entry->secrets->expires_at = tokens->expires_at;
  entry->obtained_at = now_wall ();
  entry->need_user_info = TRUE;
  fetch_user_info (entry);
  entry_unref (entry);
}

static void
start_refresh (Entry *entry)
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
                                    entry->cancellable, refresh_cb, entry_ref (entry));
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

/* ---- object ------------------------------------------------------------- */

static void
i2a_refresher_dispose (GObject *object)
{
  I2aRefresher *self = I2A_REFRESHER (object);

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
  self->network = g_network_monitor_get_default ();
  self->network_handler = g_signal_connect (self->network, "network-changed",
                                            G_CALLBACK (network_changed_cb), self);
  g_bus_get (G_BUS_TYPE_SYSTEM, self->cancellable, system_bus_cb, self);
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
  Entry *entry;

  g_return_if_fail (I2A_IS_REFRESHER (self));
  g_return_if_fail (I2A_IS_ACCOUNT (account));
  g_return_if_fail (secrets != NULL);

  entry = g_new0 (Entry, 1);
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
  schedule (entry);
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
  Entry *entry;

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
  Entry *entry;

  g_return_val_if_fail (I2A_IS_REFRESHER (self), NULL);
  entry = g_hash_table_lookup (self->entries, account_id);
  return entry ? i2a_account_secrets_copy (entry->secrets) : NULL;
}

gboolean
i2a_refresher_is_due (I2aRefresher *self,
                      I2aAccount   *account)
{
  Entry *entry;

  g_return_val_if_fail (I2A_IS_REFRESHER (self), FALSE);
  entry = lookup_entry (self, account);
  return entry != NULL && entry_is_due (self, entry);
}

gboolean
i2a_refresher_needs_wait (I2aRefresher *self,
                          I2aAccount   *account)
{
  Entry *entry;

  g_return_val_if_fail (I2A_IS_REFRESHER (self), FALSE);
  entry = lookup_entry (self, account);
  if (entry == NULL)
    return FALSE;
  return entry->running || (!entry->retry_pending && entry_is_due (self, entry));
}

static gboolean
recently_refreshed (Entry *entry)
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
  Entry *entry;

  g_return_if_fail (I2A_IS_REFRESHER (self));
  g_return_if_fail (I2A_IS_ACCOUNT (account));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, i2a_refresher_ensure_fresh_async);
  entry = lookup_entry (self, account);
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
      start_refresh (entry);
      /* start_refresh may fail at once (no refresh token). */
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
  Entry *entry;

  g_return_if_fail (I2A_IS_REFRESHER (self));
  entry = lookup_entry (self, account);
  if (entry == NULL || entry->running || entry->retry_pending || recently_refreshed (entry) ||
      i2a_account_get_state (account) == I2A_ACCOUNT_STATE_NEEDS_LOGIN)
    return;
  start_refresh (entry);
}

void
i2a_refresher_check_all (I2aRefresher *self)
{
  GList *entries;

  g_return_if_fail (I2A_IS_REFRESHER (self));
  /* start_refresh never changes the table, but keep the entries alive. */
  entries = g_hash_table_get_values (self->entries);
  g_list_foreach (entries, (GFunc) entry_ref, NULL);
  for (GList *l = entries; l != NULL; l = l->next)
    {
      Entry *entry = l->data;

      if (entry->self == NULL || entry->running ||
          i2a_account_get_state (entry->account) == I2A_ACCOUNT_STATE_NEEDS_LOGIN)
        continue;
      if (entry->retry_pending && i2a_account_get_state (entry->account) == I2A_ACCOUNT_STATE_ERROR)
        start_refresh (entry);  /* the network may be what was broken */
      else if (!entry->retry_pending)
        schedule (entry);       /* re-reads the wall clock */
    }
  g_list_free_full (entries, (GDestroyNotify) entry_unref);
}
