/* i2a-usage-dialog.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-usage-dialog.h: the Usage page in a window of its own, opened from
 * the main menu (Ctrl+U). */
#pragma once

#include <adwaita.h>

#include "i2a-ledger.h"

G_BEGIN_DECLS

/* A window showing the usage of @ledger (NULL: a page that says the
 * ledger is off), transient for @parent. */
GtkWindow *i2a_usage_dialog_new (GtkWindow *parent,
                                 I2aLedger *ledger);

G_END_DECLS
