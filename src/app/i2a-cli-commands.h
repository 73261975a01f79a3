/* i2a-cli-commands.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-cli-commands.h: account subcommands of the iflow2api binary.
 *
 *   iflow2api login [--no-browser] [--label NAME] [--[no-]share-with-iflow-cli]
 *   iflow2api accounts
 *   iflow2api logout ACCOUNT        (also: remove ACCOUNT)
 *   iflow2api import-cli [--label NAME]
 *   iflow2api add | migrate-keys | models   (i2a-provider-commands.h)
 *
 * All take --keys PATH (default $IFLOW2API_KEYS_PATH or
 * ~/.iflow2api/keys.json). They edit keys.json and the keyring; a running
 * iflow2api picks the change up by itself. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* TRUE when @name is one of the subcommands above. */
gboolean i2a_cli_commands_handles (const char *name);
/* @argv[1] is the subcommand. Returns the exit status. */
int      i2a_cli_commands_run     (int         argc,
                                   char      **argv);

G_END_DECLS
