/* The application: actions (in process and over D-Bus org.gtk.Actions),
 * window toggling, what closing the window does with and without a tray,
 * server errors, the empty state and single-instance activation.
 *
 * Each test runs the real app with g_application_run() on the private
 * session bus of dbus-run-session; a "driver" runs once the app is
 * activated and ends by quitting it (or by closing the window when the
 * test is that closing quits). */
#include "config.h"

#include <glib/gstdio.h>

#include "gui-test-util.h"
#include "i2a-accounts-pane.h"
#include "i2a-application.h"
#include "i2a-window.h"

#define OBJECT_PATH "/io/github/iflow2api/Iflow2Api"

typedef struct _Run Run;
typedef void (*Driver) (Run *run);

struct _Run
{
  I2aApplication *app;
  Driver          driver;
  const char     *home;
  gboolean        driver_scheduled;
  gboolean        checked_after;   /* set by a check that runs after the driver */
  gboolean        timed_out;
  guint           timeout_id;
};

static const char *test_home;

static const char *all_actions[] = {
  "show-window", "toggle-window", "login", "start-server", "stop-server",
  "preferences", "about", "quit", NULL
};

static gboolean
safety_timeout_cb (gpointer data)
{
  Run *run = data;

  run->timed_out = TRUE;
  run->timeout_id = 0;
  g_application_quit (G_APPLICATION (run->app));
  return G_SOURCE_REMOVE;
}

static void
driver_idle_cb (gpointer data)
{
  Run *run = data;
  Driver driver = run->driver;

  /* Later activations (second instance) must not run it again. */
  run->driver = NULL;
  if (driver != NULL)
    driver (run);
}

static void
activated_cb (GApplication *app,
              Run          *run)
{
  if (run->driver != NULL && !run->driver_scheduled)
    {
      run->driver_scheduled = TRUE;
      g_idle_add_once (driver_idle_cb, run);
    }
}

static Run *
run_new (void)
{
  Run *run = g_new0 (Run, 1);

  run->home = test_home;
  run->app = i2a_application_new ();
  /* A free port, and no ~/.iflow of the test machine. */
  i2a_application_set_overrides (run->app, NULL, 0, NULL, NULL);
  return run;
}

static void
run_app (Run    *run,
         Driver  driver)
{
  run->driver = driver;
  g_signal_connect_after (run->app, "activate", G_CALLBACK (activated_cb), run);
  run->timeout_id = g_timeout_add_seconds (30, safety_timeout_cb, run);
  g_assert_cmpint (g_application_run (G_APPLICATION (run->app), 0, NULL), ==, 0);
  g_clear_handle_id (&run->timeout_id, g_source_remove);
  g_assert_false (run->timed_out);
}

static void
run_free (Run *run)
{
  g_clear_object (&run->app);
  g_free (run);
  /* Let the bus forget our name before the next test claims it. */
  gui_test_spin (50);
}

static void
quit_app (Run *run)
{
  g_action_group_activate_action (G_ACTION_GROUP (run->app), "quit", NULL);
}

static gboolean
action_enabled (GActionGroup *group,
                const char   *name)
{
  return g_action_group_get_action_enabled (group, name);
}

static I2aWindow *
main_window (Run *run)
{
  return I2A_WINDOW (i2a_application_get_main_window (run->app));
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
  Run *run = run_new ();

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
  g_autofree char *address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GDBusConnection) other = NULL;
  g_autoptr(GDBusActionGroup) remote = NULL;
  g_autoptr(GError) error = NULL;

  /* A separate client, as a launcher or the tray host would be. */
  other = g_dbus_connection_new_for_address_sync (address,
                                                  G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                  G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                  NULL, NULL, &error);
  g_assert_no_error (error);
  remote = g_dbus_action_group_get (other, APP_ID, OBJECT_PATH);
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
  Run *run = run_new ();

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
  Run *run = run_new ();

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
  Run *run = run_new ();

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
  Run *run = run_new ();
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  g_settings_set_boolean (settings, "run-in-background", TRUE);
  run_app (run, drive_close_then_check);
  g_assert_true (run->checked_after);
  g_settings_reset (settings, "run-in-background");
  run_free (run);
}

/* A StatusNotifierWatcher with a host, on its own connection. */
static const char watcher_xml[] =
  "<node><interface name='org.kde.StatusNotifierWatcher'>"
  "<method name='RegisterStatusNotifierItem'><arg type='s' direction='in'/></method>"
  "<method name='RegisterStatusNotifierHost'><arg type='s' direction='in'/></method>"
  "<property name='IsStatusNotifierHostRegistered' type='b' access='read'/>"
  "<property name='ProtocolVersion' type='i' access='read'/>"
  "<property name='RegisteredStatusNotifierItems' type='as' access='read'/>"
  "<signal name='StatusNotifierHostRegistered'/>"
  "</interface></node>";

static void
watcher_method_cb (GDBusConnection       *connection,
                   const char            *sender,
                   const char            *path,
                   const char            *iface,
                   const char            *method,
                   GVariant              *parameters,
                   GDBusMethodInvocation *invocation,
                   gpointer               data)
{
  g_dbus_method_invocation_return_value (invocation, NULL);
}

static GVariant *
watcher_get_property_cb (GDBusConnection  *connection,
                         const char       *sender,
                         const char       *path,
                         const char       *iface,
                         const char       *property,
                         GError          **error,
                         gpointer          data)
{
  if (g_str_equal (property, "IsStatusNotifierHostRegistered"))
    return g_variant_new_boolean (TRUE);
  if (g_str_equal (property, "ProtocolVersion"))
    return g_variant_new_int32 (0);
  return g_variant_new_strv (NULL, 0);
}

static const GDBusInterfaceVTable watcher_vtable = {
  watcher_method_cb, watcher_get_property_cb, NULL, { 0 }
};

static void
name_acquired_cb (GDBusConnection *connection,
                  const char      *name,
                  gpointer         data)
{
  *(gboolean *) data = TRUE;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

/* A service on its own bus connection: object exported first, name owned
 * last (so clients never see the name without the object). */
typedef struct
{
  GDBusConnection *connection;
  guint            object_id;
  guint            owner_id;
} FakeService;

static FakeService *
fake_service_new (const char                 *name,
                  const char                 *path,
                  const char                 *xml,
                  const GDBusInterfaceVTable *vtable,
                  gpointer                    data)
{
  g_autofree char *address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GDBusNodeInfo) node = g_dbus_node_info_new_for_xml (xml, NULL);
  g_autoptr(GError) error = NULL;
  FakeService *service = g_new0 (FakeService, 1);
  gboolean owned = FALSE;

  service->connection =
    g_dbus_connection_new_for_address_sync (address,
                                            G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                            G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                            NULL, NULL, &error);
  g_assert_no_error (error);
  service->object_id = g_dbus_connection_register_object (service->connection, path,
                                                          node->interfaces[0], vtable,
                                                          data, NULL, &error);
  g_assert_no_error (error);
  service->owner_id = g_bus_own_name_on_connection (service->connection, name,
                                                    G_BUS_NAME_OWNER_FLAGS_NONE,
                                                    name_acquired_cb, NULL, &owned, NULL);
  g_assert_true (i2a_test_wait_until (is_true, &owned, 5000));
  return service;
}

static void
fake_service_free (FakeService *service)
{
  g_bus_unown_name (service->owner_id);
  g_dbus_connection_unregister_object (service->connection, service->object_id);
  g_dbus_connection_flush_sync (service->connection, NULL, NULL);
  g_object_unref (service->connection);
  g_free (service);
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
  FakeService *watcher = fake_service_new ("org.kde.StatusNotifierWatcher", "/StatusNotifierWatcher",
                                           watcher_xml, &watcher_vtable, NULL);
  Run *run = run_new ();

  run_app (run, drive_close_with_tray);
  g_assert_true (run->checked_after);
  run_free (run);
  fake_service_free (watcher);
}

/* A notification server that records the summaries it was sent. */
static const char notifications_xml[] =
  "<node><interface name='org.freedesktop.Notifications'>"
  "<method name='Notify'>"
  "<arg type='s' direction='in'/><arg type='u' direction='in'/><arg type='s' direction='in'/>"
  "<arg type='s' direction='in'/><arg type='s' direction='in'/><arg type='as' direction='in'/>"
  "<arg type='a{sv}' direction='in'/><arg type='i' direction='in'/><arg type='u' direction='out'/>"
  "</method>"
  "<method name='CloseNotification'><arg type='u' direction='in'/></method>"
  "<method name='GetCapabilities'><arg type='as' direction='out'/></method>"
  "<method name='GetServerInformation'>"
  "<arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "<arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "</method>"
  "<signal name='NotificationClosed'><arg type='u'/><arg type='u'/></signal>"
  "<signal name='ActionInvoked'><arg type='u'/><arg type='s'/></signal>"
  "</interface></node>";

static void
notifications_method_cb (GDBusConnection       *connection,
                         const char            *sender,
                         const char            *path,
                         const char            *iface,
                         const char            *method,
                         GVariant              *parameters,
                         GDBusMethodInvocation *invocation,
                         gpointer               data)
{
  GPtrArray *summaries = data;

  if (g_str_equal (method, "Notify"))
    {
      const char *summary = NULL;

      g_variant_get_child (parameters, 3, "&s", &summary);
      g_ptr_array_add (summaries, g_strdup (summary));
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", summaries->len));
    }
  else if (g_str_equal (method, "GetCapabilities"))
    g_dbus_method_invocation_return_value (invocation, g_variant_new ("(^as)", (const char *[]) { "body", "actions", NULL }));
  else if (g_str_equal (method, "GetServerInformation"))
    g_dbus_method_invocation_return_value (invocation, g_variant_new ("(ssss)", "fake", "test", "1", "1.2"));
  else
    g_dbus_method_invocation_return_value (invocation, NULL);
}

static const GDBusInterfaceVTable notifications_vtable = {
  notifications_method_cb, NULL, NULL, { 0 }
};

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
  g_autoptr(GPtrArray) summaries = NULL;
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  FakeService *notifications;
  Run *run;
  guint port;

  g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                 NULL, &effective, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));

  summaries = g_ptr_array_new_with_free_func (g_free);
  notifications = fake_service_new ("org.freedesktop.Notifications", "/org/freedesktop/Notifications",
                                    notifications_xml, &notifications_vtable, summaries);
  run = run_new ();
  i2a_application_set_overrides (run->app, "127.0.0.1", (int) port, NULL, NULL);
  run_app (run, drive_port_in_use);
  run_free (run);

  /* The failure was also a notification. */
  g_assert_true (i2a_test_wait_until (has_summary, summaries, 5000));
  g_assert_cmpstr (g_ptr_array_index (summaries, 0), ==, "The API server could not start");

  /* Not with notifications turned off. */
  g_ptr_array_set_size (summaries, 0);
  g_settings_set_boolean (settings, "notifications", FALSE);
  run = run_new ();
  i2a_application_set_overrides (run->app, "127.0.0.1", (int) port, NULL, NULL);
  run_app (run, drive_port_in_use);
  run_free (run);
  gui_test_spin (200);
  g_assert_cmpuint (summaries->len, ==, 0);
  g_settings_reset (settings, "notifications");

  fake_service_free (notifications);
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
  Run *run = run_new ();

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
  Run *run = run_new ();

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

  g_test_add_func ("/ui/app/actions", test_actions);
  g_test_add_func ("/ui/app/dbus-actions", test_dbus_actions);
  g_test_add_func ("/ui/app/toggle-window", test_toggle_window);
  g_test_add_func ("/ui/app/close-quits-without-tray", test_close_quits_without_tray);
  g_test_add_func ("/ui/app/close-hides-in-background", test_close_hides_in_background);
  g_test_add_func ("/ui/app/close-hides-with-tray", test_close_hides_with_tray);
  g_test_add_func ("/ui/app/empty-state", test_empty_state);
  g_test_add_func ("/ui/app/second-instance", test_second_instance);
  /* Last: after GIO's notification backend was used, a following
   * application in the same process crashed in GIO (deep unref chain). */
  g_test_add_func ("/ui/app/port-in-use", test_port_in_use);
  return g_test_run ();
}
