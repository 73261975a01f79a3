/* test-screenshots.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Screenshots of the main window (empty state, accounts, login in
 * progress) in the language of $LANGUAGE, written to the test build dir
 * ($G_TEST_BUILDDIR) as <name>-<lang>.png. They also check that each state renders. */
#include "config.h"

#include <glib/gstdio.h>

#include "gui-test-util.h"
#include "i2a-account-row.h"
#include "i2a-accounts-pane.h"
#include "i2a-application.h"
#include "i2a-login-dialog.h"
#include "i2a-window.h"

typedef void (*Driver) (I2aApplication *app);

static const char *test_home;
static const char *lang;

static void
driver_idle_cb (gpointer data)
{
  I2aApplication *app = data;
  Driver driver = g_object_steal_data (G_OBJECT (app), "driver");

  if (driver != NULL)
    driver (app);
  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
}

static void
activated_cb (GApplication *app)
{
  g_idle_add_once (driver_idle_cb, app);
}

static void
run_app (Driver driver)
{
  g_autoptr(I2aApplication) app = i2a_application_new ();

  i2a_application_set_overrides (app, NULL, 0, NULL, NULL);
  g_object_set_data (G_OBJECT (app), "driver", driver);
  g_signal_connect_after (app, "activate", G_CALLBACK (activated_cb), NULL);
  g_assert_cmpint (g_application_run (G_APPLICATION (app), 0, NULL), ==, 0);
  gui_test_spin (50);
}

static char *
shot_name (const char *name)
{
  return g_strdup_printf ("%s-%s.png", name, lang);
}

static void
settle (GtkWidget *widget)
{
  gtk_test_widget_wait_for_draw (widget);
  /* Let transitions (stack, spinner start) finish. */
  gui_test_spin (600);
}

static void
drive_empty (I2aApplication *app)
{
  GtkWidget *window = GTK_WIDGET (i2a_application_get_main_window (app));
  g_autofree char *name = shot_name ("main-window-empty");
  g_autofree char *path = NULL;

  settle (window);
  g_assert_cmpstr (i2a_window_get_visible_page (I2A_WINDOW (window)), ==, "empty");
  path = gui_test_save_png (window, NULL, name);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
}

static void
test_empty (void)
{
  run_app (drive_empty);
}

#define ACCOUNT(id, label, email, provider, url, max) \
  "\"" id "\": {\"label\": \"" label "\", \"email\": \"" email "\", \"provider\": \"" provider "\", " \
  "\"base_url\": \"" url "\", \"api_key\": \"sk-0123456789abcdef0123456789abcdef\", \"max_concurrency\": " #max "}"

static const char keys_json[] =
  "{\"accounts\": {"
  ACCOUNT ("work", "Work", "dev@example.com", "iflow", "https://apis.iflow.cn/v1", 4) ","
  ACCOUNT ("team", "Team", "team@example.com", "iflow", "https://apis.iflow.cn/v1", 8) ","
  ACCOUNT ("local", "Local model", "", "openai", "http://127.0.0.1:11434/v1", 2) ","
  ACCOUNT ("backup", "Backup", "backup@example.com", "iflow", "https://apis.iflow.cn/v1", 4)
  "}}";

static gboolean
has_four_rows (gpointer data)
{
  return i2a_accounts_pane_get_n_rows (data) == 4;
}

static void
drive_accounts (I2aApplication *app)
{
  GtkWidget *window = GTK_WIDGET (i2a_application_get_main_window (app));
  I2aAccountsPane *pane = I2A_ACCOUNTS_PANE (i2a_window_get_accounts_pane (I2A_WINDOW (window)));
  I2aPool *pool = i2a_application_get_pool (app);
  g_autofree char *name = shot_name ("main-window");
  g_autofree char *path = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  I2aAccount *work, *team, *local, *backup;

  g_assert_true (i2a_test_wait_until (has_four_rows, pane, 5000));
  work = i2a_pool_lookup_account (pool, "work");
  team = i2a_pool_lookup_account (pool, "team");
  local = i2a_pool_lookup_account (pool, "local");
  backup = i2a_pool_lookup_account (pool, "backup");

  /* A plausible afternoon: live values straight on the pool's accounts. */
  for (int i = 0; i < 214; i++)
    i2a_account_count_request (work, i % 70 == 0);
  i2a_account_set_in_flight (work, 2);
  i2a_account_set_expires_at (work, now + 36 * 3600);
  for (int i = 0; i < 96; i++)
    i2a_account_count_request (team, i % 12 == 0);
  i2a_account_set_circuit_open_until (team, now + 42);
  i2a_account_set_consecutive_failures (team, 3);
  i2a_account_set_last_error (team, "HTTP 429: too many requests");
  for (int i = 0; i < 31; i++)
    i2a_account_count_request (local, FALSE);
  i2a_account_set_in_flight (local, 1);
  i2a_account_set_state (backup, I2A_ACCOUNT_STATE_NEEDS_LOGIN);
  i2a_account_set_expires_at (backup, now - 3600);

  settle (window);
  g_assert_cmpstr (i2a_window_get_visible_page (I2A_WINDOW (window)), ==, "accounts");
  path = gui_test_save_png (window, NULL, name);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
}

static void
test_accounts (void)
{
  g_autofree char *dir = g_build_filename (test_home, ".iflow2api", NULL);
  g_autofree char *keys = g_build_filename (dir, "keys.json", NULL);

  g_mkdir_with_parents (dir, 0700);
  i2a_test_write_file (keys, keys_json);
  run_app (drive_accounts);
  g_unlink (keys);
}

static gboolean
has_url (gpointer data)
{
  return i2a_login_dialog_get_authorize_url (data) != NULL;
}

static void
drive_login (I2aApplication *app)
{
  GtkWidget *window = GTK_WIDGET (i2a_application_get_main_window (app));
  g_autofree char *name = shot_name ("login");
  g_autofree char *path = NULL;
  GtkWindow *dialog;

  g_action_group_activate_action (G_ACTION_GROUP (app), "login", NULL);
  dialog = i2a_window_get_login_dialog (I2A_WINDOW (window));
  g_assert_nonnull (dialog);
  g_assert_true (i2a_test_wait_until (has_url, dialog, 5000));
  g_assert_cmpstr (i2a_login_dialog_get_page (I2A_LOGIN_DIALOG (dialog)), ==, "waiting");
  settle (GTK_WIDGET (dialog));
  settle (window);
  path = gui_test_save_png (window, GTK_WIDGET (dialog), name);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  /* Cancel (Escape / the Cancel button = window.close) ends it. */
  gtk_widget_activate_action (GTK_WIDGET (dialog), "window.close", NULL);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (dialog)));
}

static void
test_login (void)
{
  run_app (drive_login);
}

/* A "browser" that accepts the URL and does nothing, so the login dialog
 * shows its normal waiting state. */
static void
install_null_browser (void)
{
  g_autofree char *apps = g_build_filename (g_get_user_data_dir (), "applications", NULL);
  g_autofree char *desktop = g_build_filename (apps, "i2a-null-browser.desktop", NULL);
  g_autofree char *mimeapps = g_build_filename (g_get_user_config_dir (), "mimeapps.list", NULL);

  g_mkdir_with_parents (apps, 0700);
  g_mkdir_with_parents (g_get_user_config_dir (), 0700);
  i2a_test_write_file (desktop,
                       "[Desktop Entry]\nType=Application\nName=Null browser\nExec=true %u\n"
                       "MimeType=x-scheme-handler/http;x-scheme-handler/https;\n");
  i2a_test_write_file (mimeapps,
                       "[Default Applications]\n"
                       "x-scheme-handler/http=i2a-null-browser.desktop\n"
                       "x-scheme-handler/https=i2a-null-browser.desktop\n");
}

int
main (int   argc,
      char *argv[])
{
  lang = g_getenv ("LANGUAGE");
  if (lang == NULL || *lang == '\0')
    lang = "en";
  test_home = gui_test_init (&argc, &argv);
  install_null_browser ();
  {
    /* The needs-login account would notify; no notification server here. */
    g_autoptr(GSettings) settings = g_settings_new (APP_ID);

    g_settings_set_boolean (settings, "notifications", FALSE);
  }

  g_test_add_func ("/gui/screenshots/empty", test_empty);
  g_test_add_func ("/gui/screenshots/accounts", test_accounts);
  g_test_add_func ("/gui/screenshots/login", test_login);
  return g_test_run ();
}
