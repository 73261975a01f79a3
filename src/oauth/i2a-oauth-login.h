/* i2a-oauth-login.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-oauth-login.h: one browser login attempt (loopback redirect)
 *
 * start_async() binds a short-lived listener on 127.0.0.1 (and ::1 when
 * possible), then "authorize-url" is set at once so the caller can open a
 * browser and show the link. The login completes when the browser comes
 * back to /oauth2callback with the right state: code -> tokens -> user info.
 *
 * Callbacks whose state does not match are answered 400 and ignored (a
 * drive-by request must not end or hijack the login); if the login then
 * times out after such a request it fails with OAUTH_STATE_MISMATCH instead
 * of OAUTH_TIMEOUT. error= with the right state fails with OAUTH_DENIED. */
#pragma once

#include <gio/gio.h>

#include "i2a-oauth-client.h"

G_BEGIN_DECLS

#define I2A_OAUTH_CALLBACK_PATH      "/oauth2callback"
#define I2A_OAUTH_LOGIN_FIRST_PORT   11451
#define I2A_OAUTH_LOGIN_PORT_TRIES   20

typedef struct
{
  I2aOAuthTokens   *tokens;
  I2aOAuthUserInfo *user_info;
} I2aOAuthLoginResult;

void i2a_oauth_login_result_free (I2aOAuthLoginResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (I2aOAuthLoginResult, i2a_oauth_login_result_free)

#define I2A_TYPE_OAUTH_LOGIN (i2a_oauth_login_get_type ())
G_DECLARE_FINAL_TYPE (I2aOAuthLogin, i2a_oauth_login, I2A, OAUTH_LOGIN, GObject)

I2aOAuthLogin       *i2a_oauth_login_new                 (I2aOAuthClient       *client);

I2aOAuthClient      *i2a_oauth_login_get_client          (I2aOAuthLogin        *self);
/* Seconds to wait for the browser callback (default 300). */
guint                i2a_oauth_login_get_timeout_seconds (I2aOAuthLogin        *self);
void                 i2a_oauth_login_set_timeout_seconds (I2aOAuthLogin        *self,
                                                          guint                 seconds);
/* First port tried (default 11451, then the next 19); 0 = ephemeral only.
 * An ephemeral port is the fallback when all of them are busy. */
guint                i2a_oauth_login_get_first_port      (I2aOAuthLogin        *self);
void                 i2a_oauth_login_set_first_port      (I2aOAuthLogin        *self,
                                                          guint                 port);

/* NULL until start_async() bound the listener. */
const char          *i2a_oauth_login_get_authorize_url   (I2aOAuthLogin        *self);
const char          *i2a_oauth_login_get_redirect_uri    (I2aOAuthLogin        *self);
guint                i2a_oauth_login_get_port            (I2aOAuthLogin        *self);

/* Once per object. Cancel @cancellable to abort (G_IO_ERROR_CANCELLED). */
void                 i2a_oauth_login_start_async         (I2aOAuthLogin        *self,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
I2aOAuthLoginResult *i2a_oauth_login_start_finish        (I2aOAuthLogin        *self,
                                                          GAsyncResult         *result,
                                                          GError              **error);

G_END_DECLS
