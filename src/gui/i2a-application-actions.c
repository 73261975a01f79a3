/* i2a-application-actions.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-application"

#include "config.h"

#include <glib/gi18n.h>

#include "i2a-application-private.h"
#include "i2a-client-dialog.h"
#include "i2a-preferences-window.h"
#include "i2a-window.h"

static void
show_window_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  _i2a_application_present_window (I2A_APPLICATION (user_data));
}

static void
toggle_window_cb (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  I2aApplication *self = I2A_APPLICATION (user_data);

  if (self->window != NULL && gtk_widget_get_visible (GTK_WIDGET (self->window)))
    _i2a_application_hide_window (self);
  else
    _i2a_application_present_window (self);
}

static void
login_cb (GSimpleAction *action,
          GVariant      *parameter,
          gpointer       user_data)
{
  I2aApplication *self = I2A_APPLICATION (user_data);

  _i2a_application_present_window (self);
  i2a_window_show_login (I2A_WINDOW (self->window), NULL);
}

static void
start_server_cb (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  _i2a_application_start_server (I2A_APPLICATION (user_data));
}

static void
stop_server_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  I2aApplication *self = I2A_APPLICATION (user_data);

  i2a_server_stop (self->server);
  _i2a_application_update_status (self);
}

static void
preferences_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  I2aApplication *self = I2A_APPLICATION (user_data);
  GtkWidget *preferences;

  _i2a_application_present_window (self);
  preferences = i2a_preferences_window_new (self->window, self->settings);
  gtk_window_present (GTK_WINDOW (preferences));
}

/* app.setup-client('codex'): the setup dialog of one client of
 * i2a_clients_all (), one at a time per client. */
static void
setup_client_cb (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  I2aApplication *self = I2A_APPLICATION (user_data);
  const I2aClient *client = i2a_client_find (g_variant_get_string (parameter, NULL));
  GListModel *toplevels = gtk_window_get_toplevels ();
  g_autofree char *base_url = NULL;
  GtkWidget *dialog;

  if (client == NULL)
    {
      g_warning ("No client “%s” to set up", g_variant_get_string (parameter, NULL));
      return;
    }
  _i2a_application_present_window (self);
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (toplevels, i);

      if (I2A_IS_CLIENT_DIALOG (item) &&
          i2a_client_dialog_get_client (I2A_CLIENT_DIALOG (item)) == client)
        {
          gtk_window_present (GTK_WINDOW (item));
          return;
        }
    }
  /* The port the server really listens on when it runs. */
  base_url = i2a_application_dup_base_url (self);
  dialog = i2a_client_dialog_new (self->window, client, self->pool, base_url, NULL);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Kept for shortcuts and scripts made before app.setup-client. */
static void
setup_opencode_cb (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  g_autoptr(GVariant) id = g_variant_ref_sink (g_variant_new_string ("opencode"));

  setup_client_cb (action, id, user_data);
}

static void
about_cb (GSimpleAction *action,
          GVariant      *parameter,
          gpointer       user_data)
{
  I2aApplication *self = I2A_APPLICATION (user_data);
  const char *developers[] = { _("The iflow2api developers"), NULL };
  GtkWidget *about;

  _i2a_application_present_window (self);
  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", self->window,
                        "application-name", "iflow2api",
                        "application-icon", APP_ID,
                        "version", PACKAGE_VERSION,
                        "comments", _("Local OpenAI-compatible API for iFlow and OpenAI-compatible accounts"),
                        "website", "https://github.com/iflow2api/iflow2api",
                        "issue-url", "https://github.com/iflow2api/iflow2api/issues",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "developers", developers,
                        /* Translators: your name, to be shown in the about window */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

void
_i2a_application_quit (I2aApplication *self,
                       gboolean        destroy_window)
{
  self->quitting = TRUE;
  _i2a_application_set_background (self, FALSE);
  /* The window holds the application: destroy it so both can go. */
  if (destroy_window && self->window != NULL)
    gtk_window_destroy (self->window);
  g_application_quit (G_APPLICATION (self));
}

static void
quit_cb (GSimpleAction *action,
         GVariant      *parameter,
         gpointer       user_data)
{
  _i2a_application_quit (I2A_APPLICATION (user_data), TRUE);
}

static const GActionEntry app_actions[] = {
  { "show-window", show_window_cb },
  { "toggle-window", toggle_window_cb },
  { "login", login_cb },
  { "start-server", start_server_cb },
  { "stop-server", stop_server_cb },
  { "preferences", preferences_cb },
  { "setup-opencode", setup_opencode_cb },
  { "setup-client", setup_client_cb, "s" },
  { "about", about_cb },
  { "quit", quit_cb },
};

void
_i2a_application_update_actions (I2aApplication *self)
{
  gboolean running = i2a_server_is_running (self->server);
  GAction *start = g_action_map_lookup_action (G_ACTION_MAP (self), "start-server");
  GAction *stop = g_action_map_lookup_action (G_ACTION_MAP (self), "stop-server");

  if (start != NULL)
    g_simple_action_set_enabled (G_SIMPLE_ACTION (start), !running);
  if (stop != NULL)
    g_simple_action_set_enabled (G_SIMPLE_ACTION (stop), running);
}

void
_i2a_application_install_actions (I2aApplication *self)
{
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };
  static const char *add_accels[] = { "<Control>n", NULL };
  static const char *close_accels[] = { "<Control>w", NULL };

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", preferences_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.add-account", add_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "window.close", close_accels);
  _i2a_application_update_actions (self);
}
