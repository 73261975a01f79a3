/* i2a-refresher.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-refresher.h: keeps OAuth accounts' apiKeys fresh.
 *
 * Each adopted account gets a GLib timeout for "expiry minus lead" (lead =
 * 24 h, or half the token lifetime when that is shorter). A refresh is the
 * refresh grant, then getUserInfo for the new apiKey (the access token is
 * never used as the chat key),
 * then a swap of the key on the live I2aAccount (requests in flight keep
 * the key they captured) and a write of every secret to the keyring.
 *
 * GLib timeouts run on the monotonic clock, which stops during suspend, so
 * the wall clock is checked again before forwarding a request
 * (i2a_refresher_ensure_fresh_async, called by the dispatch), on
 * GNetworkMonitor::network-changed, on logind's resume signal, and at least
 * every check interval. There is at most one refresh per account at a
 * time; everybody who asks while it runs waits for that one.
 *
 * Failures: transient ones (HTTP 200 {"success":false}, 5xx, timeouts) are
 * retried with exponential backoff (base delay doubling up to the maximum,
 * then at the maximum while the old key has not expired); invalid_grant
 * puts the account in the needs-login state (excluded from routing). The
 * account's state, expires-at, last-refresh, refresh-failures and
 * last-refresh-error properties say what happened; never a secret.
 *
 * Signals: "refreshed" (I2aAccount *) after a new key is in place,
 * "refresh-failed" (I2aAccount *, GError *) after every failed try. */
#pragma once

#include <gio/gio.h>

#include "i2a-account.h"
#include "i2a-oauth-client.h"
#include "i2a-secret-store.h"

G_BEGIN_DECLS

#define I2A_REFRESHER_DEFAULT_LEAD_SECONDS   (24 * 60 * 60)
#define I2A_REFRESHER_DEFAULT_BASE_DELAY_MS  (30 * 1000)
#define I2A_REFRESHER_DEFAULT_MAX_DELAY_MS   (5 * 60 * 1000)
#define I2A_REFRESHER_DEFAULT_MAX_TRIES      5
#define I2A_REFRESHER_DEFAULT_CHECK_SECONDS  (6 * 60 * 60)
/* A key younger than this is not refreshed again on "token expired":
 * the failing request most likely still carried the previous key. */
#define I2A_REFRESHER_RECENT_SECONDS         30
/* $IFLOW2API_REFRESH_BASE_DELAY_MS overrides the base delay (tests). */
#define I2A_REFRESHER_BASE_DELAY_ENV         "IFLOW2API_REFRESH_BASE_DELAY_MS"

#define I2A_TYPE_REFRESHER (i2a_refresher_get_type ())
G_DECLARE_FINAL_TYPE (I2aRefresher, i2a_refresher, I2A, REFRESHER, GObject)

/* @store NULL: refreshed secrets stay in memory only (a warning says so). */
I2aRefresher *i2a_refresher_new                (I2aOAuthClient          *client,
                                                I2aSecretStore          *store);
I2aOAuthClient *i2a_refresher_get_client       (I2aRefresher            *self);

/* Tunables; tests shorten them. */
void          i2a_refresher_set_lead_seconds   (I2aRefresher            *self,
                                                gint64                   seconds);
void          i2a_refresher_set_backoff        (I2aRefresher            *self,
                                                guint                    base_delay_ms,
                                                guint                    max_delay_ms,
                                                guint                    max_tries);
void          i2a_refresher_set_check_interval (I2aRefresher            *self,
                                                guint                    seconds);
/* Tests: the wall clock as the refresher sees it runs @seconds ahead, with
 * no timer noticing: what a suspend looks like. */
void          i2a_refresher_set_clock_offset   (I2aRefresher            *self,
                                                gint64                   seconds);

/* Manage @account's key from now on with @secrets (copied): sets the key,
 * expires-at and state on the account and schedules the refresh.
 * @obtained_at: wall-clock unix seconds when the tokens were issued (0 =
 * unknown: the lifetime, and so a shorter lead, cannot be known). Adopting
 * an id again replaces the previous entry (a new login). */
void          i2a_refresher_adopt              (I2aRefresher            *self,
                                                I2aAccount              *account,
                                                const I2aAccountSecrets *secrets,
                                                gint64                   obtained_at);
/* Stop managing the account (logout, removed from keys.json). */
void          i2a_refresher_forget             (I2aRefresher            *self,
                                                const char              *account_id);
gboolean      i2a_refresher_manages            (I2aRefresher            *self,
                                                I2aAccount              *account);
/* The live account object for @account_id (transfer none), or NULL. */
I2aAccount   *i2a_refresher_lookup             (I2aRefresher            *self,
                                                const char              *account_id);
/* Ids of the managed accounts, sorted. */
GStrv         i2a_refresher_dup_account_ids    (I2aRefresher            *self);
/* Copy of the secrets in force (transfer full), or NULL. */
I2aAccountSecrets *i2a_refresher_dup_secrets   (I2aRefresher            *self,
                                                const char              *account_id);

/* Keyring writes are pending (shutdown and tests wait for them). */
gboolean      i2a_refresher_is_saving          (I2aRefresher            *self);

/* Wall clock says the key must be refreshed now. */
gboolean      i2a_refresher_is_due             (I2aRefresher            *self,
                                                I2aAccount              *account);
/* TRUE when a caller of ensure_fresh would have to wait (due, or a
 * refresh is running). FALSE for accounts it does not manage. */
gboolean      i2a_refresher_needs_wait         (I2aRefresher            *self,
                                                I2aAccount              *account);

/* Before forwarding a request: when due, refresh first, or join the
 * refresh already running. @rejected_since > 0 (monotonic µs) says the
 * upstream rejected the key captured at that time as expired: refresh
 * then too, unless the key was replaced after that time (the retry simply
 * uses the newer key). Completes at once otherwise, and also while a
 * failed refresh waits for its next try (the old key is used).
 * finish() is FALSE only when the account cannot be used any more
 * (needs-login: I2A_ERROR_OAUTH_INVALID_GRANT) or on cancellation. */
void          i2a_refresher_ensure_fresh_async  (I2aRefresher           *self,
                                                 I2aAccount             *account,
                                                 gint64                  rejected_since,
                                                 GCancellable           *cancellable,
                                                 GAsyncReadyCallback     callback,
                                                 gpointer                user_data);
gboolean      i2a_refresher_ensure_fresh_finish (I2aRefresher           *self,
                                                 GAsyncResult           *result,
                                                 GError                **error);

/* Refresh now regardless of the schedule (fire and forget; nothing when
 * one runs, a failed one waits for its retry, or the key is younger than
 * I2A_REFRESHER_RECENT_SECONDS). For "token expired" answers and the UI. */
void          i2a_refresher_refresh_now        (I2aRefresher            *self,
                                                I2aAccount              *account);
/* Re-check every account against the wall clock (resume, network). */
void          i2a_refresher_check_all          (I2aRefresher            *self);

G_END_DECLS
