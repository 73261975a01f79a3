/* i2a-codex.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-codex.h: Codex as a client of the client-setup module: a Codex
 * profile of its own, $CODEX_HOME/iflow2api.config.toml (else
 * ~/.codex/iflow2api.config.toml), used with `codex --profile iflow2api`.
 * Codex's own config.toml is never touched (recent Codex versions refuse
 * [profiles.*] tables there).
 *
 * The profile sets model_provider and model and holds a
 * [model_providers.iflow2api] table: base_url (with /v1),
 * wire_api = "responses", supports_websockets = false, and the client key
 * as experimental_bearer_token when client auth is on (the file is 0600);
 * with client auth off it holds no key and needs no environment variable.
 * Lines the user added to the profile are kept. */
#pragma once

#include "i2a-client-setup.h"

G_BEGIN_DECLS

#define I2A_CODEX_PROFILE       "iflow2api"
#define I2A_CODEX_PROVIDER      "iflow2api"
#define I2A_CODEX_DEFAULT_MODEL "glm-5"

extern const I2aClient i2a_client_codex;

char *i2a_codex_default_config_path (void);

G_END_DECLS
