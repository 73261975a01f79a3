/* i2a-dispatch.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-dispatch.h: the pool's side of one client request.
 *
 * The server asks for an account, makes one upstream attempt with it, and
 * reports the outcome; on a retryable failure before the first byte reached
 * the client it may ask again (failover). The account's in-flight slot is
 * held from acquire until release, streaming body included. */
#pragma once

#include <gio/gio.h>

#include "i2a-account.h"
#include "i2a-api-error.h"

G_BEGIN_DECLS

#define I2A_TYPE_DISPATCH (i2a_dispatch_get_type ())
G_DECLARE_FINAL_TYPE (I2aDispatch, i2a_dispatch, I2A, DISPATCH, GObject)

/* Before the first acquire: the model the client asked for (aliases
 * apply; only accounts serving it are picked; 404 model_not_found when
 * none does) and the conversation's session key (i2a_routing_session_key;
 * NULL: not sticky). @follow FALSE only records where the conversation
 * went (its first turn); TRUE also goes there again. Every front door
 * passes through here, so each gets aliases, fallbacks and sticky
 * sessions. */
void         i2a_dispatch_set_request    (I2aDispatch         *self,
                                          const char          *model,
                                          const char          *session_key,
                                          gboolean             follow);
/* The model to ask of the upstream in the next attempt (the alias target,
 * or a fallback); NULL when no model was set. */
const char  *i2a_dispatch_get_model      (I2aDispatch         *self);

/* Waits (FIFO, bounded) when every eligible account is at its limit. */
void         i2a_dispatch_acquire_async  (I2aDispatch         *self,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
/* Transfer full. NULL with @error: 401 not logged in, 429 queue full or
 * wait expired (retry_after set), 503 every circuit open (retry_after =
 * seconds until the first closes) or every account disabled, 499 when
 * @cancellable fired while waiting (the request left the queue). */
I2aAccount  *i2a_dispatch_acquire_finish (I2aDispatch         *self,
                                          GAsyncResult        *result,
                                          I2aApiError        **error);
/* End the current attempt: NULL outcome = success. Frees the slot. */
void         i2a_dispatch_release        (I2aDispatch         *self,
                                          const I2aApiError   *outcome);
/* After release with a failure: is another attempt allowed? */
gboolean     i2a_dispatch_should_retry   (I2aDispatch         *self,
                                          const I2aApiError   *outcome);
guint        i2a_dispatch_get_backoff_ms (I2aDispatch         *self);
/* resilience.retry_status_codes of the config in force (guint; transfer
 * none), for i2a_upstream_error_classify. */
GArray      *i2a_dispatch_get_retry_status_codes (I2aDispatch *self);

/* The client key's id for logs and the ledger ("label" or "key-<hash>");
 * NULL for a request without a configured client key. */
const char  *i2a_dispatch_get_client_key_id (I2aDispatch *self);

G_END_DECLS
