/* i2a-pool.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-pool.h: the accounts behind the local endpoint.
 *
 * A GListModel of I2aAccount (items-changed when a reload adds or removes
 * accounts; each account notifies its own live state: in-flight, queued,
 * circuit, errors), so the UI can bind to it without polling.
 *
 * Accounts come from keys.json (i2a-keys-config.h), followed live: an edit
 * applies within a second or two, in-flight requests keep running, and the
 * same I2aAccount object is kept for an id that survives a reload. Without
 * keys.json, or with no accounts in it, the iFlow CLI's login
 * (~/.iflow/settings.json) is the single account.
 *
 * Signals: "config-reloaded" after a configuration is applied, "changed"
 * whenever anything the UI may show changed (config, circuits, queue),
 * "token-expired" (I2aAccount *) when an upstream says an account's key
 * expired (the OAuth refresher listens). Properties: "multi-account",
 * "auth-required", "config-path", "loaded", "queue-length". */
#pragma once

#include <json-glib/json-glib.h>

#include "i2a-account.h"
#include "i2a-cli-settings.h"
#include "i2a-dispatch.h"
#include "i2a-keys-config.h"
#include "i2a-ledger.h"
#include "i2a-refresher.h"

G_BEGIN_DECLS

#define I2A_TYPE_POOL (i2a_pool_get_type ())
G_DECLARE_FINAL_TYPE (I2aPool, i2a_pool, I2A, POOL, GObject)

/* The CLI login only; no keys.json is read. */
I2aPool        *i2a_pool_new              (I2aCliSettings  *cli);
/* With keys.json at @keys_path (NULL: i2a_keys_config_default_path ()).
 * Loads asynchronously ("loaded" turns TRUE) and follows changes. */
I2aPool        *i2a_pool_new_with_keys    (I2aCliSettings  *cli,
                                           const char      *keys_path);
I2aCliSettings *i2a_pool_get_cli_settings (I2aPool         *self);
/* NULL for i2a_pool_new (). */
const char     *i2a_pool_get_config_path  (I2aPool         *self);
gboolean        i2a_pool_is_loaded        (I2aPool         *self);
/* Why the file on disk is not in force (the last good config is), or NULL. */
const GError   *i2a_pool_get_load_error   (I2aPool         *self);
/* Re-read keys.json now (normally the file monitor does it). */
void            i2a_pool_reload           (I2aPool         *self);
/* The configuration in force (transfer none; ref it to keep it). */
I2aKeysConfig  *i2a_pool_get_config       (I2aPool         *self);
gboolean        i2a_pool_is_multi_account (I2aPool         *self);
gboolean        i2a_pool_get_auth_required (I2aPool        *self);
/* The server listens beyond loopback: refuse reloads and edits that would
 * drop required client auth. */
void            i2a_pool_set_exposed      (I2aPool         *self,
                                           gboolean         exposed);
/* OAuth accounts managed by @refresher (NULL: none) get a fresh
 * key before a request is forwarded (i2a_refresher_ensure_fresh_async), and
 * one retry on the same account after "token expired". */
void            i2a_pool_set_refresher    (I2aPool         *self,
                                           I2aRefresher    *refresher);
I2aRefresher   *i2a_pool_get_refresher    (I2aPool         *self);
/* The account of the iFlow CLI's own login (not in keys.json). */
#define I2A_CLI_ACCOUNT_ID "iflow-cli"

/* Transfer none; NULL when unknown; the CLI account is I2A_CLI_ACCOUNT_ID. */
I2aAccount     *i2a_pool_lookup_account   (I2aPool         *self,
                                           const char      *id);
guint           i2a_pool_get_queue_length (I2aPool         *self);
/* Seconds until the account's circuit closes; 0 when it is closed or
 * half-open (a trial may go through). */
guint           i2a_pool_get_circuit_open_for (I2aPool     *self,
                                               I2aAccount  *account);

/* The usage ledger (NULL: none): quotas and client key limits count from
 * it, and its retention follows keys.json "usage.retention_days". */
void            i2a_pool_set_ledger       (I2aPool         *self,
                                           I2aLedger       *ledger);
I2aLedger      *i2a_pool_get_ledger       (I2aPool         *self);
/* Seconds until the account's "quota" window has room again (at least 1);
 * 0 when it is within its quota. An account out of quota is not picked. */
guint           i2a_pool_get_quota_resets_in (I2aPool      *self,
                                              I2aAccount   *account);
/* Unix ms when the account has room again; 0 = now; G_MAXINT64 = once a
 * request in flight ends. */
gint64          i2a_pool_quota_free_at    (I2aPool         *self,
                                           I2aAccount      *account);

/* How requests with no route at all (no client key route, no
 * "default" in keys.json) pick among every account; least_busy unless set
 * (the desktop app's "default-strategy" setting). Applies to the next
 * request. */
void            i2a_pool_set_default_strategy (I2aPool     *self,
                                               I2aStrategy  strategy);
I2aStrategy     i2a_pool_get_default_strategy (I2aPool     *self);

/* Start routing one request. @token is the client's bearer token (may be
 * NULL). NULL with @error (401) when client auth rejects it. */
I2aDispatch    *i2a_pool_begin            (I2aPool         *self,
                                           const char      *token,
                                           I2aApiError    **error);
/* For endpoints other than chat (/debug/accounts): TRUE when auth is not
 * required or @token is a configured client key; else FALSE with a 401. */
gboolean        i2a_pool_check_client_token (I2aPool       *self,
                                             const char    *token,
                                             I2aApiError  **error);

/* Members for GET /health (status, iflow_logged_in, multi_account,
 * accounts_total, accounts_enabled, accounts_available). */
void            i2a_pool_add_health       (I2aPool         *self,
                                           JsonBuilder     *builder);

/* ---- editing keys.json (i2a-pool-store.c) ---------------------------------
 *
 * Each edit validates, applies at once in memory, and rewrites keys.json
 * atomically with mode 0600 in the background, keeping members it does not
 * know. Nothing is written that the caller did not pass: in particular an
 * account without "api_key" (keyring / OAuth) never gets one. Edits fail
 * while the file on disk is invalid (fix it first) or without a path. */
typedef struct
{
  const char *id;              /* add: NULL = next free "accN" */
  const char *label;           /* NULL = leave / none */
  const char *email;
  const char *auth_type;
  const char *base_url;        /* NULL = leave / default */
  const char *provider;        /* "iflow" | "openai"; NULL = leave / iflow */
  const char *api_key;         /* NULL = leave / none (secret) */
  gint        max_concurrency; /* -1 = leave / I2A_KEYS_DEFAULT_MAX_CONCURRENCY */
  gint        enabled;         /* -1 = leave / TRUE */
  gboolean    drop_api_key;    /* remove "api_key" (the key moved to the keyring) */
} I2aAccountSpec;

#define I2A_ACCOUNT_SPEC_INIT { NULL, NULL, NULL, NULL, NULL, NULL, NULL, -1, -1, FALSE }

/* Returns the new account's id. */
char           *i2a_pool_add_account      (I2aPool              *self,
                                           const I2aAccountSpec *spec,
                                           GError              **error);
/* Changes only the members @spec sets; @spec->id names the account. */
gboolean        i2a_pool_update_account   (I2aPool              *self,
                                           const I2aAccountSpec *spec,
                                           GError              **error);
/* "quota" of account @id: @window ("5h", "1d", "7d", …) NULL, or both
 * limits 0, removes it. */
gboolean        i2a_pool_set_account_quota (I2aPool             *self,
                                            const char          *id,
                                            gint64               requests,
                                            gint64               tokens,
                                            const char          *window,
                                            GError             **error);
/* Also drops it from every route (a route left empty is removed). */
gboolean        i2a_pool_remove_account   (I2aPool              *self,
                                           const char           *id,
                                           GError              **error);
gboolean        i2a_pool_set_account_enabled (I2aPool           *self,
                                              const char        *id,
                                              gboolean           enabled,
                                              GError           **error);
gboolean        i2a_pool_set_account_max_concurrency (I2aPool   *self,
                                                      const char *id,
                                                      guint      max,
                                                      GError   **error);
gboolean        i2a_pool_set_auth         (I2aPool              *self,
                                           gboolean              enabled,
                                           gboolean              required,
                                           GError              **error);
/* Replaces the keys.json "aliases" and "fallbacks" objects (NULL: leave;
 * an empty object removes the member), checked as a reload would. */
gboolean        i2a_pool_set_model_rules  (I2aPool              *self,
                                           JsonObject           *aliases,
                                           JsonObject           *fallbacks,
                                           GError              **error);
/* Replace client key @old_token by a fresh "sk-iflow-…" with the same
 * route; @old_token NULL adds a key routed to every account (least_busy).
 * Returns the new key (a secret: show it, never log it). */
char           *i2a_pool_regenerate_client_key (I2aPool         *self,
                                                const char      *old_token,
                                                GError         **error);
/* Completes when every edit so far is on disk (or failed to be written). */
void            i2a_pool_flush_async      (I2aPool              *self,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean        i2a_pool_flush_finish     (I2aPool              *self,
                                           GAsyncResult         *result,
                                           GError              **error);

G_END_DECLS
