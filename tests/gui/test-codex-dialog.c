/* test-codex-dialog.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* "Codex" in the window's Clients section: its row's button opens the
 * shared client-setup dialog for Codex; the preview shows the provider
 * table, Apply writes the profile $CODEX_HOME/iflow2api.config.toml (the
 * test server's /v1 URL, no key while client auth is off) keeping the
 * user's own lines, and Undo puts the file back byte for byte. */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "gui-test-app.h"
#include "i2a-client-dialog.h"

static const char *test_home;

static const char original[] =
  "model = \"glm-4.7\"\nmodel_reasoning_effort = \"high\"\n";

static char *
settings_path (void)
{
  return g_build_filename (g_getenv ("CODEX_HOME"), "iflow2api.config.toml", NULL);
}

static char *
read_file (const char *path)
{
  char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  return contents;
}

static I2aClientDialog *
find_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (toplevels, i);

      if (I2A_IS_CLIENT_DIALOG (item))
        return I2A_CLIENT_DIALOG (item);
    }
  return NULL;
}

/* The button of the Clients row whose action target is @id. */
static GtkWidget *
find_setup_button (GtkWidget  *widget,
                   const char *id)
{
  if (GTK_IS_ACTIONABLE (widget) &&
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), "app.setup-client") == 0)
    {
      GVariant *target = gtk_actionable_get_action_target_value (GTK_ACTIONABLE (widget));

      if (target && g_str_equal (g_variant_get_string (target, NULL), id))
        return widget;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_setup_button (child, id);

      if (found)
        return found;
    }
  return NULL;
}

static gboolean
dialog_idle (gpointer data)
{
  return !i2a_client_dialog_get_busy (data);
}

static gboolean
confirm_open (gpointer data)
{
  return i2a_client_dialog_get_confirm_dialog (data) != NULL;
}

static void
drive (Run *run)
{
  g_autofree char *path = settings_path ();
  g_autofree char *url_line = g_strdup_printf ("base_url = \"http://127.0.0.1:%u/v1\"\n",
                                               i2a_server_get_port (i2a_application_get_server (run->app)));
  GtkWidget *button = find_setup_button (GTK_WIDGET (main_window (run)), "codex");
  g_autofree char *written = NULL;
  g_autofree char *restored = NULL;
  I2aClientDialog *dialog;

  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  dialog = find_dialog ();
  g_assert_nonnull (dialog);
  g_assert_true (i2a_client_dialog_get_client (dialog) == i2a_client_find ("codex"));
  g_assert_nonnull (strstr (gtk_window_get_title (GTK_WINDOW (dialog)), "Codex"));
  g_assert_true (i2a_test_wait_until (dialog_idle, dialog, 10000));
  g_assert_cmpstr (i2a_client_dialog_get_config_path (dialog), ==, path);
  g_assert_null (i2a_client_dialog_get_error_text (dialog));
  g_assert_nonnull (strstr (i2a_client_dialog_get_diff_text (dialog), "+wire_api = \"responses\""));

  g_signal_emit_by_name (i2a_client_dialog_get_apply_button (dialog), "clicked");
  g_assert_true (i2a_test_wait_until (dialog_idle, dialog, 10000));
  g_assert_null (i2a_client_dialog_get_error_text (dialog));
  written = read_file (path);
  g_assert_nonnull (strstr (written, "model_provider = \"iflow2api\"\nmodel = \"glm-4.7\"\n"));
  g_assert_nonnull (strstr (written, "model_reasoning_effort = \"high\"\n"));
  g_assert_nonnull (strstr (written, "[model_providers.iflow2api]\n"));
  g_assert_nonnull (strstr (written, url_line));
  g_assert_nonnull (strstr (written, "supports_websockets = false\n"));
  g_assert_null (strstr (written, "bearer"));

  g_signal_emit_by_name (i2a_client_dialog_get_undo_button (dialog), "clicked");
  g_assert_true (i2a_test_wait_until (confirm_open, dialog, 10000));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (i2a_client_dialog_get_confirm_dialog (dialog)), "restore");
  g_assert_true (i2a_test_wait_until (dialog_idle, dialog, 10000));
  restored = read_file (path);
  g_assert_cmpstr (restored, ==, original);

  gtk_widget_activate_action (GTK_WIDGET (dialog), "window.close", NULL);
  quit_app (run);
}

static void
test_setup_undo (void)
{
  g_autofree char *dir = g_build_filename (test_home, "codex-home", NULL);
  g_autofree char *path = NULL;
  Run *run;

  g_setenv ("CODEX_HOME", dir, TRUE);
  g_mkdir_with_parents (dir, 0700);
  path = settings_path ();
  i2a_test_write_file (path, original);
  run = run_new (test_home);
  run_app (run, drive);
  run_free (run);
  i2a_test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  test_home = gui_test_init (&argc, &argv);
  gui_test_notifications ();
  g_test_add_func ("/gui/codex/setup-undo", test_setup_undo);
  return g_test_run ();
}
