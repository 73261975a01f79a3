/* i2a-background.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-background.h: ask the desktop to let us run without a window
 *
 * org.freedesktop.portal.Background.RequestBackground over GDBus (the
 * portal decides, the user may be asked). Outside a sandbox most desktops
 * allow it anyway, so callers treat a missing portal as "allowed".
 *
 * The same request asks for, or withdraws, autostart at login: the portal
 * writes or removes the session's autostart entry itself, which is the only
 * way a sandboxed app gets one. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* @parent_window: portal window handle ("x11:…", "wayland:…") or "".
 * @autostart: start the app at login (TRUE) or not (FALSE); every request
 * sets it, so pass the current choice. */
void      i2a_background_request_async  (GDBusConnection     *connection,
                                         const char          *parent_window,
                                         const char          *reason,
                                         gboolean             autostart,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
/* TRUE if allowed (and, when asked for, autostart granted); FALSE with an
 * error if refused (G_IO_ERROR_PERMISSION_DENIED) or no portal answered
 * (G_DBUS_ERROR_SERVICE_UNKNOWN when there is no portal). */
gboolean  i2a_background_request_finish (GAsyncResult        *result,
                                         GError             **error);

G_END_DECLS
