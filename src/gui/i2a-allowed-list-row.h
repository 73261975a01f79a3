/* i2a-allowed-list-row.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-allowed-list-row.h: an expander row that edits one string-list
 * setting of the browser protections (the allowed web origins or the
 * extra host names): a row per entry with a remove button, and an entry
 * row that adds one after checking it. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define I2A_TYPE_ALLOWED_LIST_ROW (i2a_allowed_list_row_get_type ())
G_DECLARE_FINAL_TYPE (I2aAllowedListRow, i2a_allowed_list_row, I2A, ALLOWED_LIST_ROW, AdwExpanderRow)

/* Edits @key of @settings: "allowed-origins" (entries are origins) or
 * "allowed-hosts" (entries are host names). */
void         i2a_allowed_list_row_bind          (I2aAllowedListRow *self,
                                                 GSettings         *settings,
                                                 const char        *key);
/* The row new entries are typed in. */
AdwEntryRow *i2a_allowed_list_row_get_entry_row (I2aAllowedListRow *self);

G_END_DECLS
