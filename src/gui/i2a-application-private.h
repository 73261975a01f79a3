/* i2a-application-private.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-application-private.h: shared by the application and its actions */
#pragma once

#include "i2a-application.h"
#include "i2a-cli-settings.h"
#include "i2a-tray-item.h"

G_BEGIN_DECLS

struct _I2aApplication
{
  AdwApplication   parent_instance;

  GSettings       *settings;
  I2aCliSettings  *cli;
  I2aPool         *pool;
  I2aServer       *server;
  I2aPoolMonitor  *monitor;
  I2aAccountStore *store;
  I2aModelDiscovery *discovery;
  I2aTrayItem     *tray;
  GtkWindow       *window;              /* weak */
  I2aLedger       *ledger;              /* NULL: usage not recorded */
  guint            usage_status_id;

  char            *host_override;
  int              port_override;       /* < 0: from GSettings */
  char            *keys_path;
  char            *iflow_dir;

  char            *server_error;
  guint            restart_id;
  guint            sigint_id;
  guint            sigterm_id;
  guint            n_notifications;
  gboolean         activated;
  gboolean         pool_loaded;
  gboolean         background_held;
  gboolean         background_requested;
  gboolean         quitting;
};

void     _i2a_application_install_actions (I2aApplication *self);
/* Enabled state of start/stop from the server. */
void     _i2a_application_update_actions  (I2aApplication *self);
/* Actions, tray icon and tooltip from the server and the pool. */
void     _i2a_application_update_status   (I2aApplication *self);
gboolean _i2a_application_start_server    (I2aApplication *self);
void     _i2a_application_present_window  (I2aApplication *self);
void     _i2a_application_hide_window     (I2aApplication *self);
/* Stops everything; @destroy_window FALSE when GTK is closing it anyway. */
void     _i2a_application_quit            (I2aApplication *self,
                                           gboolean        destroy_window);
void     _i2a_application_set_background  (I2aApplication *self,
                                           gboolean        background);
/* A GNotification unless notifications are off in the settings. */
void     _i2a_application_notify          (I2aApplication *self,
                                           const char     *id,
                                           const char     *title,
                                           const char     *body,
                                           const char     *default_action,
                                           const char     *button_label,
                                           const char     *button_action);

/* i2a-application-usage.c */
void     _i2a_application_usage_start     (I2aApplication *self);
void     _i2a_application_usage_stop      (I2aApplication *self);
/* "Today: 12 requests, 3.4 k tokens", or NULL without a ledger. */
char    *_i2a_application_usage_today     (I2aApplication *self);

G_END_DECLS
