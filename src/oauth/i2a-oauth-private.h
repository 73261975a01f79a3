/* i2a-oauth-private.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-oauth-private.h: what the OAuth client's own files share
 * (i2a-oauth-client.c: object and requests, i2a-oauth-errors.c: failed
 * answers, i2a-oauth-types.c: the structs and reading them from JSON) */
#pragma once

#include <json-glib/json-glib.h>

#include "i2a-oauth-client.h"

G_BEGIN_DECLS

typedef enum
{
  I2A_OAUTH_OP_EXCHANGE,
  I2A_OAUTH_OP_REFRESH,
  I2A_OAUTH_OP_USER_INFO,
} I2aOAuthOp;

/* "Token exchange", "Token refresh", "User info request". */
const char       *_i2a_oauth_op_name                 (I2aOAuthOp    op);
/* Classifies a failed answer; @obj may be NULL (no JSON). @secret is what
 * was sent (token, code): it is cut out of the server's text. */
GError           *_i2a_oauth_error_from_answer       (I2aOAuthOp    op,
                                                      const char   *secret,
                                                      guint         status,
                                                      JsonObject   *obj);
/* A request that got no answer; cancellation is passed through. */
GError           *_i2a_oauth_error_from_transport    (I2aOAuthOp    op,
                                                      const GError *error);
/* "success": false, as boolean or string; @obj may be NULL. */
gboolean          _i2a_oauth_answer_says_not_success (JsonObject   *obj);

/* NULL unless the answer has an access token (possibly in a "data"
 * envelope). */
I2aOAuthTokens   *_i2a_oauth_tokens_from_json        (JsonObject   *obj);
/* NULL unless data.apiKey (or data.searchApiKey) is there. */
I2aOAuthUserInfo *_i2a_oauth_user_info_from_json     (JsonObject   *obj);

G_END_DECLS
