/* i2a-client-dialog-private.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-client-dialog-private.h: shared by the client setup dialog
 * (i2a-client-dialog.c: state, preview, object) and its writes
 * (i2a-client-dialog-write.c: Apply and Undo) */
#pragma once

#include "i2a-client-key.h"
#include "i2a-diff-view.h"
#include "i2a-client-dialog.h"
#include "i2a-client-setup.h"

G_BEGIN_DECLS

struct _I2aClientDialog
{
  AdwWindow        parent_instance;

  const I2aClient *client;
  I2aPool         *pool;
  char            *base_url;
  char            *config_path;
  GCancellable    *cancellable;

  I2aClientPlan *plan;            /* the setup preview, NULL after an error */
  char            *plan_key;        /* the apiKey it holds (a secret) */
  gboolean         pending_key;     /* Apply must create a client key first */
  I2aClientPlan *undo_plan;       /* while the confirmation is open */
  char            *newest_backup;
  char            *diff_text;
  char            *error_text;
  char            *last_toast;
  gboolean         busy;
  gboolean         waiting_for_pool;
  gboolean         keep_error;      /* the next preview keeps error_text */
  GtkWindow       *confirm;         /* weak */

  AdwToastOverlay *toast_overlay;
  GtkButton       *cancel_button;
  GtkButton       *apply_button;
  GtkSpinner      *spinner;
  AdwActionRow    *path_row;
  AdwActionRow    *server_row;
  AdwActionRow    *key_row;
  AdwActionRow    *undo_row;
  GtkButton       *undo_button;
  GtkWidget       *error_box;
  GtkLabel        *error_label;
  GtkLabel        *status_label;
  GtkWidget       *diff_scroll;
  I2aDiffView     *diff_box;
};

/* Shows the current state in the widgets (no-op after dispose). */
void        _i2a_client_dialog_update           (I2aClientDialog *self);
/* The key the client should send; *pending when a key must be made. */
const char *_i2a_client_dialog_choose_key       (I2aClientDialog *self,
                                                  gboolean          *pending);
/* A toast (plain text, escaped here), remembered for tests. */
void        _i2a_client_dialog_toast            (I2aClientDialog *self,
                                                  const char        *text);
/* After an operation: the file as it is now, keeping any error shown. */
void        _i2a_client_dialog_finish_operation (I2aClientDialog *self,
                                                  const char        *error_text);
/* The Apply and Undo… buttons. */
void        _i2a_client_dialog_apply            (I2aClientDialog *self);
void        _i2a_client_dialog_undo             (I2aClientDialog *self);

G_END_DECLS
