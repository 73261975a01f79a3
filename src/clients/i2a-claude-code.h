/* i2a-claude-code.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-claude-code.h: Claude Code as a client of the client-setup module:
 * the "env" block of its settings.json points it at the local Messages
 * endpoint. Only env's ANTHROPIC_* model, URL and token entries and
 * CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC are set; every other key of
 * the file and of env stays as it was. */
#pragma once

#include "i2a-client-setup.h"

G_BEGIN_DECLS

#define I2A_CLAUDE_CODE_DEFAULT_MODEL "glm-5"

extern const I2aClient i2a_client_claude_code;

/* $CLAUDE_CONFIG_DIR/settings.json if set, else ~/.claude/settings.json. */
char *i2a_claude_code_default_config_path (void);

G_END_DECLS
