/* i2a-usage-chart.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-usage-chart"

#include "config.h"

#include <glib/gi18n.h>

#include "i2a-ledger.h"
#include "i2a-usage-chart.h"

#define LEGEND_ROW   20
#define AXIS_WIDTH   48
#define DAY_LABEL    18
#define MAX_SERIES   8   /* the rest is one "other" series */

struct _I2aUsageChart
{
  GtkWidget  parent_instance;

  guint      n_days;
  GPtrArray *series;     /* char *: names, biggest first; "other" last if any */
  GPtrArray *days;       /* char *: "YYYY-MM-DD", oldest first */
  gint64    *values;     /* n_days x series->len, tokens */
};

G_DEFINE_FINAL_TYPE (I2aUsageChart, i2a_usage_chart, GTK_TYPE_WIDGET)

/* Distinct on light and dark backgrounds (GNOME palette, 3rd shades). */
static const GdkRGBA palette[] = {
  { 0.21, 0.52, 0.89, 1 }, { 0.20, 0.82, 0.48, 1 }, { 0.96, 0.83, 0.18, 1 },
  { 1.00, 0.47, 0.00, 1 }, { 0.88, 0.11, 0.14, 1 }, { 0.57, 0.25, 0.67, 1 },
  { 0.60, 0.76, 0.95, 1 }, { 0.71, 0.51, 0.35, 1 }, { 0.60, 0.60, 0.60, 1 },
};

/* GTK 4.8 has no gtk_widget_get_color (). */
static void
widget_color (GtkWidget *widget,
              GdkRGBA   *color)
{
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), color);
}

static gint64
value_at (I2aUsageChart *self,
          guint          day,
          guint          series)
{
  return self->values[day * self->series->len + series];
}

static char *
series_name (I2aUsageChart *self,
             guint          i)
{
  const char *name = self->series->pdata[i];

  return g_strdup (*name ? name : _("(none)"));
}

static gint
by_total_desc (gconstpointer a,
               gconstpointer b,
               gpointer      totals)
{
  gint64 ta = *(gint64 *) g_hash_table_lookup (totals, *(const char **) a);
  gint64 tb = *(gint64 *) g_hash_table_lookup (totals, *(const char **) b);

  if (ta != tb)
    return ta > tb ? -1 : 1;
  return g_strcmp0 (*(const char **) a, *(const char **) b);
}

void
i2a_usage_chart_set_data (I2aUsageChart *self,
                          GPtrArray     *groups,
                          guint          n_days)
{
  g_autoptr(GHashTable) totals = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GList) names = NULL;
  g_autoptr(GDateTime) today = g_date_time_new_now_local ();
  gboolean other = FALSE;

  g_return_if_fail (I2A_IS_USAGE_CHART (self));

  self->n_days = MAX (n_days, 1);
  g_ptr_array_set_size (self->series, 0);
  g_ptr_array_set_size (self->days, 0);
  for (guint d = 0; d < self->n_days; d++)
    {
      g_autoptr(GDateTime) day = g_date_time_add_days (today, -(gint) (self->n_days - 1 - d));

      g_ptr_array_add (self->days, g_date_time_format (day, "%Y-%m-%d"));
    }
  /* Series by their total, biggest first. */
  for (guint i = 0; i < groups->len; i++)
    {
      const I2aUsageGroup *g = groups->pdata[i];
      gint64 *t = g_hash_table_lookup (totals, g->key);

      if (t == NULL)
        {
          t = g_new0 (gint64, 1);
          g_hash_table_insert (totals, g_strdup (g->key), t);
        }
      *t += g->prompt_tokens + g->completion_tokens;
    }
  names = g_hash_table_get_keys (totals);
  {
    g_autoptr(GPtrArray) sorted = g_ptr_array_new ();

    for (GList *l = names; l; l = l->next)
      g_ptr_array_add (sorted, l->data);
    g_ptr_array_sort_with_data (sorted, by_total_desc, totals);
    for (guint i = 0; i < sorted->len; i++)
      {
        if (i < MAX_SERIES)
          g_ptr_array_add (self->series, g_strdup (sorted->pdata[i]));
        else
          other = TRUE;
      }
  }
  if (other)
    g_ptr_array_add (self->series, g_strdup (_("other")));

  g_free (self->values);
  self->values = g_new0 (gint64, self->n_days * MAX (self->series->len, 1));
  for (guint i = 0; i < groups->len; i++)
    {
      const I2aUsageGroup *g = groups->pdata[i];
      guint d, s;

      if (!g_ptr_array_find_with_equal_func (self->days, g->day, g_str_equal, &d))
        continue;
      if (!g_ptr_array_find_with_equal_func (self->series, g->key, g_str_equal, &s) ||
          (other && s == self->series->len - 1))
        s = self->series->len - 1;
      self->values[d * self->series->len + s] += g->prompt_tokens + g->completion_tokens;
    }
  gtk_widget_queue_resize (GTK_WIDGET (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
i2a_usage_chart_get_n_series (I2aUsageChart *self)
{
  return self->series->len;
}

char *
i2a_usage_chart_dup_day_text (I2aUsageChart *self,
                              guint          index)
{
  GString *text;
  gint64 total = 0;

  if (index >= self->days->len || self->series->len == 0)
    return NULL;
  text = g_string_new (self->days->pdata[index]);
  for (guint s = 0; s < self->series->len; s++)
    total += value_at (self, index, s);
  {
    g_autofree char *n = i2a_usage_format_count (total);
    /* TRANSLATORS: first line of a bar's tooltip: a day, then its tokens */
    g_string_append_printf (text, _(": %s tokens"), n);
  }
  for (guint s = 0; s < self->series->len; s++)
    if (value_at (self, index, s) > 0)
      {
        g_autofree char *name = series_name (self, s);
        g_autofree char *n = i2a_usage_format_count (value_at (self, index, s));

        g_string_append_printf (text, "\n%s: %s", name, n);
      }
  return g_string_free (text, FALSE);
}

/* ---- drawing ------------------------------------------------------------ */

static guint
legend_rows (I2aUsageChart *self,
             int            width)
{
  guint per_row = MAX (1, (guint) (width - AXIS_WIDTH) / 140);

  return (self->series->len + per_row - 1) / per_row;
}

static gint64
max_total (I2aUsageChart *self)
{
  gint64 max = 0;

  for (guint d = 0; d < self->n_days; d++)
    {
      gint64 t = 0;

      for (guint s = 0; s < self->series->len; s++)
        t += value_at (self, d, s);
      max = MAX (max, t);
    }
  return max;
}

static void
draw_text (GtkWidget   *widget,
           GtkSnapshot *snapshot,
           const char  *text,
           float        x,
           float        y,
           gboolean     dim)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, text);
  GdkRGBA color;

  widget_color (widget, &color);
  if (dim)
    color.alpha *= 0.6f;
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_snapshot_append_layout (snapshot, layout, &color);
  gtk_snapshot_restore (snapshot);
}

static void
bar_geometry (I2aUsageChart *self,
              int            width,
              int            height,
              float         *x0,
              float         *slot,
              float         *plot_h)
{
  *x0 = AXIS_WIDTH;
  *slot = (width - AXIS_WIDTH) / (float) MAX (self->n_days, 1);
  *plot_h = height - DAY_LABEL - legend_rows (self, width) * LEGEND_ROW - 8;
}

static void
i2a_usage_chart_snapshot (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  I2aUsageChart *self = I2A_USAGE_CHART (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  gint64 max = max_total (self);
  float x0, slot, plot_h;
  GdkRGBA grid;

  bar_geometry (self, width, height, &x0, &slot, &plot_h);
  widget_color (widget, &grid);
  grid.alpha = 0.15f;
  if (plot_h <= 10)
    return;
  /* Axis: the top value and a baseline. */
  {
    g_autofree char *top = i2a_usage_format_count (max);

    draw_text (widget, snapshot, top, 0, 0, TRUE);
    gtk_snapshot_append_color (snapshot, &grid, &GRAPHENE_RECT_INIT (x0, 0, width - x0, 1));
    gtk_snapshot_append_color (snapshot, &grid, &GRAPHENE_RECT_INIT (x0, plot_h, width - x0, 1));
  }
  for (guint d = 0; d < self->n_days && max > 0; d++)
    {
      float y = plot_h;

      for (guint s = 0; s < self->series->len; s++)
        {
          float h = (float) ((double) value_at (self, d, s) / max * plot_h);

          if (h <= 0)
            continue;
          y -= h;
          gtk_snapshot_append_color (snapshot, &palette[s % G_N_ELEMENTS (palette)],
                                     &GRAPHENE_RECT_INIT (x0 + d * slot + slot * 0.15f, y, slot * 0.7f, h));
        }
    }
  /* Day labels as room allows, counted back from today. */
  for (guint d = 0; d < self->n_days; d++)
    {
      guint every = MAX (1, (guint) (60 / MAX (slot, 1)));

      if ((self->n_days - 1 - d) % every == 0)
        draw_text (widget, snapshot, (const char *) self->days->pdata[d] + 5, x0 + d * slot, plot_h + 2, TRUE);
    }
  /* Legend. */
  {
    guint per_row = MAX (1, (guint) (width - AXIS_WIDTH) / 140);

    for (guint s = 0; s < self->series->len; s++)
      {
        g_autofree char *name = series_name (self, s);
        float lx = x0 + (s % per_row) * 140;
        float ly = plot_h + DAY_LABEL + 6 + (s / per_row) * LEGEND_ROW;

        gtk_snapshot_append_color (snapshot, &palette[s % G_N_ELEMENTS (palette)],
                                   &GRAPHENE_RECT_INIT (lx, ly + 4, 10, 10));
        draw_text (widget, snapshot, name, lx + 14, ly, FALSE);
      }
  }
}

static gboolean
query_tooltip_cb (GtkWidget  *widget,
                  int         x,
                  int         y,
                  gboolean    keyboard,
                  GtkTooltip *tooltip,
                  gpointer    user_data)
{
  I2aUsageChart *self = I2A_USAGE_CHART (widget);
  float x0, slot, plot_h;
  g_autofree char *text = NULL;
  int day;

  bar_geometry (self, gtk_widget_get_width (widget), gtk_widget_get_height (widget), &x0, &slot, &plot_h);
  if (x < x0 || y > plot_h || slot <= 0)
    return FALSE;
  day = (int) ((x - x0) / slot);
  text = i2a_usage_chart_dup_day_text (self, (guint) day);
  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
i2a_usage_chart_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  I2aUsageChart *self = I2A_USAGE_CHART (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 240;
      *natural = 600;
    }
  else
    {
      int rows = legend_rows (self, for_size > 0 ? for_size : 600);

      *minimum = *natural = 180 + DAY_LABEL + rows * LEGEND_ROW + 8;
    }
}

static void
i2a_usage_chart_finalize (GObject *object)
{
  I2aUsageChart *self = I2A_USAGE_CHART (object);

  g_ptr_array_unref (self->series);
  g_ptr_array_unref (self->days);
  g_free (self->values);
  G_OBJECT_CLASS (i2a_usage_chart_parent_class)->finalize (object);
}

static void
i2a_usage_chart_class_init (I2aUsageChartClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = i2a_usage_chart_finalize;
  widget_class->snapshot = i2a_usage_chart_snapshot;
  widget_class->measure = i2a_usage_chart_measure;
  gtk_widget_class_set_css_name (widget_class, "usagechart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
i2a_usage_chart_init (I2aUsageChart *self)
{
  self->series = g_ptr_array_new_with_free_func (g_free);
  self->days = g_ptr_array_new_with_free_func (g_free);
  self->n_days = 30;
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (query_tooltip_cb), NULL);
}

GtkWidget *
i2a_usage_chart_new (void)
{
  return g_object_new (I2A_TYPE_USAGE_CHART, NULL);
}
