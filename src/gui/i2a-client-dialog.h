/* i2a-client-dialog.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-client-dialog.h: "Set Up <client>" — point a client program
 * (OpenCode, Codex…, see i2a-client-setup.h) at the server
 *
 * Shows which config file is changed and a preview of the change (a diff
 * with keys masked, added lines green, removed ones red), then Apply backs
 * the file up and writes it; Undo Last Change puts the newest backup back
 * after a confirmation that shows that diff too. Everything goes through
 * the async API of i2a-client-setup.h, so the main loop never waits on a file.
 *
 * The client key comes from the pool: with client auth off, the fixed
 * I2A_CLIENT_KEY_NO_AUTH; else the first key that reaches every account;
 * when there is none, the preview says a key will be created and Apply
 * creates it (i2a_pool_regenerate_client_key) before writing. Errors (a
 * file with comments, a file changed since the preview, a file that
 * cannot be written) are shown in the dialog, and the file stays as it
 * was. */
#pragma once

#include <adwaita.h>

#include "i2a-client-setup.h"
#include "i2a-pool.h"

G_BEGIN_DECLS

#define I2A_TYPE_CLIENT_DIALOG (i2a_client_dialog_get_type ())
G_DECLARE_FINAL_TYPE (I2aClientDialog, i2a_client_dialog, I2A, CLIENT_DIALOG, AdwWindow)

/* @base_url: the URL the server is reached at (a wildcard listen address
 * becomes the loopback one). @config_path NULL: the client's default
 * (client->default_path ()). The preview starts at once. */
GtkWidget  *i2a_client_dialog_new             (GtkWindow         *parent,
                                                 const I2aClient   *client,
                                                 I2aPool           *pool,
                                                 const char        *base_url,
                                                 const char        *config_path);
/* Make a new preview of the file as it is now. */
void        i2a_client_dialog_refresh         (I2aClientDialog *self);

const I2aClient *i2a_client_dialog_get_client (I2aClientDialog *self);

/* For tests. */
const char *i2a_client_dialog_get_config_path (I2aClientDialog *self);
const char *i2a_client_dialog_get_base_url    (I2aClientDialog *self);
/* TRUE while a preview, apply or undo runs. */
gboolean    i2a_client_dialog_get_busy        (I2aClientDialog *self);
/* The (masked) diff shown; "" when there is none. */
const char *i2a_client_dialog_get_diff_text   (I2aClientDialog *self);
/* The box holding one label per diff line. */
GtkWidget  *i2a_client_dialog_get_diff_view   (I2aClientDialog *self);
/* The error shown, or NULL. */
const char *i2a_client_dialog_get_error_text  (I2aClientDialog *self);
/* The title of the last toast shown, or NULL. */
const char *i2a_client_dialog_get_last_toast  (I2aClientDialog *self);
GtkWidget  *i2a_client_dialog_get_apply_button (I2aClientDialog *self);
GtkWidget  *i2a_client_dialog_get_undo_button (I2aClientDialog *self);
/* The "Restore the Previous Version?" AdwMessageDialog while it is open. */
GtkWindow  *i2a_client_dialog_get_confirm_dialog (I2aClientDialog *self);

G_END_DECLS
