/* i2a-client-dialog.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-client-dialog.c: the dialog's state, its preview and the object;
 * Apply and Undo are in i2a-client-dialog-write.c */
#define G_LOG_DOMAIN "i2a-client-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "i2a-client-dialog-private.h"
#include "i2a-gui-utils.h"
#include "i2a-server.h"
#include "i2a-util.h"

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_POOL,
  PROP_BASE_URL,
  PROP_CONFIG_PATH,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

G_DEFINE_FINAL_TYPE (I2aClientDialog, i2a_client_dialog, ADW_TYPE_WINDOW)

static void start_preview (I2aClientDialog *self);

/* ---- helpers ------------------------------------------------------------ */

/* A server listening on every address is reached on the loopback one. */
static char *
client_base_url (const char *base_url)
{
  g_autoptr(GUri) uri = NULL;
  const char *host;

  if (base_url == NULL)
    return NULL;
  uri = g_uri_parse (base_url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || (host = g_uri_get_host (uri)) == NULL)
    return g_strdup (base_url);
  if (g_str_equal (host, "0.0.0.0") || g_str_equal (host, "::"))
    {
      g_autoptr(GUri) local = g_uri_build (G_URI_FLAGS_NONE, g_uri_get_scheme (uri), NULL,
                                           g_str_equal (host, "::") ? "::1" : "127.0.0.1",
                                           g_uri_get_port (uri), g_uri_get_path (uri), NULL, NULL);

      return g_uri_to_string (local);
    }
  return g_strdup (base_url);
}

/* The key the client should send; *pending when a key must be made. */
const char *
_i2a_client_dialog_choose_key (I2aClientDialog *self,
                               gboolean          *pending)
{
  I2aKeysConfig *config = i2a_pool_get_config (self->pool);
  const char *key;

  *pending = FALSE;
  if (config == NULL || !config->auth_enabled)
    return I2A_CLIENT_KEY_NO_AUTH;
  key = i2a_client_key_find_for_all (config);
  if (key != NULL)
    return key;
  *pending = TRUE;
  return I2A_CLIENT_PENDING_KEY;
}

static gboolean
key_changed (I2aClientDialog *self)
{
  gboolean pending;
  const char *key = _i2a_client_dialog_choose_key (self, &pending);

  return pending != self->pending_key || g_strcmp0 (key, self->plan_key) != 0;
}

void
_i2a_client_dialog_toast (I2aClientDialog *self,
                          const char        *text)
{
  g_free (self->last_toast);
  self->last_toast = g_strdup (text);
  if (self->toast_overlay != NULL)
    i2a_gui_toast (self->toast_overlay, text);
}

static void
set_error (I2aClientDialog *self,
           const char        *text)
{
  g_free (self->error_text);
  self->error_text = g_strdup (text);
}

/* ---- showing the state -------------------------------------------------- */

void
_i2a_client_dialog_update (I2aClientDialog *self)
{
  gboolean changed = self->plan != NULL && i2a_client_plan_get_changed (self->plan);
  const char *diff = changed ? i2a_client_plan_get_diff (self->plan) : "";
  const char *status = NULL;
  g_autofree char *status_text = NULL;

  /* A callback that ends after dispose has no widgets to update. */
  if (self->toast_overlay == NULL)
    return;
  gtk_spinner_set_spinning (self->spinner, self->busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), self->busy);

  if (self->plan_key == NULL)
    adw_action_row_set_subtitle (self->key_row, "");
  else if (self->pending_key)
    adw_action_row_set_subtitle (self->key_row,
                                 _("No client key reaches every account yet: Apply adds one"));
  else if (g_str_equal (self->plan_key, I2A_CLIENT_KEY_NO_AUTH) && self->client->no_key_without_auth)
    {
      /* Translators: %s is a program name, e.g. "Codex" */
      g_autofree char *text = g_strdup_printf (_("Client keys are off, so %s needs no key"), self->client->name);

      adw_action_row_set_subtitle (self->key_row, text);
    }
  else if (g_str_equal (self->plan_key, I2A_CLIENT_KEY_NO_AUTH))
    {
      /* Translators: %s is a fixed placeholder key, not a secret */
      /* Translators: the first %s is a program name ("Codex") */
      g_autofree char *text = g_strdup_printf (_("Client keys are off, so any key works; %s gets “%s”"),
                                               self->client->name, I2A_CLIENT_KEY_NO_AUTH);

      adw_action_row_set_subtitle (self->key_row, text);
    }
  else
    {
      g_autofree char *masked = i2a_mask_secret (self->plan_key);
      /* Translators: %s is a masked client key, e.g. "sk-i…3f2a" */
      g_autofree char *text = g_strdup_printf (_("The client key %s"), masked);

      adw_action_row_set_subtitle (self->key_row, text);
    }

  gtk_widget_set_visible (self->error_box, self->error_text != NULL);
  gtk_label_set_text (self->error_label, self->error_text ? self->error_text : "");

  if (g_strcmp0 (diff, self->diff_text) != 0)
    {
      g_free (self->diff_text);
      self->diff_text = g_strdup (diff);
      i2a_diff_view_set_diff (self->diff_box, diff);
    }
  gtk_widget_set_visible (self->diff_scroll, *diff != '\0');

  if (self->plan == NULL)
    status = self->busy && self->error_text == NULL ? _("Reading the config file…") : NULL;
  else if (!changed)
    /* Translators: %s is a program name, e.g. "Codex" */
    status = status_text = g_strdup_printf (_("%s already uses iflow2api at this address. Nothing to change."),
                                            self->client->name);
  else if (!i2a_client_plan_get_file_exists (self->plan))
    status = _("The file does not exist yet. Apply creates it with the content below (keys are masked).");
  else
    status = _("Apply makes the changes below (keys are masked) and keeps a backup of the current file.");
  gtk_label_set_text (self->status_label, status ? status : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), status != NULL);

  gtk_widget_set_sensitive (GTK_WIDGET (self->apply_button), !self->busy && changed);
  gtk_button_set_label (self->cancel_button, self->plan != NULL && !changed ? _("_Close") : _("_Cancel"));

  gtk_widget_set_visible (GTK_WIDGET (self->undo_row), self->newest_backup != NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->undo_button), !self->busy);
  if (self->newest_backup != NULL)
    {
      g_autofree char *name = g_path_get_basename (self->newest_backup);
      /* Translators: %s is a backup file name, e.g. "opencode.json.bak-20260501-101500" */
      g_autofree char *text = g_strdup_printf (_("Puts back %s"), name);

      adw_action_row_set_subtitle (self->undo_row, text);
    }
}

/* ---- preview ------------------------------------------------------------ */

static void
backups_listed_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(I2aClientDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) backups = NULL;

  backups = i2a_client_list_backups_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (backups == NULL)
    g_debug ("Cannot list the backups: %s", error->message);
  g_clear_pointer (&self->newest_backup, g_free);
  if (backups != NULL && backups[0] != NULL)
    self->newest_backup = g_strdup (backups[0]);

  /* The pool changed its keys while we read: preview with the new one. */
  if (key_changed (self))
    {
      start_preview (self);
      return;
    }
  self->busy = FALSE;
  _i2a_client_dialog_update (self);
}

static void
previewed_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(I2aClientDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  I2aClientPlan *plan;

  plan = i2a_client_plan_setup_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->plan);
  self->plan = plan;
  if (plan == NULL)
    set_error (self, error->message);
  i2a_client_list_backups_async (self->config_path, self->cancellable,
                                   backups_listed_cb, g_object_ref (self));
}

static void
start_preview (I2aClientDialog *self)
{
  I2aClientOptions options = { 0 };
  const char *key;

  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  self->busy = TRUE;
  if (!self->keep_error)
    g_clear_pointer (&self->error_text, g_free);
  self->keep_error = FALSE;
  if (!i2a_pool_is_loaded (self->pool))
    {
      /* pool_loaded_cb starts again. */
      self->waiting_for_pool = TRUE;
      _i2a_client_dialog_update (self);
      return;
    }

  key = _i2a_client_dialog_choose_key (self, &self->pending_key);
  g_free (self->plan_key);
  self->plan_key = g_strdup (key);
  _i2a_client_dialog_update (self);

  options.base_url = self->base_url;
  options.api_key = self->plan_key;
  i2a_client_plan_setup_async (self->client, self->config_path, &options, self->cancellable,
                                 previewed_cb, g_object_ref (self));
}

void
i2a_client_dialog_refresh (I2aClientDialog *self)
{
  g_return_if_fail (I2A_IS_CLIENT_DIALOG (self));

  /* Whatever runs now ends with a preview anyway. */
  if (self->busy)
    return;
  start_preview (self);
}

/* After an operation: the file as it is now, keeping any error shown. */
void
_i2a_client_dialog_finish_operation (I2aClientDialog *self,
                                     const char        *error_text)
{
  if (error_text != NULL)
    {
      set_error (self, error_text);
      self->keep_error = TRUE;
    }
  start_preview (self);
}

static void
pool_loaded_cb (I2aClientDialog *self)
{
  if (!self->waiting_for_pool || !i2a_pool_is_loaded (self->pool))
    return;
  self->waiting_for_pool = FALSE;
  start_preview (self);
}

static void
config_reloaded_cb (I2aClientDialog *self)
{
  /* A key made, replaced or routed elsewhere in the main window. */
  if (!self->busy && key_changed (self))
    start_preview (self);
}

/* ---- GObject ------------------------------------------------------------ */

static void
i2a_client_dialog_constructed (GObject *object)
{
  I2aClientDialog *self = I2A_CLIENT_DIALOG (object);

  G_OBJECT_CLASS (i2a_client_dialog_parent_class)->constructed (object);

  g_return_if_fail (I2A_IS_POOL (self->pool));
  g_return_if_fail (self->client != NULL);
  {
    /* Translators: %s is a program name, e.g. "OpenCode" or "Codex" */
    g_autofree char *title = g_strdup_printf (_("Set Up %s"), self->client->name);

    gtk_window_set_title (GTK_WINDOW (self), title);
  }
  if (self->config_path == NULL)
    self->config_path = self->client->default_path ();
  if (self->base_url == NULL)
    self->base_url = g_strdup_printf ("http://127.0.0.1:%d/v1", I2A_DEFAULT_PORT);
  adw_action_row_set_subtitle (self->path_row, self->config_path);
  adw_action_row_set_subtitle (self->server_row, self->base_url);
  g_signal_connect_object (self->pool, "notify::loaded", G_CALLBACK (pool_loaded_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->pool, "config-reloaded", G_CALLBACK (config_reloaded_cb),
                           self, G_CONNECT_SWAPPED);
  start_preview (self);
}

static gboolean
i2a_client_dialog_close_request (GtkWindow *window)
{
  I2aClientDialog *self = I2A_CLIENT_DIALOG (window);

  g_cancellable_cancel (self->cancellable);
  return GTK_WINDOW_CLASS (i2a_client_dialog_parent_class)->close_request (window);
}

static void
i2a_client_dialog_dispose (GObject *object)
{
  I2aClientDialog *self = I2A_CLIENT_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  if (self->confirm != NULL)
    gtk_window_destroy (self->confirm);
  g_clear_weak_pointer (&self->confirm);
  gtk_widget_dispose_template (GTK_WIDGET (self), I2A_TYPE_CLIENT_DIALOG);
  g_clear_object (&self->plan);
  g_clear_object (&self->undo_plan);
  g_clear_object (&self->pool);

  G_OBJECT_CLASS (i2a_client_dialog_parent_class)->dispose (object);
}

static void
i2a_client_dialog_finalize (GObject *object)
{
  I2aClientDialog *self = I2A_CLIENT_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_free (self->base_url);
  g_free (self->config_path);
  g_free (self->plan_key);
  g_free (self->newest_backup);
  g_free (self->diff_text);
  g_free (self->error_text);
  g_free (self->last_toast);

  G_OBJECT_CLASS (i2a_client_dialog_parent_class)->finalize (object);
}

static void
i2a_client_dialog_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  I2aClientDialog *self = I2A_CLIENT_DIALOG (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      self->client = g_value_get_pointer (value);
      break;
    case PROP_POOL:
      self->pool = g_value_dup_object (value);
      break;
    case PROP_BASE_URL:
      self->base_url = client_base_url (g_value_get_string (value));
      break;
    case PROP_CONFIG_PATH:
      self->config_path = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* The diff colours, once per display (the dialog also runs outside the
 * app's resource base path, e.g. in tests). */
static void
load_css (void)
{
  static gboolean loaded;
  g_autoptr(GtkCssProvider) provider = NULL;
  GdkDisplay *display = gdk_display_get_default ();

  if (loaded || display == NULL)
    return;
  loaded = TRUE;
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (provider, "/io/github/iflow2api/Iflow2Api/ui/i2a-client-dialog.css");
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

static void
i2a_client_dialog_class_init (I2aClientDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = i2a_client_dialog_constructed;
  object_class->dispose = i2a_client_dialog_dispose;
  object_class->finalize = i2a_client_dialog_finalize;
  object_class->set_property = i2a_client_dialog_set_property;
  window_class->close_request = i2a_client_dialog_close_request;

  /* A const I2aClient * from i2a_clients_all (). */
  properties[PROP_CLIENT] =
    g_param_spec_pointer ("client", NULL, NULL,
                          G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_POOL] =
    g_param_spec_object ("pool", NULL, NULL, I2A_TYPE_POOL,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BASE_URL] =
    g_param_spec_string ("base-url", NULL, NULL, NULL,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONFIG_PATH] =
    g_param_spec_string ("config-path", NULL, NULL, NULL,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (I2A_TYPE_DIFF_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/iflow2api/Iflow2Api/ui/i2a-client-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, I2aClientDialog, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, I2aClientDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, I2aClientDialog, apply_button);
  gtk_widget_class_bind_template_child (widget_class, I2aClientDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, I2aClientDialog, path_row);
  gtk_widget_class_bind_template_child (widget_class, I2aClientDialog, server_row);
  gtk_widget_class_bind_template_child (widget_class, I2aClientDialog, key_row);
  gtk_widget_class_bind_template_child (widget_class, I2aClientDialog, undo_row);
  gtk_widget_class_bind_template_child (widget_class, I2aClientDialog, undo_button);
  gtk_widget_class_bind_template_child (widget_class, I2aClientDialog, error_box);
  gtk_widget_class_bind_template_child (widget_class, I2aClientDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, I2aClientDialog, status_label);
  gtk_widget_class_bind_template_child (widget_class, I2aClientDialog, diff_scroll);
  gtk_widget_class_bind_template_child (widget_class, I2aClientDialog, diff_box);
  gtk_widget_class_bind_template_callback (widget_class, _i2a_client_dialog_apply);
  gtk_widget_class_bind_template_callback (widget_class, _i2a_client_dialog_undo);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
i2a_client_dialog_init (I2aClientDialog *self)
{
  load_css ();
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

GtkWidget *
i2a_client_dialog_new (GtkWindow       *parent,
                       const I2aClient *client,
                       I2aPool         *pool,
                       const char      *base_url,
                       const char      *config_path)
{
  g_return_val_if_fail (client != NULL, NULL);
  g_return_val_if_fail (I2A_IS_POOL (pool), NULL);

  return g_object_new (I2A_TYPE_CLIENT_DIALOG,
                       "transient-for", parent,
                       "client", client,
                       "pool", pool,
                       "base-url", base_url,
                       "config-path", config_path,
                       NULL);
}

const I2aClient *
i2a_client_dialog_get_client (I2aClientDialog *self)
{
  g_return_val_if_fail (I2A_IS_CLIENT_DIALOG (self), NULL);
  return self->client;
}

/* ---- for tests ---------------------------------------------------------- */

const char *
i2a_client_dialog_get_config_path (I2aClientDialog *self)
{
  g_return_val_if_fail (I2A_IS_CLIENT_DIALOG (self), NULL);
  return self->config_path;
}

const char *
i2a_client_dialog_get_base_url (I2aClientDialog *self)
{
  g_return_val_if_fail (I2A_IS_CLIENT_DIALOG (self), NULL);
  return self->base_url;
}

gboolean
i2a_client_dialog_get_busy (I2aClientDialog *self)
{
  g_return_val_if_fail (I2A_IS_CLIENT_DIALOG (self), FALSE);
  return self->busy;
}

const char *
i2a_client_dialog_get_diff_text (I2aClientDialog *self)
{
  g_return_val_if_fail (I2A_IS_CLIENT_DIALOG (self), NULL);
  return self->diff_text ? self->diff_text : "";
}

GtkWidget *
i2a_client_dialog_get_diff_view (I2aClientDialog *self)
{
  g_return_val_if_fail (I2A_IS_CLIENT_DIALOG (self), NULL);
  return GTK_WIDGET (self->diff_box);
}

const char *
i2a_client_dialog_get_error_text (I2aClientDialog *self)
{
  g_return_val_if_fail (I2A_IS_CLIENT_DIALOG (self), NULL);
  return self->error_text;
}

const char *
i2a_client_dialog_get_last_toast (I2aClientDialog *self)
{
  g_return_val_if_fail (I2A_IS_CLIENT_DIALOG (self), NULL);
  return self->last_toast;
}

GtkWidget *
i2a_client_dialog_get_apply_button (I2aClientDialog *self)
{
  g_return_val_if_fail (I2A_IS_CLIENT_DIALOG (self), NULL);
  return GTK_WIDGET (self->apply_button);
}

GtkWidget *
i2a_client_dialog_get_undo_button (I2aClientDialog *self)
{
  g_return_val_if_fail (I2A_IS_CLIENT_DIALOG (self), NULL);
  return GTK_WIDGET (self->undo_button);
}

GtkWindow *
i2a_client_dialog_get_confirm_dialog (I2aClientDialog *self)
{
  g_return_val_if_fail (I2A_IS_CLIENT_DIALOG (self), NULL);
  return self->confirm;
}
