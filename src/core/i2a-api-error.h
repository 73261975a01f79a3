/* i2a-api-error.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-api-error.h: an error as the client will see it, OpenAI-shaped:
 * {"error":{"message","type","param":null,"code"}} plus the HTTP status.
 * The same struct carries the flags the pool needs to decide on failover
 * and the circuit breaker, so upstream, pool and server speak one type. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint     http_status;     /* status for the client, always 400..599 */
  char     *type;            /* "invalid_request_error", "rate_limit_error", ... */
  char     *code;            /* "model_not_supported", "449", ... (may be NULL) */
  char     *message;         /* precise, keeps the upstream text */
  char     *param;           /* offending field for 400s, or NULL */
  gboolean  retryable;       /* another account may succeed (failover) */
  gboolean  account_failure; /* counts toward the account's circuit breaker */
  gboolean  token_expired;   /* refresh the account's key, retry once */
  gint      retry_after;     /* seconds for Retry-After, or -1 */
} I2aApiError;

I2aApiError *i2a_api_error_new      (guint              http_status,
                                     const char        *type,
                                     const char        *code,
                                     const char        *format,
                                     ...) G_GNUC_PRINTF (4, 5);
I2aApiError *i2a_api_error_copy     (const I2aApiError *self);
void         i2a_api_error_free     (I2aApiError       *self);
/* {"error":{...}} */
JsonNode    *i2a_api_error_to_json  (const I2aApiError *self);
char        *i2a_api_error_to_string(const I2aApiError *self);
/* Default OpenAI type for an HTTP status. */
const char  *i2a_api_error_type_for_status (guint status);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (I2aApiError, i2a_api_error_free)

G_END_DECLS
