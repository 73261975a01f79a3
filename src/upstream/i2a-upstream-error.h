/* i2a-upstream-error.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-upstream-error.h: classify what an upstream answered.
 *
 * iFlow reports many errors as HTTP 200 with {"status":"435","msg":...};
 * others use real HTTP statuses with OpenAI-style or ad-hoc bodies. One
 * function turns any of them into the status and OpenAI error we give the
 * client, plus the flags the pool needs (failover, circuit breaker,
 * refresh). */
#pragma once

#include "i2a-api-error.h"

G_BEGIN_DECLS



/* @http_status is the upstream HTTP status, @body/@len its body (may be
 * NULL/0), @retry_after_header the Retry-After value or NULL,
 * @retry_status_codes (may be NULL; a GArray of guint) overrides which
 * statuses are retryable (default 429, 500, 502, 503, 504).
 * On a 2xx, a JSON body with "status"/"error_code" other than 0/200 or an
 * "error" object is an iFlow business error (434/438 -> 403, 439 -> 401
 * token_expired, 435 -> 400 "model_not_supported", 429/449/8211 -> 429,
 * 511/413 -> 413, 514 -> 502, others outside 400..599 -> 502); the message
 * reads "iFlow error <code>: <msg>". Real HTTP errors keep the upstream's
 * OpenAI message/type/code. retry_after is parsed from @retry_after_header
 * (seconds or HTTP date, at most I2A_RETRY_AFTER_MAX), else -1.
 * Returns NULL when the response is a success (2xx without a business
 * error in the body). */
/* The longest an upstream's Retry-After is honoured (an hour). */
#define I2A_RETRY_AFTER_MAX 3600

I2aApiError *i2a_upstream_error_classify (guint         http_status,
                                               const char   *body,
                                               gsize         len,
                                               const char   *retry_after_header,
                                               GArray       *retry_status_codes);

/* Transport failure (connect refused, timeout, reset) before a response:
 * 502 (504 for G_IO_ERROR_TIMED_OUT), retryable, account failure.
 * G_IO_ERROR_CANCELLED gives a 502 that is neither. */
I2aApiError *i2a_upstream_error_from_gerror (const GError *error);


G_END_DECLS
