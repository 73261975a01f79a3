/* i2a-opencode.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-opencode.h: OpenCode as a client of the client-setup module: an
 * "@ai-sdk/openai-compatible" provider in ~/.config/opencode/opencode.json.
 *
 * Only plain JSON is rewritten: a file with comments (opencode.jsonc
 * style) is refused rather than losing them. A UTF-8 BOM is fine.
 * Everything but provider.<name>, "model" and "small_model" is kept as
 * is (values and member order; the layout becomes 2-space indented).
 * Writer errors: I2A_ERROR_INVALID_CONFIG (comments, not JSON, not an
 * object, provider.<name> not an object, unknown model). */
#pragma once

#include "i2a-client-setup.h"

G_BEGIN_DECLS

#define I2A_OPENCODE_DEFAULT_PROVIDER "iflow2api"
#define I2A_OPENCODE_DEFAULT_MODEL    "glm-5"

extern const I2aClient i2a_client_opencode;

/* $OPENCODE_CONFIG if set, else $XDG_CONFIG_HOME/opencode/opencode.json,
 * or opencode.jsonc there when only that exists. */
char *i2a_opencode_default_config_path (void);

G_END_DECLS
