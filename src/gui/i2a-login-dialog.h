/* i2a-login-dialog.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-login-dialog.h: "Log in with iFlow" in the browser
 *
 * Runs one I2aOAuthLogin: opens the browser with gtk_show_uri_full(),
 * shows the link with a copy button in case no browser opens, a spinner
 * while waiting, and a clear message when it fails. On success the login
 * is saved through i2a-account-ops and "succeeded" is emitted with the
 * account; closing the dialog cancels the login. */
#pragma once

#include <adwaita.h>

#include "i2a-account-store.h"

G_BEGIN_DECLS

#define I2A_TYPE_LOGIN_DIALOG (i2a_login_dialog_get_type ())
G_DECLARE_FINAL_TYPE (I2aLoginDialog, i2a_login_dialog, I2A, LOGIN_DIALOG, AdwWindow)

/* @account_id: the account to log in again, or NULL for a new one. */
/* @share_with_cli: also give the iFlow CLI the new login. */
GtkWidget  *i2a_login_dialog_new              (GtkWindow       *parent,
                                               I2aAccountStore *store,
                                               const char      *account_id,
                                               gboolean         share_with_cli);
void        i2a_login_dialog_start            (I2aLoginDialog *self);
void        i2a_login_dialog_cancel           (I2aLoginDialog *self);

/* For tests: "waiting", "failed"; the link shown; the failure shown. */
const char *i2a_login_dialog_get_page         (I2aLoginDialog *self);
const char *i2a_login_dialog_get_authorize_url (I2aLoginDialog *self);
const char *i2a_login_dialog_get_error_text   (I2aLoginDialog *self);

G_END_DECLS
