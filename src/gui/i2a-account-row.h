/* i2a-account-row.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-account-row.h: one account in the accounts pane
 *
 * Shows the account's live state (from its notify signals; a 1 s timer
 * only while a cool-down countdown is on screen) and offers enable, the
 * parallel request limit, log in again and remove. Log in again and remove
 * activate the window actions win.relogin-account / win.remove-account
 * with the account id; the other edits go through i2a-account-ops. */
#pragma once

#include <adwaita.h>

#include "i2a-pool.h"

G_BEGIN_DECLS

#define I2A_TYPE_ACCOUNT_ROW (i2a_account_row_get_type ())
G_DECLARE_FINAL_TYPE (I2aAccountRow, i2a_account_row, I2A, ACCOUNT_ROW, AdwExpanderRow)

GtkWidget  *i2a_account_row_new             (I2aAccount    *account,
                                             I2aPool       *pool);
I2aAccount *i2a_account_row_get_account     (I2aAccountRow *self);
/* What the state badge says, e.g. "Ready" or "Cooling down · 0:42". */
const char *i2a_account_row_get_status_text (I2aAccountRow *self);
/* "in flight / limit" as shown. */
const char *i2a_account_row_get_load_text   (I2aAccountRow *self);

/* Formatting helpers, exposed for tests. */
char       *i2a_account_row_format_countdown (gint64        seconds);

G_END_DECLS
