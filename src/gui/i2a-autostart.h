/* i2a-autostart.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-autostart.h: start the app at login, or not
 *
 * Outside a sandbox: the XDG autostart entry ($XDG_CONFIG_HOME/autostart).
 * Enabled writes io.github.iflow2api.Iflow2Api.desktop there (the app then
 * honours the start-minimized setting); disabled removes it, and a missing
 * file on removal is not an error.
 *
 * Under Flatpak (/.flatpak-info exists or $FLATPAK_ID is set) a file
 * written there would stay inside the sandbox, so the Background portal's
 * RequestBackground is asked instead, with autostart TRUE or FALSE; it
 * fails if the portal refuses to enable it. Async either way. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* TRUE under Flatpak: autostart goes through the Background portal. */
gboolean  i2a_autostart_uses_portal (void);
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
