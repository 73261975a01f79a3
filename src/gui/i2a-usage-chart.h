/* i2a-usage-chart.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-usage-chart.h: tokens per day as stacked bars, one colour per
 * series (account or model), with a legend below and the values of the
 * bar under the pointer in its tooltip. Drawn with GtkSnapshot. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define I2A_TYPE_USAGE_CHART (i2a_usage_chart_get_type ())
G_DECLARE_FINAL_TYPE (I2aUsageChart, i2a_usage_chart, I2A, USAGE_CHART, GtkWidget)

GtkWidget *i2a_usage_chart_new      (void);
/* @groups: I2aUsageGroup with "day" and "key" set (i2a_ledger_query_days);
 * the chart shows the @n_days days up to today, oldest left. */
void       i2a_usage_chart_set_data (I2aUsageChart *self,
                                     GPtrArray     *groups,
                                     guint          n_days);
/* Number of series (for tests). */
guint      i2a_usage_chart_get_n_series (I2aUsageChart *self);
/* Tooltip text for day @index (0 = oldest), or NULL. For tests. */
char      *i2a_usage_chart_dup_day_text (I2aUsageChart *self,
                                         guint          index);

G_END_DECLS
