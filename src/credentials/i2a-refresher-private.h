/* i2a-refresher-private.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-refresher-private.h: what the refresher's own files share
 * (i2a-refresher.c: object, tunables and the table of managed accounts;
 * i2a-refresher-schedule.c: when to refresh: timers, wall-clock checks,
 * network/resume wake-ups and the requests' ensure_fresh gate;
 * i2a-refresher-refresh.c: one refresh: grant, getUserInfo, backoff
 * classification, keyring writes). Not for other subsystems. */
#pragma once

#include "i2a-refresher.h"

G_BEGIN_DECLS

/* One managed account. Refcounted because async callbacks outlive its
 * removal from the table (forget, a new login). */
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
} I2aRefresherEntry;

struct _I2aRefresher
{
  GObject          parent_instance;

  I2aOAuthClient  *client;
  I2aSecretStore  *store;
  GHashTable      *entries;          /* id -> I2aRefresherEntry */

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

static inline gint64
i2a_refresher_now_wall (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* i2a-refresher.c */
I2aRefresherEntry *_i2a_refresher_entry_ref         (I2aRefresherEntry *entry);
void               _i2a_refresher_entry_unref       (I2aRefresherEntry *entry);
void               _i2a_refresher_entry_complete_waiters (I2aRefresherEntry *entry,
                                                          const GError      *error);
I2aRefresherEntry *_i2a_refresher_lookup_entry      (I2aRefresher      *self,
                                                     I2aAccount        *account);
void               _i2a_refresher_emit_refreshed    (I2aRefresher      *self,
                                                     I2aAccount        *account);
void               _i2a_refresher_emit_refresh_failed (I2aRefresher    *self,
                                                       I2aAccount      *account,
                                                       const GError    *error);

/* i2a-refresher-schedule.c */
gint64             _i2a_refresher_clock_now         (I2aRefresher      *self);
void               _i2a_refresher_entry_schedule    (I2aRefresherEntry *entry);
void               _i2a_refresher_entry_arm_timer   (I2aRefresherEntry *entry,
                                                     guint              delay_ms);
void               _i2a_refresher_watch_wakeups     (I2aRefresher      *self);
void               _i2a_refresher_unwatch_wakeups   (I2aRefresher      *self);

/* i2a-refresher-refresh.c */
void               _i2a_refresher_entry_start_refresh (I2aRefresherEntry *entry);

G_END_DECLS
