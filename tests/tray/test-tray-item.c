/* test-tray-item.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* test-tray-item.c: the tray item against a fake StatusNotifierWatcher
 *
 * Everything runs on a private bus (GTestDBus). The fake watcher/host is
 * written here in C on a second connection; the item's actions are real
 * GSimpleActions that log their activation.
 *
 * The item lives in this thread's main context, so calls to it must be
 * async while the loop spins (a sync call would deadlock).
 */
#include "config.h"

#include <gio/gio.h>

#include "i2a-dbus-menu.h"
#include "i2a-tray-item.h"

#define WATCHER_NAME  "org.kde.StatusNotifierWatcher"
#define WATCHER_PATH  "/StatusNotifierWatcher"
#define WATCHER_IFACE "org.kde.StatusNotifierWatcher"
#define SNI_IFACE     "org.kde.StatusNotifierItem"
#define MENU_IFACE    "com.canonical.dbusmenu"

static const char watcher_xml[] =
  "<node>"
  " <interface name='org.kde.StatusNotifierWatcher'>"
  "  <method name='RegisterStatusNotifierItem'><arg type='s' direction='in'/></method>"
  "  <method name='RegisterStatusNotifierHost'><arg type='s' direction='in'/></method>"
  "  <property name='RegisteredStatusNotifierItems' type='as' access='read'/>"
  "  <property name='IsStatusNotifierHostRegistered' type='b' access='read'/>"
  "  <property name='ProtocolVersion' type='i' access='read'/>"
  "  <signal name='StatusNotifierItemRegistered'><arg type='s'/></signal>"
  "  <signal name='StatusNotifierHostRegistered'/>"
  "  <signal name='StatusNotifierHostUnregistered'/>"
  " </interface>"
  "</node>";

/* One bus for the whole program, started before any test: GTestDBus only
 * reliably kills the first daemon it spawns if a test aborts. Each test
 * still gets fresh connections, so unique names never repeat. */
static GTestDBus *test_bus;

typedef struct
{
  GDBusConnection    *item_conn;   /* the app's side */
  GDBusConnection    *host_conn;   /* fake watcher + host */
  GSimpleActionGroup *actions;
  GString            *activated;   /* "name;" per activation */
  I2aTrayItem        *item;

  /* fake watcher */
  GDBusNodeInfo      *watcher_node;
  guint               watcher_reg_id;
  guint               own_id;
  gboolean            owned;
  gboolean            host_registered;
  gboolean            refuse;
  guint               host_queries;
  GPtrArray          *services;    /* what RegisterStatusNotifierItem got */
  GPtrArray          *senders;     /* and from whom */

  /* signals seen from the item */
  GPtrArray          *signals;     /* names, in order */
  char               *last_status;
} Fixture;

static gboolean
timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Spin the loop until @cond, failing after 5 s. */
#define WAIT_FOR(cond)                                                  \
  G_STMT_START {                                                        \
    gboolean timed_out_ = FALSE;                                        \
    guint tid_ = g_timeout_add (5000, timeout_cb, &timed_out_);         \
    while (!(cond) && !timed_out_)                                      \
      g_main_context_iteration (NULL, TRUE);                            \
    if (!timed_out_)                                                    \
      g_source_remove (tid_);                                           \
    g_assert_true (cond);                                               \
  } G_STMT_END

static void
action_activated_cb (GSimpleAction *action,
                     GVariant      *param,
                     gpointer       user_data)
{
  Fixture *fx = user_data;

  g_string_append_printf (fx->activated, "%s;", g_action_get_name (G_ACTION (action)));
}

static void
set_enabled (Fixture    *fx,
             const char *name,
             gboolean    enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (fx->actions), name);

  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

/* ---- the fake watcher ---------------------------------------------------- */

static void
watcher_method_call (GDBusConnection       *connection,
                     const char            *sender,
                     const char            *object_path,
                     const char            *interface_name,
                     const char            *method_name,
                     GVariant              *params,
                     GDBusMethodInvocation *invocation,
                     gpointer               user_data)
{
  Fixture *fx = user_data;
  const char *service;

  if (!g_str_equal (method_name, "RegisterStatusNotifierItem"))
    {
      g_dbus_method_invocation_return_value (invocation, NULL);
      return;
    }

  g_variant_get (params, "(&s)", &service);
  g_ptr_array_add (fx->services, g_strdup (service));
  g_ptr_array_add (fx->senders, g_strdup (sender));
  if (fx->refuse)
    g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED,
                                           "Not today");
  else
    g_dbus_method_invocation_return_value (invocation, NULL);
}

static GVariant *
watcher_get_property (GDBusConnection  *connection,
                      const char       *sender,
                      const char       *object_path,
                      const char       *interface_name,
                      const char       *property_name,
                      GError          **error,
                      gpointer          user_data)
{
  Fixture *fx = user_data;

  if (g_str_equal (property_name, "IsStatusNotifierHostRegistered"))
    {
      fx->host_queries++;
      return g_variant_new_boolean (fx->host_registered);
    }
  if (g_str_equal (property_name, "ProtocolVersion"))
    return g_variant_new_int32 (0);
  return g_variant_new_strv ((const char * const *) fx->services->pdata, fx->services->len);
}

static const GDBusInterfaceVTable watcher_vtable = {
  .method_call = watcher_method_call,
  .get_property = watcher_get_property,
};

static void
name_acquired_cb (GDBusConnection *connection,
                  const char      *name,
                  gpointer         user_data)
{
  Fixture *fx = user_data;

  fx->owned = TRUE;
}

static void
name_lost_cb (GDBusConnection *connection,
              const char      *name,
              gpointer         user_data)
{
  Fixture *fx = user_data;

  fx->owned = FALSE;
}

/* Object first, name last: once the name is visible, calls must work. */
static void
watcher_start (Fixture *fx)
{
  g_autoptr(GError) error = NULL;

  if (fx->watcher_reg_id == 0)
    {
      fx->watcher_reg_id =
        g_dbus_connection_register_object (fx->host_conn, WATCHER_PATH,
                                           fx->watcher_node->interfaces[0],
                                           &watcher_vtable, fx, NULL, &error);
      g_assert_no_error (error);
    }
  fx->own_id = g_bus_own_name_on_connection (fx->host_conn, WATCHER_NAME,
                                             G_BUS_NAME_OWNER_FLAGS_NONE,
                                             name_acquired_cb, name_lost_cb, fx, NULL);
  WAIT_FOR (fx->owned);
}

static void
watcher_stop (Fixture *fx)
{
  g_clear_handle_id (&fx->own_id, g_bus_unown_name);
  fx->owned = FALSE;
}

static void
watcher_emit (Fixture    *fx,
              const char *signal)
{
  g_autoptr(GError) error = NULL;

  g_dbus_connection_emit_signal (fx->host_conn, NULL, WATCHER_PATH, WATCHER_IFACE,
                                 signal, NULL, &error);
  g_assert_no_error (error);
}

/* ---- helpers --------------------------------------------------------------- */

static GDBusConnection *
connect_bus (void)
{
  g_autoptr(GError) error = NULL;
  GDBusConnection *conn;

  conn = g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (test_bus),
                                                 G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
                                                 | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                 NULL, NULL, &error);
  g_assert_no_error (error);
  return conn;
}

static void
call_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

/* An async call from the host side, waited for while the loop spins. */
static GVariant *
call_item (Fixture            *fx,
           const char         *path,
           const char         *iface,
           const char         *method,
           GVariant           *params,
           const GVariantType *reply_type,
           GError            **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  g_dbus_connection_call (fx->host_conn, g_dbus_connection_get_unique_name (fx->item_conn),
                          path, iface, method, params, reply_type,
                          G_DBUS_CALL_FLAGS_NONE, 5000, NULL, call_done_cb, &result);
  WAIT_FOR (result != NULL);
  return g_dbus_connection_call_finish (fx->host_conn, result, error);
}

static GVariant *
call_item_ok (Fixture            *fx,
              const char         *path,
              const char         *iface,
              const char         *method,
              GVariant           *params,
              const GVariantType *reply_type)
{
  g_autoptr(GError) error = NULL;
  GVariant *reply = call_item (fx, path, iface, method, params, reply_type, &error);

  g_assert_no_error (error);
  g_assert_nonnull (reply);
  return reply;
}

/* A round trip through the item's connection: whatever reached it before
 * (e.g. a reply from the watcher) has been handled afterwards. */
static void
sync_with_item (Fixture *fx)
{
  g_autoptr(GVariant) reply = NULL;

  reply = call_item_ok (fx, "/", "org.freedesktop.DBus.Peer", "Ping", NULL, NULL);
}

/* After this returns the bus has our match rules. */
static void
sync_with_bus (Fixture *fx)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_sync (fx->host_conn, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "GetId", NULL, NULL,
                                       G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &error);
  g_assert_no_error (error);
}

static void
item_signal_cb (GDBusConnection *connection,
                const char      *sender,
                const char      *object_path,
                const char      *interface_name,
                const char      *signal_name,
                GVariant        *params,
                gpointer         user_data)
{
  Fixture *fx = user_data;

  g_ptr_array_add (fx->signals, g_strdup (signal_name));
  if (g_str_equal (signal_name, "NewStatus"))
    {
      g_free (fx->last_status);
      g_variant_get (params, "(s)", &fx->last_status);
    }
}

static guint
subscribe_item_signals (Fixture    *fx,
                        const char *iface)
{
  guint id = g_dbus_connection_signal_subscribe (fx->host_conn,
                                                 g_dbus_connection_get_unique_name (fx->item_conn),
                                                 iface, NULL, NULL, NULL,
                                                 G_DBUS_SIGNAL_FLAGS_NONE,
                                                 item_signal_cb, fx, NULL);
  sync_with_bus (fx);
  return id;
}

static gboolean
saw_signal (Fixture    *fx,
            const char *name)
{
  for (guint i = 0; i < fx->signals->len; i++)
    if (g_str_equal (g_ptr_array_index (fx->signals, i), name))
      return TRUE;
  return FALSE;
}

static void
new_item (Fixture *fx)
{
  g_autoptr(GError) error = NULL;

  fx->item = i2a_tray_item_new (fx->item_conn, G_ACTION_GROUP (fx->actions), NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fx->item);
}

/* ---- fixture --------------------------------------------------------------- */

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  static const char *names[] = {
    "show-window", "toggle-window", "start-server", "stop-server", "login", "quit",
  };
  g_autoptr(GError) error = NULL;

  fx->item_conn = connect_bus ();
  fx->host_conn = connect_bus ();

  fx->activated = g_string_new ("");
  fx->actions = g_simple_action_group_new ();
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(GSimpleAction) action = g_simple_action_new (names[i], NULL);

      g_signal_connect (action, "activate", G_CALLBACK (action_activated_cb), fx);
      g_action_map_add_action (G_ACTION_MAP (fx->actions), G_ACTION (action));
    }
  /* The server starts stopped: only "Start server" applies. */
  set_enabled (fx, "stop-server", FALSE);

  fx->watcher_node = g_dbus_node_info_new_for_xml (watcher_xml, &error);
  g_assert_no_error (error);
  fx->host_registered = TRUE;
  fx->services = g_ptr_array_new_with_free_func (g_free);
  fx->senders = g_ptr_array_new_with_free_func (g_free);
  fx->signals = g_ptr_array_new_with_free_func (g_free);
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  g_clear_object (&fx->item);
  watcher_stop (fx);
  if (fx->watcher_reg_id != 0)
    g_dbus_connection_unregister_object (fx->host_conn, fx->watcher_reg_id);
  /* Let cancelled calls and idle callbacks finish before the bus goes. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_dbus_connection_close_sync (fx->item_conn, NULL, NULL);
  g_dbus_connection_close_sync (fx->host_conn, NULL, NULL);
  g_clear_object (&fx->item_conn);
  g_clear_object (&fx->host_conn);
  while (g_main_context_iteration (NULL, FALSE))
    ;

  g_clear_object (&fx->actions);
  g_string_free (fx->activated, TRUE);
  g_clear_pointer (&fx->watcher_node, g_dbus_node_info_unref);
  g_ptr_array_unref (fx->services);
  g_ptr_array_unref (fx->senders);
  g_ptr_array_unref (fx->signals);
  g_free (fx->last_status);
}

/* ---- registration ---------------------------------------------------------- */

static void
test_register_by_path (Fixture       *fx,
                       gconstpointer  data)
{
  g_autoptr(GVariant) names = NULL;
  g_autoptr(GVariantIter) iter = NULL;
  g_autoptr(GError) error = NULL;
  const char *name;

  watcher_start (fx);
  new_item (fx);
  WAIT_FOR (i2a_tray_item_get_tray_available (fx->item));

  g_assert_cmpuint (fx->services->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fx->services, 0), ==, I2A_TRAY_ITEM_PATH);
  g_assert_cmpstr (g_ptr_array_index (fx->senders, 0), ==,
                   g_dbus_connection_get_unique_name (fx->item_conn));

  /* No org.kde.StatusNotifierItem-PID-N name (Flathub forbids it). */
  names = g_dbus_connection_call_sync (fx->host_conn, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "ListNames", NULL, G_VARIANT_TYPE ("(as)"),
                                       G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (names, "(as)", &iter);
  while (g_variant_iter_next (iter, "&s", &name))
    g_assert_false (g_str_has_prefix (name, "org.kde.StatusNotifierItem"));
}

static void
test_no_watcher (Fixture       *fx,
                 gconstpointer  data)
{
  gboolean waited = FALSE;

  new_item (fx);
  /* Give the name watch time to resolve; it must not claim a tray. */
  g_timeout_add (100, timeout_cb, &waited);
  while (!waited)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (i2a_tray_item_get_tray_available (fx->item));
  g_assert_cmpuint (fx->services->len, ==, 0);

  /* A watcher showing up later still gets the item. */
  watcher_start (fx);
  WAIT_FOR (i2a_tray_item_get_tray_available (fx->item));
  g_assert_cmpuint (fx->services->len, ==, 1);
}

static void
test_watcher_refuses (Fixture       *fx,
                      gconstpointer  data)
{
  fx->refuse = TRUE;
  watcher_start (fx);
  new_item (fx);
  WAIT_FOR (fx->services->len == 1);
  sync_with_item (fx);
  g_assert_false (i2a_tray_item_get_tray_available (fx->item));
}

static void
test_no_host (Fixture       *fx,
              gconstpointer  data)
{
  fx->host_registered = FALSE;
  watcher_start (fx);
  new_item (fx);
  WAIT_FOR (fx->host_queries >= 1);
  sync_with_item (fx);
  g_assert_cmpuint (fx->services->len, ==, 1);
  g_assert_false (i2a_tray_item_get_tray_available (fx->item));

  /* A host (the panel) arrives: now the icon is shown. */
  fx->host_registered = TRUE;
  watcher_emit (fx, "StatusNotifierHostRegistered");
  WAIT_FOR (i2a_tray_item_get_tray_available (fx->item));

  /* ...and leaves. */
  fx->host_registered = FALSE;
  watcher_emit (fx, "StatusNotifierHostUnregistered");
  WAIT_FOR (!i2a_tray_item_get_tray_available (fx->item));
}

static void
test_reregister (Fixture       *fx,
                 gconstpointer  data)
{
  watcher_start (fx);
  new_item (fx);
  WAIT_FOR (i2a_tray_item_get_tray_available (fx->item));

  watcher_stop (fx);
  WAIT_FOR (!i2a_tray_item_get_tray_available (fx->item));

  watcher_start (fx);
  WAIT_FOR (i2a_tray_item_get_tray_available (fx->item));
  g_assert_cmpuint (fx->services->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (fx->services, 1), ==, I2A_TRAY_ITEM_PATH);
}

static void
test_path_taken (Fixture       *fx,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(I2aTrayItem) second = NULL;

  new_item (fx);
  second = i2a_tray_item_new (fx->item_conn, G_ACTION_GROUP (fx->actions), NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_assert_null (second);
}

/* ---- the item -------------------------------------------------------------- */

static void
assert_prop (GVariant   *dict,
             const char *name,
             const char *type,
             const char *printed)
{
  g_autoptr(GVariant) value = g_variant_lookup_value (dict, name, NULL);
  g_autofree char *text = NULL;

  g_assert_nonnull (value);
  g_assert_cmpstr (g_variant_get_type_string (value), ==, type);
  if (printed != NULL)
    {
      text = g_variant_print (value, FALSE);
      g_assert_cmpstr (text, ==, printed);
    }
}

static void
test_properties (Fixture       *fx,
                 gconstpointer  data)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) props = NULL;
  g_autoptr(GVariant) tooltip = NULL;
  const char *body;

  new_item (fx);
  reply = call_item_ok (fx, I2A_TRAY_ITEM_PATH, "org.freedesktop.DBus.Properties", "GetAll",
                        g_variant_new ("(s)", SNI_IFACE), G_VARIANT_TYPE ("(a{sv})"));
  g_variant_get (reply, "(@a{sv})", &props);

  assert_prop (props, "Category", "s", "'ApplicationStatus'");
  assert_prop (props, "Id", "s", "'" APP_ID "'");
  assert_prop (props, "Title", "s", "'iflow2api'");
  assert_prop (props, "Status", "s", "'Active'");
  assert_prop (props, "WindowId", "i", "0");
  assert_prop (props, "IconName", "s", "'" APP_ID "-stopped'");
  assert_prop (props, "IconPixmap", "a(iiay)", "[]");
  assert_prop (props, "AttentionIconName", "s", NULL);
  assert_prop (props, "AttentionIconPixmap", "a(iiay)", "[]");
  assert_prop (props, "AttentionMovieName", "s", NULL);
  assert_prop (props, "OverlayIconName", "s", NULL);
  assert_prop (props, "OverlayIconPixmap", "a(iiay)", "[]");
  assert_prop (props, "ItemIsMenu", "b", "false");
  assert_prop (props, "Menu", "o", "'/MenuBar'");
  assert_prop (props, "ToolTip", "(sa(iiay)ss)", NULL);

  tooltip = g_variant_lookup_value (props, "ToolTip", NULL);
  g_variant_get (tooltip, "(&s@a(iiay)&s&s)", NULL, NULL, NULL, &body);
  g_assert_cmpstr (body, ==, "Server stopped");
}

static void
test_activate (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(GVariant) r1 = NULL;
  g_autoptr(GVariant) r2 = NULL;
  g_autoptr(GVariant) r3 = NULL;
  g_autoptr(GVariant) r4 = NULL;
  g_autoptr(GVariant) r5 = NULL;

  new_item (fx);

  r1 = call_item_ok (fx, I2A_TRAY_ITEM_PATH, SNI_IFACE, "Activate", g_variant_new ("(ii)", 0, 0), NULL);
  g_assert_cmpstr (fx->activated->str, ==, "toggle-window;");

  r2 = call_item_ok (fx, I2A_TRAY_ITEM_PATH, SNI_IFACE, "SecondaryActivate", g_variant_new ("(ii)", 0, 0), NULL);
  g_assert_cmpstr (fx->activated->str, ==, "toggle-window;show-window;");

  /* These must be answered (hosts wait) but do nothing. */
  r3 = call_item_ok (fx, I2A_TRAY_ITEM_PATH, SNI_IFACE, "ContextMenu", g_variant_new ("(ii)", 0, 0), NULL);
  r4 = call_item_ok (fx, I2A_TRAY_ITEM_PATH, SNI_IFACE, "Scroll", g_variant_new ("(is)", 1, "vertical"), NULL);
  g_assert_cmpstr (fx->activated->str, ==, "toggle-window;show-window;");

  /* Without a usable toggle, Activate still shows the window. */
  set_enabled (fx, "toggle-window", FALSE);
  r5 = call_item_ok (fx, I2A_TRAY_ITEM_PATH, SNI_IFACE, "Activate", g_variant_new ("(ii)", 0, 0), NULL);
  g_assert_cmpstr (fx->activated->str, ==, "toggle-window;show-window;show-window;");
}

static void
test_state_signals (Fixture       *fx,
                    gconstpointer  data)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) value = NULL;
  g_autoptr(GVariant) tooltip = NULL;
  const char *body;
  guint sub;

  new_item (fx);
  sub = subscribe_item_signals (fx, SNI_IFACE);

  i2a_tray_item_set_state (fx->item, I2A_TRAY_STATE_DEGRADED);
  WAIT_FOR (saw_signal (fx, "NewIcon") && saw_signal (fx, "NewStatus") && saw_signal (fx, "NewToolTip"));
  g_assert_cmpstr (fx->last_status, ==, "NeedsAttention");
  g_assert_cmpint (i2a_tray_item_get_state (fx->item), ==, I2A_TRAY_STATE_DEGRADED);
  g_assert_cmpstr (i2a_tray_item_get_icon_name (fx->item), ==, APP_ID "-degraded");

  reply = call_item_ok (fx, I2A_TRAY_ITEM_PATH, "org.freedesktop.DBus.Properties", "Get",
                        g_variant_new ("(ss)", SNI_IFACE, "IconName"), G_VARIANT_TYPE ("(v)"));
  g_variant_get (reply, "(v)", &value);
  g_assert_cmpstr (g_variant_get_string (value, NULL), ==, APP_ID "-degraded");

  /* Details become a second, escaped tooltip line. */
  g_ptr_array_set_size (fx->signals, 0);
  i2a_tray_item_set_details (fx->item, "127.0.0.1:8000 <1/2 accounts>");
  WAIT_FOR (saw_signal (fx, "NewToolTip"));
  g_clear_pointer (&reply, g_variant_unref);
  g_clear_pointer (&value, g_variant_unref);
  reply = call_item_ok (fx, I2A_TRAY_ITEM_PATH, "org.freedesktop.DBus.Properties", "Get",
                        g_variant_new ("(ss)", SNI_IFACE, "ToolTip"), G_VARIANT_TYPE ("(v)"));
  g_variant_get (reply, "(v)", &tooltip);
  g_variant_get (tooltip, "(&s@a(iiay)&s&s)", NULL, NULL, NULL, &body);
  g_assert_cmpstr (body, ==, "Server running, some accounts unavailable\n127.0.0.1:8000 &lt;1/2 accounts&gt;");

  /* Back to running: normal icon, Active. */
  g_ptr_array_set_size (fx->signals, 0);
  i2a_tray_item_set_state (fx->item, I2A_TRAY_STATE_RUNNING);
  WAIT_FOR (saw_signal (fx, "NewIcon") && saw_signal (fx, "NewStatus"));
  g_assert_cmpstr (fx->last_status, ==, "Active");
  g_assert_cmpstr (i2a_tray_item_get_icon_name (fx->item), ==, APP_ID);

  g_dbus_connection_signal_unsubscribe (fx->host_conn, sub);
}

/* ---- the menu -------------------------------------------------------------- */

typedef struct
{
  gint32   id;
  char    *label;   /* NULL for a separator */
  gboolean visible;
  gboolean enabled;
} Row;

static void
row_clear (gpointer data)
{
  g_free (((Row *) data)->label);
}

/* GetLayout(0, -1, []) checked for type, flattened to rows. */
static GArray *
get_layout (Fixture *fx,
            guint   *revision)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) props = NULL;
  g_autoptr(GVariantIter) children = NULL;
  GArray *rows = g_array_new (FALSE, TRUE, sizeof (Row));
  const char *display = NULL;
  GVariant *child;
  gint32 root_id;

  g_array_set_clear_func (rows, row_clear);
  reply = call_item_ok (fx, I2A_DBUS_MENU_PATH, MENU_IFACE, "GetLayout",
                        g_variant_new ("(ii^as)", 0, -1, (const char *[]) { NULL }), NULL);
  /* Two values, not one struct wrapping both. */
  g_assert_cmpstr (g_variant_get_type_string (reply), ==, "(u(ia{sv}av))");

  g_variant_get (reply, "(u(i@a{sv}av))", revision, &root_id, &props, &children);
  g_assert_cmpint (root_id, ==, 0);
  g_assert_true (g_variant_lookup (props, "children-display", "&s", &display));
  g_assert_cmpstr (display, ==, "submenu");

  while (g_variant_iter_next (children, "v", &child))
    {
      g_autoptr(GVariant) item_props = NULL;
      g_autoptr(GVariant) grandchildren = NULL;
      const char *type = NULL;
      Row row = { 0, NULL, TRUE, TRUE };

      g_assert_cmpstr (g_variant_get_type_string (child), ==, "(ia{sv}av)");
      g_variant_get (child, "(i@a{sv}@av)", &row.id, &item_props, &grandchildren);
      g_assert_cmpuint (g_variant_n_children (grandchildren), ==, 0);
      if (g_variant_lookup (item_props, "type", "&s", &type))
        g_assert_cmpstr (type, ==, "separator");
      else
        g_assert_true (g_variant_lookup (item_props, "label", "s", &row.label));
      g_variant_lookup (item_props, "visible", "b", &row.visible);
      g_variant_lookup (item_props, "enabled", "b", &row.enabled);
      g_array_append_val (rows, row);
      g_variant_unref (child);
    }
  return rows;
}

/* Visible labels joined with "|", "-" for a separator. */
static char *
visible_labels (GArray *rows)
{
  GString *s = g_string_new ("");

  for (guint i = 0; i < rows->len; i++)
    {
      Row *row = &g_array_index (rows, Row, i);

      if (!row->visible)
        continue;
      if (s->len > 0)
        g_string_append_c (s, '|');
      g_string_append (s, row->label ? row->label : "-");
    }
  return g_string_free (s, FALSE);
}

static gint32
find_id (GArray     *rows,
         const char *label)
{
  for (guint i = 0; i < rows->len; i++)
    if (g_strcmp0 (g_array_index (rows, Row, i).label, label) == 0)
      return g_array_index (rows, Row, i).id;
  g_assert_not_reached ();
}

static void
click (Fixture *fx,
       gint32   id)
{
  g_autoptr(GVariant) reply = NULL;

  reply = call_item_ok (fx, I2A_DBUS_MENU_PATH, MENU_IFACE, "Event",
                        g_variant_new ("(isvu)", id, "clicked", g_variant_new_int32 (0), 0), NULL);
}

static void
test_menu_layout (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(GArray) rows = NULL;
  g_autoptr(GVariant) props_reply = NULL;
  g_autoptr(GVariant) props = NULL;
  g_autoptr(GVariant) group = NULL;
  g_autoptr(GVariant) prop = NULL;
  g_autoptr(GVariant) bad = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *labels = NULL;
  g_autofree char *printed = NULL;
  guint revision = 0;

  new_item (fx);
  rows = get_layout (fx, &revision);
  labels = visible_labels (rows);
  g_assert_cmpstr (labels, ==, "Show window|Start server|Log in with iFlow…|-|Quit");
  g_assert_cmpuint (rows->len, ==, 6);   /* plus the hidden "Stop server" */
  g_assert_false (g_array_index (rows, Row, 2).visible);
  g_assert_cmpstr (g_array_index (rows, Row, 2).label, ==, "Stop server");

  props_reply = call_item_ok (fx, I2A_DBUS_MENU_PATH, "org.freedesktop.DBus.Properties", "GetAll",
                              g_variant_new ("(s)", MENU_IFACE), G_VARIANT_TYPE ("(a{sv})"));
  g_variant_get (props_reply, "(@a{sv})", &props);
  assert_prop (props, "Version", "u", "3");
  assert_prop (props, "TextDirection", "s", "'ltr'");
  assert_prop (props, "Status", "s", "'normal'");
  assert_prop (props, "IconThemePath", "as", NULL);

  group = call_item_ok (fx, I2A_DBUS_MENU_PATH, MENU_IFACE, "GetGroupProperties",
                        g_variant_new ("(@ai^as)",
                                       g_variant_new_fixed_array (G_VARIANT_TYPE_INT32,
                                                                  &g_array_index (rows, Row, 0).id, 1,
                                                                  sizeof (gint32)),
                                       (const char *[]) { "label", NULL }),
                        G_VARIANT_TYPE ("(a(ia{sv}))"));
  printed = g_variant_print (group, FALSE);
  g_assert_cmpstr (printed, ==, "([(1, {'label': <'Show window'>})],)");

  prop = call_item_ok (fx, I2A_DBUS_MENU_PATH, MENU_IFACE, "GetProperty",
                       g_variant_new ("(is)", find_id (rows, "Stop server"), "enabled"),
                       G_VARIANT_TYPE ("(v)"));
  g_clear_pointer (&printed, g_free);
  printed = g_variant_print (prop, FALSE);
  g_assert_cmpstr (printed, ==, "(<false>,)");

  bad = call_item (fx, I2A_DBUS_MENU_PATH, MENU_IFACE, "GetLayout",
                   g_variant_new ("(ii^as)", 4242, -1, (const char *[]) { NULL }), NULL, &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  g_assert_null (bad);
}

static void
test_menu_event (Fixture       *fx,
                 gconstpointer  data)
{
  g_autoptr(GArray) rows = NULL;
  g_autoptr(GVariant) group_reply = NULL;
  g_autoptr(GVariant) hover = NULL;
  g_autofree char *printed = NULL;
  GVariantBuilder events;
  guint revision;

  new_item (fx);
  rows = get_layout (fx, &revision);

  click (fx, find_id (rows, "Quit"));
  g_assert_cmpstr (fx->activated->str, ==, "quit;");

  click (fx, find_id (rows, "Show window"));
  g_assert_cmpstr (fx->activated->str, ==, "quit;show-window;");

  /* Disabled: a click on a stale menu must not run the action. */
  click (fx, find_id (rows, "Stop server"));
  g_assert_cmpstr (fx->activated->str, ==, "quit;show-window;");

  /* Only "clicked" activates. */
  hover = call_item_ok (fx, I2A_DBUS_MENU_PATH, MENU_IFACE, "Event",
                        g_variant_new ("(isvu)", find_id (rows, "Quit"), "hovered",
                                       g_variant_new_int32 (0), 0), NULL);
  g_assert_cmpstr (fx->activated->str, ==, "quit;show-window;");

  g_variant_builder_init (&events, G_VARIANT_TYPE ("a(isvu)"));
  g_variant_builder_add (&events, "(isvu)", find_id (rows, "Start server"), "clicked", g_variant_new_int32 (0), 0);
  g_variant_builder_add (&events, "(isvu)", find_id (rows, "Log in with iFlow…"), "clicked", g_variant_new_int32 (0), 0);
  g_variant_builder_add (&events, "(isvu)", 999, "clicked", g_variant_new_int32 (0), 0);
  group_reply = call_item_ok (fx, I2A_DBUS_MENU_PATH, MENU_IFACE, "EventGroup",
                              g_variant_new ("(a(isvu))", &events), G_VARIANT_TYPE ("(ai)"));
  printed = g_variant_print (group_reply, FALSE);
  g_assert_cmpstr (printed, ==, "([999],)");
  g_assert_cmpstr (fx->activated->str, ==, "quit;show-window;start-server;login;");
}

static void
test_menu_follows_actions (Fixture       *fx,
                           gconstpointer  data)
{
  g_autoptr(GArray) before = NULL;
  g_autoptr(GArray) after = NULL;
  g_autoptr(GArray) no_login = NULL;
  g_autoptr(GVariant) about = NULL;
  g_autofree char *labels = NULL;
  guint rev_before, rev_after, rev;
  guint sub;

  new_item (fx);
  sub = subscribe_item_signals (fx, MENU_IFACE);
  before = get_layout (fx, &rev_before);

  /* The server started: the app flips its actions. */
  set_enabled (fx, "start-server", FALSE);
  set_enabled (fx, "stop-server", TRUE);
  WAIT_FOR (saw_signal (fx, "ItemsPropertiesUpdated") && saw_signal (fx, "LayoutUpdated"));

  after = get_layout (fx, &rev_after);
  g_assert_cmpuint (rev_after, >, rev_before);
  labels = visible_labels (after);
  g_assert_cmpstr (labels, ==, "Show window|Stop server|Log in with iFlow…|-|Quit");
  click (fx, find_id (after, "Stop server"));
  g_assert_cmpstr (fx->activated->str, ==, "stop-server;");

  /* Disabling an action greys its item out. */
  g_ptr_array_set_size (fx->signals, 0);
  set_enabled (fx, "login", FALSE);
  WAIT_FOR (saw_signal (fx, "ItemsPropertiesUpdated"));
  no_login = get_layout (fx, &rev);
  g_assert_false (g_array_index (no_login, Row, 3).enabled);
  g_assert_true (g_array_index (no_login, Row, 0).enabled);

  /* A removed action: the item stays, disabled. */
  g_ptr_array_set_size (fx->signals, 0);
  g_action_map_remove_action (G_ACTION_MAP (fx->actions), "quit");
  WAIT_FOR (saw_signal (fx, "ItemsPropertiesUpdated"));
  click (fx, find_id (no_login, "Quit"));
  g_assert_cmpstr (fx->activated->str, ==, "stop-server;");

  about = call_item_ok (fx, I2A_DBUS_MENU_PATH, MENU_IFACE, "AboutToShow",
                        g_variant_new ("(i)", 0), G_VARIANT_TYPE ("(b)"));

  g_dbus_connection_signal_unsubscribe (fx->host_conn, sub);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/tray/register/by-path", test_register_by_path);
  ADD ("/tray/register/no-watcher", test_no_watcher);
  ADD ("/tray/register/refused", test_watcher_refuses);
  ADD ("/tray/register/no-host", test_no_host);
  ADD ("/tray/register/watcher-restart", test_reregister);
  ADD ("/tray/register/path-taken", test_path_taken);
  ADD ("/tray/item/properties", test_properties);
  ADD ("/tray/item/activate", test_activate);
  ADD ("/tray/item/state-signals", test_state_signals);
  ADD ("/tray/menu/layout", test_menu_layout);
  ADD ("/tray/menu/event", test_menu_event);
  ADD ("/tray/menu/follows-actions", test_menu_follows_actions);
#undef ADD

  test_bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (test_bus);
  ret = g_test_run ();
  g_test_dbus_down (test_bus);
  g_clear_object (&test_bus);
  return ret;
}
