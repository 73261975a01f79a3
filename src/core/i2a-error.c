/* i2a-error.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-error"

#include "i2a-error.h"

G_DEFINE_QUARK (i2a-error-quark, i2a_error)
