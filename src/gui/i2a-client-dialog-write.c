/* i2a-client-dialog-write.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-client-dialog-write.c: the two ways the client setup dialog writes
 * the config file, Apply (creating a client key first when needed) and
 * Undo (after a confirmation showing its diff). Both end with a fresh
 * preview via _i2a_client_dialog_finish_operation (). */
#define G_LOG_DOMAIN "i2a-client-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "i2a-diff-view.h"
#include "i2a-client-dialog-private.h"

static char *
basename_of (const char *path)
{
  return path ? g_path_get_basename (path) : NULL;
}

static char *
describe_write_error (const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WRONG_ETAG))
    return g_strdup (_("The file changed since the preview, so nothing was written. "
                       "The preview now shows the file as it is: check it and apply again."));
  /* Translators: %s is the reason, e.g. "…: Permission denied" */
  return g_strdup_printf (_("The config file could not be written: %s"), error->message);
}

/* The undo confirmation's copy of the diff, in a card. */
static GtkWidget *
diff_view_new (const char *diff)
{
  GtkWidget *scroll = gtk_scrolled_window_new ();
  GtkWidget *view = i2a_diff_view_new ();

  gtk_widget_add_css_class (scroll, "card");
  i2a_diff_view_set_diff (I2A_DIFF_VIEW (view), diff);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroll), view);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroll), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroll), 320);
  gtk_widget_set_size_request (scroll, 420, -1);
  return scroll;
}

/* ---- apply -------------------------------------------------------------- */

static void
applied_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(I2aClientDialog) self = user_data;
  I2aClientPlan *plan = I2A_CLIENT_PLAN (object);
  g_autoptr(GError) error = NULL;
  g_autofree char *backup = NULL;
  g_autofree char *text = NULL;

  if (!i2a_client_plan_apply_finish (plan, result, &backup, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      text = describe_write_error (error);
      _i2a_client_dialog_finish_operation (self, text);
      return;
    }
  if (backup != NULL)
    {
      g_autofree char *name = basename_of (backup);

      /* Translators: %s is a backup file name */
      /* Translators: the first %s is a program name ("Codex"), the second a backup file name */
      text = g_strdup_printf (_("%s is set up. Backup: %s"), self->client->name, name);
    }
  else
    /* Translators: %s is a program name, e.g. "Codex" */
    text = g_strdup_printf (_("%s is set up"), self->client->name);
  _i2a_client_dialog_toast (self, text);
  _i2a_client_dialog_finish_operation (self, NULL);
}

static void
apply_plan (I2aClientDialog *self)
{
  i2a_client_plan_apply_async (self->plan, self->cancellable, applied_cb, g_object_ref (self));
}

static void
replanned_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(I2aClientDialog) self = user_data;
  g_autoptr(I2aClientPlan) plan = NULL;
  g_autoptr(GError) error = NULL;

  plan = i2a_client_plan_setup_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (plan == NULL)
    {
      _i2a_client_dialog_finish_operation (self, error->message);
      return;
    }
  /* Only what the preview showed gets written. */
  if (self->plan == NULL ||
      g_strcmp0 (i2a_client_plan_get_old_text (plan), i2a_client_plan_get_old_text (self->plan)) != 0)
    {
      g_autoptr(GError) stale = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_WRONG_ETAG, "");
      g_autofree char *text = describe_write_error (stale);

      _i2a_client_dialog_finish_operation (self, text);
      return;
    }
  g_set_object (&self->plan, plan);
  apply_plan (self);
}

static void
key_saved_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(I2aClientDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  I2aClientOptions options = { 0 };
  gboolean pending;
  const char *key;

  if (!i2a_pool_flush_finish (I2A_POOL (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Translators: %s says why */
      text = g_strdup_printf (_("The new client key could not be saved: %s"), error->message);
      _i2a_client_dialog_finish_operation (self, text);
      return;
    }
  key = _i2a_client_dialog_choose_key (self, &pending);
  if (pending)
    {
      _i2a_client_dialog_finish_operation (self, _("The new client key does not reach every account; nothing was written."));
      return;
    }
  g_free (self->plan_key);
  self->plan_key = g_strdup (key);
  self->pending_key = FALSE;
  options.base_url = self->base_url;
  options.api_key = self->plan_key;
  i2a_client_plan_setup_async (self->client, self->config_path, &options, self->cancellable,
                                 replanned_cb, g_object_ref (self));
}

void
_i2a_client_dialog_apply (I2aClientDialog *self)
{
  g_autoptr(GError) error = NULL;

  if (self->busy || self->plan == NULL || !i2a_client_plan_get_changed (self->plan))
    return;
  g_clear_pointer (&self->error_text, g_free);
  self->busy = TRUE;
  _i2a_client_dialog_update (self);
  if (!self->pending_key)
    {
      apply_plan (self);
      return;
    }

  /* Like `iflow2api <client> --apply`: a key for the whole pool, saved to
   * keys.json before the client is given it. */
  {
    g_autofree char *key = i2a_pool_regenerate_client_key (self->pool, NULL, &error);

    if (key == NULL)
      {
        g_autofree char *text = g_strdup_printf (_("A client key could not be created: %s"), error->message);

        _i2a_client_dialog_finish_operation (self, text);
        return;
      }
  }
  i2a_pool_flush_async (self->pool, self->cancellable, key_saved_cb, g_object_ref (self));
}

/* ---- undo --------------------------------------------------------------- */

static void
undone_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(I2aClientDialog) self = user_data;
  I2aClientPlan *plan = I2A_CLIENT_PLAN (object);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *file = basename_of (self->config_path);

  if (!i2a_client_plan_apply_finish (plan, result, NULL, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      text = describe_write_error (error);
      _i2a_client_dialog_finish_operation (self, text);
      return;
    }
  if (*i2a_client_plan_get_new_text (plan) == '\0')
    /* Translators: %s is a file name */
    text = g_strdup_printf (_("Removed %s: it did not exist before the setup"), file);
  else
    {
      g_autofree char *backup = basename_of (i2a_client_plan_get_backup_path (plan));

      /* Translators: "Restored opencode.json from opencode.json.bak-…" */
      text = g_strdup_printf (_("Restored %s from %s"), file, backup);
    }
  _i2a_client_dialog_toast (self, text);
  _i2a_client_dialog_finish_operation (self, NULL);
}

static void
confirm_response_cb (AdwMessageDialog  *dialog,
                     const char        *response,
                     I2aClientDialog *self)
{
  g_autoptr(I2aClientPlan) plan = g_steal_pointer (&self->undo_plan);

  if (plan == NULL)
    return;
  if (!g_str_equal (response, "restore"))
    {
      self->busy = FALSE;
      _i2a_client_dialog_update (self);
      return;
    }
  i2a_client_plan_apply_async (plan, self->cancellable, undone_cb, g_object_ref (self));
}

static void
confirm_undo (I2aClientDialog *self)
{
  I2aClientPlan *plan = self->undo_plan;
  g_autofree char *file = basename_of (self->config_path);
  g_autofree char *backup = basename_of (i2a_client_plan_get_backup_path (plan));
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Restore the Previous Version?"), NULL);
  if (*i2a_client_plan_get_new_text (plan) == '\0')
    adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                    _("%s did not exist before the setup, so it is removed."), file);
  else
    adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                    _("%s goes back to the version saved in %s. "
                                      "Changes made to it since then are lost."), file, backup);
  if (*i2a_client_plan_get_diff (plan) != '\0')
    adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog),
                                        diff_view_new (i2a_client_plan_get_diff (plan)));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "restore", _("_Restore"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "restore",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (confirm_response_cb), self, 0);
  g_set_weak_pointer (&self->confirm, GTK_WINDOW (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
undo_planned_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(I2aClientDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  I2aClientPlan *plan;

  plan = i2a_client_plan_undo_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (plan == NULL)
    {
      _i2a_client_dialog_finish_operation (self, error->message);
      return;
    }
  g_clear_object (&self->undo_plan);
  self->undo_plan = plan;
  confirm_undo (self);
}

void
_i2a_client_dialog_undo (I2aClientDialog *self)
{
  if (self->busy)
    return;
  g_clear_pointer (&self->error_text, g_free);
  self->busy = TRUE;
  _i2a_client_dialog_update (self);
  i2a_client_plan_undo_async (self->client, self->config_path, self->cancellable,
                                undo_planned_cb, g_object_ref (self));
}
