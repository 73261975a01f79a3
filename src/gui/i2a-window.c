/* i2a-window.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-window"

#include "config.h"

#include <glib/gi18n.h>

#include "i2a-account-ops.h"
#include "i2a-gui-utils.h"
#include "i2a-accounts-pane.h"
#include "i2a-add-account-dialog.h"
#include "i2a-client-keys-group.h"
#include "i2a-login-dialog.h"
#include "i2a-models-page.h"
#include "i2a-window.h"

struct _I2aWindow
{
  AdwApplicationWindow  parent_instance;

  I2aApplication       *app;
  I2aServer            *server;
  I2aPoolMonitor       *monitor;
  GtkWindow            *login_dialog;   /* weak */
  GtkWindow            *account_dialog; /* weak: Add Account or Edit */
  char                 *status_text;
  char                 *base_url;

  AdwToastOverlay      *toast_overlay;
  AdwActionRow         *status_row;
  GtkImage             *status_icon;
  GtkButton            *start_button;
  GtkButton            *stop_button;
  AdwActionRow         *url_row;
  GtkStack             *stack;
  I2aAccountsPane      *accounts_pane;
  I2aClientKeysGroup   *keys_group;
  AdwViewStack         *view_stack;
  I2aModelsPage        *models_page;
};

enum {
  PROP_0,
  PROP_APP,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

G_DEFINE_FINAL_TYPE (I2aWindow, i2a_window, ADW_TYPE_APPLICATION_WINDOW)

static void
update_server (I2aWindow *self)
{
  gboolean running = i2a_server_is_running (self->server);
  const char *error = i2a_application_get_server_error (self->app);
  GtkWidget *icon = GTK_WIDGET (self->status_icon);

  g_clear_pointer (&self->status_text, g_free);
  gtk_widget_remove_css_class (icon, "success");
  gtk_widget_remove_css_class (icon, "error");
  gtk_widget_remove_css_class (icon, "dim-label");
  if (running)
    {
      self->status_text = g_strdup (_("Running"));
      gtk_image_set_from_icon_name (self->status_icon, "emblem-ok-symbolic");
      gtk_widget_add_css_class (icon, "success");
    }
  else if (error != NULL)
    {
      /* Translators: %s says why, e.g. "Port 8000 is already in use" */
      self->status_text = g_strdup_printf (_("Stopped: %s"), error);
      gtk_image_set_from_icon_name (self->status_icon, "dialog-error-symbolic");
      gtk_widget_add_css_class (icon, "error");
    }
  else
    {
      self->status_text = g_strdup (_("Stopped"));
      gtk_image_set_from_icon_name (self->status_icon, "media-playback-stop-symbolic");
      gtk_widget_add_css_class (icon, "dim-label");
    }
  adw_action_row_set_subtitle (self->status_row, self->status_text);
  gtk_widget_set_visible (GTK_WIDGET (self->start_button), !running);
  gtk_widget_set_visible (GTK_WIDGET (self->stop_button), running);

  g_free (self->base_url);
  self->base_url = i2a_application_dup_base_url (self->app);
  adw_action_row_set_subtitle (self->url_row, self->base_url);
}

static void
update_page (I2aWindow *self)
{
  gboolean empty = i2a_pool_monitor_get_n_configured (self->monitor) == 0;

  gtk_stack_set_visible_child_name (self->stack, empty ? "empty" : "accounts");
}

void
i2a_window_add_toast (I2aWindow  *self,
                      const char *title)
{
  g_return_if_fail (I2A_IS_WINDOW (self));

  i2a_gui_toast (self->toast_overlay, title);
}

static void
copy_base_url_cb (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  I2aWindow *self = I2A_WINDOW (widget);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), self->base_url);
  i2a_window_add_toast (self, _("Base URL copied"));
}

static void
imported_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(I2aWindow) self = user_data;
  g_autoptr(I2aAccount) account = NULL;
  g_autoptr(GError) error = NULL;

  account = i2a_account_ops_import_cli_finish (result, &error);
  if (account == NULL)
    {
      i2a_window_add_toast (self, error->message);
      return;
    }
  i2a_window_add_toast (self, _("iFlow CLI login imported"));
}

static void
import_cli_cb (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  I2aWindow *self = I2A_WINDOW (widget);

  i2a_account_ops_import_cli_async (i2a_application_get_account_store (self->app), NULL,
                                    imported_cb, g_object_ref (self));
}

static void
relogin_account_cb (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  i2a_window_show_login (I2A_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

static void
remove_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(I2aWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (i2a_account_ops_remove_finish (result, &error))
    i2a_window_add_toast (self, _("Account removed"));
  else
    i2a_window_add_toast (self, error->message);
}

static void
remove_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    I2aWindow        *self)
{
  I2aAccount *account = g_object_get_data (G_OBJECT (dialog), "account");

  if (!g_str_equal (response, "remove"))
    return;
  i2a_account_ops_remove_async (i2a_application_get_account_store (self->app),
                                account, NULL, remove_done_cb, g_object_ref (self));
}

static void
remove_account_cb (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  I2aWindow *self = I2A_WINDOW (widget);
  g_autoptr(I2aAccount) account = NULL;
  const char *name;
  GtkWidget *dialog;

  account = i2a_account_ops_lookup (G_LIST_MODEL (i2a_application_get_pool (self->app)),
                                    g_variant_get_string (parameter, NULL));
  if (account == NULL)
    return;
  name = i2a_account_get_label (account);
  if (name == NULL || *name == '\0')
    name = i2a_account_get_id (account);

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Remove Account?"), NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("“%s” will no longer be used and its login is deleted from the keyring. "
                                    "You can log in again later."), name);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "remove", _("_Remove"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "account", g_steal_pointer (&account), g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (remove_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
account_saved_cb (I2aAddAccountDialog *dialog,
                  I2aAccount          *account,
                  gboolean             created,
                  I2aWindow           *self)
{
  i2a_window_add_toast (self, created ? _("Account added") : _("Account saved"));
}

GtkWindow *
i2a_window_show_add_account (I2aWindow  *self,
                             const char *account_id)
{
  g_autoptr(I2aAccount) account = NULL;
  GtkWindow *dialog;

  g_return_val_if_fail (I2A_IS_WINDOW (self), NULL);

  if (self->account_dialog != NULL)
    {
      gtk_window_present (self->account_dialog);
      return self->account_dialog;
    }
  if (account_id != NULL)
    {
      account = i2a_account_ops_lookup (G_LIST_MODEL (i2a_application_get_pool (self->app)),
                                        account_id);
      if (account == NULL)
        return NULL;
    }
  dialog = GTK_WINDOW (i2a_add_account_dialog_new (GTK_WINDOW (self),
                                                   i2a_application_get_account_store (self->app),
                                                   account));
  g_signal_connect_object (dialog, "saved", G_CALLBACK (account_saved_cb), self, 0);
  g_set_weak_pointer (&self->account_dialog, dialog);
  gtk_window_present (dialog);
  return dialog;
}

static void
add_account_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  i2a_window_show_add_account (I2A_WINDOW (widget), NULL);
}

static void
edit_account_cb (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  i2a_window_show_add_account (I2A_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

static void
models_refreshed_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(I2aWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  /* The account row shows the count or the error either way. */
  if (!i2a_model_discovery_refresh_finish (I2A_MODEL_DISCOVERY (object), result, &error))
    i2a_window_add_toast (self, error->message);
}

static void
refresh_models_cb (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  I2aWindow *self = I2A_WINDOW (widget);

  i2a_model_discovery_refresh_async (i2a_application_get_model_discovery (self->app),
                                     g_variant_get_string (parameter, NULL), NULL,
                                     models_refreshed_cb, g_object_ref (self));
}

static void
key_moved_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(I2aWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (i2a_account_ops_move_key_finish (result, &error))
    i2a_window_add_toast (self, _("The key is in the keyring now"));
  else
    i2a_window_add_toast (self, error->message);
}

static void
move_key_cb (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  I2aWindow *self = I2A_WINDOW (widget);
  g_autoptr(I2aAccount) account = NULL;

  account = i2a_account_ops_lookup (G_LIST_MODEL (i2a_application_get_pool (self->app)),
                                    g_variant_get_string (parameter, NULL));
  if (account != NULL)
    i2a_account_ops_move_key_async (i2a_application_get_account_store (self->app), account,
                                    NULL, key_moved_cb, g_object_ref (self));
}

static void
login_succeeded_cb (I2aLoginDialog *dialog,
                    I2aAccount     *account,
                    I2aWindow      *self)
{
  const char *name = i2a_account_get_email (account);
  g_autofree char *text = NULL;

  if (name == NULL || *name == '\0')
    name = i2a_account_get_label (account);
  /* Translators: %s is an account name or email address */
  text = g_strdup_printf (_("Logged in as %s"), name ? name : i2a_account_get_id (account));
  i2a_window_add_toast (self, text);
}

GtkWindow *
i2a_window_show_login (I2aWindow  *self,
                       const char *account_id)
{
  GtkWindow *dialog;

  g_return_val_if_fail (I2A_IS_WINDOW (self), NULL);

  if (self->login_dialog != NULL)
    {
      gtk_window_present (self->login_dialog);
      return self->login_dialog;
    }

  dialog = GTK_WINDOW (i2a_login_dialog_new (GTK_WINDOW (self),
                                             i2a_application_get_account_store (self->app),
                                             account_id,
                                             g_settings_get_boolean (i2a_application_get_settings (self->app),
                                                                     "share-login-with-iflow-cli")));
  g_signal_connect_object (dialog, "succeeded", G_CALLBACK (login_succeeded_cb), self, 0);
  g_set_weak_pointer (&self->login_dialog, dialog);
  gtk_window_present (dialog);
  i2a_login_dialog_start (I2A_LOGIN_DIALOG (dialog));
  return dialog;
}

static void
i2a_window_constructed (GObject *object)
{
  I2aWindow *self = I2A_WINDOW (object);

  G_OBJECT_CLASS (i2a_window_parent_class)->constructed (object);

  self->server = g_object_ref (i2a_application_get_server (self->app));
  self->monitor = g_object_ref (i2a_application_get_monitor (self->app));
  i2a_accounts_pane_set_model (self->accounts_pane,
                               G_LIST_MODEL (i2a_application_get_pool (self->app)));
  i2a_client_keys_group_set_pool (self->keys_group, i2a_application_get_pool (self->app));
  i2a_models_page_set_sources (self->models_page, i2a_application_get_pool (self->app),
                               i2a_application_get_model_discovery (self->app));

  g_signal_connect_object (self->server, "notify::running", G_CALLBACK (update_server),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->server, "notify::port", G_CALLBACK (update_server),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->app, "notify::server-error", G_CALLBACK (update_server),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->monitor, "notify::n-configured", G_CALLBACK (update_page),
                           self, G_CONNECT_SWAPPED);
  update_server (self);
  update_page (self);
}

static void
i2a_window_dispose (GObject *object)
{
  I2aWindow *self = I2A_WINDOW (object);

  /* A login still finishing keeps its dialog alive past this window:
   * detach it first so it never points at a dead parent. */
  if (self->login_dialog != NULL)
    {
      gtk_window_set_transient_for (self->login_dialog, NULL);
      gtk_window_destroy (self->login_dialog);
    }
  g_clear_weak_pointer (&self->login_dialog);
  if (self->account_dialog != NULL)
    {
      gtk_window_set_transient_for (self->account_dialog, NULL);
      gtk_window_destroy (self->account_dialog);
    }
  g_clear_weak_pointer (&self->account_dialog);
  gtk_widget_dispose_template (GTK_WIDGET (self), I2A_TYPE_WINDOW);
  g_clear_object (&self->server);
  g_clear_object (&self->monitor);
  g_clear_object (&self->app);

  G_OBJECT_CLASS (i2a_window_parent_class)->dispose (object);
}

static void
i2a_window_finalize (GObject *object)
{
  I2aWindow *self = I2A_WINDOW (object);

  g_free (self->status_text);
  g_free (self->base_url);

  G_OBJECT_CLASS (i2a_window_parent_class)->finalize (object);
}

static void
i2a_window_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  I2aWindow *self = I2A_WINDOW (object);

  switch (prop_id)
    {
    case PROP_APP:
      self->app = g_value_dup_object (value);
      gtk_window_set_application (GTK_WINDOW (self), GTK_APPLICATION (self->app));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
i2a_window_class_init (I2aWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = i2a_window_constructed;
  object_class->dispose = i2a_window_dispose;
  object_class->finalize = i2a_window_finalize;
  object_class->set_property = i2a_window_set_property;

  /* Not "application": GtkWindow has that one and sets it late. */
  properties[PROP_APP] =
    g_param_spec_object ("app", NULL, NULL, I2A_TYPE_APPLICATION,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (I2A_TYPE_ACCOUNTS_PANE);
  g_type_ensure (I2A_TYPE_CLIENT_KEYS_GROUP);
  g_type_ensure (I2A_TYPE_MODELS_PAGE);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/iflow2api/Iflow2Api/ui/i2a-window.ui");
  gtk_widget_class_bind_template_child (widget_class, I2aWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, I2aWindow, status_row);
  gtk_widget_class_bind_template_child (widget_class, I2aWindow, status_icon);
  gtk_widget_class_bind_template_child (widget_class, I2aWindow, start_button);
  gtk_widget_class_bind_template_child (widget_class, I2aWindow, stop_button);
  gtk_widget_class_bind_template_child (widget_class, I2aWindow, url_row);
  gtk_widget_class_bind_template_child (widget_class, I2aWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, I2aWindow, accounts_pane);
  gtk_widget_class_bind_template_child (widget_class, I2aWindow, keys_group);
  gtk_widget_class_bind_template_child (widget_class, I2aWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, I2aWindow, models_page);

  gtk_widget_class_install_action (widget_class, "win.copy-base-url", NULL, copy_base_url_cb);
  gtk_widget_class_install_action (widget_class, "win.add-account", NULL, add_account_cb);
  gtk_widget_class_install_action (widget_class, "win.edit-account", "s", edit_account_cb);
  gtk_widget_class_install_action (widget_class, "win.refresh-models", "s", refresh_models_cb);
  gtk_widget_class_install_action (widget_class, "win.move-key", "s", move_key_cb);
  gtk_widget_class_install_action (widget_class, "win.import-cli", NULL, import_cli_cb);
  gtk_widget_class_install_action (widget_class, "win.relogin-account", "s", relogin_account_cb);
  gtk_widget_class_install_action (widget_class, "win.remove-account", "s", remove_account_cb);
}

static void
i2a_window_init (I2aWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

I2aWindow *
i2a_window_new (I2aApplication *application)
{
  g_return_val_if_fail (I2A_IS_APPLICATION (application), NULL);

  return g_object_new (I2A_TYPE_WINDOW, "app", application, NULL);
}

const char *
i2a_window_get_visible_page (I2aWindow *self)
{
  g_return_val_if_fail (I2A_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

GtkWidget *
i2a_window_get_accounts_pane (I2aWindow *self)
{
  g_return_val_if_fail (I2A_IS_WINDOW (self), NULL);

  return GTK_WIDGET (self->accounts_pane);
}

const char *
i2a_window_get_server_status (I2aWindow *self)
{
  g_return_val_if_fail (I2A_IS_WINDOW (self), NULL);

  return self->status_text;
}

const char *
i2a_window_get_base_url (I2aWindow *self)
{
  g_return_val_if_fail (I2A_IS_WINDOW (self), NULL);

  return self->base_url;
}

GtkWindow *
i2a_window_get_login_dialog (I2aWindow *self)
{
  g_return_val_if_fail (I2A_IS_WINDOW (self), NULL);

  return self->login_dialog;
}

GtkWindow *
i2a_window_get_account_dialog (I2aWindow *self)
{
  g_return_val_if_fail (I2A_IS_WINDOW (self), NULL);

  return self->account_dialog;
}

GtkWidget *
i2a_window_get_models_page (I2aWindow *self)
{
  g_return_val_if_fail (I2A_IS_WINDOW (self), NULL);

  return GTK_WIDGET (self->models_page);
}

void
i2a_window_show_page (I2aWindow  *self,
                      const char *name)
{
  g_return_if_fail (I2A_IS_WINDOW (self));

  adw_view_stack_set_visible_child_name (self->view_stack, name);
}
