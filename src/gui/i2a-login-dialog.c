/* i2a-login-dialog.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-login-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "i2a-account-ops.h"
#include "i2a-error.h"
#include "i2a-login-dialog.h"
#include "i2a-oauth-login.h"

struct _I2aLoginDialog
{
  AdwWindow       parent_instance;

  I2aAccountStore *store;
  char           *account_id;
  gboolean        share_with_cli;
  I2aOAuthLogin  *login;
  GCancellable   *cancellable;
  char           *error_text;

  GtkStack       *stack;
  AdwStatusPage  *waiting_page;
  AdwStatusPage  *failed_page;
  GtkSpinner     *spinner;
  AdwActionRow   *url_row;
  GtkButton      *copy_button;
  GtkButton      *open_button;
  GtkButton      *retry_button;
  AdwExpanderRow *advanced_row;
  AdwEntryRow    *base_url_row;
};

enum {
  PROP_0,
  PROP_STORE,
  PROP_ACCOUNT_ID,
  PROP_SHARE_WITH_CLI,
  N_PROPS
};

enum {
  SUCCEEDED,
  N_SIGNALS
};

static GParamSpec *properties [N_PROPS];
static guint signals [N_SIGNALS];

G_DEFINE_FINAL_TYPE (I2aLoginDialog, i2a_login_dialog, ADW_TYPE_WINDOW)

/* What went wrong, in words for the user (never a token or code). */
static char *
describe_error (const GError *error)
{
  if (error->domain == I2A_ERROR)
    switch ((I2aError) error->code)
      {
      case I2A_ERROR_OAUTH_DENIED:
        return g_strdup (_("The login was refused or cancelled in the browser."));
      case I2A_ERROR_OAUTH_TIMEOUT:
        return g_strdup (_("The browser did not come back in time."));
      case I2A_ERROR_OAUTH_STATE_MISMATCH:
        return g_strdup (_("The browser answered for a different login attempt."));
      case I2A_ERROR_OAUTH_TRANSIENT:
        return g_strdup (_("iFlow is busy right now. Try again in a few minutes."));
      case I2A_ERROR_OAUTH_INVALID_GRANT:
        return g_strdup (_("iFlow did not accept the login."));
      case I2A_ERROR_SECRETS_UNAVAILABLE:
        /* Translators: %s says which keyring problem */
        return g_strdup_printf (_("The login could not be stored: %s"), error->message);
      default:
        break;
      }
  if (error->domain == G_RESOLVER_ERROR || error->domain == G_IO_ERROR)
    /* Translators: %s is a network error */
    return g_strdup_printf (_("Could not reach iFlow: %s\n\nThe public iFlow service closed in April 2026."),
                            error->message);
  return g_strdup (error->message);
}

/* A step failed: show why, unless the user cancelled it. */
static void
show_failure (I2aLoginDialog *self,
              const GError   *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_free (self->error_text);
  self->error_text = describe_error (error);
  adw_status_page_set_description (self->failed_page, self->error_text);
  gtk_spinner_stop (self->spinner);
  gtk_stack_set_visible_child_name (self->stack, "failed");
}

static void
show_uri_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(I2aLoginDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  if (gtk_show_uri_full_finish (GTK_WINDOW (object), result, &error))
    return;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_debug ("No browser: %s", error->message);
  adw_status_page_set_description (self->waiting_page,
                                   _("No web browser could be opened. Copy the link below into a browser "
                                     "on this computer; this window continues by itself when you are done."));
}

static void
open_browser (I2aLoginDialog *self)
{
  const char *url = i2a_oauth_login_get_authorize_url (self->login);

  if (url == NULL)
    return;
  gtk_show_uri_full (GTK_WINDOW (self), url, GDK_CURRENT_TIME, self->cancellable,
                     show_uri_cb, g_object_ref (self));
}

static void
authorize_url_cb (I2aLoginDialog *self)
{
  const char *url = i2a_oauth_login_get_authorize_url (self->login);

  if (url == NULL)
    return;
  adw_action_row_set_subtitle (self->url_row, url);
  gtk_widget_set_sensitive (GTK_WIDGET (self->copy_button), TRUE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->open_button), TRUE);
  open_browser (self);
}

static void
saved_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(I2aLoginDialog) self = user_data;
  g_autoptr(I2aAccount) account = NULL;
  g_autoptr(GError) error = NULL;

  account = i2a_account_ops_add_login_finish (result, &error);
  if (account == NULL)
    {
      show_failure (self, error);
      return;
    }
  g_signal_emit (self, signals[SUCCEEDED], 0, account);
  gtk_window_close (GTK_WINDOW (self));
}

static void
login_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(I2aLoginDialog) self = user_data;
  g_autoptr(I2aOAuthLoginResult) login = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *base_url = NULL;

  login = i2a_oauth_login_start_finish (I2A_OAUTH_LOGIN (object), result, &error);
  if (login == NULL)
    {
      show_failure (self, error);
      return;
    }

  base_url = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->base_url_row))));
  if (*base_url != '\0' && !i2a_account_ops_is_base_url (base_url))
    {
      g_autoptr(GError) url_error = g_error_new (I2A_ERROR, I2A_ERROR_FAILED,
                                                 _("“%s” is not a valid URL."), base_url);

      show_failure (self, url_error);
      return;
    }
  adw_status_page_set_title (self->waiting_page, _("Saving Login…"));
  i2a_account_ops_add_login_async (self->store, self->account_id, login,
                                   *base_url != '\0' ? base_url : NULL, self->share_with_cli,
                                   self->cancellable, saved_cb, g_object_ref (self));
}

void
i2a_login_dialog_start (I2aLoginDialog *self)
{
  g_autoptr(I2aOAuthClient) client = NULL;

  g_return_if_fail (I2A_IS_LOGIN_DIALOG (self));

  i2a_login_dialog_cancel (self);
  if (self->login != NULL)
    g_signal_handlers_disconnect_by_data (self->login, self);
  g_clear_object (&self->login);
  g_clear_pointer (&self->error_text, g_free);

  adw_status_page_set_title (self->waiting_page, _("Continue in Your Browser"));
  adw_status_page_set_description (self->waiting_page,
                                   _("Log in to iFlow in the browser window that opens. "
                                     "This window continues by itself when you are done."));
  adw_action_row_set_subtitle (self->url_row, _("Preparing…"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->copy_button), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->open_button), FALSE);
  gtk_spinner_start (self->spinner);
  gtk_stack_set_visible_child_name (self->stack, "waiting");

  self->cancellable = g_cancellable_new ();
  client = i2a_oauth_client_new (NULL);
  self->login = i2a_oauth_login_new (client);
  g_signal_connect_swapped (self->login, "notify::authorize-url",
                            G_CALLBACK (authorize_url_cb), self);
  i2a_oauth_login_start_async (self->login, self->cancellable, login_done_cb, g_object_ref (self));
}

void
i2a_login_dialog_cancel (I2aLoginDialog *self)
{
  g_return_if_fail (I2A_IS_LOGIN_DIALOG (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
}

static void
copy_clicked_cb (I2aLoginDialog *self)
{
  const char *url = self->login ? i2a_oauth_login_get_authorize_url (self->login) : NULL;

  if (url != NULL)
    gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), url);
}

static gboolean
i2a_login_dialog_close_request (GtkWindow *window)
{
  i2a_login_dialog_cancel (I2A_LOGIN_DIALOG (window));
  return GTK_WINDOW_CLASS (i2a_login_dialog_parent_class)->close_request (window);
}

static void
i2a_login_dialog_dispose (GObject *object)
{
  I2aLoginDialog *self = I2A_LOGIN_DIALOG (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->login != NULL)
    g_signal_handlers_disconnect_by_data (self->login, self);
  g_clear_object (&self->login);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (i2a_login_dialog_parent_class)->dispose (object);
}

static void
i2a_login_dialog_finalize (GObject *object)
{
  I2aLoginDialog *self = I2A_LOGIN_DIALOG (object);

  g_free (self->account_id);
  g_free (self->error_text);

  G_OBJECT_CLASS (i2a_login_dialog_parent_class)->finalize (object);
}

static void
i2a_login_dialog_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  I2aLoginDialog *self = I2A_LOGIN_DIALOG (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    case PROP_ACCOUNT_ID:
      self->account_id = g_value_dup_string (value);
      break;
    case PROP_SHARE_WITH_CLI:
      self->share_with_cli = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
i2a_login_dialog_constructed (GObject *object)
{
  I2aLoginDialog *self = I2A_LOGIN_DIALOG (object);
  I2aAccount *account = NULL;

  G_OBJECT_CLASS (i2a_login_dialog_parent_class)->constructed (object);

  /* Logging in again keeps the account's deployment unless changed. */
  if (self->account_id != NULL)
    account = i2a_pool_lookup_account (i2a_account_store_get_pool (self->store), self->account_id);
  if (account != NULL && i2a_account_get_base_url (account) != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->base_url_row), i2a_account_get_base_url (account));
}

static void
i2a_login_dialog_class_init (I2aLoginDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = i2a_login_dialog_constructed;
  object_class->dispose = i2a_login_dialog_dispose;
  object_class->finalize = i2a_login_dialog_finalize;
  object_class->set_property = i2a_login_dialog_set_property;
  window_class->close_request = i2a_login_dialog_close_request;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, I2A_TYPE_ACCOUNT_STORE,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHARE_WITH_CLI] =
    g_param_spec_boolean ("share-with-cli", NULL, NULL, FALSE,
                          G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ACCOUNT_ID] =
    g_param_spec_string ("account-id", NULL, NULL, NULL,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SUCCEEDED] =
    g_signal_new ("succeeded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, I2A_TYPE_ACCOUNT);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/iflow2api/Iflow2Api/ui/i2a-login-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, I2aLoginDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, I2aLoginDialog, waiting_page);
  gtk_widget_class_bind_template_child (widget_class, I2aLoginDialog, failed_page);
  gtk_widget_class_bind_template_child (widget_class, I2aLoginDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, I2aLoginDialog, url_row);
  gtk_widget_class_bind_template_child (widget_class, I2aLoginDialog, copy_button);
  gtk_widget_class_bind_template_child (widget_class, I2aLoginDialog, open_button);
  gtk_widget_class_bind_template_child (widget_class, I2aLoginDialog, retry_button);
  gtk_widget_class_bind_template_child (widget_class, I2aLoginDialog, advanced_row);
  gtk_widget_class_bind_template_child (widget_class, I2aLoginDialog, base_url_row);

  gtk_widget_class_bind_template_callback (widget_class, copy_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, open_browser);
  gtk_widget_class_bind_template_callback (widget_class, i2a_login_dialog_start);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
i2a_login_dialog_init (I2aLoginDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
i2a_login_dialog_new (GtkWindow       *parent,
                      I2aAccountStore *store,
                      const char      *account_id,
                      gboolean         share_with_cli)
{
  g_return_val_if_fail (I2A_IS_ACCOUNT_STORE (store), NULL);

  return g_object_new (I2A_TYPE_LOGIN_DIALOG,
                       "transient-for", parent,
                       "store", store,
                       "account-id", account_id,
                       "share-with-cli", share_with_cli,
                       NULL);
}

const char *
i2a_login_dialog_get_page (I2aLoginDialog *self)
{
  g_return_val_if_fail (I2A_IS_LOGIN_DIALOG (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

const char *
i2a_login_dialog_get_authorize_url (I2aLoginDialog *self)
{
  g_return_val_if_fail (I2A_IS_LOGIN_DIALOG (self), NULL);

  return self->login ? i2a_oauth_login_get_authorize_url (self->login) : NULL;
}

const char *
i2a_login_dialog_get_error_text (I2aLoginDialog *self)
{
  g_return_val_if_fail (I2A_IS_LOGIN_DIALOG (self), NULL);

  return self->error_text;
}
