/* i2a-cli-common.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-cli-common.h: what the account subcommands share.
 *
 * The commands run the main loop until each step is done: linear code,
 * the same async APIs the app uses. What they print is translated; ids,
 * URLs, paths, option names and the state/provider/auth values (the same
 * words as keys.json and /debug/accounts) are not. */
#pragma once

#include <gio/gio.h>

#include "i2a-account-store.h"

G_BEGIN_DECLS

typedef struct
{
  GCancellable    *cancellable;
  GAsyncResult    *result;
  guint            sigint;
  char            *keys_path;
  I2aCliSettings  *cli;
  I2aPool         *pool;
  I2aSecretStore  *secrets;
  I2aAccountStore *store;
} I2aCmd;

void          i2a_cmd_clear      (I2aCmd        *cmd);
/* An async callback that stores its result in the I2aCmd @user_data. */
void          i2a_cmd_result_cb  (GObject       *source,
                                  GAsyncResult  *result,
                                  gpointer       user_data);
/* Iterate until i2a_cmd_result_cb ran; the result (transfer full). */
GAsyncResult *i2a_cmd_wait       (I2aCmd        *cmd);
/* Print "iflow2api: WHAT: message" (nothing when cancelled); FALSE. */
gboolean      i2a_cmd_fail       (const char    *what,
                                  const GError  *error);
/* keys.json loaded, its account store ready, Ctrl+C cancels. */
gboolean      i2a_cmd_open_pool  (I2aCmd        *cmd);
/* Options plus the common --keys. @entries, @parameter and @summary are
 * gettext-noop strings. FALSE (message printed) on a bad command line. */
gboolean      i2a_cmd_parse      (GOptionEntry  *entries,
                                  const char    *parameter,
                                  const char    *summary,
                                  int           *argc,
                                  char        ***argv,
                                  char         **keys_path);

G_END_DECLS
