/* i2a-pool-monitor.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-pool-monitor.h: pool health for the tray, the window and notifications
 *
 * Follows a GListModel of I2aAccount through items-changed and each
 * account's notify signals (no polling) and sums it up: how many accounts
 * there are, how many have a credential, how many can take a request now.
 * "account-needs-login" fires when an account enters the needs-login state;
 * "all-unavailable" when the last usable account becomes unusable. */
#pragma once

#include <gio/gio.h>

#include "i2a-account.h"

G_BEGIN_DECLS

#define I2A_TYPE_POOL_MONITOR (i2a_pool_monitor_get_type ())
G_DECLARE_FINAL_TYPE (I2aPoolMonitor, i2a_pool_monitor, I2A, POOL_MONITOR, GObject)

I2aPoolMonitor *i2a_pool_monitor_new                (GListModel     *accounts);
GListModel     *i2a_pool_monitor_get_model          (I2aPoolMonitor *self);
guint           i2a_pool_monitor_get_n_accounts     (I2aPoolMonitor *self);
/* Accounts with a credential or that need a login again: the ones the
 * user has set up (the placeholder for a missing CLI login is not one). */
guint           i2a_pool_monitor_get_n_configured   (I2aPoolMonitor *self);
guint           i2a_pool_monitor_get_n_usable       (I2aPoolMonitor *self);
/* Configured accounts that cannot take a request right now (disabled,
 * needs login, circuit open, error). */
guint           i2a_pool_monitor_get_n_unavailable  (I2aPoolMonitor *self);
/* TRUE for a configured account the user should look at. */
gboolean        i2a_pool_monitor_account_is_configured (I2aAccount  *account);

G_END_DECLS
