/* i2a-debug-endpoint.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-debug-endpoint.h: GET /debug/accounts, the pool's live state.
 *
 * The shape of zyylovelyyso/iflow2api ("resilience", and per account
 * label, enabled, api_key_mask, base_url, in_flight, max_concurrency,
 * consecutive_failures, circuit_open, circuit_open_for_seconds, last_error)
 * plus provider, queued, request/error counts and the OAuth state. Never a
 * secret: keys appear only as i2a_mask_secret () masks. When client auth is
 * required, a valid client key is needed. */
#pragma once

#include <libsoup/soup.h>

#include "i2a-pool.h"

G_BEGIN_DECLS

JsonNode *i2a_debug_endpoint_build  (I2aPool           *pool);
void      i2a_debug_endpoint_handle (I2aPool           *pool,
                                     SoupServerMessage *msg);

G_END_DECLS
