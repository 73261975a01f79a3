/* i2a-account.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-account.h: one upstream account and its live state.
 *
 * The pool owns accounts; the UI binds to their properties (all notify on
 * change, always from the main thread). The API key is deliberately not a
 * property, so nothing that dumps properties can leak it. */
#pragma once

#include <glib-object.h>

#include "i2a-upstream-request.h"

G_BEGIN_DECLS

typedef enum
{
  I2A_ACCOUNT_STATE_OK,
  I2A_ACCOUNT_STATE_REFRESHING,
  I2A_ACCOUNT_STATE_NEEDS_LOGIN,
  I2A_ACCOUNT_STATE_ERROR,
} I2aAccountState;

/* I2A_TYPE_ACCOUNT_STATE: nicks "ok", "refreshing", "needs-login",
 * "error" (/debug "state"). */
#include "i2a-credentials-enums.h"

/* keys.json "auth_type" values. An "api-key" or "oauth-iflow" entry without
 * "api_key" keeps its key in the keyring; "none" needs no key at all (a
 * local server such as Ollama). */
#define I2A_AUTH_TYPE_OAUTH   "oauth-iflow"
#define I2A_AUTH_TYPE_API_KEY "api-key"
#define I2A_AUTH_TYPE_NONE    "none"

#define I2A_TYPE_ACCOUNT (i2a_account_get_type ())
G_DECLARE_FINAL_TYPE (I2aAccount, i2a_account, I2A, ACCOUNT, GObject)

I2aAccount     *i2a_account_new                (const char  *id,
                                                I2aProvider  provider,
                                                const char  *base_url);

const char     *i2a_account_get_id             (I2aAccount  *self);
const char     *i2a_account_get_label          (I2aAccount  *self);
void            i2a_account_set_label          (I2aAccount  *self,
                                                const char  *label);
const char     *i2a_account_get_email          (I2aAccount  *self);
void            i2a_account_set_email          (I2aAccount  *self,
                                                const char  *email);
I2aProvider     i2a_account_get_provider       (I2aAccount  *self);
void            i2a_account_set_provider       (I2aAccount  *self,
                                                I2aProvider  provider);
const char     *i2a_account_get_base_url       (I2aAccount  *self);
void            i2a_account_set_base_url       (I2aAccount  *self,
                                                const char  *base_url);
const char     *i2a_account_get_auth_type      (I2aAccount  *self);
void            i2a_account_set_auth_type      (I2aAccount  *self,
                                                const char  *auth_type);
gboolean        i2a_account_get_enabled        (I2aAccount  *self);
void            i2a_account_set_enabled        (I2aAccount  *self,
                                                gboolean     enabled);
guint           i2a_account_get_max_concurrency(I2aAccount  *self);
void            i2a_account_set_max_concurrency(I2aAccount  *self,
                                                guint        max);

/* Secret: never logged, never a property. */
const char     *i2a_account_get_api_key        (I2aAccount  *self);
void            i2a_account_set_api_key        (I2aAccount  *self,
                                                const char  *api_key);
gboolean        i2a_account_has_api_key        (I2aAccount  *self);
char           *i2a_account_dup_api_key_mask   (I2aAccount  *self);

/* Per account, kept for the process lifetime (not per request, not
 * persisted), as the official CLI does. */
const char     *i2a_account_get_session_id     (I2aAccount  *self);
const char     *i2a_account_get_conversation_id(I2aAccount  *self);
/* Snapshot for one upstream attempt; strings stay valid while the
 * returned target's owner (the caller keeps a ref on the account and a copy
 * of the key) lives, see i2a_account_dup_target. */
void            i2a_account_fill_target        (I2aAccount        *self,
                                                I2aUpstreamTarget *target);

/* Live counters (the pool updates them; they notify). */
guint           i2a_account_get_in_flight      (I2aAccount  *self);
void            i2a_account_set_in_flight      (I2aAccount  *self,
                                                guint        n);
guint           i2a_account_get_queued         (I2aAccount  *self);
void            i2a_account_set_queued         (I2aAccount  *self,
                                                guint        n);
guint64         i2a_account_get_requests       (I2aAccount  *self);
guint64         i2a_account_get_errors         (I2aAccount  *self);
void            i2a_account_count_request      (I2aAccount  *self,
                                                gboolean     failed);
guint           i2a_account_get_consecutive_failures (I2aAccount *self);
void            i2a_account_set_consecutive_failures (I2aAccount *self,
                                                      guint       n);
/* Wall-clock unix seconds until which the circuit is open; 0 = closed. */
gint64          i2a_account_get_circuit_open_until (I2aAccount *self);
void            i2a_account_set_circuit_open_until (I2aAccount *self,
                                                    gint64      until);
gboolean        i2a_account_is_circuit_open    (I2aAccount  *self,
                                                gint64       now);
const char     *i2a_account_get_last_error     (I2aAccount  *self);
void            i2a_account_set_last_error     (I2aAccount  *self,
                                                const char  *message);

/* OAuth / refresh state. */
I2aAccountState i2a_account_get_state          (I2aAccount  *self);
void            i2a_account_set_state          (I2aAccount  *self,
                                                I2aAccountState state);
gint64          i2a_account_get_expires_at     (I2aAccount  *self);
void            i2a_account_set_expires_at     (I2aAccount  *self,
                                                gint64       unix_seconds);
gint64          i2a_account_get_last_refresh   (I2aAccount  *self);
void            i2a_account_set_last_refresh   (I2aAccount  *self,
                                                gint64       unix_seconds);
guint           i2a_account_get_refresh_failures (I2aAccount *self);
void            i2a_account_set_refresh_failures (I2aAccount *self,
                                                  guint       n);
const char     *i2a_account_get_last_refresh_error (I2aAccount *self);
void            i2a_account_set_last_refresh_error (I2aAccount *self,
                                                    const char *message);

/* The models this account serves ("models", "n-models", "models-error",
 * "models-updated" notify). NULL: not known yet, so any model is accepted
 * (iFlow accounts, and openai accounts before their first discovery). A
 * failed refresh keeps the list and sets the error; @updated is when the
 * list was fetched (unix seconds). */
const char *const *i2a_account_get_models     (I2aAccount        *self);
void            i2a_account_set_models         (I2aAccount        *self,
                                                const char *const *models,
                                                gint64             updated);
/* TRUE when the list names @model (ignoring case), or is unknown: then an
 * iFlow account serves the iFlow catalogue and an openai one anything. */
gboolean        i2a_account_serves_model       (I2aAccount        *self,
                                                const char        *model);
const char     *i2a_account_get_models_error   (I2aAccount        *self);
void            i2a_account_set_models_error   (I2aAccount        *self,
                                                const char        *message);
gint64          i2a_account_get_models_updated (I2aAccount        *self);

/* Routable: enabled, has a key (or needs none), not needs-login. */
gboolean        i2a_account_is_usable          (I2aAccount  *self);

G_END_DECLS
