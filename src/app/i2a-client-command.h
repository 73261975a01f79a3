/* i2a-client-command.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-client-command.h: `iflow2api <client>` (opencode, codex…), point a
 * client program at the local endpoint (i2a-client-setup.h does the
 * work).
 *
 *   iflow2api CLIENT [--print]   show what would change (the default)
 *   iflow2api CLIENT --apply     back up and write it
 *   iflow2api CLIENT --undo      put the newest backup back
 *   iflow2api CLIENT --list-backups
 *
 * with --model ID, --port PORT, --keys PATH, and where the client has
 * them --config PATH, --provider NAME, --small-model ID. */
#pragma once

#include <glib.h>

#include "i2a-client-setup.h"

G_BEGIN_DECLS

/* @argv[1] is @client's id. Returns the exit status. */
int i2a_client_command_run (const I2aClient  *client,
                            int               argc,
                            char            **argv);

G_END_DECLS
