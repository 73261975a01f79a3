/* gui-test-util.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* gui-test-util.h: plumbing for the UI tests (Xvfb + private session bus) */
#pragma once

#include <adwaita.h>

#include "i2a-test-util.h"

G_BEGIN_DECLS

/* A private HOME/XDG_* under a temp dir (returned, owned by the helper),
 * gettext bound to the build tree, gtk_test_init + adw_init. */
const char *gui_test_init          (int          *argc,
                                    char       ***argv);
/* Iterate the main context for @ms milliseconds. */
void        gui_test_spin          (guint         ms);
/* Render @window (and @dialog centred over it, dimmed behind, when not
 * NULL) to the PNG @name (a file name, no directory) in the test build dir
 * ($G_TEST_BUILDDIR, else the test binary's dir): never the source tree
 * or the current directory. Returns the path written. */
char       *gui_test_save_png      (GtkWidget    *window,
                                    GtkWidget    *dialog,
                                    const char   *name);

G_END_DECLS
