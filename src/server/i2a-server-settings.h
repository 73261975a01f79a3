/* i2a-server-settings.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-server-settings.h: the app's settings that a running server follows
 * live: the allowed web origins and extra host names (the "allowed-origins"
 * and "allowed-hosts" keys), added to those in keys.json. The desktop app
 * and --headless share them. */
#pragma once

#include <gio/gio.h>

#include "i2a-server.h"

G_BEGIN_DECLS

/* The app's settings, or NULL when its schema is not installed (a binary
 * run from the build tree without GSETTINGS_SCHEMA_DIR). */
GSettings *i2a_server_settings_new_default (void);
/* Applies @settings to @server now and at every change, for as long as
 * both live. Entries that are not a valid origin or host name are skipped
 * with a warning. */
void       i2a_server_follow_settings      (I2aServer *server,
                                            GSettings *settings);

G_END_DECLS
