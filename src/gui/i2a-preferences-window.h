/* i2a-preferences-window.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-preferences-window.h: the settings of the app (GSettings) */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define I2A_TYPE_PREFERENCES_WINDOW (i2a_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (I2aPreferencesWindow, i2a_preferences_window, I2A, PREFERENCES_WINDOW, AdwPreferencesWindow)

GtkWidget *i2a_preferences_window_new (GtkWindow *parent,
                                       GSettings *settings);

G_END_DECLS
