/* i2a-diff-view.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-diff-view.h: a unified diff as one label per line
 *
 * A vertical GtkBox styled "i2a-diff" + "monospace"; each line is a
 * GtkLabel classed i2a-diff-added ('+'), i2a-diff-removed ('-'),
 * i2a-diff-hunk ('@') or i2a-diff-header ("+++"/"---"), coloured by
 * i2a-opencode-dialog.css. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define I2A_TYPE_DIFF_VIEW (i2a_diff_view_get_type ())
G_DECLARE_FINAL_TYPE (I2aDiffView, i2a_diff_view, I2A, DIFF_VIEW, GtkBox)

GtkWidget *i2a_diff_view_new      (void);
/* Replaces the lines shown with those of @diff. */
void       i2a_diff_view_set_diff (I2aDiffView *self,
                                   const char  *diff);

G_END_DECLS
