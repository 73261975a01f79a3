/* i2a-usage-page.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-usage-page.h: the Usage page: totals for today, 7 and 30 days, a
 * chart of tokens per day stacked by account or model, and a sortable
 * table per model, account or client key, all from the usage ledger and
 * refreshed as requests finish. */
#pragma once

#include <adwaita.h>

#include "i2a-ledger.h"

G_BEGIN_DECLS

#define I2A_TYPE_USAGE_PAGE (i2a_usage_page_get_type ())
G_DECLARE_FINAL_TYPE (I2aUsagePage, i2a_usage_page, I2A, USAGE_PAGE, GtkWidget)

GtkWidget *i2a_usage_page_new        (I2aLedger    *ledger);
/* Queries in flight (tests wait for 0 before looking). */
guint      i2a_usage_page_get_pending (I2aUsagePage *self);

G_END_DECLS
