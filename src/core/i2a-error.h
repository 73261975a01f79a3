/* i2a-error.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-error.h: the one error domain of iflow2api */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define I2A_ERROR (i2a_error_quark ())

typedef enum
{
  I2A_ERROR_FAILED,
  I2A_ERROR_INVALID_CONFIG,       /* a config file we read is malformed */
  I2A_ERROR_NOT_LOGGED_IN,        /* no credential for the account */
  I2A_ERROR_SECRETS_UNAVAILABLE,  /* no Secret Service / locked keyring */
  I2A_ERROR_UPSTREAM,             /* upstream answered with an error */
  I2A_ERROR_OAUTH_STATE_MISMATCH,
  I2A_ERROR_OAUTH_DENIED,         /* error= on the callback */
  I2A_ERROR_OAUTH_TIMEOUT,
  I2A_ERROR_OAUTH_INVALID_GRANT,  /* refresh token dead: needs login */
  I2A_ERROR_OAUTH_TRANSIENT,      /* overload / 5xx / timeout: retry later */
  I2A_ERROR_BIND_REFUSED,         /* unsafe bind without client auth */
} I2aError;

GQuark i2a_error_quark (void);

G_END_DECLS
