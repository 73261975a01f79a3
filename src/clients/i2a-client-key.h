/* i2a-client-key.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-client-key.h: which local client key a client program should use. */
#pragma once

#include "i2a-keys-config.h"

G_BEGIN_DECLS

/* What OpenCode and friends send as the API key when client auth is off
 * (keys.json "auth.enabled" false): the server ignores it, but the
 * clients refuse to run without one. Not a secret. */
#define I2A_CLIENT_KEY_NO_AUTH "iflow2api-local"

/* The first client key (file order) whose route reaches every enabled
 * account, so a client set up with it uses the whole pool; NULL when
 * there is none (or no accounts). Transfer none: a secret, never log it. */
const char *i2a_client_key_find_for_all (I2aKeysConfig *config);

G_END_DECLS
