/* i2a-dbus-menu.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-dbus-menu.c: the tray's context menu as com.canonical.dbusmenu
 *
 * dbusmenu is what SNI hosts (KDE Plasma, GNOME's AppIndicator extension)
 * render; they do not read org.gtk.Menus. The menu is a flat, fixed list,
 * so a table plus a little GVariant code is all the model we need.
 */
#define G_LOG_DOMAIN "i2a-tray"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "i2a-dbus-menu.h"
#include "i2a-tray-introspection.h"

#define DBUS_MENU_IFACE "com.canonical.dbusmenu"

typedef struct
{
  I2aDbusMenuItem  id;
  const char      *label;   /* N_() marked, translated when encoded */
  const char      *action;  /* in the action group, NULL for a separator */
} MenuEntry;

/* "Show window" comes first: GNOME's host opens the menu on a single click
 * and sends Activate only on a double click. */
static const MenuEntry entries[] = {
  { I2A_DBUS_MENU_ITEM_SHOW_WINDOW,  N_("Show window"),        "show-window" },
  { I2A_DBUS_MENU_ITEM_START_SERVER, N_("Start server"),       "start-server" },
  { I2A_DBUS_MENU_ITEM_STOP_SERVER,  N_("Stop server"),        "stop-server" },
  { I2A_DBUS_MENU_ITEM_LOGIN,        N_("Log in with iFlow…"), "login" },
  { I2A_DBUS_MENU_ITEM_SEPARATOR,    NULL,                     NULL },
  { I2A_DBUS_MENU_ITEM_QUIT,         N_("Quit"),               "quit" },
};

#define N_ENTRIES G_N_ELEMENTS (entries)

typedef struct
{
  gboolean enabled;
  gboolean visible;
} EntryState;

struct _I2aDbusMenu
{
  GObject          parent_instance;

  GActionGroup    *actions;
  GDBusConnection *connection;
  char            *object_path;
  guint            registration_id;
  guint            revision;
  EntryState       state[N_ENTRIES];

  /* Set while "action-removed" runs: the group still lists the action. */
  const char      *removing;
};

G_DEFINE_FINAL_TYPE (I2aDbusMenu, i2a_dbus_menu, G_TYPE_OBJECT)

static GDBusInterfaceInfo *
dbus_menu_interface_info (void)
{
  static gsize info;

  return i2a_tray_interface_info ("com.canonical.dbusmenu.xml", DBUS_MENU_IFACE, &info);
}

static const MenuEntry *
find_entry (int       id,
            guint    *index)
{
  for (guint i = 0; i < N_ENTRIES; i++)
    if ((int) entries[i].id == id)
      {
        if (index)
          *index = i;
        return &entries[i];
      }
  return NULL;
}

gboolean
i2a_tray_action_usable (GActionGroup *actions,
                        const char   *name)
{
  const GVariantType *param_type = NULL;
  gboolean enabled = FALSE;

  if (!g_action_group_query_action (actions, name, &enabled, &param_type, NULL, NULL, NULL))
    return FALSE;
  return enabled && param_type == NULL;
}

/* An entry without an action (a separator) is always usable; the action
 * being removed right now is not, although the group still lists it. */
static gboolean
action_usable (I2aDbusMenu *self,
               const char  *name)
{
  if (name == NULL)
    return TRUE;
  if (g_strcmp0 (name, self->removing) == 0)
    return FALSE;
  return i2a_tray_action_usable (self->actions, name);
}

static void
compute_state (I2aDbusMenu *self,
               EntryState  *out)
{
  gboolean can_start = action_usable (self, "start-server");
  gboolean can_stop = action_usable (self, "stop-server");

  for (guint i = 0; i < N_ENTRIES; i++)
    {
      out[i].enabled = action_usable (self, entries[i].action);
      out[i].visible = TRUE;

      /* Show whichever of Start/Stop applies; if neither does (server
       * busy), keep a disabled "Start server" so the menu does not jump. */
      if (entries[i].id == I2A_DBUS_MENU_ITEM_START_SERVER)
        out[i].visible = can_start || !can_stop;
      else if (entries[i].id == I2A_DBUS_MENU_ITEM_STOP_SERVER)
        out[i].visible = can_stop;
    }
}

static gboolean
wanted (const char *const *names,
        const char        *name)
{
  return names == NULL || names[0] == NULL || g_strv_contains (names, name);
}

/* Properties of one item as an a{sv}. Like libdbusmenu we send only
 * non-default values in layouts, unless @with_defaults (GetProperty). */
static GVariant *
item_properties (I2aDbusMenu        *self,
                 int                 id,
                 const char *const  *names,
                 gboolean            with_defaults)
{
  GVariantBuilder b;
  const MenuEntry *entry;
  guint idx = 0;

  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);

  if (id == I2A_DBUS_MENU_ITEM_ROOT)
    {
      if (wanted (names, "children-display"))
        g_variant_builder_add (&b, "{sv}", "children-display", g_variant_new_string ("submenu"));
      return g_variant_builder_end (&b);
    }

  entry = find_entry (id, &idx);
  g_return_val_if_fail (entry != NULL, g_variant_builder_end (&b));

  if (entry->action == NULL)
    {
      if (wanted (names, "type"))
        g_variant_builder_add (&b, "{sv}", "type", g_variant_new_string ("separator"));
    }
  else
    {
      if (with_defaults && wanted (names, "type"))
        g_variant_builder_add (&b, "{sv}", "type", g_variant_new_string ("standard"));
      if (wanted (names, "label"))
        g_variant_builder_add (&b, "{sv}", "label", g_variant_new_string (_(entry->label)));
    }
  if ((with_defaults || !self->state[idx].enabled) && wanted (names, "enabled"))
    g_variant_builder_add (&b, "{sv}", "enabled", g_variant_new_boolean (self->state[idx].enabled));
  if ((with_defaults || !self->state[idx].visible) && wanted (names, "visible"))
    g_variant_builder_add (&b, "{sv}", "visible", g_variant_new_boolean (self->state[idx].visible));

  return g_variant_builder_end (&b);
}

/* One node, "(ia{sv}av)"; only the root has children. */
static GVariant *
encode_node (I2aDbusMenu        *self,
             int                 id,
             int                 depth,
             const char *const  *names)
{
  GVariantBuilder children;

  g_variant_builder_init (&children, G_VARIANT_TYPE ("av"));
  if (id == I2A_DBUS_MENU_ITEM_ROOT && depth != 0)
    for (guint i = 0; i < N_ENTRIES; i++)
      g_variant_builder_add (&children, "v",
                             encode_node (self, entries[i].id, depth > 0 ? depth - 1 : -1, names));

  return g_variant_new ("(i@a{sv}av)", id,
                        item_properties (self, id, names, FALSE),
                        &children);
}

static gboolean
valid_id (int id)
{
  return id == I2A_DBUS_MENU_ITEM_ROOT || find_entry (id, NULL) != NULL;
}

/**
 * i2a_dbus_menu_get_layout:
 *
 * Returns: (transfer floating): the GetLayout reply body, of type
 *   "(u(ia{sv}av))" (revision, then the layout: two values, not one struct),
 *   or %NULL with @error set if @parent_id is unknown.
 */
GVariant *
i2a_dbus_menu_get_layout (I2aDbusMenu       *self,
                          int                parent_id,
                          int                depth,
                          const char *const *property_names,
                          GError           **error)
{
  g_return_val_if_fail (I2A_IS_DBUS_MENU (self), NULL);

  if (!valid_id (parent_id))
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                   "No menu item with id %d", parent_id);
      return NULL;
    }
  return g_variant_new ("(u@(ia{sv}av))", self->revision,
                        encode_node (self, parent_id, depth, property_names));
}

guint
i2a_dbus_menu_get_revision (I2aDbusMenu *self)
{
  g_return_val_if_fail (I2A_IS_DBUS_MENU (self), 0);
  return self->revision;
}

/**
 * i2a_dbus_menu_activate:
 *
 * Does what clicking item @id does. Returns %FALSE if @id is unknown;
 * clicking a disabled item is accepted and does nothing.
 */
gboolean
i2a_dbus_menu_activate (I2aDbusMenu *self,
                        int          id)
{
  const MenuEntry *entry;
  guint idx = 0;

  g_return_val_if_fail (I2A_IS_DBUS_MENU (self), FALSE);

  if (id == I2A_DBUS_MENU_ITEM_ROOT)
    return TRUE;
  entry = find_entry (id, &idx);
  if (entry == NULL)
    return FALSE;
  /* Re-check the live action: the host may click on a stale menu. */
  if (entry->action != NULL && action_usable (self, entry->action))
    {
      g_debug ("Menu item %d activates action %s", id, entry->action);
      g_action_group_activate_action (self->actions, entry->action, NULL);
    }
  return TRUE;
}

static void
emit_signal (I2aDbusMenu *self,
             const char  *name,
             GVariant    *params)
{
  g_autoptr(GError) error = NULL;

  if (self->registration_id == 0)
    {
      g_variant_unref (g_variant_ref_sink (params));
      return;
    }
  if (!g_dbus_connection_emit_signal (self->connection, NULL, self->object_path,
                                      DBUS_MENU_IFACE, name, params, &error))
    g_debug ("Could not emit %s: %s", name, error->message);
}

/* Re-read action states; tell hosts what changed. */
static void
i2a_dbus_menu_update (I2aDbusMenu *self)
{
  EntryState next[N_ENTRIES];
  GVariantBuilder updated;
  gboolean any_changed = FALSE;
  gboolean layout_changed = FALSE;

  compute_state (self, next);
  g_variant_builder_init (&updated, G_VARIANT_TYPE ("a(ia{sv})"));

  for (guint i = 0; i < N_ENTRIES; i++)
    {
      GVariantBuilder props;

      if (next[i].enabled == self->state[i].enabled && next[i].visible == self->state[i].visible)
        continue;

      any_changed = TRUE;
      layout_changed |= next[i].visible != self->state[i].visible;
      self->state[i] = next[i];

      /* Explicit values here, so no "removed properties" list is needed
       * when something goes back to its default. */
      g_variant_builder_init (&props, G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (&props, "{sv}", "enabled", g_variant_new_boolean (next[i].enabled));
      g_variant_builder_add (&props, "{sv}", "visible", g_variant_new_boolean (next[i].visible));
      g_variant_builder_add (&updated, "(i@a{sv})", entries[i].id, g_variant_builder_end (&props));
    }

  if (!any_changed)
    {
      g_variant_builder_clear (&updated);
      return;
    }

  emit_signal (self, "ItemsPropertiesUpdated",
               g_variant_new ("(@a(ia{sv})@a(ias))",
                              g_variant_builder_end (&updated),
                              g_variant_new_array (G_VARIANT_TYPE ("(ias)"), NULL, 0)));

  /* Some hosts only re-read visibility with the layout. */
  if (layout_changed)
    {
      self->revision++;
      emit_signal (self, "LayoutUpdated", g_variant_new ("(ui)", self->revision, 0));
    }
}

static void
i2a_dbus_menu_action_added_cb (I2aDbusMenu  *self,
                               const char   *action_name,
                               GActionGroup *actions)
{
  g_assert (I2A_IS_DBUS_MENU (self));
  i2a_dbus_menu_update (self);
}

static void
i2a_dbus_menu_action_removed_cb (I2aDbusMenu  *self,
                                 const char   *action_name,
                                 GActionGroup *actions)
{
  g_assert (I2A_IS_DBUS_MENU (self));
  self->removing = action_name;
  i2a_dbus_menu_update (self);
  self->removing = NULL;
}

static void
i2a_dbus_menu_action_enabled_changed_cb (I2aDbusMenu  *self,
                                         const char   *action_name,
                                         gboolean      enabled,
                                         GActionGroup *actions)
{
  g_assert (I2A_IS_DBUS_MENU (self));
  i2a_dbus_menu_update (self);
}

/* GtkApplication translates its text direction from GTK's own catalogue;
 * without GTK we read the same message so RTL locales still get "rtl". */
static const char *
text_direction (void)
{
  const char *e = g_dgettext ("gtk40", "default:LTR");

  return strcmp (e, "default:RTL") == 0 ? "rtl" : "ltr";
}

static GVariant *
dbus_menu_get_property (GDBusConnection  *connection,
                        const char       *sender,
                        const char       *object_path,
                        const char       *interface_name,
                        const char       *property_name,
                        GError          **error,
                        gpointer          user_data)
{
  if (g_str_equal (property_name, "Version"))
    return g_variant_new_uint32 (3);
  if (g_str_equal (property_name, "TextDirection"))
    return g_variant_new_string (text_direction ());
  if (g_str_equal (property_name, "Status"))
    return g_variant_new_string ("normal");
  if (g_str_equal (property_name, "IconThemePath"))
    return g_variant_new_strv (NULL, 0);

  g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_PROPERTY,
               "Unknown property %s", property_name);
  return NULL;
}

static void
handle_get_group_properties (I2aDbusMenu           *self,
                             GVariant              *params,
                             GDBusMethodInvocation *invocation)
{
  g_autoptr(GVariant) ids = NULL;
  g_autofree const char **names = NULL;
  GVariantBuilder b;
  gsize n_ids;

  g_variant_get (params, "(@ai^a&s)", &ids, &names);
  g_variant_builder_init (&b, G_VARIANT_TYPE ("a(ia{sv})"));

  n_ids = g_variant_n_children (ids);
  if (n_ids == 0)
    {
      /* An empty list means "every item", as libdbusmenu does. */
      g_variant_builder_add (&b, "(i@a{sv})", 0, item_properties (self, 0, names, FALSE));
      for (guint i = 0; i < N_ENTRIES; i++)
        g_variant_builder_add (&b, "(i@a{sv})", entries[i].id,
                               item_properties (self, entries[i].id, names, FALSE));
    }
  for (gsize i = 0; i < n_ids; i++)
    {
      gint32 id;

      g_variant_get_child (ids, i, "i", &id);
      if (valid_id (id))
        g_variant_builder_add (&b, "(i@a{sv})", id, item_properties (self, id, names, FALSE));
    }
  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(@a(ia{sv}))", g_variant_builder_end (&b)));
}

static void
handle_get_property (I2aDbusMenu           *self,
                     GVariant              *params,
                     GDBusMethodInvocation *invocation)
{
  g_autoptr(GVariant) props = NULL;
  g_autoptr(GVariant) value = NULL;
  const char *name;
  gint32 id;

  g_variant_get (params, "(i&s)", &id, &name);
  if (valid_id (id))
    {
      props = item_properties (self, id, NULL, TRUE);
      value = g_variant_lookup_value (props, name, NULL);
    }
  if (value == NULL)
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                             "No property %s on menu item %d", name, id);
      return;
    }
  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(v)", value));
}

static void
dbus_menu_method_call (GDBusConnection       *connection,
                       const char            *sender,
                       const char            *object_path,
                       const char            *interface_name,
                       const char            *method_name,
                       GVariant              *params,
                       GDBusMethodInvocation *invocation,
                       gpointer               user_data)
{
  I2aDbusMenu *self = user_data;

  g_assert (I2A_IS_DBUS_MENU (self));

  if (g_str_equal (method_name, "GetLayout"))
    {
      g_autofree const char **names = NULL;
      g_autoptr(GError) error = NULL;
      GVariant *reply;
      gint32 parent, depth;

      g_variant_get (params, "(ii^a&s)", &parent, &depth, &names);
      reply = i2a_dbus_menu_get_layout (self, parent, depth, names, &error);
      if (reply == NULL)
        g_dbus_method_invocation_return_gerror (invocation, error);
      else
        g_dbus_method_invocation_return_value (invocation, reply);
    }
  else if (g_str_equal (method_name, "GetGroupProperties"))
    handle_get_group_properties (self, params, invocation);
  else if (g_str_equal (method_name, "GetProperty"))
    handle_get_property (self, params, invocation);
  else if (g_str_equal (method_name, "Event"))
    {
      const char *event_id;
      gint32 id;

      g_variant_get (params, "(i&svu)", &id, &event_id, NULL, NULL);
      if (!valid_id (id))
        {
          g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                                 "No menu item with id %d", id);
          return;
        }
      /* Reply first: the action may be "quit". */
      g_dbus_method_invocation_return_value (invocation, NULL);
      if (g_str_equal (event_id, "clicked"))
        i2a_dbus_menu_activate (self, id);
    }
  else if (g_str_equal (method_name, "EventGroup"))
    {
      g_autoptr(GVariantIter) iter = NULL;
      g_autoptr(GArray) clicked = g_array_new (FALSE, FALSE, sizeof (gint32));
      GVariantBuilder errors;
      const char *event_id;
      gint32 id;

      g_variant_builder_init (&errors, G_VARIANT_TYPE ("ai"));
      g_variant_get (params, "(a(isvu))", &iter);
      while (g_variant_iter_next (iter, "(i&svu)", &id, &event_id, NULL, NULL))
        {
          if (!valid_id (id))
            g_variant_builder_add (&errors, "i", id);
          else if (g_str_equal (event_id, "clicked"))
            g_array_append_val (clicked, id);
        }
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(ai)", &errors));
      for (guint i = 0; i < clicked->len; i++)
        i2a_dbus_menu_activate (self, g_array_index (clicked, gint32, i));
    }
  else if (g_str_equal (method_name, "AboutToShow"))
    {
      /* The menu is kept current from action signals: nothing to refresh. */
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(b)", FALSE));
    }
  else if (g_str_equal (method_name, "AboutToShowGroup"))
    {
      g_autoptr(GVariantIter) iter = NULL;
      GVariantBuilder errors;
      gint32 id;

      g_variant_builder_init (&errors, G_VARIANT_TYPE ("ai"));
      g_variant_get (params, "(ai)", &iter);
      while (g_variant_iter_next (iter, "i", &id))
        if (!valid_id (id))
          g_variant_builder_add (&errors, "i", id);
      g_dbus_method_invocation_return_value (invocation,
                                             g_variant_new ("(@ai@ai)",
                                                            g_variant_new_array (G_VARIANT_TYPE_INT32, NULL, 0),
                                                            g_variant_builder_end (&errors)));
    }
  else
    g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                                           "Unknown method %s", method_name);
}

static const GDBusInterfaceVTable dbus_menu_vtable = {
  .method_call = dbus_menu_method_call,
  .get_property = dbus_menu_get_property,
};

/**
 * i2a_dbus_menu_export:
 *
 * Registers the menu at @object_path on @connection. A menu is exported
 * on at most one connection at a time.
 */
gboolean
i2a_dbus_menu_export (I2aDbusMenu      *self,
                      GDBusConnection  *connection,
                      const char       *object_path,
                      GError          **error)
{
  guint id;

  g_return_val_if_fail (I2A_IS_DBUS_MENU (self), FALSE);
  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), FALSE);
  g_return_val_if_fail (g_variant_is_object_path (object_path), FALSE);
  g_return_val_if_fail (self->registration_id == 0, FALSE);

  id = g_dbus_connection_register_object (connection, object_path,
                                          dbus_menu_interface_info (),
                                          &dbus_menu_vtable, self, NULL, error);
  if (id == 0)
    return FALSE;

  self->registration_id = id;
  self->connection = g_object_ref (connection);
  self->object_path = g_strdup (object_path);
  return TRUE;
}

void
i2a_dbus_menu_unexport (I2aDbusMenu *self)
{
  g_return_if_fail (I2A_IS_DBUS_MENU (self));

  if (self->registration_id != 0)
    g_dbus_connection_unregister_object (self->connection, self->registration_id);
  self->registration_id = 0;
  g_clear_object (&self->connection);
  g_clear_pointer (&self->object_path, g_free);
}

static void
i2a_dbus_menu_dispose (GObject *object)
{
  I2aDbusMenu *self = I2A_DBUS_MENU (object);

  i2a_dbus_menu_unexport (self);
  if (self->actions != NULL)
    g_signal_handlers_disconnect_by_data (self->actions, self);
  g_clear_object (&self->actions);

  G_OBJECT_CLASS (i2a_dbus_menu_parent_class)->dispose (object);
}

static void
i2a_dbus_menu_class_init (I2aDbusMenuClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = i2a_dbus_menu_dispose;
}

static void
i2a_dbus_menu_init (I2aDbusMenu *self)
{
  self->revision = 1;
}

I2aDbusMenu *
i2a_dbus_menu_new (GActionGroup *actions)
{
  I2aDbusMenu *self;

  g_return_val_if_fail (G_IS_ACTION_GROUP (actions), NULL);

  self = g_object_new (I2A_TYPE_DBUS_MENU, NULL);
  self->actions = g_object_ref (actions);
  compute_state (self, self->state);

  g_signal_connect_swapped (actions, "action-added",
                            G_CALLBACK (i2a_dbus_menu_action_added_cb), self);
  g_signal_connect_swapped (actions, "action-removed",
                            G_CALLBACK (i2a_dbus_menu_action_removed_cb), self);
  g_signal_connect_swapped (actions, "action-enabled-changed",
                            G_CALLBACK (i2a_dbus_menu_action_enabled_changed_cb), self);
  return self;
}
