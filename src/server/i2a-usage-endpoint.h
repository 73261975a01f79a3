/* i2a-usage-endpoint.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-usage-endpoint.h: GET /debug/usage?since=24h|7d|30d|YYYY-MM-DD&by=
 * day|account|model|key|endpoint: the ledger's summary as JSON (the same
 * as `iflow2api usage --json`), with the auth of /debug/accounts. */
#pragma once

#include <libsoup/soup.h>

#include "i2a-pool.h"

G_BEGIN_DECLS

void i2a_usage_endpoint_handle (I2aPool           *pool,
                                SoupServerMessage *msg,
                                GHashTable        *query);

G_END_DECLS
