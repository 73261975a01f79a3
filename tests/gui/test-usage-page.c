/* test-usage-page.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The Usage page over a real ledger: totals, the chart's series and hover
 * values, the sortable table, a live update when a request finishes, and
 * a screenshot (usage-page-<lang>.png) in the language of $LANGUAGE. */
#include "config.h"

#include <string.h>

#include "gui-test-util.h"
#include "i2a-usage-chart.h"
#include "i2a-usage-page.h"

static const char *lang = "en";

static void
add_row (I2aLedger  *ledger,
         gint64      time_ms,
         const char *account,
         const char *model,
         gint64      prompt,
         gint64      completion)
{
  I2aLedgerRow *row = i2a_ledger_row_new ();

  row->time_ms = time_ms;
  row->endpoint = g_strdup ("chat");
  row->account = g_strdup (account);
  row->model_requested = g_strdup (model);
  row->model_sent = g_strdup (model);
  row->client_key = g_strdup ("alice");
  row->status = 200;
  row->prompt_tokens = prompt;
  row->completion_tokens = completion;
  i2a_ledger_record (ledger, row);
}

static gboolean
settled (gpointer page)
{
  return i2a_usage_page_get_pending (page) == 0;
}

static GtkWidget *
find_widget (GtkWidget *root,
             GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_widget (c, type);

      if (found)
        return found;
    }
  return NULL;
}

static void
collect_labels (GtkWidget *root,
                GString   *out)
{
  if (GTK_IS_LABEL (root))
    g_string_append_printf (out, "%s\n", gtk_label_get_label (GTK_LABEL (root)));
  for (GtkWidget *c = gtk_widget_get_first_child (root); c; c = gtk_widget_get_next_sibling (c))
    collect_labels (c, out);
}

static void
test_usage_page (void)
{
  g_autofree char *dir = i2a_test_mkdtemp ();
  g_autofree char *path = g_build_filename (dir, "usage.db", NULL);
  g_autofree char *shot = g_strdup_printf ("usage-page-%s.png", lang);
  g_autofree char *png = NULL;
  g_autofree char *today_text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) labels = g_string_new (NULL);
  I2aLedger *ledger = i2a_ledger_open (path, &error);
  gint64 now = g_get_real_time () / 1000;
  const char *accounts[] = { "work", "personal", "team" };
  const char *models[] = { "glm-4.6", "qwen3-coder-plus", "kimi-k2" };
  GtkWidget *window, *page;
  GtkColumnView *table;
  I2aUsageChart *chart;
  GListModel *model;

  g_assert_no_error (error);
  /* Two weeks of traffic, growing; today 1000 + 500 tokens on "work". */
  for (int d = 13; d >= 1; d--)
    for (int i = 0; i < 3; i++)
      add_row (ledger, now - d * 24 * 3600 * G_GINT64_CONSTANT (1000), accounts[i], models[(i + d) % 3],
               (14 - d) * 1000 * (i + 1), (14 - d) * 300 * (i + 1));
  add_row (ledger, now - 1000, "work", "glm-4.6", 1000, 500);

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 760, 900);
  page = i2a_usage_page_new (ledger);
  gtk_window_set_child (GTK_WINDOW (window), page);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (i2a_test_wait_until (settled, page, 10000));
  gui_test_spin (200);

  chart = I2A_USAGE_CHART (find_widget (page, I2A_TYPE_USAGE_CHART));
  g_assert_cmpuint (i2a_usage_chart_get_n_series (chart), ==, 3);
  today_text = i2a_usage_chart_dup_day_text (chart, 29);
  g_assert_nonnull (today_text);
  g_assert_nonnull (strstr (today_text, "work: 1500"));

  table = GTK_COLUMN_VIEW (find_widget (page, GTK_TYPE_COLUMN_VIEW));
  model = G_LIST_MODEL (gtk_column_view_get_model (table));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 3);   /* three models */
  /* Sorted by output tokens, biggest first. */
  {
    g_autoptr(GObject) first = g_list_model_get_item (model, 0);
    g_autoptr(GObject) last = g_list_model_get_item (model, 2);
    gint64 a, b;

    g_object_get (first, "output", &a, NULL);
    g_object_get (last, "output", &b, NULL);
    g_assert_cmpint (a, >=, b);
  }

  /* Today's total, then live: one more request appears within a second or so. */
  collect_labels (page, labels);
  g_assert_nonnull (strstr (labels->str, "1500"));
  add_row (ledger, g_get_real_time () / 1000, "team", "kimi-k2", 700, 800);
  gui_test_spin (100);
  g_assert_true (i2a_test_wait_until (settled, page, 10000));
  g_string_truncate (labels, 0);
  collect_labels (page, labels);
  g_assert_nonnull (strstr (labels->str, "3000"));

  gtk_test_widget_wait_for_draw (window);
  gui_test_spin (300);
  png = gui_test_save_png (window, NULL, shot);
  g_test_message ("screenshot: %s", png);
  g_assert_true (g_file_test (png, G_FILE_TEST_EXISTS));

  gtk_window_destroy (GTK_WINDOW (window));
  gui_test_spin (50);
  g_assert_finalize_object (ledger);
  i2a_test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  gui_test_init (&argc, &argv);
  if (g_getenv ("LANGUAGE") && *g_getenv ("LANGUAGE"))
    lang = g_getenv ("LANGUAGE");
  g_test_add_func ("/gui/usage/page", test_usage_page);
  return g_test_run ();
}
