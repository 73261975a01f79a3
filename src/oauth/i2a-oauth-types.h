/* i2a-oauth-types.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-oauth-types.h: what the iFlow OAuth endpoints return
 *
 * Boxed, so they travel through GTask and GValue. The free functions
 * overwrite the secrets (tokens, apiKey) before freeing them. Included by
 * i2a-oauth-client.h. */
#pragma once

#include <glib-object.h>

#include "i2a-util.h"

G_BEGIN_DECLS

typedef struct
{
  char   *access_token;
  char   *refresh_token;
  gint64  expires_at;      /* unix seconds; 0 = unknown (refresh at once) */
  char   *token_type;
  char   *scope;
} I2aOAuthTokens;

typedef struct
{
  char *api_key;           /* the chat Bearer key; never the access token */
  char *email;
  char *phone;
  char *username;
} I2aOAuthUserInfo;

#define I2A_TYPE_OAUTH_TOKENS    (i2a_oauth_tokens_get_type ())
#define I2A_TYPE_OAUTH_USER_INFO (i2a_oauth_user_info_get_type ())

GType             i2a_oauth_tokens_get_type      (void) G_GNUC_CONST;
I2aOAuthTokens   *i2a_oauth_tokens_new           (void);
I2aOAuthTokens   *i2a_oauth_tokens_copy          (const I2aOAuthTokens   *tokens);
/* Overwrites the secrets before freeing them. */
void              i2a_oauth_tokens_free          (I2aOAuthTokens         *tokens);

GType             i2a_oauth_user_info_get_type   (void) G_GNUC_CONST;
I2aOAuthUserInfo *i2a_oauth_user_info_new        (void);
I2aOAuthUserInfo *i2a_oauth_user_info_copy       (const I2aOAuthUserInfo *info);
void              i2a_oauth_user_info_free       (I2aOAuthUserInfo       *info);
/* email, else phone, else username, else NULL (not a copy). */
const char       *i2a_oauth_user_info_get_display_name (const I2aOAuthUserInfo *info);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (I2aOAuthTokens, i2a_oauth_tokens_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (I2aOAuthUserInfo, i2a_oauth_user_info_free)


G_END_DECLS
