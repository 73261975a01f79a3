/* i2a-provider-commands.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-provider-commands.h: subcommands for OpenAI-compatible accounts.
 *
 *   iflow2api add --base-url URL [--preset NAME] [--label NAME]
 *                 [--max-concurrency N] [--test]
 *   iflow2api migrate-keys
 *   iflow2api models [--refresh]
 *
 * `add` reads the API key from stdin, or from a prompt that does not echo
 * when stdin is a terminal; never from the command line, where other users
 * and the shell history would see it. The key goes to the keyring. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

int i2a_cmd_add          (int argc, char **argv);
int i2a_cmd_migrate_keys (int argc, char **argv);
int i2a_cmd_models       (int argc, char **argv);

G_END_DECLS
