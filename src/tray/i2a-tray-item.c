/* i2a-tray-item.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-tray-item.c: the tray icon (org.kde.StatusNotifierItem over GDBus)
 *
 * We register by object path, never by owning org.kde.StatusNotifierItem-*:
 * watchers take the caller's unique name as the service, and Flathub
 * forbids owning org.kde.* names. The name watch stays alive for the whole
 * life of the item so a watcher that (re)appears later (shell restart,
 * extension toggled) gets the item again.
 */
#define G_LOG_DOMAIN "i2a-tray"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "i2a-dbus-menu.h"
#include "i2a-tray-item.h"
#include "i2a-tray-introspection.h"

#define SNI_IFACE          "org.kde.StatusNotifierItem"
#define WATCHER_NAME       "org.kde.StatusNotifierWatcher"
#define WATCHER_PATH       "/StatusNotifierWatcher"
#define WATCHER_IFACE      "org.kde.StatusNotifierWatcher"
#define REGISTER_TIMEOUT_MS 5000
#define TITLE              "iflow2api"

struct _I2aTrayItem
{
  GObject          parent_instance;

  GDBusConnection *connection;
  GActionGroup    *actions;
  char            *app_id;
  I2aDbusMenu     *menu;

  I2aTrayState     state;
  char            *details;
  char            *icon_name;

  guint            registration_id;
  guint            watch_id;
  char            *watcher_owner;    /* unique name of the current watcher */
  guint            host_registered_id;
  guint            host_unregistered_id;
  GCancellable    *cancellable;      /* calls to the current watcher */
  gboolean         registered;       /* the current watcher accepted us */
  gboolean         tray_available;
};

static void i2a_tray_item_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (I2aTrayItem, i2a_tray_item, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      i2a_tray_item_initable_iface_init))

G_DEFINE_ENUM_TYPE (I2aTrayState, i2a_tray_state,
                    G_DEFINE_ENUM_VALUE (I2A_TRAY_STATE_STOPPED, "stopped"),
                    G_DEFINE_ENUM_VALUE (I2A_TRAY_STATE_RUNNING, "running"),
                    G_DEFINE_ENUM_VALUE (I2A_TRAY_STATE_DEGRADED, "degraded"))

enum {
  PROP_0,
  PROP_CONNECTION,
  PROP_ACTION_GROUP,
  PROP_APP_ID,
  PROP_STATE,
  PROP_DETAILS,
  PROP_ICON_NAME,
  PROP_TRAY_AVAILABLE,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

static GDBusInterfaceInfo *
sni_interface_info (void)
{
  static gsize info;

  return i2a_tray_interface_info ("org.kde.StatusNotifierItem.xml", SNI_IFACE, &info);
}

static const char *
status_string (I2aTrayState state)
{
  /* Never "Passive" while alive: hosts may hide passive items, and a
   * stopped server is exactly when the user needs the menu. */
  return state == I2A_TRAY_STATE_DEGRADED ? "NeedsAttention" : "Active";
}

static char *
icon_name_for_state (const char   *app_id,
                     I2aTrayState  state)
{
  switch (state)
    {
    case I2A_TRAY_STATE_RUNNING:
      return g_strdup (app_id);
    case I2A_TRAY_STATE_DEGRADED:
      return g_strconcat (app_id, "-degraded", NULL);
    case I2A_TRAY_STATE_STOPPED:
    default:
      return g_strconcat (app_id, "-stopped", NULL);
    }
}

static const char *
state_summary (I2aTrayState state)
{
  switch (state)
    {
    case I2A_TRAY_STATE_RUNNING:
      return _("Server running");
    case I2A_TRAY_STATE_DEGRADED:
      return _("Server running, some accounts unavailable");
    case I2A_TRAY_STATE_STOPPED:
    default:
      return _("Server stopped");
    }
}

static GVariant *
build_tooltip (I2aTrayItem *self)
{
  g_autofree char *body = NULL;

  /* Hosts render the body as a small HTML subset: escape what we did
   * not write ourselves. */
  if (self->details != NULL && self->details[0] != '\0')
    {
      g_autofree char *escaped = g_markup_escape_text (self->details, -1);

      body = g_strconcat (state_summary (self->state), "\n", escaped, NULL);
    }
  else
    body = g_strdup (state_summary (self->state));

  return g_variant_new ("(s@a(iiay)ss)", self->icon_name,
                        g_variant_new_array (G_VARIANT_TYPE ("(iiay)"), NULL, 0),
                        TITLE, body);
}

static GVariant *
sni_get_property (GDBusConnection  *connection,
                  const char       *sender,
                  const char       *object_path,
                  const char       *interface_name,
                  const char       *property_name,
                  GError          **error,
                  gpointer          user_data)
{
  I2aTrayItem *self = user_data;

  g_assert (I2A_IS_TRAY_ITEM (self));

  if (g_str_equal (property_name, "Category"))
    return g_variant_new_string ("ApplicationStatus");
  if (g_str_equal (property_name, "Id"))
    return g_variant_new_string (self->app_id);
  if (g_str_equal (property_name, "Title"))
    return g_variant_new_string (TITLE);
  if (g_str_equal (property_name, "Status"))
    return g_variant_new_string (status_string (self->state));
  if (g_str_equal (property_name, "WindowId"))
    return g_variant_new_int32 (0);
  if (g_str_equal (property_name, "IconThemePath")
      || g_str_equal (property_name, "OverlayIconName")
      || g_str_equal (property_name, "AttentionMovieName"))
    return g_variant_new_string ("");
  if (g_str_equal (property_name, "IconName"))
    return g_variant_new_string (self->icon_name);
  if (g_str_equal (property_name, "AttentionIconName"))
    return g_variant_new_string (self->icon_name);
  if (g_str_equal (property_name, "IconPixmap")
      || g_str_equal (property_name, "OverlayIconPixmap")
      || g_str_equal (property_name, "AttentionIconPixmap"))
    return g_variant_new_array (G_VARIANT_TYPE ("(iiay)"), NULL, 0);
  if (g_str_equal (property_name, "ToolTip"))
    return build_tooltip (self);
  if (g_str_equal (property_name, "ItemIsMenu"))
    return g_variant_new_boolean (FALSE);
  if (g_str_equal (property_name, "Menu"))
    return g_variant_new_object_path (I2A_DBUS_MENU_PATH);

  g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_PROPERTY,
               "Unknown property %s", property_name);
  return NULL;
}

static gboolean
activate_action (I2aTrayItem *self,
                 const char  *name)
{
  if (!i2a_tray_action_usable (self->actions, name))
    return FALSE;

  g_debug ("Tray activates action %s", name);
  g_action_group_activate_action (self->actions, name, NULL);
  return TRUE;
}

static void
sni_method_call (GDBusConnection       *connection,
                 const char            *sender,
                 const char            *object_path,
                 const char            *interface_name,
                 const char            *method_name,
                 GVariant              *params,
                 GDBusMethodInvocation *invocation,
                 gpointer               user_data)
{
  I2aTrayItem *self = user_data;

  g_assert (I2A_IS_TRAY_ITEM (self));

  /* Always reply, and before acting: a host left without a reply hangs,
   * and the action may quit the app. */
  g_dbus_method_invocation_return_value (invocation, NULL);

  if (g_str_equal (method_name, "Activate"))
    {
      if (!activate_action (self, "toggle-window"))
        activate_action (self, "show-window");
    }
  else if (g_str_equal (method_name, "SecondaryActivate"))
    activate_action (self, "show-window");
  /* ContextMenu: hosts that call it could not show our dbusmenu; there is
   * no menu to pop up without GTK here. Scroll: nothing to adjust. */
}

static const GDBusInterfaceVTable sni_vtable = {
  .method_call = sni_method_call,
  .get_property = sni_get_property,
};

static void
emit_item_signal (I2aTrayItem *self,
                  const char  *name,
                  GVariant    *params)
{
  g_autoptr(GError) error = NULL;

  if (self->registration_id == 0)
    {
      if (params != NULL)
        g_variant_unref (g_variant_ref_sink (params));
      return;
    }
  if (!g_dbus_connection_emit_signal (self->connection, NULL, I2A_TRAY_ITEM_PATH,
                                      SNI_IFACE, name, params, &error))
    g_debug ("Could not emit %s: %s", name, error->message);
}

static void
set_tray_available (I2aTrayItem *self,
                    gboolean     available)
{
  available = !!available;
  if (self->tray_available == available)
    return;
  self->tray_available = available;
  g_debug ("Tray %s", available ? "available" : "unavailable");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TRAY_AVAILABLE]);
}

static void
host_query_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) value = NULL;
  g_autoptr(GError) error = NULL;
  I2aTrayItem *self;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  /* Cancelled means the item may be gone: do not touch it. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = user_data;
  g_assert (I2A_IS_TRAY_ITEM (self));

  if (reply == NULL)
    {
      /* A watcher without the property still accepted us: trust it. */
      g_debug ("IsStatusNotifierHostRegistered unreadable: %s", error->message);
      set_tray_available (self, self->registered);
      return;
    }

  g_variant_get (reply, "(v)", &value);
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    set_tray_available (self, self->registered && g_variant_get_boolean (value));
  else
    set_tray_available (self, self->registered);
}

static void
query_host (I2aTrayItem *self)
{
  g_dbus_connection_call (self->connection, self->watcher_owner, WATCHER_PATH,
                          "org.freedesktop.DBus.Properties", "Get",
                          g_variant_new ("(ss)", WATCHER_IFACE, "IsStatusNotifierHostRegistered"),
                          G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NO_AUTO_START,
                          REGISTER_TIMEOUT_MS, self->cancellable, host_query_cb, self);
}

static void
register_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  I2aTrayItem *self;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = user_data;
  g_assert (I2A_IS_TRAY_ITEM (self));

  if (reply == NULL)
    {
      g_debug ("Watcher refused the tray item: %s", error->message);
      self->registered = FALSE;
      set_tray_available (self, FALSE);
      return;
    }

  g_debug ("Tray item registered with %s", self->watcher_owner);
  self->registered = TRUE;
  query_host (self);
}

static void
host_signal_cb (GDBusConnection *connection,
                const char      *sender,
                const char      *object_path,
                const char      *interface_name,
                const char      *signal_name,
                GVariant        *params,
                gpointer         user_data)
{
  I2aTrayItem *self = user_data;

  g_assert (I2A_IS_TRAY_ITEM (self));

  if (!self->registered || self->watcher_owner == NULL)
    return;
  if (g_str_equal (signal_name, "StatusNotifierHostRegistered"))
    set_tray_available (self, TRUE);
  else
    query_host (self);   /* another host may still be there */
}

static void
forget_watcher (I2aTrayItem *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->host_registered_id != 0)
    g_dbus_connection_signal_unsubscribe (self->connection, self->host_registered_id);
  if (self->host_unregistered_id != 0)
    g_dbus_connection_signal_unsubscribe (self->connection, self->host_unregistered_id);
  self->host_registered_id = 0;
  self->host_unregistered_id = 0;
  g_clear_pointer (&self->watcher_owner, g_free);
  self->registered = FALSE;
}

static void
watcher_appeared_cb (GDBusConnection *connection,
                     const char      *name,
                     const char      *name_owner,
                     gpointer         user_data)
{
  I2aTrayItem *self = user_data;

  g_assert (I2A_IS_TRAY_ITEM (self));

  g_debug ("StatusNotifierWatcher appeared (%s)", name_owner);
  forget_watcher (self);
  set_tray_available (self, FALSE);

  self->watcher_owner = g_strdup (name_owner);
  self->cancellable = g_cancellable_new ();
  /* Subscribe by unique name: a well-known sender is not reliably checked. */
  self->host_registered_id =
    g_dbus_connection_signal_subscribe (connection, name_owner, WATCHER_IFACE,
                                        "StatusNotifierHostRegistered", WATCHER_PATH, NULL,
                                        G_DBUS_SIGNAL_FLAGS_NONE, host_signal_cb, self, NULL);
  self->host_unregistered_id =
    g_dbus_connection_signal_subscribe (connection, name_owner, WATCHER_IFACE,
                                        "StatusNotifierHostUnregistered", WATCHER_PATH, NULL,
                                        G_DBUS_SIGNAL_FLAGS_NONE, host_signal_cb, self, NULL);

  /* The path, not a bus name: the watcher pairs it with our unique name. */
  g_dbus_connection_call (connection, name_owner, WATCHER_PATH, WATCHER_IFACE,
                          "RegisterStatusNotifierItem",
                          g_variant_new ("(s)", I2A_TRAY_ITEM_PATH),
                          NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START, REGISTER_TIMEOUT_MS,
                          self->cancellable, register_cb, self);
}

static void
watcher_vanished_cb (GDBusConnection *connection,
                     const char      *name,
                     gpointer         user_data)
{
  I2aTrayItem *self = user_data;

  g_assert (I2A_IS_TRAY_ITEM (self));

  g_debug ("No StatusNotifierWatcher: no tray");
  forget_watcher (self);
  set_tray_available (self, FALSE);
}

static gboolean
i2a_tray_item_initable_init (GInitable     *initable,
                             GCancellable  *cancellable,
                             GError       **error)
{
  I2aTrayItem *self = I2A_TRAY_ITEM (initable);

  g_return_val_if_fail (G_IS_DBUS_CONNECTION (self->connection), FALSE);
  g_return_val_if_fail (G_IS_ACTION_GROUP (self->actions), FALSE);

  if (self->registration_id != 0)
    return TRUE;

  self->menu = i2a_dbus_menu_new (self->actions);
  if (!i2a_dbus_menu_export (self->menu, self->connection, I2A_DBUS_MENU_PATH, error))
    return FALSE;

  self->registration_id =
    g_dbus_connection_register_object (self->connection, I2A_TRAY_ITEM_PATH,
                                       sni_interface_info (), &sni_vtable,
                                       self, NULL, error);
  if (self->registration_id == 0)
    {
      i2a_dbus_menu_unexport (self->menu);
      return FALSE;
    }

  /* Objects first, watch last: the watcher may call us right away. */
  self->watch_id =
    g_bus_watch_name_on_connection (self->connection, WATCHER_NAME,
                                    G_BUS_NAME_WATCHER_FLAGS_NONE,
                                    watcher_appeared_cb, watcher_vanished_cb,
                                    self, NULL);
  return TRUE;
}

static void
i2a_tray_item_initable_iface_init (GInitableIface *iface)
{
  iface->init = i2a_tray_item_initable_init;
}

static void
i2a_tray_item_dispose (GObject *object)
{
  I2aTrayItem *self = I2A_TRAY_ITEM (object);

  g_clear_handle_id (&self->watch_id, g_bus_unwatch_name);
  /* Watchers only drop items whose bus name vanishes, and our connection
   * outlives us: asking to be hidden is the best we can do. */
  if (self->registered)
    emit_item_signal (self, "NewStatus", g_variant_new ("(s)", "Passive"));
  forget_watcher (self);
  if (self->registration_id != 0)
    g_dbus_connection_unregister_object (self->connection, self->registration_id);
  self->registration_id = 0;
  if (self->menu != NULL)
    i2a_dbus_menu_unexport (self->menu);
  g_clear_object (&self->menu);
  g_clear_object (&self->actions);
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (i2a_tray_item_parent_class)->dispose (object);
}

static void
i2a_tray_item_finalize (GObject *object)
{
  I2aTrayItem *self = I2A_TRAY_ITEM (object);

  g_free (self->app_id);
  g_free (self->details);
  g_free (self->icon_name);

  G_OBJECT_CLASS (i2a_tray_item_parent_class)->finalize (object);
}

static void
i2a_tray_item_constructed (GObject *object)
{
  I2aTrayItem *self = I2A_TRAY_ITEM (object);

  G_OBJECT_CLASS (i2a_tray_item_parent_class)->constructed (object);

  if (self->app_id == NULL)
    self->app_id = g_strdup (APP_ID);
  self->icon_name = icon_name_for_state (self->app_id, self->state);
}

static void
i2a_tray_item_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  I2aTrayItem *self = I2A_TRAY_ITEM (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;
    case PROP_ACTION_GROUP:
      g_value_set_object (value, self->actions);
      break;
    case PROP_APP_ID:
      g_value_set_string (value, self->app_id);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_DETAILS:
      g_value_set_string (value, self->details);
      break;
    case PROP_ICON_NAME:
      g_value_set_string (value, self->icon_name);
      break;
    case PROP_TRAY_AVAILABLE:
      g_value_set_boolean (value, self->tray_available);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
i2a_tray_item_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  I2aTrayItem *self = I2A_TRAY_ITEM (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      self->connection = g_value_dup_object (value);
      break;
    case PROP_ACTION_GROUP:
      self->actions = g_value_dup_object (value);
      break;
    case PROP_APP_ID:
      self->app_id = g_value_dup_string (value);
      break;
    case PROP_STATE:
      i2a_tray_item_set_state (self, g_value_get_enum (value));
      break;
    case PROP_DETAILS:
      i2a_tray_item_set_details (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
i2a_tray_item_class_init (I2aTrayItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = i2a_tray_item_constructed;
  object_class->dispose = i2a_tray_item_dispose;
  object_class->finalize = i2a_tray_item_finalize;
  object_class->get_property = i2a_tray_item_get_property;
  object_class->set_property = i2a_tray_item_set_property;

  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, G_TYPE_DBUS_CONNECTION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ACTION_GROUP] =
    g_param_spec_object ("action-group", NULL, NULL, G_TYPE_ACTION_GROUP,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_APP_ID] =
    g_param_spec_string ("app-id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, I2A_TYPE_TRAY_STATE, I2A_TRAY_STATE_STOPPED,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DETAILS] =
    g_param_spec_string ("details", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ICON_NAME] =
    g_param_spec_string ("icon-name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_TRAY_AVAILABLE] =
    g_param_spec_boolean ("tray-available", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
i2a_tray_item_init (I2aTrayItem *self)
{
  self->state = I2A_TRAY_STATE_STOPPED;
}

/**
 * i2a_tray_item_new:
 * @connection: the session bus connection (the GApplication's)
 * @actions: the application's actions ("show-window", "toggle-window",
 *   "start-server", "stop-server", "login", "quit")
 * @app_id: (nullable): used for Id and icon names; %NULL for APP_ID
 *
 * Exports /StatusNotifierItem and /MenuBar on @connection and registers
 * with a StatusNotifierWatcher whenever one is present. Watch
 * #I2aTrayItem:tray-available to know whether a tray shows the icon.
 *
 * Returns: (transfer full): the item, or %NULL if the object paths are
 *   already taken on @connection.
 */
I2aTrayItem *
i2a_tray_item_new (GDBusConnection  *connection,
                   GActionGroup     *actions,
                   const char       *app_id,
                   GError          **error)
{
  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), NULL);
  g_return_val_if_fail (G_IS_ACTION_GROUP (actions), NULL);

  return g_initable_new (I2A_TYPE_TRAY_ITEM, NULL, error,
                         "connection", connection,
                         "action-group", actions,
                         "app-id", app_id,
                         NULL);
}

gboolean
i2a_tray_item_get_tray_available (I2aTrayItem *self)
{
  g_return_val_if_fail (I2A_IS_TRAY_ITEM (self), FALSE);
  return self->tray_available;
}

I2aTrayState
i2a_tray_item_get_state (I2aTrayItem *self)
{
  g_return_val_if_fail (I2A_IS_TRAY_ITEM (self), I2A_TRAY_STATE_STOPPED);
  return self->state;
}

const char *
i2a_tray_item_get_icon_name (I2aTrayItem *self)
{
  g_return_val_if_fail (I2A_IS_TRAY_ITEM (self), NULL);
  return self->icon_name;
}

const char *
i2a_tray_item_get_details (I2aTrayItem *self)
{
  g_return_val_if_fail (I2A_IS_TRAY_ITEM (self), NULL);
  return self->details;
}

/**
 * i2a_tray_item_set_state:
 *
 * Changes icon, status and tooltip; hosts are told with NewIcon,
 * NewAttentionIcon, NewStatus and NewToolTip.
 */
void
i2a_tray_item_set_state (I2aTrayItem  *self,
                         I2aTrayState  state)
{
  g_return_if_fail (I2A_IS_TRAY_ITEM (self));
  g_return_if_fail (state <= I2A_TRAY_STATE_DEGRADED);

  if (self->state == state)
    return;

  self->state = state;

  /* Before construction ends (property set at construct time) there is
   * no app id yet: constructed() computes the icon. */
  if (self->app_id != NULL)
    {
      g_free (self->icon_name);
      self->icon_name = icon_name_for_state (self->app_id, state);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ICON_NAME]);
    }

  emit_item_signal (self, "NewIcon", NULL);
  emit_item_signal (self, "NewAttentionIcon", NULL);
  /* Sent even when the string is unchanged: cheap, and hosts re-read. */
  emit_item_signal (self, "NewStatus", g_variant_new ("(s)", status_string (state)));
  emit_item_signal (self, "NewToolTip", NULL);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/**
 * i2a_tray_item_set_details:
 * @details: (nullable): a second tooltip line, e.g. the listen address
 *   and how many accounts are usable (plain text, no secrets)
 */
void
i2a_tray_item_set_details (I2aTrayItem *self,
                           const char  *details)
{
  g_return_if_fail (I2A_IS_TRAY_ITEM (self));

  /* g_set_str() is GLib 2.76. */
  if (g_strcmp0 (self->details, details) == 0)
    return;
  g_free (self->details);
  self->details = g_strdup (details);
  emit_item_signal (self, "NewToolTip", NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DETAILS]);
}
