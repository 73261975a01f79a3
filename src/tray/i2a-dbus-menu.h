/* i2a-dbus-menu.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-dbus-menu.h: the tray's context menu as com.canonical.dbusmenu
 *
 * The menu is fixed (Show window, Start/Stop server, Log in, Quit); each
 * entry is bound to an action of a GActionGroup (the GtkApplication's
 * "app." actions, named without the prefix) and follows its enabled state.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define I2A_DBUS_MENU_PATH "/MenuBar"

/* Stable item ids, as seen in GetLayout and Event; 0 is the root. */
typedef enum
{
  I2A_DBUS_MENU_ITEM_ROOT = 0,
  I2A_DBUS_MENU_ITEM_SHOW_WINDOW,
  I2A_DBUS_MENU_ITEM_START_SERVER,
  I2A_DBUS_MENU_ITEM_STOP_SERVER,
  I2A_DBUS_MENU_ITEM_LOGIN,
  I2A_DBUS_MENU_ITEM_SEPARATOR,
  I2A_DBUS_MENU_ITEM_QUIT,
} I2aDbusMenuItem;

#define I2A_TYPE_DBUS_MENU (i2a_dbus_menu_get_type ())

G_DECLARE_FINAL_TYPE (I2aDbusMenu, i2a_dbus_menu, I2A, DBUS_MENU, GObject)

/* TRUE when @name exists in @actions, is enabled and takes no parameter:
 * the tray activates actions with a NULL parameter. */
gboolean     i2a_tray_action_usable     (GActionGroup     *actions,
                                         const char       *name);

I2aDbusMenu *i2a_dbus_menu_new          (GActionGroup     *actions);
gboolean     i2a_dbus_menu_export       (I2aDbusMenu      *self,
                                         GDBusConnection  *connection,
                                         const char       *object_path,
                                         GError          **error);
void         i2a_dbus_menu_unexport     (I2aDbusMenu      *self);
guint        i2a_dbus_menu_get_revision (I2aDbusMenu      *self);
GVariant    *i2a_dbus_menu_get_layout   (I2aDbusMenu      *self,
                                         int               parent_id,
                                         int               depth,
                                         const char *const *property_names,
                                         GError          **error);
gboolean     i2a_dbus_menu_activate     (I2aDbusMenu      *self,
                                         int               id);

G_END_DECLS
