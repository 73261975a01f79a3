/* i2a-cli-interop.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-cli-interop.h: share a login with the iFlow CLI.
 *
 * Writes apiKey, baseUrl and selectedAuthType into ~/.iflow/settings.json
 * (the official CLI's own settings file) so the official CLI uses the account iflow2api just logged
 * in with. Read-modify-write: every other key of the file is kept as it
 * was; the file is replaced atomically and ends up with mode 0600. A file
 * that exists but is not a JSON object is left alone (an error), never
 * overwritten. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define I2A_CLI_AUTH_TYPE_OAUTH "oauth-iflow"

/* $HOME/.iflow */
char     *i2a_cli_interop_default_dir  (void);

/* Blocking; for threads and tests. @dir NULL = default. @auth_type NULL =
 * "oauth-iflow". If the file already has a searchApiKey equal to its old
 * apiKey (as the official CLI writes it), it follows the new key. */
gboolean  i2a_cli_interop_write_login  (const char           *dir,
                                        const char           *api_key,
                                        const char           *base_url,
                                        const char           *auth_type,
                                        GError              **error);

/* Same, in a worker thread. */
void      i2a_cli_interop_write_login_async  (const char          *dir,
                                              const char          *api_key,
                                              const char          *base_url,
                                              const char          *auth_type,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean  i2a_cli_interop_write_login_finish (GAsyncResult        *result,
                                              GError             **error);

G_END_DECLS
