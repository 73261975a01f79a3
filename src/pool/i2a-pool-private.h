/* i2a-pool-private.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-pool-private.h: what the pool's own files share (i2a-pool.c: object,
 * config and reload; i2a-dispatch.c: selection, queue, circuit breaker;
 * i2a-pool-store.c: writing keys.json). Not for other subsystems. */
#pragma once

#include "i2a-pool.h"

G_BEGIN_DECLS

struct _I2aPool
{
  GObject         parent_instance;

  I2aCliSettings *cli;
  I2aAccount     *cli_account;    /* serves when no account is configured */
  GPtrArray      *accounts;       /* I2aAccount: the list model's items */
  I2aKeysConfig  *config;         /* never NULL */
  guint           all_cursor;     /* rotation when no route applies */

  /* keys.json */
  char           *path;           /* NULL: CLI login only */
  GFileMonitor   *monitor;
  guint           reload_id;      /* debounce */
  GCancellable   *load_cancellable;
  gboolean        loaded;
  GError         *load_error;     /* the file on disk is rejected */
  gboolean        exposed;        /* listening beyond loopback */

  /* requests waiting for a free slot, oldest first (Waiter *) */
  GQueue          waiters;
  guint           circuit_timer;

  /* writes (i2a-pool-store.c) */
  gboolean        writing;
  char           *pending_write;
  GPtrArray      *written_etags; /* etags of our last writes of keys.json */
  GPtrArray      *flush_tasks;

  /* OAuth refresh (i2a-refresher.h), used by the dispatch */
  I2aRefresher   *refresher;
};

/* Circuit and slot state kept on each account (object data), so a request
 * still running on an account removed by a reload can release cleanly. */
typedef struct
{
  gint64    open_until;   /* monotonic µs; 0 = closed */
  gboolean  trial_active; /* half-open: the one trial is running */
} I2aPoolSlot;

I2aPoolSlot *_i2a_pool_slot              (I2aAccount    *account);

I2aDispatch *_i2a_dispatch_new           (I2aPool       *pool,
                                          I2aKeysConfig *config,
                                          I2aKeysRoute  *route);
/* Re-examine waiters after anything that can free capacity. */
void         _i2a_pool_kick_queue        (I2aPool       *self);
/* Arm the timer for the next circuit to leave its cool-down. */
void         _i2a_pool_schedule_circuit_timer (I2aPool  *self);
/* Fail every waiter (dispose). */
void         _i2a_pool_fail_waiters      (I2aPool       *self);
void         _i2a_pool_emit_changed      (I2aPool       *self);
/* "limits" of a client key's route: a 429 (with retry_after) when over. */
I2aApiError *_i2a_pool_check_key_limits  (I2aPool       *self,
                                          I2aKeysRoute  *route);
void         _i2a_pool_emit_quota_exhausted (I2aPool    *self,
                                             const char *key_id,
                                             guint       resets_in);
void         _i2a_pool_notify_queue      (I2aPool       *self);
void         _i2a_pool_emit_token_expired (I2aPool      *self,
                                           I2aAccount   *account);

/* Replace the configuration (reload or edit). FALSE (and a warning) when
 * refused. */
gboolean     _i2a_pool_apply_config      (I2aPool       *self,
                                          I2aKeysConfig *config,
                                          GError       **error);
/* Loads that finish while a write of ours is pending are ignored. */
gboolean     _i2a_pool_store_busy        (I2aPool       *self);
/* TRUE when @etag is the file as one of our recent writes left it. */
gboolean     _i2a_pool_store_wrote       (I2aPool       *self,
                                          const char    *etag);
void         _i2a_pool_store_dispose     (I2aPool       *self);

G_END_DECLS
