/* i2a-accounts-pane.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-accounts-pane.h: the list of accounts, bound to a GListModel
 *
 * Rows follow the model's items-changed (add/remove) and each account's
 * notify (state), so nothing is ever reloaded by hand. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define I2A_TYPE_ACCOUNTS_PANE (i2a_accounts_pane_get_type ())
G_DECLARE_FINAL_TYPE (I2aAccountsPane, i2a_accounts_pane, I2A, ACCOUNTS_PANE, AdwBin)

GtkWidget  *i2a_accounts_pane_new       (void);
/* A GListModel of I2aAccount; an I2aPool also gets edits through it. */
GListModel *i2a_accounts_pane_get_model (I2aAccountsPane *self);
void        i2a_accounts_pane_set_model (I2aAccountsPane *self,
                                         GListModel      *model);
guint       i2a_accounts_pane_get_n_rows (I2aAccountsPane *self);
/* The I2aAccountRow at @index, or NULL. */
GtkWidget  *i2a_accounts_pane_get_row   (I2aAccountsPane *self,
                                         guint            index);

G_END_DECLS
