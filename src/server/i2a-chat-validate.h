/* i2a-chat-validate.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-chat-validate.h: reject bad chat requests before they reach a pool
 * or an upstream, with a 4xx that names the offending field. */
#pragma once

#include <json-glib/json-glib.h>

#include "i2a-api-error.h"
#include "i2a-json-limits.h"

G_BEGIN_DECLS

/* @content_type may be NULL (treated as JSON). Returns the request object
 * (transfer full) or NULL with @error set (400 or 415). */
JsonObject *i2a_chat_validate (const char   *content_type,
                               GBytes       *body,
                               I2aApiError **error);
/* The same with document limits other than the defaults. */
JsonObject *i2a_chat_validate_full (const char          *content_type,
                                    GBytes              *body,
                                    const I2aJsonLimits *limits,
                                    I2aApiError        **error);

G_END_DECLS
