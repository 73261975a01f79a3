/* i2a-pool.h: the accounts behind the local endpoint.
 *
 * A GListModel of I2aAccount, so the UI can bind a list to it; each
 * account notifies its own state. Without configured accounts the iFlow
 * CLI's login (~/.iflow/settings.json) is the single account. */
#pragma once

#include <json-glib/json-glib.h>

#include "i2a-account.h"
#include "i2a-cli-settings.h"
#include "i2a-dispatch.h"

G_BEGIN_DECLS

#define I2A_TYPE_POOL (i2a_pool_get_type ())
G_DECLARE_FINAL_TYPE (I2aPool, i2a_pool, I2A, POOL, GObject)

I2aPool     *i2a_pool_new              (I2aCliSettings  *cli);
I2aCliSettings *i2a_pool_get_cli_settings (I2aPool    *self);

/* Start routing one request. @token is the client's bearer token (may be
 * NULL). NULL with @error (401) when client auth rejects it. */
I2aDispatch *i2a_pool_begin            (I2aPool         *self,
                                        const char      *token,
                                        I2aApiError    **error);

/* Members for GET /health (status, iflow_logged_in, accounts_*). */
void         i2a_pool_add_health       (I2aPool         *self,
                                        JsonBuilder     *builder);
/* "healthy" when at least one account can take a request. */
gboolean     i2a_pool_is_healthy       (I2aPool         *self);

G_END_DECLS
