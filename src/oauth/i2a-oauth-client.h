/* i2a-oauth-client.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-oauth-client.h: iFlow OAuth endpoints (token exchange, refresh, user info)
 *
 * Every endpoint derives from one base URL ($IFLOW2API_OAUTH_BASE, default
 * https://iflow.cn). Errors are I2A_ERROR codes: OAUTH_INVALID_GRANT (log in
 * again), OAUTH_TRANSIENT (retry later), FAILED (anything else), or
 * G_IO_ERROR_CANCELLED. Messages never contain tokens or codes. */
#pragma once

#include <gio/gio.h>

#include "i2a-oauth-types.h"

G_BEGIN_DECLS

#define I2A_OAUTH_DEFAULT_BASE   "https://iflow.cn"
#define I2A_OAUTH_BASE_ENV       "IFLOW2API_OAUTH_BASE"
/* Public constants embedded in the official iFlow CLI, the same in every
 * client of the service. */
#define I2A_OAUTH_CLIENT_ID      "10009311001"
#define I2A_OAUTH_CLIENT_SECRET  "4Z3YjXycVsQvyGF1etiNlIBB4RsqSDtW"
#define I2A_OAUTH_USER_AGENT     "iFlow-Cli"

#define I2A_TYPE_OAUTH_CLIENT (i2a_oauth_client_get_type ())
G_DECLARE_FINAL_TYPE (I2aOAuthClient, i2a_oauth_client, I2A, OAUTH_CLIENT, GObject)

/* $IFLOW2API_OAUTH_BASE when it is a usable http(s) URL, else the default;
 * trailing slashes stripped. */
char             *i2a_oauth_dup_default_base_url (void);

/* @base_url NULL = i2a_oauth_dup_default_base_url(). */
I2aOAuthClient   *i2a_oauth_client_new           (const char             *base_url);
const char       *i2a_oauth_client_get_base_url  (I2aOAuthClient         *self);
/* I/O timeout of the HTTP session in seconds (default 30). */
guint             i2a_oauth_client_get_timeout   (I2aOAuthClient         *self);

/* {base}/oauth?client_id=…&loginMethod=phone&type=phone&redirect=…&state=…,
 * form-encoded. */
char             *i2a_oauth_client_build_authorize_url (I2aOAuthClient   *self,
                                                        const char       *redirect_uri,
                                                        const char       *state);

/* grant_type=authorization_code; @redirect_uri must be byte-identical to the
 * one on the authorize URL. */
void              i2a_oauth_client_exchange_code_async  (I2aOAuthClient      *self,
                                                         const char          *code,
                                                         const char          *redirect_uri,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
I2aOAuthTokens   *i2a_oauth_client_exchange_code_finish (I2aOAuthClient      *self,
                                                         GAsyncResult        *result,
                                                         GError             **error);

/* grant_type=refresh_token. If the answer has no new refresh token the
 * result carries @refresh_token again, so callers can always store it. */
void              i2a_oauth_client_refresh_async        (I2aOAuthClient      *self,
                                                         const char          *refresh_token,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
I2aOAuthTokens   *i2a_oauth_client_refresh_finish       (I2aOAuthClient      *self,
                                                         GAsyncResult        *result,
                                                         GError             **error);

/* GET {base}/api/oauth/getUserInfo?accessToken=…; fails unless the answer
 * has an apiKey (or searchApiKey). */
void              i2a_oauth_client_get_user_info_async  (I2aOAuthClient      *self,
                                                         const char          *access_token,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
I2aOAuthUserInfo *i2a_oauth_client_get_user_info_finish (I2aOAuthClient      *self,
                                                         GAsyncResult        *result,
                                                         GError             **error);

G_END_DECLS
