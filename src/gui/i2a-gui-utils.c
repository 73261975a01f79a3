/* i2a-gui-utils.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-gui-utils"

#include "config.h"

#include "i2a-gui-utils.h"

void
i2a_gui_toast (AdwToastOverlay *overlay,
               const char      *text)
{
  g_autofree char *escaped = NULL;

  g_return_if_fail (ADW_IS_TOAST_OVERLAY (overlay));

  escaped = g_markup_escape_text (text, -1);
  adw_toast_overlay_add_toast (overlay, adw_toast_new (escaped));
}
