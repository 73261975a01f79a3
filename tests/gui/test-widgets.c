/* test-widgets.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Widgets built from their templates, following live account state. */
#include "config.h"

#include <glib/gstdio.h>

#include "gui-test-util.h"
#include "i2a-account-row.h"
#include "i2a-accounts-pane.h"
#include "i2a-autostart.h"
#include "i2a-client-keys-group.h"
#include "i2a-login-dialog.h"
#include "i2a-pool-monitor.h"
#include "i2a-allowed-list-row.h"
#include "i2a-preferences-window.h"

static I2aAccount *
make_account (const char *id,
              const char *label,
              gboolean    with_key)
{
  I2aAccount *account = i2a_account_new (id, I2A_PROVIDER_OPENAI, "http://127.0.0.1:9/v1");

  i2a_account_set_label (account, label);
  i2a_account_set_max_concurrency (account, 4);
  if (with_key)
    i2a_account_set_api_key (account, I2A_TEST_KEY);
  return account;
}

static void
count_cb (guint *counter)
{
  (*counter)++;
}

static void
test_pool_monitor (void)
{
  g_autoptr(GListStore) store = g_list_store_new (I2A_TYPE_ACCOUNT);
  g_autoptr(I2aPoolMonitor) monitor = i2a_pool_monitor_new (G_LIST_MODEL (store));
  g_autoptr(I2aAccount) a = make_account ("a", "A", TRUE);
  g_autoptr(I2aAccount) b = make_account ("b", "B", TRUE);
  g_autoptr(I2aAccount) placeholder = make_account ("iflow-cli", "CLI", FALSE);
  guint needs_login = 0, all_unavailable = 0;

  g_signal_connect_swapped (monitor, "account-needs-login", G_CALLBACK (count_cb), &needs_login);
  g_signal_connect_swapped (monitor, "all-unavailable", G_CALLBACK (count_cb), &all_unavailable);

  g_list_store_append (store, placeholder);
  g_assert_cmpuint (i2a_pool_monitor_get_n_accounts (monitor), ==, 1);
  g_assert_cmpuint (i2a_pool_monitor_get_n_configured (monitor), ==, 0);

  g_list_store_append (store, a);
  g_list_store_append (store, b);
  g_assert_cmpuint (i2a_pool_monitor_get_n_configured (monitor), ==, 2);
  g_assert_cmpuint (i2a_pool_monitor_get_n_usable (monitor), ==, 2);

  i2a_account_set_state (a, I2A_ACCOUNT_STATE_NEEDS_LOGIN);
  g_assert_cmpuint (needs_login, ==, 1);
  i2a_account_set_last_error (a, "still");   /* another notify: no second signal */
  g_assert_cmpuint (needs_login, ==, 1);
  g_assert_cmpuint (i2a_pool_monitor_get_n_usable (monitor), ==, 1);
  g_assert_cmpuint (i2a_pool_monitor_get_n_unavailable (monitor), ==, 1);
  g_assert_cmpuint (all_unavailable, ==, 0);

  /* The last usable one opens its circuit. */
  i2a_account_set_circuit_open_until (b, g_get_real_time () / G_USEC_PER_SEC + 60);
  g_assert_cmpuint (i2a_pool_monitor_get_n_usable (monitor), ==, 0);
  g_assert_cmpuint (all_unavailable, ==, 1);

  i2a_account_set_circuit_open_until (b, 0);
  g_assert_cmpuint (i2a_pool_monitor_get_n_usable (monitor), ==, 1);

  /* Removal is followed too. */
  g_list_store_remove (store, 2);
  g_assert_cmpuint (i2a_pool_monitor_get_n_accounts (monitor), ==, 2);
  g_assert_cmpuint (i2a_pool_monitor_get_n_usable (monitor), ==, 0);
}

static void
test_account_row_status (void)
{
  g_autoptr(I2aAccount) account = make_account ("acc1", "Work", TRUE);
  GtkWidget *row = g_object_ref_sink (i2a_account_row_new (account, NULL));
  I2aAccountRow *r = I2A_ACCOUNT_ROW (row);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "Work");
  g_assert_cmpstr (i2a_account_row_get_status_text (r), ==, "Ready");
  g_assert_cmpstr (i2a_account_row_get_load_text (r), ==, "0 / 4");

  i2a_account_set_in_flight (account, 3);
  g_assert_cmpstr (i2a_account_row_get_load_text (r), ==, "3 / 4");
  i2a_account_set_max_concurrency (account, 0);
  g_assert_cmpstr (i2a_account_row_get_load_text (r), ==, "3 / ∞");

  i2a_account_set_circuit_open_until (account, now + 90);
  g_assert_true (g_str_has_prefix (i2a_account_row_get_status_text (r), "Cooling down · 1:"));
  i2a_account_set_consecutive_failures (account, 3);
  g_assert_true (g_str_has_prefix (i2a_account_row_get_status_text (r), "Circuit open · 1:"));

  /* The countdown moves by itself (1 s timer). */
  i2a_account_set_circuit_open_until (account, now + 3);
  {
    g_autofree char *before = g_strdup (i2a_account_row_get_status_text (r));

    gui_test_spin (2200);
    g_assert_cmpstr (before, !=, i2a_account_row_get_status_text (r));
  }
  i2a_account_set_circuit_open_until (account, 0);
  g_assert_cmpstr (i2a_account_row_get_status_text (r), ==, "Ready");

  i2a_account_set_state (account, I2A_ACCOUNT_STATE_REFRESHING);
  g_assert_cmpstr (i2a_account_row_get_status_text (r), ==, "Refreshing");
  i2a_account_set_state (account, I2A_ACCOUNT_STATE_NEEDS_LOGIN);
  g_assert_cmpstr (i2a_account_row_get_status_text (r), ==, "Needs login");
  i2a_account_set_enabled (account, FALSE);
  g_assert_cmpstr (i2a_account_row_get_status_text (r), ==, "Disabled");
  i2a_account_set_enabled (account, TRUE);
  i2a_account_set_state (account, I2A_ACCOUNT_STATE_ERROR);
  g_assert_cmpstr (i2a_account_row_get_status_text (r), ==, "Error");

  i2a_account_set_label (account, "Renamed");
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "Renamed");

  g_object_unref (row);
}

static void
test_account_row_countdown_format (void)
{
  g_autofree char *a = i2a_account_row_format_countdown (42);
  g_autofree char *b = i2a_account_row_format_countdown (125);
  g_autofree char *c = i2a_account_row_format_countdown (3725);

  g_assert_cmpstr (a, ==, "0:42");
  g_assert_cmpstr (b, ==, "2:05");
  g_assert_cmpstr (c, ==, "1:02:05");
}

static void
test_account_row_edits (void)
{
  g_autoptr(I2aAccount) account = make_account ("acc1", "Work", TRUE);
  GtkWidget *row = g_object_ref_sink (i2a_account_row_new (account, NULL));
  GtkWidget *window = gtk_window_new ();
  GtkWidget *list = gtk_list_box_new ();
  GtkSwitch *sw;
  GtkSpinButton *spin;

  gtk_list_box_append (GTK_LIST_BOX (list), row);
  gtk_window_set_child (GTK_WINDOW (window), list);
  sw = GTK_SWITCH (gtk_widget_get_template_child (row, I2A_TYPE_ACCOUNT_ROW, "enabled_switch"));
  spin = GTK_SPIN_BUTTON (gtk_widget_get_template_child (row, I2A_TYPE_ACCOUNT_ROW, "limit_spin"));

  /* Widget -> account (through the ops) and account -> widget. */
  gtk_switch_set_active (sw, FALSE);
  g_assert_false (i2a_account_get_enabled (account));
  i2a_account_set_enabled (account, TRUE);
  g_assert_true (gtk_switch_get_active (sw));

  gtk_spin_button_set_value (spin, 7);
  g_assert_cmpuint (i2a_account_get_max_concurrency (account), ==, 7);
  i2a_account_set_max_concurrency (account, 2);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (spin), ==, 2);

  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (row);
}

static I2aAccountRow *
pane_row (I2aAccountsPane *pane,
          guint            i)
{
  return I2A_ACCOUNT_ROW (i2a_accounts_pane_get_row (pane, i));
}

static void
test_accounts_pane_follows_model (void)
{
  g_autoptr(GListStore) store = g_list_store_new (I2A_TYPE_ACCOUNT);
  g_autoptr(I2aAccount) a = make_account ("a", "Alpha", TRUE);
  g_autoptr(I2aAccount) b = make_account ("b", "Beta", TRUE);
  GtkWidget *pane = g_object_ref_sink (i2a_accounts_pane_new ());
  I2aAccountsPane *p = I2A_ACCOUNTS_PANE (pane);
  I2aAccountRow *row;

  i2a_accounts_pane_set_model (p, G_LIST_MODEL (store));
  g_assert_cmpuint (i2a_accounts_pane_get_n_rows (p), ==, 0);

  g_list_store_append (store, a);
  g_list_store_append (store, b);
  g_assert_cmpuint (i2a_accounts_pane_get_n_rows (p), ==, 2);
  g_assert_true (i2a_account_row_get_account (pane_row (p, 1)) == b);

  row = pane_row (p, 1);
  i2a_account_set_state (b, I2A_ACCOUNT_STATE_NEEDS_LOGIN);
  /* Same row, updated in place (no reload). */
  g_assert_true (pane_row (p, 1) == row);
  g_assert_cmpstr (i2a_account_row_get_status_text (row), ==, "Needs login");

  g_list_store_remove (store, 0);
  g_assert_cmpuint (i2a_accounts_pane_get_n_rows (p), ==, 1);
  g_assert_true (i2a_account_row_get_account (pane_row (p, 0)) == b);

  i2a_accounts_pane_set_model (p, NULL);
  g_assert_cmpuint (i2a_accounts_pane_get_n_rows (p), ==, 0);
  g_object_unref (pane);
}

static gboolean
pool_has_n (gpointer data)
{
  gpointer *args = data;

  return g_list_model_get_n_items (G_LIST_MODEL (args[0])) == GPOINTER_TO_UINT (args[1]) &&
         i2a_accounts_pane_get_n_rows (args[2]) == GPOINTER_TO_UINT (args[1]);
}

static void
test_accounts_pane_follows_pool (void)
{
  g_autofree char *dir = i2a_test_mkdtemp ();
  g_autofree char *iflow = g_build_filename (dir, "iflow", NULL);
  g_autoptr(I2aCliSettings) cli = i2a_cli_settings_new (iflow);
  g_autoptr(I2aPool) pool = i2a_pool_new (cli);
  g_autofree char *settings = g_build_filename (iflow, "settings.json", NULL);
  GtkWidget *pane = g_object_ref_sink (i2a_accounts_pane_new ());
  I2aAccountsPane *p = I2A_ACCOUNTS_PANE (pane);
  I2aAccountRow *row;
  gpointer args[3] = { pool, GUINT_TO_POINTER (1), pane };

  i2a_accounts_pane_set_model (p, G_LIST_MODEL (pool));
  g_assert_true (i2a_test_wait_until (pool_has_n, args, 5000));
  row = pane_row (p, 0);
  g_assert_cmpstr (i2a_account_row_get_status_text (row), ==, "Not logged in");

  /* The iFlow CLI logs in: the pool re-reads its files, the row follows. */
  g_mkdir_with_parents (iflow, 0700);
  i2a_test_write_file (settings, "{\"apiKey\": \"" I2A_TEST_KEY "\", \"baseUrl\": \"http://127.0.0.1:9/v1\"}");
  i2a_cli_settings_reload (cli);
  for (int i = 0; i < 500 && g_strcmp0 (i2a_account_row_get_status_text (row), "Ready") != 0; i++)
    gui_test_spin (10);
  g_assert_cmpstr (i2a_account_row_get_status_text (row), ==, "Ready");

  /* Live counters from the pool's account. */
  i2a_account_set_in_flight (i2a_account_row_get_account (row), 1);
  g_assert_true (g_str_has_prefix (i2a_account_row_get_load_text (row), "1 / "));

  i2a_test_rm_rf (dir);
  g_object_unref (pane);
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

/* Background keys.json writes must land before the temp dir goes. */
static void
flush_pool (I2aPool *pool)
{
  i2a_test_pool_flush (pool);
}

static gboolean
pool_loaded (gpointer data)
{
  return i2a_pool_is_loaded (data);
}

static gboolean
file_contains (gpointer data)
{
  gpointer *args = data;
  g_autofree char *contents = NULL;

  return g_file_get_contents (args[0], &contents, NULL, NULL) && strstr (contents, args[1]) != NULL;
}

#define KEYS_TWO \
  "{\"accounts\": {" \
  "\"work\": {\"label\": \"Work\", \"provider\": \"openai\", \"base_url\": \"http://127.0.0.1:9/v1\", \"api_key\": \"sk-a\"}," \
  "\"home\": {\"label\": \"Home\", \"provider\": \"openai\", \"base_url\": \"http://127.0.0.1:9/v1\", \"api_key\": \"sk-b\", \"max_concurrency\": 2}" \
  "}}"
#define KEYS_ONE \
  "{\"accounts\": {" \
  "\"home\": {\"label\": \"Home\", \"provider\": \"openai\", \"base_url\": \"http://127.0.0.1:9/v1\", \"api_key\": \"sk-b\", \"max_concurrency\": 2}" \
  "}}"

static void
test_accounts_pane_follows_keys_json (void)
{
  g_autofree char *dir = i2a_test_mkdtemp ();
  g_autofree char *iflow = g_build_filename (dir, "iflow", NULL);
  g_autofree char *keys = g_build_filename (dir, "keys.json", NULL);
  g_autoptr(I2aCliSettings) cli = i2a_cli_settings_new (iflow);
  g_autoptr(I2aPool) pool = NULL;
  GtkWidget *pane = g_object_ref_sink (i2a_accounts_pane_new ());
  I2aAccountsPane *p = I2A_ACCOUNTS_PANE (pane);
  gpointer two[3], one[3], file_args[2];
  I2aAccountRow *home;
  GtkSwitch *sw;

  i2a_test_write_file (keys, KEYS_TWO);
  pool = i2a_pool_new_with_keys (cli, keys);
  g_assert_true (i2a_test_wait_until (pool_loaded, pool, 5000));
  i2a_accounts_pane_set_model (p, G_LIST_MODEL (pool));
  two[0] = pool; two[1] = GUINT_TO_POINTER (2); two[2] = pane;
  g_assert_true (i2a_test_wait_until (pool_has_n, two, 5000));
  home = pane_row (p, 1);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (home)), ==, "Home");
  g_assert_cmpstr (i2a_account_row_get_load_text (home), ==, "0 / 2");

  /* Someone edits keys.json: the pool reloads it, the pane follows. */
  i2a_test_write_file (keys, KEYS_ONE);
  one[0] = pool; one[1] = GUINT_TO_POINTER (1); one[2] = pane;
  g_assert_true (i2a_test_wait_until (pool_has_n, one, 10000));
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (pane_row (p, 0))), ==, "Home");

  /* The row's switch goes through the pool into keys.json. */
  sw = GTK_SWITCH (gtk_widget_get_template_child (GTK_WIDGET (pane_row (p, 0)), I2A_TYPE_ACCOUNT_ROW,
                                                  "enabled_switch"));
  gtk_switch_set_active (sw, FALSE);
  g_assert_cmpstr (i2a_account_row_get_status_text (pane_row (p, 0)), ==, "Disabled");
  file_args[0] = keys; file_args[1] = "\"enabled\" : false";
  g_assert_true (i2a_test_wait_until (file_contains, file_args, 5000));

  flush_pool (pool);
  i2a_accounts_pane_set_model (p, NULL);
  g_object_unref (pane);
  i2a_test_rm_rf (dir);
}

static gboolean
key_replaced (gpointer data)
{
  gpointer *args = data;
  I2aKeysConfig *config = i2a_pool_get_config (args[0]);

  return config->tokens->len == 1 &&
         g_strcmp0 (g_ptr_array_index (config->tokens, 0), args[1]) != 0;
}

static void
test_client_keys_group (void)
{
  g_autofree char *dir = i2a_test_mkdtemp ();
  g_autofree char *iflow = g_build_filename (dir, "iflow", NULL);
  g_autofree char *keys = g_build_filename (dir, "keys.json", NULL);
  g_autoptr(I2aCliSettings) cli = i2a_cli_settings_new (iflow);
  g_autoptr(I2aPool) pool = NULL;
  GtkWidget *window = gtk_window_new ();
  GtkWidget *overlay = adw_toast_overlay_new ();
  GtkWidget *group = i2a_client_keys_group_new ();
  I2aClientKeysGroup *g = I2A_CLIENT_KEYS_GROUP (group);
  gpointer args[2];
  GtkWidget *row, *button;

  i2a_test_write_file (keys,
                       "{\"accounts\": {\"work\": {\"provider\": \"openai\", \"base_url\": \"http://127.0.0.1:9/v1\", \"api_key\": \"sk-a\"}},"
                       " \"auth\": {\"enabled\": true, \"required\": true},"
                       " \"keys\": {\"sk-client-0123456789\": {\"accounts\": [\"work\"], \"strategy\": \"round_robin\"}}}");
  pool = i2a_pool_new_with_keys (cli, keys);
  g_assert_true (i2a_test_wait_until (pool_loaded, pool, 5000));
  adw_toast_overlay_set_child (ADW_TOAST_OVERLAY (overlay), group);
  gtk_window_set_child (GTK_WINDOW (window), overlay);
  i2a_client_keys_group_set_pool (g, pool);
  g_assert_cmpuint (i2a_client_keys_group_get_n_keys (g), ==, 1);

  /* The row shows the key masked and its route. */
  row = i2a_client_keys_group_get_row (g, 0);
  g_assert_nonnull (row);
  g_assert_null (strstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), "sk-client-0123456789"));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, "work · round robin");

  /* Regenerate (the last suffix): keys.json gets a new key on the same
   * route, and the group follows the reload. */
  button = g_object_get_data (G_OBJECT (row), "regenerate-button");
  g_assert_true (GTK_IS_BUTTON (button));
  g_signal_emit_by_name (button, "clicked");
  args[0] = pool;
  args[1] = "sk-client-0123456789";
  g_assert_true (i2a_test_wait_until (key_replaced, args, 5000));
  g_assert_cmpuint (i2a_client_keys_group_get_n_keys (g), ==, 1);

  flush_pool (pool);
  gtk_window_destroy (GTK_WINDOW (window));
  i2a_test_rm_rf (dir);
}

static void
test_preferences_binds_settings (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  GtkWidget *prefs = i2a_preferences_window_new (NULL, settings);
  GtkSwitch *background = GTK_SWITCH (gtk_widget_get_template_child (prefs, I2A_TYPE_PREFERENCES_WINDOW,
                                                                       "background_switch"));
  GtkSpinButton *port = GTK_SPIN_BUTTON (gtk_widget_get_template_child (prefs, I2A_TYPE_PREFERENCES_WINDOW,
                                                                         "port_spin"));
  AdwComboRow *strategy = ADW_COMBO_ROW (gtk_widget_get_template_child (prefs, I2A_TYPE_PREFERENCES_WINDOW,
                                                                        "strategy_row"));

  gtk_window_present (GTK_WINDOW (prefs));
  g_assert_false (gtk_switch_get_active (background));
  gtk_switch_set_active (background, TRUE);
  g_assert_true (g_settings_get_boolean (settings, "run-in-background"));

  g_settings_set_int (settings, "port", 8123);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (port), ==, 8123);

  adw_combo_row_set_selected (strategy, 1);
  {
    g_autofree char *value = g_settings_get_string (settings, "default-strategy");

    g_assert_cmpstr (value, ==, "round_robin");
  }
  g_settings_reset (settings, "run-in-background");
  g_settings_reset (settings, "port");
  g_settings_reset (settings, "default-strategy");
  gtk_window_destroy (GTK_WINDOW (prefs));
}

/* The first button under @widget with @tooltip, depth first. */
static GtkWidget *
find_button (GtkWidget  *widget,
             const char *tooltip)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_widget_get_tooltip_text (widget), tooltip) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, tooltip);

      if (found)
        return found;
    }
  return NULL;
}

static guint
count_buttons (GtkWidget  *widget,
               const char *tooltip)
{
  guint n = GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_widget_get_tooltip_text (widget), tooltip) == 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    n += count_buttons (child, tooltip);
  return n;
}

static gboolean
has_css_class (GtkWidget  *widget,
               const char *name)
{
  return gtk_widget_has_css_class (widget, name);
}

/* The browser-access rows edit the allowed-origins and allowed-hosts
 * settings: valid entries are added, invalid ones refused, the trash
 * button removes one, and changes made elsewhere show up. */
static void
test_preferences_allowed_lists (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  GtkWidget *prefs = i2a_preferences_window_new (NULL, settings);
  I2aAllowedListRow *origins = I2A_ALLOWED_LIST_ROW (gtk_widget_get_template_child (prefs, I2A_TYPE_PREFERENCES_WINDOW,
                                                                                     "origins_row"));
  I2aAllowedListRow *hosts = I2A_ALLOWED_LIST_ROW (gtk_widget_get_template_child (prefs, I2A_TYPE_PREFERENCES_WINDOW,
                                                                                   "hosts_row"));
  AdwEntryRow *origin_entry = i2a_allowed_list_row_get_entry_row (origins);
  AdwEntryRow *host_entry = i2a_allowed_list_row_get_entry_row (hosts);
  g_auto(GStrv) values = NULL;
  GtkWidget *remove;

  gtk_window_present (GTK_WINDOW (prefs));
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (origins), TRUE);
  g_assert_null (find_button (GTK_WIDGET (origins), "Remove"));

  /* A valid origin is added (trimmed), the entry cleared. */
  gtk_editable_set_text (GTK_EDITABLE (origin_entry), "  https://chat.example.org ");
  g_signal_emit_by_name (origin_entry, "apply");
  values = g_settings_get_strv (settings, "allowed-origins");
  g_assert_cmpuint (g_strv_length (values), ==, 1);
  g_assert_cmpstr (values[0], ==, "https://chat.example.org");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (origin_entry)), ==, "");
  g_clear_pointer (&values, g_strfreev);

  /* An origin with a path is refused: the setting stays, the entry is
   * marked and keeps the text to fix. */
  gtk_editable_set_text (GTK_EDITABLE (origin_entry), "https://chat.example.org/app");
  g_signal_emit_by_name (origin_entry, "apply");
  values = g_settings_get_strv (settings, "allowed-origins");
  g_assert_cmpuint (g_strv_length (values), ==, 1);
  g_clear_pointer (&values, g_strfreev);
  g_assert_true (has_css_class (GTK_WIDGET (origin_entry), "error"));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (origin_entry)), ==, "https://chat.example.org/app");
  gtk_editable_set_text (GTK_EDITABLE (origin_entry), "");
  g_assert_false (has_css_class (GTK_WIDGET (origin_entry), "error"));

  /* Host names: a scheme is refused, a name with a port is added. */
  gtk_editable_set_text (GTK_EDITABLE (host_entry), "http://myhost");
  g_signal_emit_by_name (host_entry, "apply");
  values = g_settings_get_strv (settings, "allowed-hosts");
  g_assert_cmpuint (g_strv_length (values), ==, 0);
  g_clear_pointer (&values, g_strfreev);
  gtk_editable_set_text (GTK_EDITABLE (host_entry), "myhost:8000");
  g_signal_emit_by_name (host_entry, "apply");
  values = g_settings_get_strv (settings, "allowed-hosts");
  g_assert_cmpuint (g_strv_length (values), ==, 1);
  g_assert_cmpstr (values[0], ==, "myhost:8000");
  g_clear_pointer (&values, g_strfreev);

  /* The trash button of the origin's row removes it. */
  remove = find_button (GTK_WIDGET (origins), "Remove");
  g_assert_nonnull (remove);
  g_signal_emit_by_name (remove, "clicked");
  values = g_settings_get_strv (settings, "allowed-origins");
  g_assert_cmpuint (g_strv_length (values), ==, 0);
  g_clear_pointer (&values, g_strfreev);
  g_assert_null (find_button (GTK_WIDGET (origins), "Remove"));

  /* A change made elsewhere (gsettings, another window) shows up. */
  {
    const char *two[] = { "http://a.test", "http://b.test", NULL };

    g_settings_set_strv (settings, "allowed-origins", two);
    g_assert_cmpuint (count_buttons (GTK_WIDGET (origins), "Remove"), ==, 2);
  }

  g_settings_reset (settings, "allowed-origins");
  g_settings_reset (settings, "allowed-hosts");
  gtk_window_destroy (GTK_WINDOW (prefs));
}

static void
test_login_dialog_template (void)
{
  g_autofree char *dir = i2a_test_mkdtemp ();
  g_autoptr(I2aCliSettings) cli = i2a_cli_settings_new (dir);
  g_autoptr(I2aPool) pool = i2a_pool_new (cli);
  g_autoptr(I2aSecretStore) secrets = i2a_secret_store_new ();
  g_autoptr(I2aAccountStore) store = i2a_account_store_new (pool, secrets, NULL);
  GtkWidget *dialog = i2a_login_dialog_new (NULL, store, NULL, FALSE);

  g_assert_cmpstr (i2a_login_dialog_get_page (I2A_LOGIN_DIALOG (dialog)), ==, "waiting");
  g_assert_null (i2a_login_dialog_get_authorize_url (I2A_LOGIN_DIALOG (dialog)));
  gtk_window_destroy (GTK_WINDOW (dialog));
  i2a_test_rm_rf (dir);
}

static void
autostart_done_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (i2a_autostart_set_finish (result, &error));
  g_assert_no_error (error);
  *done = TRUE;
}


static void
test_autostart (void)
{
  g_autofree char *path = i2a_autostart_dup_path ();
  g_autofree char *contents = NULL;
  gboolean done = FALSE;

  g_assert_true (g_str_has_prefix (path, g_get_user_config_dir ()));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  i2a_autostart_set_async (TRUE, NULL, autostart_done_cb, &done);
  g_assert_true (i2a_test_wait_until (is_true, &done, 5000));
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "Exec="));
  g_assert_nonnull (strstr (contents, "[Desktop Entry]"));

  done = FALSE;
  i2a_autostart_set_async (FALSE, NULL, autostart_done_cb, &done);
  g_assert_true (i2a_test_wait_until (is_true, &done, 5000));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  /* Removing twice is fine. */
  done = FALSE;
  i2a_autostart_set_async (FALSE, NULL, autostart_done_cb, &done);
  g_assert_true (i2a_test_wait_until (is_true, &done, 5000));
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("LANGUAGE", "en", TRUE);
  gui_test_init (&argc, &argv);

  g_test_add_func ("/gui/pool-monitor/counts-and-signals", test_pool_monitor);
  g_test_add_func ("/gui/account-row/status", test_account_row_status);
  g_test_add_func ("/gui/account-row/countdown-format", test_account_row_countdown_format);
  g_test_add_func ("/gui/account-row/edits", test_account_row_edits);
  g_test_add_func ("/gui/accounts-pane/follows-model", test_accounts_pane_follows_model);
  g_test_add_func ("/gui/accounts-pane/follows-pool", test_accounts_pane_follows_pool);
  g_test_add_func ("/gui/accounts-pane/follows-keys-json", test_accounts_pane_follows_keys_json);
  g_test_add_func ("/gui/client-keys/show-and-regenerate", test_client_keys_group);
  g_test_add_func ("/gui/preferences/binds-settings", test_preferences_binds_settings);
  g_test_add_func ("/gui/preferences/allowed-lists", test_preferences_allowed_lists);
  g_test_add_func ("/gui/login-dialog/template", test_login_dialog_template);
  g_test_add_func ("/gui/autostart/write-and-remove", test_autostart);
  return g_test_run ();
}
