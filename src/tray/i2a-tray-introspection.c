/* i2a-tray-introspection.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-tray"

#include "config.h"

#include "i2a-tray-introspection.h"
#include "i2a-tray-resources.h"

GDBusInterfaceInfo *
i2a_tray_interface_info (const char *xml_name,
                         const char *iface,
                         gsize      *cache)
{
  if (g_once_init_enter (cache))
    {
      g_autofree char *path = g_strconcat ("/io/github/iflow2api/Iflow2Api/tray/", xml_name, NULL);
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GDBusNodeInfo) node = NULL;
      g_autoptr(GError) error = NULL;

      /* Referencing the resource directly keeps it linked from the static lib. */
      bytes = g_resource_lookup_data (i2a_tray_get_resource (), path, G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
      g_assert_no_error (error);
      node = g_dbus_node_info_new_for_xml (g_bytes_get_data (bytes, NULL), &error);
      g_assert_no_error (error);
      g_once_init_leave (cache, (gsize) g_dbus_interface_info_ref (g_dbus_node_info_lookup_interface (node, iface)));
    }
  return (GDBusInterfaceInfo *) *cache;
}
