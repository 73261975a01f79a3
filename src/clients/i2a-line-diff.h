/* i2a-line-diff.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-line-diff.h: a unified diff of two texts, line by line. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* "--- @old_label", "+++ @new_label", then "@@ -a,b +c,d @@" hunks with
 * @context unchanged lines around each change. "" when the texts have the
 * same lines. Texts up to a few thousand lines get a minimal diff; beyond
 * that the changed middle is shown as removed then added. */
char *i2a_line_diff_unified (const char *old_text,
                             const char *new_text,
                             const char *old_label,
                             const char *new_label,
                             guint       context);

G_END_DECLS
