/* i2a-tray-introspection.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-tray-introspection.h: D-Bus interface descriptions of the tray's
 * objects, parsed once from the XML in the tray GResource. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* @xml_name: file name in the resource; @iface: interface to pick.
 * Returns a borrowed, process-lifetime GDBusInterfaceInfo. */
GDBusInterfaceInfo *i2a_tray_interface_info (const char  *xml_name,
                                             const char  *iface,
                                             gsize       *cache);

G_END_DECLS
