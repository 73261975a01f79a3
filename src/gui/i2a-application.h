/* i2a-application.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-application.h: the desktop app (io.github.iflow2api.Iflow2Api)
 *
 * Owns the pool, the local server, the tray item and the settings, and
 * exposes everything the user can do as application actions (app.*), so
 * the window, the tray menu, keyboard shortcuts and D-Bus (org.gtk.Actions)
 * share one implementation: show-window, toggle-window, login,
 * start-server, stop-server, preferences, about, quit, setup-opencode. */
#pragma once

#include <adwaita.h>

#include "i2a-account-store.h"
#include "i2a-model-discovery.h"
#include "i2a-pool-monitor.h"
#include "i2a-server.h"

G_BEGIN_DECLS

#define I2A_TYPE_APPLICATION (i2a_application_get_type ())
G_DECLARE_FINAL_TYPE (I2aApplication, i2a_application, I2A, APPLICATION, AdwApplication)

I2aApplication *i2a_application_new                (void);

/* Command-line overrides, applied at startup (from handle-local-options).
 * @host NULL and @port < 0 keep the GSettings values; @keys_path and
 * @iflow_dir NULL keep the defaults. */
void            i2a_application_set_overrides      (I2aApplication *self,
                                                    const char     *host,
                                                    int             port,
                                                    const char     *keys_path,
                                                    const char     *iflow_dir);

/* Valid after startup. */
GSettings      *i2a_application_get_settings       (I2aApplication *self);
I2aPool        *i2a_application_get_pool           (I2aApplication *self);
I2aServer      *i2a_application_get_server         (I2aApplication *self);
I2aPoolMonitor *i2a_application_get_monitor        (I2aApplication *self);
I2aAccountStore *i2a_application_get_account_store (I2aApplication *self);
/* Models of the OpenAI-compatible accounts (refresh button, Models page). */
I2aModelDiscovery *i2a_application_get_model_discovery (I2aApplication *self);
/* The main window, created on first use. */
GtkWindow      *i2a_application_get_main_window    (I2aApplication *self);

/* Why the server is not running, or NULL. */
const char     *i2a_application_get_server_error   (I2aApplication *self);
/* The URL clients use (running or configured). */
char           *i2a_application_dup_base_url       (I2aApplication *self);
/* Whether a tray host shows our icon (closing the window then hides it). */
gboolean        i2a_application_get_tray_available (I2aApplication *self);

G_END_DECLS
