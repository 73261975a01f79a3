/* test-claude-code-dialog.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* "Claude Code" in the window's Clients section: its row's button opens
 * the shared client-setup dialog for Claude Code; the preview shows the
 * env block, Apply writes it into $CLAUDE_CONFIG_DIR/settings.json (the
 * test server's root, no /v1) keeping the user's other keys, and Undo
 * puts the file back byte for byte. */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "gui-test-app.h"
#include "i2a-client-dialog.h"

static const char *test_home;

static const char original[] =
  "{\n  \"theme\": \"dark\",\n  \"env\": {\n    \"MY_FLAG\": \"1\"\n  }\n}\n";

static char *
settings_path (void)
{
  return g_build_filename (g_getenv ("CLAUDE_CONFIG_DIR"), "settings.json", NULL);
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
  g_autofree char *root_url = g_strdup_printf ("http://127.0.0.1:%u",
                                               i2a_server_get_port (i2a_application_get_server (run->app)));
  GtkWidget *button = find_setup_button (GTK_WIDGET (main_window (run)), "claude-code");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *written = NULL;
  g_autofree char *restored = NULL;
  I2aClientDialog *dialog;
  JsonObject *env;

  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  dialog = find_dialog ();
  g_assert_nonnull (dialog);
  g_assert_true (i2a_client_dialog_get_client (dialog) == i2a_client_find ("claude-code"));
  g_assert_nonnull (strstr (gtk_window_get_title (GTK_WINDOW (dialog)), "Claude Code"));
  g_assert_true (i2a_test_wait_until (dialog_idle, dialog, 10000));
  g_assert_cmpstr (i2a_client_dialog_get_config_path (dialog), ==, path);
  g_assert_null (i2a_client_dialog_get_error_text (dialog));
  g_assert_nonnull (strstr (i2a_client_dialog_get_diff_text (dialog), "ANTHROPIC_BASE_URL"));

  g_signal_emit_by_name (i2a_client_dialog_get_apply_button (dialog), "clicked");
  g_assert_true (i2a_test_wait_until (dialog_idle, dialog, 10000));
  g_assert_null (i2a_client_dialog_get_error_text (dialog));
  written = read_file (path);
  g_assert_true (json_parser_load_from_data (parser, written, -1, NULL));
  env = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "env");
  g_assert_cmpstr (json_object_get_string_member (env, "ANTHROPIC_BASE_URL"), ==, root_url);
  g_assert_cmpstr (json_object_get_string_member (env, "ANTHROPIC_AUTH_TOKEN"), ==, "iflow2api-local");
  g_assert_cmpstr (json_object_get_string_member (env, "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"), ==, "1");
  g_assert_cmpstr (json_object_get_string_member (env, "MY_FLAG"), ==, "1");

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
  g_autofree char *dir = g_build_filename (test_home, "claude-config", NULL);
  g_autofree char *path = NULL;
  Run *run;

  g_setenv ("CLAUDE_CONFIG_DIR", dir, TRUE);
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
  g_test_add_func ("/gui/claude-code/setup-undo", test_setup_undo);
  return g_test_run ();
}
