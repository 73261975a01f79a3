/* i2a-autostart.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-autostart.h: the XDG autostart entry ($XDG_CONFIG_HOME/autostart)
 *
 * Enabled writes io.github.iflow2api.Iflow2Api.desktop there (the app then
 * honours the start-minimized setting); disabled removes it. Async, and a
 * missing file on removal is not an error. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

char     *i2a_autostart_dup_path    (void);
/* The entry's contents; @exec is the command line to run. */
char     *i2a_autostart_dup_entry   (const char          *exec);
void      i2a_autostart_set_async   (gboolean             enabled,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
gboolean  i2a_autostart_set_finish  (GAsyncResult        *result,
                                     GError             **error);

G_END_DECLS
