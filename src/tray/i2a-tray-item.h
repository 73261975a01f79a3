/* i2a-tray-item.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-tray-item.h: the tray icon (org.kde.StatusNotifierItem over GDBus)
 *
 * GTK 4 has no tray API: this object exports a StatusNotifierItem and its
 * dbusmenu on a D-Bus connection and registers them with whichever
 * org.kde.StatusNotifierWatcher shows up. It needs only GIO.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define I2A_TRAY_ITEM_PATH "/StatusNotifierItem"

/* What the icon and tooltip show. Icon names (the host resolves them in
 * its icon theme, so data/ must install them under hicolor):
 *   RUNNING  -> "<app-id>"            Status "Active"
 *   DEGRADED -> "<app-id>-degraded"   Status "NeedsAttention"
 *   STOPPED  -> "<app-id>-stopped"    Status "Active"
 */
typedef enum
{
  I2A_TRAY_STATE_STOPPED,
  I2A_TRAY_STATE_RUNNING,
  I2A_TRAY_STATE_DEGRADED,   /* running, but some accounts are unavailable */
} I2aTrayState;

#define I2A_TYPE_TRAY_STATE (i2a_tray_state_get_type ())
GType i2a_tray_state_get_type (void);

#define I2A_TYPE_TRAY_ITEM (i2a_tray_item_get_type ())

G_DECLARE_FINAL_TYPE (I2aTrayItem, i2a_tray_item, I2A, TRAY_ITEM, GObject)

I2aTrayItem  *i2a_tray_item_new                (GDBusConnection  *connection,
                                                GActionGroup     *actions,
                                                const char       *app_id,
                                                GError          **error);
gboolean      i2a_tray_item_get_tray_available (I2aTrayItem      *self);
I2aTrayState  i2a_tray_item_get_state          (I2aTrayItem      *self);
void          i2a_tray_item_set_state          (I2aTrayItem      *self,
                                                I2aTrayState      state);
const char   *i2a_tray_item_get_details        (I2aTrayItem      *self);
void          i2a_tray_item_set_details        (I2aTrayItem      *self,
                                                const char       *details);
const char   *i2a_tray_item_get_icon_name      (I2aTrayItem      *self);

G_END_DECLS
