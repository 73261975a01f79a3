/* i2a-gui-utils.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-gui-utils.h: small helpers shared by the widgets of gui/. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* Shows @text as a toast on @overlay. @text is plain text (an error
 * message, a path): it is escaped, since toast titles are markup. */
void  i2a_gui_toast  (AdwToastOverlay *overlay,
                      const char      *text);

G_END_DECLS
