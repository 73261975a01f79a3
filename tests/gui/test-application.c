/* test-application.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The application: actions (in process and over D-Bus org.gtk.Actions),
 * window toggling, what closing the window does with and without a tray,
 * server errors, the empty state and single-instance activation.
 *
 * Each test runs the real app (gui-test-app.h) on the private session bus
 * of dbus-run-session; a "driver" runs once the app is activated and ends
 * by quitting it (or by closing the window when the test is that closing
 * quits). */
#include "config.h"

#include <glib/gstdio.h>

#include "gui-test-app.h"
#include "i2a-accounts-pane.h"

static const char *test_home;

static const char *all_actions[] = {
  "show-window", "toggle-window", "login", "start-server", "stop-server",
  "preferences", "about", "quit", NULL
};

static gboolean
action_enabled (GActionGroup *group,
                const char   *name)
{
  return g_action_group_get_action_enabled (group, name);
}

static gboolean
window_visible (gpointer data)
{
  Run *run = data;

  return gtk_widget_get_visible (GTK_WIDGET (main_window (run)));
}

static gboolean
window_hidden (gpointer data)
{
  return !window_visible (data);
}

/* ---- actions in process ---------------------------------------------- */

static void
drive_actions (Run *run)
{
  GActionGroup *group = G_ACTION_GROUP (run->app);
  I2aServer *server = i2a_application_get_server (run->app);
  I2aWindow *window = main_window (run);

  for (guint i = 0; all_actions[i] != NULL; i++)
    g_assert_true (g_action_group_has_action (group, all_actions[i]));

  g_assert_true (i2a_server_is_running (server));
  g_assert_false (action_enabled (group, "start-server"));
  g_assert_true (action_enabled (group, "stop-server"));
  g_assert_cmpstr (i2a_window_get_server_status (window), ==, "Running");
  g_assert_true (g_str_has_prefix (i2a_window_get_base_url (window), "http://127.0.0.1:"));
  g_assert_true (g_str_has_suffix (i2a_window_get_base_url (window), "/v1"));

  g_action_group_activate_action (group, "stop-server", NULL);
  g_assert_false (i2a_server_is_running (server));
  g_assert_true (action_enabled (group, "start-server"));
  g_assert_false (action_enabled (group, "stop-server"));
  g_assert_cmpstr (i2a_window_get_server_status (window), ==, "Stopped");

  g_action_group_activate_action (group, "start-server", NULL);
  g_assert_true (i2a_server_is_running (server));
  g_assert_false (action_enabled (group, "start-server"));

  /* Shortcuts are bound to the same actions. */
  {
    g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (run->app), "app.quit");

    g_assert_cmpstr (accels[0], ==, "<Control>q");
  }
  quit_app (run);
}

static void
test_actions (void)
{
  Run *run = run_new (test_home);

  run_app (run, drive_actions);
  run_free (run);
}

/* ---- actions over D-Bus ------------------------------------------------ */

static gboolean
remote_has_actions (gpointer data)
{
  GActionGroup *remote = data;
  g_auto(GStrv) names = g_action_group_list_actions (remote);

  return g_strv_length (names) >= G_N_ELEMENTS (all_actions) - 1;
}

static gboolean
server_stopped (gpointer data)
{
  Run *run = data;

  return !i2a_server_is_running (i2a_application_get_server (run->app));
}

static gboolean
remote_start_enabled (gpointer data)
{
  return g_action_group_get_action_enabled (G_ACTION_GROUP (data), "start-server");
}

static void
drive_dbus (Run *run)
{
  /* A separate client, as a launcher or the tray host would be. */
  g_autoptr(GDBusConnection) other = gui_test_bus_connection_new ();
  g_autoptr(GDBusActionGroup) remote = g_dbus_action_group_get (other, APP_ID, GUI_TEST_OBJECT_PATH);

  g_assert_false (g_action_group_has_action (G_ACTION_GROUP (remote), "quit"));  /* starts the fetch */
  g_assert_true (i2a_test_wait_until (remote_has_actions, remote, 5000));
  for (guint i = 0; all_actions[i] != NULL; i++)
    g_assert_true (g_action_group_has_action (G_ACTION_GROUP (remote), all_actions[i]));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (remote), "start-server"));
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (remote), "stop-server"));

  g_action_group_activate_action (G_ACTION_GROUP (remote), "toggle-window", NULL);
  g_assert_true (i2a_test_wait_until (window_hidden, run, 5000));
  g_action_group_activate_action (G_ACTION_GROUP (remote), "show-window", NULL);
  g_assert_true (i2a_test_wait_until (window_visible, run, 5000));

  g_action_group_activate_action (G_ACTION_GROUP (remote), "stop-server", NULL);
  g_assert_true (i2a_test_wait_until (server_stopped, run, 5000));
  /* The enabled state follows over D-Bus too. */
  g_assert_true (i2a_test_wait_until (remote_start_enabled, remote, 5000));

  g_action_group_activate_action (G_ACTION_GROUP (remote), "quit", NULL);
  g_dbus_connection_flush_sync (other, NULL, NULL);
}

static void
test_dbus_actions (void)
{
  Run *run = run_new (test_home);

  run_app (run, drive_dbus);
  run_free (run);
}

/* ---- window ------------------------------------------------------------ */

static void
drive_toggle (Run *run)
{
  GActionGroup *group = G_ACTION_GROUP (run->app);

  g_assert_true (window_visible (run));
  g_action_group_activate_action (group, "toggle-window", NULL);
  g_assert_true (window_hidden (run));
  g_action_group_activate_action (group, "toggle-window", NULL);
  g_assert_true (window_visible (run));
  quit_app (run);
}

static void
test_toggle_window (void)
{
  Run *run = run_new (test_home);

  run_app (run, drive_toggle);
  run_free (run);
}

static void
drive_close (Run *run)
{
  gtk_window_close (GTK_WINDOW (main_window (run)));
  /* Nothing else: the app must quit by itself. */
}

static void
test_close_quits_without_tray (void)
{
  Run *run = run_new (test_home);

  run_app (run, drive_close);
  g_assert_false (i2a_application_get_tray_available (run->app));
  /* run_app asserted it ended before the safety timeout. */
  run_free (run);
}

static gboolean
still_running_cb (gpointer data)
{
  Run *run = data;

  run->checked_after = TRUE;
  g_assert_true (window_hidden (run));
  g_assert_true (i2a_server_is_running (i2a_application_get_server (run->app)));
  quit_app (run);
  return G_SOURCE_REMOVE;
}

static void
drive_close_then_check (Run *run)
{
  gtk_window_close (GTK_WINDOW (main_window (run)));
  g_assert_true (window_hidden (run));
  /* If closing had quit, g_application_run would return before this. */
  g_timeout_add (300, still_running_cb, run);
}

static void
test_close_hides_in_background (void)
{
  Run *run = run_new (test_home);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  g_settings_set_boolean (settings, "run-in-background", TRUE);
  run_app (run, drive_close_then_check);
  g_assert_true (run->checked_after);
  g_settings_reset (settings, "run-in-background");
  run_free (run);
}

static gboolean
tray_available (gpointer data)
{
  Run *run = data;

  return i2a_application_get_tray_available (run->app);
}

static void
drive_close_with_tray (Run *run)
{
  g_assert_true (i2a_test_wait_until (tray_available, run, 5000));
  drive_close_then_check (run);
}

static void
test_close_hides_with_tray (void)
{
  FakeWatcher *watcher = fake_watcher_new ();
  Run *run = run_new (test_home);

  run_app (run, drive_close_with_tray);
  g_assert_true (run->checked_after);
  run_free (run);
  fake_watcher_free (watcher);
}

/* ---- server error, empty state ----------------------------------------- */

static void
drive_port_in_use (Run *run)
{
  I2aWindow *window = main_window (run);
  const char *error = i2a_application_get_server_error (run->app);

  g_assert_false (i2a_server_is_running (i2a_application_get_server (run->app)));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error, "already in use"));
  g_assert_true (g_str_has_prefix (i2a_window_get_server_status (window), "Stopped: Port "));
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (run->app), "start-server"));
  quit_app (run);
}

static gboolean
has_summary (gpointer data)
{
  return ((GPtrArray *) data)->len > 0;
}

static void
test_port_in_use (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *summaries = gui_test_notifications ();
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  Run *run;
  guint port;

  g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                 NULL, &effective, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));

  g_ptr_array_set_size (summaries, 0);
  run = run_new (test_home);
  i2a_application_set_overrides (run->app, "127.0.0.1", (int) port, NULL, NULL);
  run_app (run, drive_port_in_use);
  run_free (run);

  /* The failure was also a notification. */
  g_assert_true (i2a_test_wait_until (has_summary, summaries, 5000));
  g_assert_cmpstr (g_ptr_array_index (summaries, 0), ==, "The API server could not start");

  /* Not with notifications turned off. */
  g_ptr_array_set_size (summaries, 0);
  g_settings_set_boolean (settings, "notifications", FALSE);
  run = run_new (test_home);
  i2a_application_set_overrides (run->app, "127.0.0.1", (int) port, NULL, NULL);
  run_app (run, drive_port_in_use);
  run_free (run);
  gui_test_spin (200);
  g_assert_cmpuint (summaries->len, ==, 0);
  g_settings_reset (settings, "notifications");

  g_socket_listener_close (listener);
}

static gboolean
page_is_accounts (gpointer data)
{
  Run *run = data;

  return g_strcmp0 (i2a_window_get_visible_page (main_window (run)), "accounts") == 0;
}

static void
drive_empty_state (Run *run)
{
  g_autofree char *dir = g_build_filename (run->home, ".iflow", NULL);
  g_autofree char *settings = g_build_filename (dir, "settings.json", NULL);

  g_assert_cmpstr (i2a_window_get_visible_page (main_window (run)), ==, "empty");

  /* Logging in with the iFlow CLI, then "Import from iFlow CLI". */
  g_mkdir_with_parents (dir, 0700);
  i2a_test_write_file (settings, "{\"apiKey\": \"" I2A_TEST_KEY "\"}");
  gtk_widget_activate_action (GTK_WIDGET (main_window (run)), "win.import-cli", NULL);
  g_assert_true (i2a_test_wait_until (page_is_accounts, run, 5000));
  g_assert_cmpuint (i2a_accounts_pane_get_n_rows (I2A_ACCOUNTS_PANE (i2a_window_get_accounts_pane (main_window (run)))),
                    ==, 1);
  g_unlink (settings);
  quit_app (run);
}

static void
test_empty_state (void)
{
  Run *run = run_new (test_home);

  run_app (run, drive_empty_state);
  run_free (run);
}

/* ---- single instance --------------------------------------------------- */

static void
second_exited_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      data)
{
  gboolean *done = data;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_subprocess_wait_check_finish (G_SUBPROCESS (object), result, &error));
  g_assert_no_error (error);
  *done = TRUE;
}

static void
drive_second_instance (Run *run)
{
  const char *binary = g_getenv ("I2A_BINARY");
  g_autoptr(GSubprocess) second = NULL;
  g_autoptr(GError) error = NULL;
  gboolean done = FALSE;

  g_action_group_activate_action (G_ACTION_GROUP (run->app), "toggle-window", NULL);
  g_assert_true (window_hidden (run));

  /* Launching again activates the running instance, which presents its
   * window; the second process exits at once. */
  second = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, binary, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_check_async (second, NULL, second_exited_cb, &done);
  g_assert_true (i2a_test_wait_until (is_true, &done, 10000));
  g_assert_true (i2a_test_wait_until (window_visible, run, 5000));
  quit_app (run);
}

static void
test_second_instance (void)
{
  Run *run = run_new (test_home);

  if (g_getenv ("I2A_BINARY") == NULL || !g_file_test (g_getenv ("I2A_BINARY"), G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("iflow2api binary not built");
      run_free (run);
      return;
    }
  run_app (run, drive_second_instance);
  run_free (run);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("LANGUAGE", "en", TRUE);
  test_home = gui_test_init (&argc, &argv);
  /* Any notification (e.g. a failed start) has a server to go to. */
  gui_test_notifications ();

  g_test_add_func ("/gui/app/port-in-use", test_port_in_use);
  g_test_add_func ("/gui/app/actions", test_actions);
  g_test_add_func ("/gui/app/dbus-actions", test_dbus_actions);
  g_test_add_func ("/gui/app/toggle-window", test_toggle_window);
  g_test_add_func ("/gui/app/close-quits-without-tray", test_close_quits_without_tray);
  g_test_add_func ("/gui/app/close-hides-in-background", test_close_hides_in_background);
  g_test_add_func ("/gui/app/close-hides-with-tray", test_close_hides_with_tray);
  g_test_add_func ("/gui/app/empty-state", test_empty_state);
  g_test_add_func ("/gui/app/second-instance", test_second_instance);
  return g_test_run ();
}
