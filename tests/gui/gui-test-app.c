/* gui-test-app.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "gui-test-app.h"

/* ---- running the app ---------------------------------------------------- */

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

Run *
run_new (const char *home)
{
  Run *run = g_new0 (Run, 1);

  run->home = home;
  run->app = i2a_application_new ();
  /* A free port, and no ~/.iflow of the test machine. */
  i2a_application_set_overrides (run->app, NULL, 0, NULL, NULL);
  return run;
}

void
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

void
run_free (Run *run)
{
  /* The app under test, its windows gone with it: nothing may keep it. */
  i2a_test_finalize_soon (g_steal_pointer (&run->app));
  g_free (run);
  /* Let the bus forget our name before the next test claims it. */
  gui_test_spin (50);
}

void
quit_app (Run *run)
{
  g_action_group_activate_action (G_ACTION_GROUP (run->app), "quit", NULL);
}

I2aWindow *
main_window (Run *run)
{
  return I2A_WINDOW (i2a_application_get_main_window (run->app));
}

gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

GDBusConnection *
gui_test_bus_connection_new (void)
{
  g_autofree char *address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GError) error = NULL;
  GDBusConnection *connection;

  connection = g_dbus_connection_new_for_address_sync (address,
                                                       G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                       G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                       NULL, NULL, &error);
  g_assert_no_error (error);
  return connection;
}

/* ---- stand-in services --------------------------------------------------- */

struct _FakeService
{
  GDBusConnection *connection;
  guint            object_id;
  guint            owner_id;
};

static void
name_acquired_cb (GDBusConnection *connection,
                  const char      *name,
                  gpointer         data)
{
  *(gboolean *) data = TRUE;
}

FakeService *
fake_service_new (const char                 *name,
                  const char                 *path,
                  const char                 *xml,
                  const GDBusInterfaceVTable *vtable,
                  gpointer                    data)
{
  g_autoptr(GDBusNodeInfo) node = g_dbus_node_info_new_for_xml (xml, NULL);
  g_autoptr(GError) error = NULL;
  FakeService *service = g_new0 (FakeService, 1);
  gboolean owned = FALSE;

  service->connection = gui_test_bus_connection_new ();
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

void
fake_service_free (FakeService *service)
{
  g_bus_unown_name (service->owner_id);
  g_dbus_connection_unregister_object (service->connection, service->object_id);
  g_dbus_connection_flush_sync (service->connection, NULL, NULL);
  g_object_unref (service->connection);
  g_free (service);
}

/* A StatusNotifierWatcher with a host. */
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
  FakeWatcher *watcher = data;

  if (g_str_equal (method, "RegisterStatusNotifierItem"))
    {
      const char *item = NULL;

      /* A path (the item's bus name is the sender) or a bus name. */
      g_variant_get (parameters, "(&s)", &item);
      g_free (watcher->item_sender);
      g_free (watcher->item_path);
      watcher->item_sender = g_strdup (item[0] == '/' ? sender : item);
      watcher->item_path = g_strdup (item[0] == '/' ? item : "/StatusNotifierItem");
    }
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

FakeWatcher *
fake_watcher_new (void)
{
  FakeWatcher *watcher = g_new0 (FakeWatcher, 1);

  watcher->service = fake_service_new ("org.kde.StatusNotifierWatcher", "/StatusNotifierWatcher",
                                       watcher_xml, &watcher_vtable, watcher);
  return watcher;
}

void
fake_watcher_free (FakeWatcher *watcher)
{
  fake_service_free (watcher->service);
  g_free (watcher->item_sender);
  g_free (watcher->item_path);
  g_free (watcher);
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

static guint next_notification_id;

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
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", ++next_notification_id));
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

/* Why the server is never stopped: GLib 2.74's freedesktop notification
 * backend (gfdonotificationbackend.c, the one GApplication uses without
 * org.gtk.Notifications or a portal) keeps every sent notification in a
 * list, each holding a reference on the backend. That cycle keeps the
 * backend, and its watch on org.freedesktop.Notifications, alive after its
 * GApplication is finalized. When the name then vanishes,
 * name_vanished_handler_cb() frees the list before clearing the field; the
 * last unref disposes the backend, whose dispose frees the same list again:
 * endless recursion, a stack overflow in the next app's main loop. A real
 * app is finalized only at exit, so only a test process running several
 * apps can get there, and only if the server goes away after an app that
 * notified. Hence one server for the whole process. */
GPtrArray *
gui_test_notifications (void)
{
  static GPtrArray *summaries;

  if (summaries == NULL)
    {
      summaries = g_ptr_array_new_with_free_func (g_free);
      /* Leaked on purpose, see above. */
      (void) fake_service_new ("org.freedesktop.Notifications", "/org/freedesktop/Notifications",
                               notifications_xml, &notifications_vtable, summaries);
    }
  return summaries;
}

/* ---- the client-setup dialog ----------------------------------------------- */

I2aClientDialog *
gui_test_find_client_dialog (void)
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

GtkWidget *
gui_test_find_setup_button (GtkWidget  *widget,
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
      GtkWidget *found = gui_test_find_setup_button (child, id);

      if (found)
        return found;
    }
  return NULL;
}

gboolean
gui_test_client_dialog_idle (gpointer dialog)
{
  return !i2a_client_dialog_get_busy (dialog);
}

gboolean
gui_test_client_dialog_confirming (gpointer dialog)
{
  return i2a_client_dialog_get_confirm_dialog (dialog) != NULL;
}
