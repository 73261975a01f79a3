/* i2a-application.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-application"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "i2a-application-private.h"
#include "i2a-autostart.h"
#include "i2a-background.h"
#include "i2a-enum.h"
#include "i2a-gui-resources.h"
#include "i2a-server-settings.h"
#include "i2a-window.h"

#include <signal.h>
#include <glib-unix.h>

/* Settings changes restart the server once the user stops typing. */
#define RESTART_DELAY_MS 800

G_DEFINE_FINAL_TYPE (I2aApplication, i2a_application, ADW_TYPE_APPLICATION)

enum {
  PROP_0,
  PROP_SERVER_ERROR,
  PROP_TRAY_AVAILABLE,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

/* ---- Server -------------------------------------------------------- */

static char *
dup_host (I2aApplication *self)
{
  if (self->host_override != NULL)
    return g_strdup (self->host_override);
  return g_settings_get_string (self->settings, "host");
}

static guint
get_port (I2aApplication *self)
{
  if (self->port_override >= 0)
    return (guint) self->port_override;
  return (guint) g_settings_get_int (self->settings, "port");
}

static void
set_server_error (I2aApplication *self,
                  const char     *message)
{
  if (g_strcmp0 (self->server_error, message) == 0)
    return;
  g_free (self->server_error);
  self->server_error = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVER_ERROR]);
}

gboolean
_i2a_application_start_server (I2aApplication *self)
{
  g_autofree char *host = dup_host (self);
  guint port = get_port (self);
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (i2a_server_is_running (self->server))
    return TRUE;
  if (!i2a_pool_is_loaded (self->pool))
    return FALSE;
  if (i2a_server_start (self->server, host, port, &error))
    {
      set_server_error (self, NULL);
      _i2a_application_update_status (self);
      return TRUE;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
    /* Translators: %u is a TCP port number */
    message = g_strdup_printf (_("Port %u is already in use by another program"), port);
  else
    message = g_strdup (error->message);
  g_message ("Cannot start the server on %s:%u: %s", host, port, error->message);
  set_server_error (self, message);
  _i2a_application_update_status (self);
  _i2a_application_notify (self, "server-failed", _("The API server could not start"), message,
                           "app.show-window", NULL, NULL);
  return FALSE;
}

static gboolean
restart_cb (gpointer user_data)
{
  I2aApplication *self = user_data;

  self->restart_id = 0;
  if (!i2a_server_is_running (self->server) && self->server_error == NULL)
    return G_SOURCE_REMOVE;  /* stopped on purpose: stay stopped */
  i2a_server_stop (self->server);
  _i2a_application_start_server (self);
  return G_SOURCE_REMOVE;
}

static void
listen_setting_changed_cb (I2aApplication *self)
{
  g_clear_handle_id (&self->restart_id, g_source_remove);
  self->restart_id = g_timeout_add (RESTART_DELAY_MS, restart_cb, self);
}

char *
i2a_application_dup_base_url (I2aApplication *self)
{
  g_autofree char *host = NULL;

  g_return_val_if_fail (I2A_IS_APPLICATION (self), NULL);

  if (i2a_server_is_running (self->server))
    return i2a_server_dup_base_url (self->server);
  host = dup_host (self);
  if (strchr (host, ':') != NULL)
    return g_strdup_printf ("http://[%s]:%u/v1", host, get_port (self));
  return g_strdup_printf ("http://%s:%u/v1", host, get_port (self));
}

/* ---- Tray, status, notifications ------------------------------------ */

void
_i2a_application_update_status (I2aApplication *self)
{
  gboolean running = i2a_server_is_running (self->server);
  guint configured = i2a_pool_monitor_get_n_configured (self->monitor);
  guint usable = i2a_pool_monitor_get_n_usable (self->monitor);
  guint unavailable = i2a_pool_monitor_get_n_unavailable (self->monitor);
  g_autofree char *details = NULL;
  I2aTrayState state;

  _i2a_application_update_actions (self);
  if (self->tray == NULL)
    return;

  if (!running)
    {
      state = I2A_TRAY_STATE_STOPPED;
      details = g_strdup (self->server_error ? self->server_error : _("The API server is stopped"));
    }
  else if (configured == 0 || usable == 0 || unavailable > 0)
    {
      state = I2A_TRAY_STATE_DEGRADED;
      if (configured == 0)
        details = g_strdup (_("No account: log in to use the API"));
      else
        /* Translators: "1 of 3 accounts available" */
        details = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u account available",
                                                "%u of %u accounts available", configured),
                                   usable, configured);
    }
  else
    {
      g_autofree char *url = i2a_server_dup_base_url (self->server);

      state = I2A_TRAY_STATE_RUNNING;
      /* Translators: %s is the API base URL */
      details = g_strdup_printf (_("Serving %s"), url);
    }
  {
    g_autofree char *today = _i2a_application_usage_today (self);

    if (today)
      {
        char *both = g_strdup_printf ("%s\n%s", details, today);

        g_free (details);
        details = both;
      }
  }
  i2a_tray_item_set_state (self->tray, state);
  i2a_tray_item_set_details (self->tray, details);
}

void
_i2a_application_notify (I2aApplication *self,
                         const char     *id,
                         const char     *title,
                         const char     *body,
                         const char     *default_action,
                         const char     *button_label,
                         const char     *button_action)
{
  g_autoptr(GNotification) notification = NULL;

  if (!g_settings_get_boolean (self->settings, "notifications"))
    return;
  notification = g_notification_new (title);
  if (body != NULL)
    g_notification_set_body (notification, body);
  if (default_action != NULL)
    g_notification_set_default_action (notification, default_action);
  if (button_label != NULL)
    g_notification_add_button (notification, button_label, button_action);
  g_application_send_notification (G_APPLICATION (self), id, notification);
  self->n_notifications++;
}

static void
account_needs_login_cb (I2aApplication *self,
                        I2aAccount     *account)
{
  const char *name = i2a_account_get_label (account);
  g_autofree char *id = g_strconcat ("needs-login-", i2a_account_get_id (account), NULL);
  g_autofree char *body = NULL;

  if (name == NULL || *name == '\0')
    name = i2a_account_get_id (account);
  /* Translators: %s is an account name */
  body = g_strdup_printf (_("The login of “%s” has expired. Log in again to keep using it."), name);
  _i2a_application_notify (self, id, _("An account needs to log in again"), body,
                           "app.show-window", _("Log In"), "app.login");
}

static void
all_unavailable_cb (I2aApplication *self)
{
  _i2a_application_notify (self, "all-unavailable", _("No account can take requests"),
                           _("Every account is disabled, cooling down or needs to log in. "
                            "Requests fail until one is available again."),
                           "app.show-window", NULL, NULL);
}

static void
tray_available_cb (I2aApplication *self)
{
  g_debug ("Tray %s", i2a_tray_item_get_tray_available (self->tray) ? "available" : "gone");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TRAY_AVAILABLE]);
}

gboolean
i2a_application_get_tray_available (I2aApplication *self)
{
  g_return_val_if_fail (I2A_IS_APPLICATION (self), FALSE);

  return self->tray != NULL && i2a_tray_item_get_tray_available (self->tray);
}

/* ---- Window and background ------------------------------------------ */

void
_i2a_application_set_background (I2aApplication *self,
                                 gboolean        background)
{
  if (background == self->background_held)
    return;
  self->background_held = background;
  /* Keeps the server alive with no visible window. */
  if (background)
    g_application_hold (G_APPLICATION (self));
  else
    g_application_release (G_APPLICATION (self));
}

static void
background_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!i2a_background_request_finish (result, &error))
    g_debug ("Background request: %s", error->message);
}

static void
request_background (I2aApplication *self)
{
  GDBusConnection *connection = g_application_get_dbus_connection (G_APPLICATION (self));

  if (connection == NULL || self->background_requested)
    return;
  self->background_requested = TRUE;
  /* Under Flatpak the same portal holds the autostart choice, and every
   * request restates it. */
  i2a_background_request_async (connection, "",
                                _("The local API server keeps running after its window is closed."),
                                i2a_autostart_uses_portal () &&
                                g_settings_get_boolean (self->settings, "autostart"),
                                NULL, background_cb, NULL);
}

void
_i2a_application_hide_window (I2aApplication *self)
{
  if (self->window == NULL)
    return;
  _i2a_application_set_background (self, TRUE);
  if (!i2a_application_get_tray_available (self))
    request_background (self);
  gtk_widget_set_visible (GTK_WIDGET (self->window), FALSE);
}

static gboolean
window_close_request_cb (GtkWindow      *window,
                         I2aApplication *self)
{
  if (self->quitting)
    return FALSE;
  if (i2a_application_get_tray_available (self) ||
      g_settings_get_boolean (self->settings, "run-in-background"))
    {
      _i2a_application_hide_window (self);
      return TRUE;
    }
  _i2a_application_quit (self, FALSE);
  return FALSE;
}

GtkWindow *
i2a_application_get_main_window (I2aApplication *self)
{
  g_return_val_if_fail (I2A_IS_APPLICATION (self), NULL);

  if (self->window == NULL)
    {
      GtkWindow *window = GTK_WINDOW (i2a_window_new (self));

      g_set_weak_pointer (&self->window, window);
      g_signal_connect_object (window, "close-request",
                               G_CALLBACK (window_close_request_cb), self, 0);
    }
  return self->window;
}

void
_i2a_application_present_window (I2aApplication *self)
{
  GtkWindow *window = i2a_application_get_main_window (self);

  _i2a_application_set_background (self, FALSE);
  gtk_window_present (window);
}

/* ---- GApplication ---------------------------------------------------- */

/* "default-strategy": how requests with no route (no client key route,
 * no "default" in keys.json) pick among the accounts; live. */
static void
strategy_changed_cb (I2aApplication *self)
{
  g_autofree char *text = g_settings_get_string (self->settings, "default-strategy");
  I2aStrategy strategy = I2A_STRATEGY_LEAST_BUSY;

  if (!i2a_enum_from_nick (I2A_TYPE_STRATEGY, text, (int *) &strategy))
    g_warning ("Unknown default-strategy “%s”: using least_busy", text);
  i2a_pool_set_default_strategy (self->pool, strategy);
}

static void
autostart_done_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!i2a_autostart_set_finish (result, &error))
    g_warning ("Cannot change the autostart entry: %s", error->message);
}

static void
autostart_changed_cb (I2aApplication *self)
{
  i2a_autostart_set_async (g_settings_get_boolean (self->settings, "autostart"),
                           NULL, autostart_done_cb, NULL);
}

static void
pool_loaded_cb (I2aApplication *self)
{
  const GError *error;

  if (!i2a_pool_is_loaded (self->pool) || self->pool_loaded)
    return;
  self->pool_loaded = TRUE;
  error = i2a_pool_get_load_error (self->pool);
  if (error != NULL)
    {
      /* The server would run with the wrong routing or auth. */
      set_server_error (self, error->message);
      _i2a_application_update_status (self);
      _i2a_application_notify (self, "server-failed", _("The API server could not start"),
                               error->message, "app.show-window", NULL, NULL);
      return;
    }
  _i2a_application_start_server (self);
}

/* Ctrl+C in a terminal: stop the server cleanly like app.quit. */
static gboolean
unix_signal_cb (gpointer user_data)
{
  I2aApplication *self = user_data;

  _i2a_application_quit (self, TRUE);
  /* Removed in shutdown, with the other one. */
  return G_SOURCE_CONTINUE;
}

static void
i2a_application_startup (GApplication *application)
{
  I2aApplication *self = I2A_APPLICATION (application);
  GDBusConnection *connection;
  g_autoptr(GError) error = NULL;

  G_APPLICATION_CLASS (i2a_application_parent_class)->startup (application);

  /* Referencing the resource links it in; its constructor registers it. */
  (void) i2a_gui_get_resource ();
  self->settings = g_settings_new (APP_ID);
  self->cli = i2a_cli_settings_new (self->iflow_dir);
  self->pool = i2a_pool_new_with_keys (self->cli, self->keys_path);
  _i2a_application_usage_start (self);
  self->server = i2a_server_new (self->pool);
  i2a_server_follow_settings (self->server, self->settings);
  self->monitor = i2a_pool_monitor_new (G_LIST_MODEL (self->pool));
  /* Keyring secrets for keys.json accounts, OAuth refresh. */
  self->store = i2a_account_store_new_for_app (self->pool);
  self->discovery = i2a_model_discovery_new (self->pool, NULL);
  i2a_model_discovery_start (self->discovery);

  _i2a_application_install_actions (self);
  self->sigint_id = g_unix_signal_add (SIGINT, unix_signal_cb, self);
  self->sigterm_id = g_unix_signal_add (SIGTERM, unix_signal_cb, self);

  connection = g_application_get_dbus_connection (application);
  if (connection != NULL)
    {
      self->tray = i2a_tray_item_new (connection, G_ACTION_GROUP (self), APP_ID, &error);
      if (self->tray == NULL)
        g_warning ("No tray icon: %s", error->message);
      else
        g_signal_connect_object (self->tray, "notify::tray-available",
                                 G_CALLBACK (tray_available_cb), self, G_CONNECT_SWAPPED);
    }

  g_signal_connect_object (self->server, "notify::running",
                           G_CALLBACK (_i2a_application_update_status), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->monitor, "notify",
                           G_CALLBACK (_i2a_application_update_status), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->monitor, "account-needs-login",
                           G_CALLBACK (account_needs_login_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->monitor, "all-unavailable",
                           G_CALLBACK (all_unavailable_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::host",
                           G_CALLBACK (listen_setting_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::port",
                           G_CALLBACK (listen_setting_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::autostart",
                           G_CALLBACK (autostart_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::default-strategy",
                           G_CALLBACK (strategy_changed_cb), self, G_CONNECT_SWAPPED);
  strategy_changed_cb (self);

  /* The server runs whether or not a window is shown, once keys.json is
   * read: auth and routing must be known before the first request. */
  if (i2a_pool_is_loaded (self->pool))
    pool_loaded_cb (self);
  else
    g_signal_connect_object (self->pool, "notify::loaded", G_CALLBACK (pool_loaded_cb),
                             self, G_CONNECT_SWAPPED);
  _i2a_application_update_status (self);
}

static void
i2a_application_activate (GApplication *application)
{
  I2aApplication *self = I2A_APPLICATION (application);
  gboolean first = !self->activated;

  self->activated = TRUE;
  if (first && g_settings_get_boolean (self->settings, "start-minimized"))
    {
      /* Create the window so the tray can toggle it, but don't show it. */
      i2a_application_get_main_window (self);
      _i2a_application_set_background (self, TRUE);
      if (!i2a_application_get_tray_available (self))
        request_background (self);
      return;
    }
  _i2a_application_present_window (self);
}

static void
i2a_application_shutdown (GApplication *application)
{
  I2aApplication *self = I2A_APPLICATION (application);

  g_clear_handle_id (&self->restart_id, g_source_remove);
  g_clear_handle_id (&self->sigint_id, g_source_remove);
  g_clear_handle_id (&self->sigterm_id, g_source_remove);
  if (self->server != NULL)
    {
      i2a_server_stop (self->server);
      /* Let cancelled streams write their last bytes (bounded by the
       * server's drain timeout). */
      while (i2a_server_is_draining (self->server))
        g_main_context_iteration (NULL, TRUE);
    }
  _i2a_application_usage_stop (self);
  if (self->tray != NULL)
    g_signal_handlers_disconnect_by_data (self->tray, self);
  g_clear_object (&self->tray);

  G_APPLICATION_CLASS (i2a_application_parent_class)->shutdown (application);
}

static void
i2a_application_dispose (GObject *object)
{
  I2aApplication *self = I2A_APPLICATION (object);

  g_clear_handle_id (&self->restart_id, g_source_remove);
  g_clear_weak_pointer (&self->window);
  g_clear_object (&self->tray);
  g_clear_object (&self->monitor);
  g_clear_object (&self->server);
  g_clear_object (&self->pool);
  g_clear_object (&self->ledger);
  g_clear_object (&self->cli);
  g_clear_object (&self->discovery);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (i2a_application_parent_class)->dispose (object);
}

static void
i2a_application_finalize (GObject *object)
{
  I2aApplication *self = I2A_APPLICATION (object);

  g_free (self->host_override);
  g_free (self->keys_path);
  g_free (self->iflow_dir);
  g_free (self->server_error);

  G_OBJECT_CLASS (i2a_application_parent_class)->finalize (object);
}

static void
i2a_application_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  I2aApplication *self = I2A_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_SERVER_ERROR:
      g_value_set_string (value, self->server_error);
      break;
    case PROP_TRAY_AVAILABLE:
      g_value_set_boolean (value, i2a_application_get_tray_available (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
i2a_application_class_init (I2aApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = i2a_application_dispose;
  object_class->finalize = i2a_application_finalize;
  object_class->get_property = i2a_application_get_property;
  app_class->startup = i2a_application_startup;
  app_class->activate = i2a_application_activate;
  app_class->shutdown = i2a_application_shutdown;

  properties[PROP_SERVER_ERROR] =
    g_param_spec_string ("server-error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TRAY_AVAILABLE] =
    g_param_spec_boolean ("tray-available", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
i2a_application_init (I2aApplication *self)
{
  self->port_override = -1;
}

I2aApplication *
i2a_application_new (void)
{
  return g_object_new (I2A_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/io/github/iflow2api/Iflow2Api",
                       NULL);
}

void
i2a_application_set_overrides (I2aApplication *self,
                               const char     *host,
                               int             port,
                               const char     *keys_path,
                               const char     *iflow_dir)
{
  g_return_if_fail (I2A_IS_APPLICATION (self));

  g_free (self->host_override);
  self->host_override = g_strdup (host);
  self->port_override = port;
  g_free (self->keys_path);
  self->keys_path = g_strdup (keys_path);
  g_free (self->iflow_dir);
  self->iflow_dir = g_strdup (iflow_dir);
}

GSettings *
i2a_application_get_settings (I2aApplication *self)
{
  g_return_val_if_fail (I2A_IS_APPLICATION (self), NULL);

  return self->settings;
}

I2aPool *
i2a_application_get_pool (I2aApplication *self)
{
  g_return_val_if_fail (I2A_IS_APPLICATION (self), NULL);

  return self->pool;
}

I2aServer *
i2a_application_get_server (I2aApplication *self)
{
  g_return_val_if_fail (I2A_IS_APPLICATION (self), NULL);

  return self->server;
}

I2aPoolMonitor *
i2a_application_get_monitor (I2aApplication *self)
{
  g_return_val_if_fail (I2A_IS_APPLICATION (self), NULL);

  return self->monitor;
}

I2aAccountStore *
i2a_application_get_account_store (I2aApplication *self)
{
  g_return_val_if_fail (I2A_IS_APPLICATION (self), NULL);

  return self->store;
}

I2aModelDiscovery *
i2a_application_get_model_discovery (I2aApplication *self)
{
  g_return_val_if_fail (I2A_IS_APPLICATION (self), NULL);

  return self->discovery;
}

const char *
i2a_application_get_server_error (I2aApplication *self)
{
  g_return_val_if_fail (I2A_IS_APPLICATION (self), NULL);

  return self->server_error;
}
