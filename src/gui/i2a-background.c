/* i2a-background.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-background"

#include "config.h"

#include <glib/gi18n.h>

#include "i2a-background.h"

#define PORTAL_NAME     "org.freedesktop.portal.Desktop"
#define PORTAL_PATH     "/org/freedesktop/portal/desktop"
#define BACKGROUND_IFACE "org.freedesktop.portal.Background"
#define REQUEST_IFACE   "org.freedesktop.portal.Request"

/* What the session runs at login, inside the sandbox: the same command as
 * the XDG autostart file outside it (the portal wraps it in flatpak run). */
static const char * const autostart_commandline[] = { "iflow2api", NULL };

typedef struct
{
  GDBusConnection *connection;
  guint            response_id;
  gboolean         autostart;
} Request;

static void
unsubscribe (Request *request)
{
  if (request->response_id != 0)
    g_dbus_connection_signal_unsubscribe (request->connection, request->response_id);
  request->response_id = 0;
}

static void
request_free (gpointer data)
{
  Request *request = data;

  unsubscribe (request);
  g_clear_object (&request->connection);
  g_free (request);
}

/* The task is kept alive by the pending call, then by the subscription
 * (one reference, dropped here). */
static void
response_cb (GDBusConnection *connection,
             const char      *sender_name,
             const char      *object_path,
             const char      *interface_name,
             const char      *signal_name,
             GVariant        *parameters,
             gpointer         user_data)
{
  GTask *task = user_data;
  Request *request = g_task_get_task_data (task);
  g_autoptr(GVariant) results = NULL;
  gboolean allowed = FALSE;
  gboolean autostart = FALSE;
  guint32 response;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(ua{sv})")))
    return;
  g_variant_get (parameters, "(u@a{sv})", &response, &results);
  g_variant_lookup (results, "background", "b", &allowed);
  g_variant_lookup (results, "autostart", "b", &autostart);
  g_debug ("Background portal: response %u, background %d, autostart %d",
           response, allowed, autostart);

  unsubscribe (request);
  if (response != 0 || !allowed)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                             _("Running in the background was not allowed"));
  else if (request->autostart && !autostart)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                             _("Starting on login was not allowed"));
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
called_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);
  if (reply != NULL)
    return;  /* the reference now waits for Response */
  unsubscribe (g_task_get_task_data (task));
  g_task_return_error (task, g_steal_pointer (&error));
  g_object_unref (task);
}

void
i2a_background_request_async (GDBusConnection     *connection,
                              const char          *parent_window,
                              const char          *reason,
                              gboolean             autostart,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task;
  Request *request;
  g_autofree char *sender = NULL;
  g_autofree char *token = NULL;
  g_autofree char *path = NULL;
  GVariantBuilder options;

  g_return_if_fail (G_IS_DBUS_CONNECTION (connection));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, i2a_background_request_async);
  request = g_new0 (Request, 1);
  request->connection = g_object_ref (connection);
  request->autostart = autostart;
  g_task_set_task_data (task, request, request_free);

  /* Subscribe before calling: the portal may answer at once. The path
   * follows xdg-desktop-portal's convention for handle_token. */
  sender = g_strdup (g_dbus_connection_get_unique_name (connection) + 1);
  g_strdelimit (sender, ".", '_');
  token = g_strdup_printf ("i2a%u", g_random_int ());
  path = g_strconcat (PORTAL_PATH "/request/", sender, "/", token, NULL);
  request->response_id =
    g_dbus_connection_signal_subscribe (connection, PORTAL_NAME, REQUEST_IFACE, "Response",
                                        path, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                        response_cb, task, NULL);

  g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&options, "{sv}", "handle_token", g_variant_new_string (token));
  g_variant_builder_add (&options, "{sv}", "reason", g_variant_new_string (reason));
  /* The portal applies "autostart" on every request, so a request that
   * leaves it out would switch autostart off. */
  g_variant_builder_add (&options, "{sv}", "autostart", g_variant_new_boolean (autostart));
  if (autostart)
    g_variant_builder_add (&options, "{sv}", "commandline",
                           g_variant_new_strv (autostart_commandline, -1));
  g_dbus_connection_call (connection, PORTAL_NAME, PORTAL_PATH, BACKGROUND_IFACE,
                          "RequestBackground",
                          g_variant_new ("(sa{sv})", parent_window ? parent_window : "", &options),
                          G_VARIANT_TYPE ("(o)"), G_DBUS_CALL_FLAGS_NONE, -1, cancellable,
                          called_cb, task);
}

gboolean
i2a_background_request_finish (GAsyncResult  *result,
                               GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
