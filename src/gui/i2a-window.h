/* i2a-window.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-window.h: the main window
 *
 * Two pages. The main one: server status with the base URL, then either
 * the accounts pane or, with no account yet, a status page that explains
 * how to get one, then the clients. The Models page: what the accounts
 * serve, with aliases and fallbacks. */
#pragma once

#include <adwaita.h>

#include "i2a-application.h"

G_BEGIN_DECLS

#define I2A_TYPE_WINDOW (i2a_window_get_type ())
G_DECLARE_FINAL_TYPE (I2aWindow, i2a_window, I2A, WINDOW, AdwApplicationWindow)

I2aWindow  *i2a_window_new                  (I2aApplication *application);
/* Opens the browser login; @account_id names an account to log in again. */
GtkWindow  *i2a_window_show_login           (I2aWindow      *self,
                                             const char     *account_id);
/* Opens Add Account, or Edit for @account_id (NULL if it is unknown). */
GtkWindow  *i2a_window_show_add_account     (I2aWindow      *self,
                                             const char     *account_id);
/* "main" (server, accounts, clients) or "models". */
void        i2a_window_show_page            (I2aWindow      *self,
                                             const char     *name);
void        i2a_window_add_toast            (I2aWindow      *self,
                                             const char     *title);

/* For tests. */
const char *i2a_window_get_visible_page     (I2aWindow      *self);
GtkWidget  *i2a_window_get_accounts_pane    (I2aWindow      *self);
const char *i2a_window_get_server_status    (I2aWindow      *self);
const char *i2a_window_get_base_url         (I2aWindow      *self);
GtkWindow  *i2a_window_get_login_dialog     (I2aWindow      *self);
GtkWindow  *i2a_window_get_account_dialog   (I2aWindow      *self);
GtkWidget  *i2a_window_get_models_page      (I2aWindow      *self);

G_END_DECLS
