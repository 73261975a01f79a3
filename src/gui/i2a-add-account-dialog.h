/* i2a-add-account-dialog.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-add-account-dialog.h: "Add Account" and "Edit Account"
 *
 * Adding: a choice between logging in with iFlow (hands over to the login
 * dialog) and an OpenAI-compatible service, picked from the presets (name,
 * base URL, where keys are made, what a key looks like) or typed in.
 * Editing: the same fields for an existing api-key account; an empty key
 * keeps the one in the keyring. "Test" lists the service's models with the
 * key before anything is saved; saving goes through i2a-account-ops (key
 * to the keyring, entry to keys.json) and emits "saved". */
#pragma once

#include <adwaita.h>

#include "i2a-account-store.h"

G_BEGIN_DECLS

#define I2A_TYPE_ADD_ACCOUNT_DIALOG (i2a_add_account_dialog_get_type ())
G_DECLARE_FINAL_TYPE (I2aAddAccountDialog, i2a_add_account_dialog, I2A, ADD_ACCOUNT_DIALOG, AdwWindow)

/* @account: the account to edit, or NULL to add one. */
GtkWidget  *i2a_add_account_dialog_new           (GtkWindow       *parent,
                                                  I2aAccountStore *store,
                                                  I2aAccount      *account);

/* Selects the preset with @id ("custom", "deepseek", …); FALSE if unknown. */
gboolean    i2a_add_account_dialog_select_preset (I2aAddAccountDialog *self,
                                                  const char          *id);
/* For tests: what the connection test and the last save said (NULL:
 * nothing yet), and whether one of them is running. */
const char *i2a_add_account_dialog_get_test_text  (I2aAddAccountDialog *self);
const char *i2a_add_account_dialog_get_error_text (I2aAddAccountDialog *self);
gboolean    i2a_add_account_dialog_is_busy        (I2aAddAccountDialog *self);

G_END_DECLS
