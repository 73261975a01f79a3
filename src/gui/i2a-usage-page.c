/* i2a-usage-page.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-usage-page"

#include "config.h"

#include <glib/gi18n.h>

#include "i2a-usage-chart.h"
#include "i2a-usage-page.h"

#define DAYS 30

/* ---- one table row --------------------------------------------------------- */

#define I2A_TYPE_USAGE_ITEM (i2a_usage_item_get_type ())
G_DECLARE_FINAL_TYPE (I2aUsageItem, i2a_usage_item, I2A, USAGE_ITEM, GObject)

struct _I2aUsageItem
{
  GObject  parent_instance;
  char    *name;
  gint64   values[4];   /* requests, errors, input, output */
};

G_DEFINE_FINAL_TYPE (I2aUsageItem, i2a_usage_item, G_TYPE_OBJECT)

enum { ITEM_PROP_0, ITEM_PROP_NAME, ITEM_PROP_REQUESTS, ITEM_PROP_ERRORS, ITEM_PROP_INPUT, ITEM_PROP_OUTPUT, ITEM_N_PROPS };
static const char *const value_props[] = { "requests", "errors", "input", "output" };

static void
i2a_usage_item_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  I2aUsageItem *self = I2A_USAGE_ITEM (object);

  if (prop_id == ITEM_PROP_NAME)
    g_value_set_string (value, self->name);
  else
    g_value_set_int64 (value, self->values[prop_id - ITEM_PROP_REQUESTS]);
}

static void
i2a_usage_item_finalize (GObject *object)
{
  g_free (I2A_USAGE_ITEM (object)->name);
  G_OBJECT_CLASS (i2a_usage_item_parent_class)->finalize (object);
}

static void
i2a_usage_item_class_init (I2aUsageItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->get_property = i2a_usage_item_get_property;
  object_class->finalize = i2a_usage_item_finalize;
  g_object_class_install_property (object_class, ITEM_PROP_NAME, g_param_spec_string ("name", NULL, NULL, NULL, ro));
  for (guint i = 0; i < G_N_ELEMENTS (value_props); i++)
    g_object_class_install_property (object_class, ITEM_PROP_REQUESTS + i,
                                     g_param_spec_int64 (value_props[i], NULL, NULL, 0, G_MAXINT64, 0, ro));
}

static void
i2a_usage_item_init (I2aUsageItem *self)
{
}

/* ---- the page ----------------------------------------------------------------- */

struct _I2aUsagePage
{
  GtkWidget      parent_instance;

  I2aLedger     *ledger;
  GCancellable  *cancellable;
  GListStore    *rows;
  guint          refresh_id;
  guint          pending;

  GtkWidget     *scroller;
  AdwActionRow  *today_row;
  AdwActionRow  *week_row;
  AdwActionRow  *month_row;
  GtkLabel      *today_tokens;
  GtkLabel      *week_tokens;
  GtkLabel      *month_tokens;
  GtkDropDown   *chart_by;
  I2aUsageChart *chart;
  GtkDropDown   *table_by;
  GtkColumnView *table;
};

G_DEFINE_FINAL_TYPE (I2aUsagePage, i2a_usage_page, GTK_TYPE_WIDGET)

typedef struct
{
  I2aUsagePage *page;
  int           which;   /* 0..2 totals, 3 chart, 4 table */
} Query;

static void
show_total (I2aUsagePage *self,
            int           which,
            GPtrArray    *groups)
{
  AdwActionRow *rows[] = { self->today_row, self->week_row, self->month_row };
  GtkLabel *labels[] = { self->today_tokens, self->week_tokens, self->month_tokens };
  gint64 requests = 0, errors = 0, tokens = 0;
  g_autofree char *n = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *label = NULL;

  for (guint i = 0; i < groups->len; i++)
    {
      const I2aUsageGroup *g = groups->pdata[i];

      requests += g->requests;
      errors += g->errors;
      tokens += g->prompt_tokens + g->completion_tokens;
    }
  n = i2a_usage_format_count (tokens);
  /* TRANSLATORS: a total of tokens, e.g. "1.2 M tokens" */
  label = g_strdup_printf (_("%s tokens"), n);
  gtk_label_set_label (labels[which], label);
  {
    g_autofree char *rn = g_strdup_printf ("%" G_GINT64_FORMAT, requests);
    g_autofree char *en = g_strdup_printf ("%" G_GINT64_FORMAT, errors);
    /* TRANSLATORS: %s is a number of requests */
    g_autofree char *rq = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s request", "%s requests",
                                                        (gulong) MIN (requests, G_MAXINT)), rn);
    /* TRANSLATORS: %s is a number of failed requests */
    g_autofree char *er = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s error", "%s errors",
                                                        (gulong) MIN (errors, G_MAXINT)), en);

    /* TRANSLATORS: "12 requests, 1 error" */
    subtitle = g_strdup_printf (_("%s, %s"), rq, er);
  }
  adw_action_row_set_subtitle (rows[which], subtitle);
}

static void
show_table (I2aUsagePage *self,
            GPtrArray    *groups)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < groups->len; i++)
    {
      const I2aUsageGroup *g = groups->pdata[i];
      I2aUsageItem *item = g_object_new (I2A_TYPE_USAGE_ITEM, NULL);

      item->name = g_strdup (*g->key ? g->key : _("(none)"));
      item->values[0] = g->requests;
      item->values[1] = g->errors;
      item->values[2] = g->prompt_tokens;
      item->values[3] = g->completion_tokens;
      g_ptr_array_add (items, item);
    }
  g_list_store_splice (self->rows, 0, g_list_model_get_n_items (G_LIST_MODEL (self->rows)),
                       items->pdata, items->len);
}

static void
queried_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Query *q = user_data;
  I2aUsagePage *self = q->page;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) groups = NULL;

  groups = q->which == 3 ? i2a_ledger_query_days_finish (I2A_LEDGER (source), result, &error)
                         : i2a_ledger_query_finish (I2A_LEDGER (source), result, &error);
  if (groups == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Usage query failed: %s", error->message);
    }
  else if (q->which < 3)
    show_total (self, q->which, groups);
  else if (q->which == 3)
    i2a_usage_chart_set_data (self->chart, groups, DAYS);
  else
    show_table (self, groups);
  self->pending--;
  g_object_unref (self);
  g_free (q);
}

static void
query (I2aUsagePage *self,
       int           which,
       gint64        since_ms,
       I2aUsageBy    by)
{
  Query *q = g_new0 (Query, 1);

  q->page = g_object_ref (self);
  q->which = which;
  self->pending++;
  if (which == 3)
    i2a_ledger_query_days_async (self->ledger, since_ms, by, self->cancellable, queried_cb, q);
  else
    i2a_ledger_query_async (self->ledger, since_ms, by, self->cancellable, queried_cb, q);
}

static void
refresh (I2aUsagePage *self)
{
  static const I2aUsageBy table_by[] = { I2A_USAGE_BY_MODEL, I2A_USAGE_BY_ACCOUNT, I2A_USAGE_BY_KEY };
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) midnight = g_date_time_new_local (g_date_time_get_year (now), g_date_time_get_month (now),
                                                          g_date_time_get_day_of_month (now), 0, 0, 0);
  g_autoptr(GDateTime) first_day = g_date_time_add_days (midnight, -(DAYS - 1));
  gint64 now_ms = g_date_time_to_unix (now) * 1000;
  guint t = gtk_drop_down_get_selected (self->table_by);

  if (self->ledger == NULL)
    return;
  query (self, 0, g_date_time_to_unix (midnight) * 1000, I2A_USAGE_BY_ENDPOINT);
  query (self, 1, now_ms - 7 * 24 * 3600 * G_GINT64_CONSTANT (1000), I2A_USAGE_BY_ENDPOINT);
  query (self, 2, now_ms - 30 * 24 * 3600 * G_GINT64_CONSTANT (1000), I2A_USAGE_BY_ENDPOINT);
  query (self, 3, g_date_time_to_unix (first_day) * 1000,
         gtk_drop_down_get_selected (self->chart_by) == 1 ? I2A_USAGE_BY_MODEL : I2A_USAGE_BY_ACCOUNT);
  query (self, 4, now_ms - 30 * 24 * 3600 * G_GINT64_CONSTANT (1000), table_by[MIN (t, 2)]);
}

static gboolean
refresh_cb (gpointer user_data)
{
  I2aUsagePage *self = user_data;

  self->refresh_id = 0;
  refresh (self);
  return G_SOURCE_REMOVE;
}

/* Requests can finish hundreds of times a second: redraw at most once a
 * second. */
static void
recorded_cb (I2aUsagePage *self)
{
  if (self->refresh_id == 0 && gtk_widget_get_mapped (GTK_WIDGET (self)))
    self->refresh_id = g_timeout_add (1000, refresh_cb, self);
}

guint
i2a_usage_page_get_pending (I2aUsagePage *self)
{
  return self->pending + (self->refresh_id != 0 ? 1 : 0);
}

/* ---- the table's columns ---------------------------------------------------------- */

static void
setup_label_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  numeric)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), numeric ? 1.0f : 0.0f);
  gtk_label_set_ellipsize (GTK_LABEL (label), numeric ? PANGO_ELLIPSIZE_NONE : PANGO_ELLIPSIZE_END);
  if (numeric)
    gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (item, label);
}

static void
bind_label_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  column)
{
  I2aUsageItem *row = gtk_list_item_get_item (item);
  guint c = GPOINTER_TO_UINT (column);
  g_autofree char *text = c == 0 ? g_strdup (row->name)
                                 : g_strdup_printf ("%" G_GINT64_FORMAT, row->values[c - 1]);

  gtk_label_set_label (GTK_LABEL (gtk_list_item_get_child (item)), text);
}

static void
add_column (I2aUsagePage *self,
            guint         c,
            const char   *title)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *column;
  GtkSorter *sorter;

  g_signal_connect (factory, "setup", G_CALLBACK (setup_label_cb), GUINT_TO_POINTER (c > 0));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_label_cb), GUINT_TO_POINTER (c));
  column = gtk_column_view_column_new (title, factory);
  if (c == 0)
    {
      sorter = GTK_SORTER (gtk_string_sorter_new (gtk_property_expression_new (I2A_TYPE_USAGE_ITEM, NULL, "name")));
      gtk_column_view_column_set_expand (column, TRUE);
    }
  else
    sorter = GTK_SORTER (gtk_numeric_sorter_new (gtk_property_expression_new (I2A_TYPE_USAGE_ITEM, NULL,
                                                                              value_props[c - 1])));
  gtk_column_view_column_set_sorter (column, sorter);
  g_object_unref (sorter);
  gtk_column_view_append_column (self->table, column);
  if (c == 4)
    gtk_column_view_sort_by_column (self->table, column, GTK_SORT_DESCENDING);
  g_object_unref (column);
}

static void
setup_table (I2aUsagePage *self)
{
  GtkSortListModel *sorted;

  add_column (self, 0, _("Name"));
  add_column (self, 1, _("Requests"));
  add_column (self, 2, _("Errors"));
  add_column (self, 3, _("Input Tokens"));
  add_column (self, 4, _("Output Tokens"));
  sorted = gtk_sort_list_model_new (G_LIST_MODEL (g_object_ref (self->rows)),
                                    g_object_ref (gtk_column_view_get_sorter (self->table)));
  gtk_column_view_set_model (self->table, GTK_SELECTION_MODEL (gtk_no_selection_new (G_LIST_MODEL (sorted))));
}

static void
i2a_usage_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (i2a_usage_page_parent_class)->map (widget);
  refresh (I2A_USAGE_PAGE (widget));
}

static void
i2a_usage_page_dispose (GObject *object)
{
  I2aUsagePage *self = I2A_USAGE_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  if (self->ledger)
    g_signal_handlers_disconnect_by_data (self->ledger, self);
  g_clear_object (&self->ledger);
  gtk_widget_dispose_template (GTK_WIDGET (self), I2A_TYPE_USAGE_PAGE);
  G_OBJECT_CLASS (i2a_usage_page_parent_class)->dispose (object);
}

static void
i2a_usage_page_finalize (GObject *object)
{
  I2aUsagePage *self = I2A_USAGE_PAGE (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->rows);
  G_OBJECT_CLASS (i2a_usage_page_parent_class)->finalize (object);
}

static void
i2a_usage_page_class_init (I2aUsagePageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = i2a_usage_page_dispose;
  G_OBJECT_CLASS (klass)->finalize = i2a_usage_page_finalize;
  widget_class->map = i2a_usage_page_map;
  g_type_ensure (I2A_TYPE_USAGE_CHART);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/iflow2api/Iflow2Api/ui/i2a-usage-page.ui");
  gtk_widget_class_bind_template_child (widget_class, I2aUsagePage, scroller);
  gtk_widget_class_bind_template_child (widget_class, I2aUsagePage, today_row);
  gtk_widget_class_bind_template_child (widget_class, I2aUsagePage, week_row);
  gtk_widget_class_bind_template_child (widget_class, I2aUsagePage, month_row);
  gtk_widget_class_bind_template_child (widget_class, I2aUsagePage, today_tokens);
  gtk_widget_class_bind_template_child (widget_class, I2aUsagePage, week_tokens);
  gtk_widget_class_bind_template_child (widget_class, I2aUsagePage, month_tokens);
  gtk_widget_class_bind_template_child (widget_class, I2aUsagePage, chart_by);
  gtk_widget_class_bind_template_child (widget_class, I2aUsagePage, chart);
  gtk_widget_class_bind_template_child (widget_class, I2aUsagePage, table_by);
  gtk_widget_class_bind_template_child (widget_class, I2aUsagePage, table);
  gtk_widget_class_bind_template_callback (widget_class, refresh);
}

static void
i2a_usage_page_init (I2aUsagePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->rows = g_list_store_new (I2A_TYPE_USAGE_ITEM);
  setup_table (self);
}

GtkWidget *
i2a_usage_page_new (I2aLedger *ledger)
{
  I2aUsagePage *self = g_object_new (I2A_TYPE_USAGE_PAGE, NULL);

  if (ledger)
    {
      self->ledger = g_object_ref (ledger);
      g_signal_connect_swapped (ledger, "recorded", G_CALLBACK (recorded_cb), self);
    }
  return GTK_WIDGET (self);
}
