#define G_LOG_DOMAIN "i2a-opencode-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "i2a-client-key.h"
#include "i2a-opencode-dialog.h"
#include "i2a-opencode.h"
#include "i2a-util.h"

struct _I2aOpencodeDialog
{
  AdwWindow        parent_instance;

  I2aPool         *pool;
  char            *base_url;
  char            *config_path;
  GCancellable    *cancellable;

  I2aOpencodePlan *plan;            /* the setup preview, NULL after an error */
  char            *plan_key;        /* the apiKey it holds (a secret) */
  gboolean         pending_key;     /* Apply must create a client key first */
  I2aOpencodePlan *undo_plan;       /* while the confirmation is open */
  char            *newest_backup;
  char            *diff_text;
  char            *error_text;
  char            *last_toast;
  gboolean         busy;
  gboolean         waiting_for_pool;
  gboolean         keep_error;      /* the next preview keeps error_text */
  GtkWindow       *confirm;         /* weak */

  AdwToastOverlay *toast_overlay;
  GtkButton       *cancel_button;
  GtkButton       *apply_button;
  GtkSpinner      *spinner;
  AdwActionRow    *path_row;
  AdwActionRow    *server_row;
  AdwActionRow    *key_row;
  AdwActionRow    *undo_row;
  GtkButton       *undo_button;
  GtkWidget       *error_box;
  GtkLabel        *error_label;
  GtkLabel        *status_label;
  GtkWidget       *diff_scroll;
  GtkBox          *diff_box;
};

enum {
  PROP_0,
  PROP_POOL,
  PROP_BASE_URL,
  PROP_CONFIG_PATH,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

G_DEFINE_FINAL_TYPE (I2aOpencodeDialog, i2a_opencode_dialog, ADW_TYPE_WINDOW)

static void start_preview (I2aOpencodeDialog *self);

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

/* The apiKey OpenCode should send; *pending when a key must be made. */
static const char *
choose_key (I2aOpencodeDialog *self,
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
  return I2A_OPENCODE_PENDING_KEY;
}

static gboolean
key_changed (I2aOpencodeDialog *self)
{
  gboolean pending;
  const char *key = choose_key (self, &pending);

  return pending != self->pending_key || g_strcmp0 (key, self->plan_key) != 0;
}

static void
toast (I2aOpencodeDialog *self,
       const char        *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  g_free (self->last_toast);
  self->last_toast = g_strdup (text);
  /* Toast titles are markup. */
  if (self->toast_overlay != NULL)
    adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (escaped));
}

static void
set_error (I2aOpencodeDialog *self,
           const char        *text)
{
  g_free (self->error_text);
  self->error_text = g_strdup (text);
}

/* One label per line, classed for the colours: the same view in the
 * dialog and in the undo confirmation. */
static void
fill_diff (GtkBox     *box,
           const char *diff)
{
  g_auto(GStrv) lines = g_strsplit (diff, "\n", -1);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (box))) != NULL)
    gtk_box_remove (box, child);
  for (guint i = 0; lines[i] != NULL && (lines[i][0] != '\0' || lines[i + 1] != NULL); i++)
    {
      const char *line = lines[i];
      GtkWidget *label = gtk_label_new (line);

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      if (g_str_has_prefix (line, "+++") || g_str_has_prefix (line, "---"))
        gtk_widget_add_css_class (label, "i2a-diff-header");
      else if (line[0] == '+')
        gtk_widget_add_css_class (label, "i2a-diff-added");
      else if (line[0] == '-')
        gtk_widget_add_css_class (label, "i2a-diff-removed");
      else if (line[0] == '@')
        gtk_widget_add_css_class (label, "i2a-diff-hunk");
      gtk_box_append (box, label);
    }
}

static GtkWidget *
diff_view_new (const char *diff)
{
  GtkWidget *scroll = gtk_scrolled_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

  gtk_widget_add_css_class (box, "i2a-diff");
  gtk_widget_add_css_class (box, "monospace");
  gtk_widget_add_css_class (scroll, "card");
  fill_diff (GTK_BOX (box), diff);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroll), box);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroll), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroll), 320);
  gtk_widget_set_size_request (scroll, 420, -1);
  return scroll;
}

static char *
basename_of (const char *path)
{
  return path ? g_path_get_basename (path) : NULL;
}

/* ---- showing the state -------------------------------------------------- */

static void
update (I2aOpencodeDialog *self)
{
  gboolean changed = self->plan != NULL && i2a_opencode_plan_get_changed (self->plan);
  const char *diff = changed ? i2a_opencode_plan_get_diff (self->plan) : "";
  const char *status = NULL;

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
  else if (g_str_equal (self->plan_key, I2A_CLIENT_KEY_NO_AUTH))
    {
      /* Translators: %s is a fixed placeholder key, not a secret */
      g_autofree char *text = g_strdup_printf (_("Client keys are off, so any key works; OpenCode gets “%s”"),
                                               I2A_CLIENT_KEY_NO_AUTH);

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
      fill_diff (self->diff_box, diff);
    }
  gtk_widget_set_visible (self->diff_scroll, *diff != '\0');

  if (self->plan == NULL)
    status = self->busy && self->error_text == NULL ? _("Reading the config file…") : NULL;
  else if (!changed)
    status = _("OpenCode already uses iflow2api at this address. Nothing to change.");
  else if (!i2a_opencode_plan_get_file_exists (self->plan))
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
      g_autofree char *name = basename_of (self->newest_backup);
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
  g_autoptr(I2aOpencodeDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) backups = NULL;

  backups = i2a_opencode_list_backups_finish (result, &error);
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
  update (self);
}

static void
previewed_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(I2aOpencodeDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  I2aOpencodePlan *plan;

  plan = i2a_opencode_plan_setup_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->plan);
  self->plan = plan;
  if (plan == NULL)
    set_error (self, error->message);
  i2a_opencode_list_backups_async (self->config_path, self->cancellable,
                                   backups_listed_cb, g_object_ref (self));
}

static void
start_preview (I2aOpencodeDialog *self)
{
  I2aOpencodeOptions options = { 0 };
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
      update (self);
      return;
    }

  key = choose_key (self, &self->pending_key);
  g_free (self->plan_key);
  self->plan_key = g_strdup (key);
  update (self);

  options.base_url = self->base_url;
  options.api_key = self->plan_key;
  i2a_opencode_plan_setup_async (self->config_path, &options, self->cancellable,
                                 previewed_cb, g_object_ref (self));
}

void
i2a_opencode_dialog_refresh (I2aOpencodeDialog *self)
{
  g_return_if_fail (I2A_IS_OPENCODE_DIALOG (self));

  /* Whatever runs now ends with a preview anyway. */
  if (self->busy)
    return;
  start_preview (self);
}

/* After an operation: the file as it is now, keeping any error shown. */
static void
finish_operation (I2aOpencodeDialog *self,
                  const char        *error_text)
{
  if (error_text != NULL)
    {
      set_error (self, error_text);
      self->keep_error = TRUE;
    }
  start_preview (self);
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

static void
pool_loaded_cb (I2aOpencodeDialog *self)
{
  if (!self->waiting_for_pool || !i2a_pool_is_loaded (self->pool))
    return;
  self->waiting_for_pool = FALSE;
  start_preview (self);
}

static void
config_reloaded_cb (I2aOpencodeDialog *self)
{
  /* A key made, replaced or routed elsewhere in the main window. */
  if (!self->busy && key_changed (self))
    start_preview (self);
}

/* ---- apply -------------------------------------------------------------- */

static void
applied_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(I2aOpencodeDialog) self = user_data;
  I2aOpencodePlan *plan = I2A_OPENCODE_PLAN (object);
  g_autoptr(GError) error = NULL;
  g_autofree char *backup = NULL;
  g_autofree char *text = NULL;

  if (!i2a_opencode_plan_apply_finish (plan, result, &backup, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      text = describe_write_error (error);
      finish_operation (self, text);
      return;
    }
  if (backup != NULL)
    {
      g_autofree char *name = basename_of (backup);

      /* Translators: %s is a backup file name */
      text = g_strdup_printf (_("OpenCode is set up. Backup: %s"), name);
    }
  else
    text = g_strdup (_("OpenCode is set up"));
  toast (self, text);
  finish_operation (self, NULL);
}

static void
apply_plan (I2aOpencodeDialog *self)
{
  i2a_opencode_plan_apply_async (self->plan, self->cancellable, applied_cb, g_object_ref (self));
}

static void
replanned_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(I2aOpencodeDialog) self = user_data;
  g_autoptr(I2aOpencodePlan) plan = NULL;
  g_autoptr(GError) error = NULL;

  plan = i2a_opencode_plan_setup_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (plan == NULL)
    {
      finish_operation (self, error->message);
      return;
    }
  /* Only what the preview showed gets written. */
  if (self->plan == NULL ||
      g_strcmp0 (i2a_opencode_plan_get_old_text (plan), i2a_opencode_plan_get_old_text (self->plan)) != 0)
    {
      g_autoptr(GError) stale = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_WRONG_ETAG, "");
      g_autofree char *text = describe_write_error (stale);

      finish_operation (self, text);
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
  g_autoptr(I2aOpencodeDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  I2aOpencodeOptions options = { 0 };
  gboolean pending;
  const char *key;

  if (!i2a_pool_flush_finish (I2A_POOL (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Translators: %s says why */
      text = g_strdup_printf (_("The new client key could not be saved: %s"), error->message);
      finish_operation (self, text);
      return;
    }
  key = choose_key (self, &pending);
  if (pending)
    {
      finish_operation (self, _("The new client key does not reach every account; nothing was written."));
      return;
    }
  g_free (self->plan_key);
  self->plan_key = g_strdup (key);
  self->pending_key = FALSE;
  options.base_url = self->base_url;
  options.api_key = self->plan_key;
  i2a_opencode_plan_setup_async (self->config_path, &options, self->cancellable,
                                 replanned_cb, g_object_ref (self));
}

static void
apply_clicked_cb (I2aOpencodeDialog *self)
{
  g_autoptr(GError) error = NULL;

  if (self->busy || self->plan == NULL || !i2a_opencode_plan_get_changed (self->plan))
    return;
  g_clear_pointer (&self->error_text, g_free);
  self->busy = TRUE;
  update (self);
  if (!self->pending_key)
    {
      apply_plan (self);
      return;
    }

  /* Like `iflow2api opencode --apply`: a key for the whole pool, saved to
   * keys.json before OpenCode is given it. */
  {
    g_autofree char *key = i2a_pool_regenerate_client_key (self->pool, NULL, &error);

    if (key == NULL)
      {
        g_autofree char *text = g_strdup_printf (_("A client key could not be created: %s"), error->message);

        finish_operation (self, text);
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
  g_autoptr(I2aOpencodeDialog) self = user_data;
  I2aOpencodePlan *plan = I2A_OPENCODE_PLAN (object);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *file = basename_of (self->config_path);

  if (!i2a_opencode_plan_apply_finish (plan, result, NULL, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      text = describe_write_error (error);
      finish_operation (self, text);
      return;
    }
  if (*i2a_opencode_plan_get_new_text (plan) == '\0')
    /* Translators: %s is a file name */
    text = g_strdup_printf (_("Removed %s: it did not exist before the setup"), file);
  else
    {
      g_autofree char *backup = basename_of (i2a_opencode_plan_get_backup_path (plan));

      /* Translators: "Restored opencode.json from opencode.json.bak-…" */
      text = g_strdup_printf (_("Restored %s from %s"), file, backup);
    }
  toast (self, text);
  finish_operation (self, NULL);
}

static void
confirm_response_cb (AdwMessageDialog  *dialog,
                     const char        *response,
                     I2aOpencodeDialog *self)
{
  g_autoptr(I2aOpencodePlan) plan = g_steal_pointer (&self->undo_plan);

  if (plan == NULL)
    return;
  if (!g_str_equal (response, "restore"))
    {
      self->busy = FALSE;
      update (self);
      return;
    }
  i2a_opencode_plan_apply_async (plan, self->cancellable, undone_cb, g_object_ref (self));
}

static void
confirm_undo (I2aOpencodeDialog *self)
{
  I2aOpencodePlan *plan = self->undo_plan;
  g_autofree char *file = basename_of (self->config_path);
  g_autofree char *backup = basename_of (i2a_opencode_plan_get_backup_path (plan));
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Restore the Previous Version?"), NULL);
  if (*i2a_opencode_plan_get_new_text (plan) == '\0')
    adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                    _("%s did not exist before the setup, so it is removed."), file);
  else
    adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                    _("%s goes back to the version saved in %s. "
                                      "Changes made to it since then are lost."), file, backup);
  if (*i2a_opencode_plan_get_diff (plan) != '\0')
    adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog),
                                        diff_view_new (i2a_opencode_plan_get_diff (plan)));
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
  g_autoptr(I2aOpencodeDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  I2aOpencodePlan *plan;

  plan = i2a_opencode_plan_undo_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (plan == NULL)
    {
      finish_operation (self, error->message);
      return;
    }
  g_clear_object (&self->undo_plan);
  self->undo_plan = plan;
  confirm_undo (self);
}

static void
undo_clicked_cb (I2aOpencodeDialog *self)
{
  if (self->busy)
    return;
  g_clear_pointer (&self->error_text, g_free);
  self->busy = TRUE;
  update (self);
  i2a_opencode_plan_undo_async (self->config_path, self->cancellable,
                                undo_planned_cb, g_object_ref (self));
}

/* ---- GObject ------------------------------------------------------------ */

static void
i2a_opencode_dialog_constructed (GObject *object)
{
  I2aOpencodeDialog *self = I2A_OPENCODE_DIALOG (object);

  G_OBJECT_CLASS (i2a_opencode_dialog_parent_class)->constructed (object);

  g_return_if_fail (I2A_IS_POOL (self->pool));
  if (self->config_path == NULL)
    self->config_path = i2a_opencode_default_config_path ();
  if (self->base_url == NULL)
    self->base_url = g_strdup ("http://127.0.0.1:8000/v1");
  adw_action_row_set_subtitle (self->path_row, self->config_path);
  adw_action_row_set_subtitle (self->server_row, self->base_url);
  g_signal_connect_object (self->pool, "notify::loaded", G_CALLBACK (pool_loaded_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->pool, "config-reloaded", G_CALLBACK (config_reloaded_cb),
                           self, G_CONNECT_SWAPPED);
  start_preview (self);
}

static gboolean
i2a_opencode_dialog_close_request (GtkWindow *window)
{
  I2aOpencodeDialog *self = I2A_OPENCODE_DIALOG (window);

  g_cancellable_cancel (self->cancellable);
  return GTK_WINDOW_CLASS (i2a_opencode_dialog_parent_class)->close_request (window);
}

static void
i2a_opencode_dialog_dispose (GObject *object)
{
  I2aOpencodeDialog *self = I2A_OPENCODE_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  if (self->confirm != NULL)
    gtk_window_destroy (self->confirm);
  g_clear_weak_pointer (&self->confirm);
  gtk_widget_dispose_template (GTK_WIDGET (self), I2A_TYPE_OPENCODE_DIALOG);
  g_clear_object (&self->plan);
  g_clear_object (&self->undo_plan);
  g_clear_object (&self->pool);

  G_OBJECT_CLASS (i2a_opencode_dialog_parent_class)->dispose (object);
}

static void
i2a_opencode_dialog_finalize (GObject *object)
{
  I2aOpencodeDialog *self = I2A_OPENCODE_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_free (self->base_url);
  g_free (self->config_path);
  g_free (self->plan_key);
  g_free (self->newest_backup);
  g_free (self->diff_text);
  g_free (self->error_text);
  g_free (self->last_toast);

  G_OBJECT_CLASS (i2a_opencode_dialog_parent_class)->finalize (object);
}

static void
i2a_opencode_dialog_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  I2aOpencodeDialog *self = I2A_OPENCODE_DIALOG (object);

  switch (prop_id)
    {
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
  gtk_css_provider_load_from_resource (provider, "/io/github/iflow2api/Iflow2Api/ui/i2a-opencode-dialog.css");
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

static void
i2a_opencode_dialog_class_init (I2aOpencodeDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = i2a_opencode_dialog_constructed;
  object_class->dispose = i2a_opencode_dialog_dispose;
  object_class->finalize = i2a_opencode_dialog_finalize;
  object_class->set_property = i2a_opencode_dialog_set_property;
  window_class->close_request = i2a_opencode_dialog_close_request;

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

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/iflow2api/Iflow2Api/ui/i2a-opencode-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, I2aOpencodeDialog, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, I2aOpencodeDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, I2aOpencodeDialog, apply_button);
  gtk_widget_class_bind_template_child (widget_class, I2aOpencodeDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, I2aOpencodeDialog, path_row);
  gtk_widget_class_bind_template_child (widget_class, I2aOpencodeDialog, server_row);
  gtk_widget_class_bind_template_child (widget_class, I2aOpencodeDialog, key_row);
  gtk_widget_class_bind_template_child (widget_class, I2aOpencodeDialog, undo_row);
  gtk_widget_class_bind_template_child (widget_class, I2aOpencodeDialog, undo_button);
  gtk_widget_class_bind_template_child (widget_class, I2aOpencodeDialog, error_box);
  gtk_widget_class_bind_template_child (widget_class, I2aOpencodeDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, I2aOpencodeDialog, status_label);
  gtk_widget_class_bind_template_child (widget_class, I2aOpencodeDialog, diff_scroll);
  gtk_widget_class_bind_template_child (widget_class, I2aOpencodeDialog, diff_box);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
i2a_opencode_dialog_init (I2aOpencodeDialog *self)
{
  load_css ();
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();

  g_signal_connect_swapped (self->apply_button, "clicked", G_CALLBACK (apply_clicked_cb), self);
  g_signal_connect_swapped (self->undo_button, "clicked", G_CALLBACK (undo_clicked_cb), self);
}

GtkWidget *
i2a_opencode_dialog_new (GtkWindow  *parent,
                         I2aPool    *pool,
                         const char *base_url,
                         const char *config_path)
{
  g_return_val_if_fail (I2A_IS_POOL (pool), NULL);

  return g_object_new (I2A_TYPE_OPENCODE_DIALOG,
                       "transient-for", parent,
                       "pool", pool,
                       "base-url", base_url,
                       "config-path", config_path,
                       NULL);
}

/* ---- for tests ---------------------------------------------------------- */

const char *
i2a_opencode_dialog_get_config_path (I2aOpencodeDialog *self)
{
  g_return_val_if_fail (I2A_IS_OPENCODE_DIALOG (self), NULL);
  return self->config_path;
}

const char *
i2a_opencode_dialog_get_base_url (I2aOpencodeDialog *self)
{
  g_return_val_if_fail (I2A_IS_OPENCODE_DIALOG (self), NULL);
  return self->base_url;
}

gboolean
i2a_opencode_dialog_get_busy (I2aOpencodeDialog *self)
{
  g_return_val_if_fail (I2A_IS_OPENCODE_DIALOG (self), FALSE);
  return self->busy;
}

const char *
i2a_opencode_dialog_get_diff_text (I2aOpencodeDialog *self)
{
  g_return_val_if_fail (I2A_IS_OPENCODE_DIALOG (self), NULL);
  return self->diff_text ? self->diff_text : "";
}

GtkWidget *
i2a_opencode_dialog_get_diff_view (I2aOpencodeDialog *self)
{
  g_return_val_if_fail (I2A_IS_OPENCODE_DIALOG (self), NULL);
  return GTK_WIDGET (self->diff_box);
}

const char *
i2a_opencode_dialog_get_error_text (I2aOpencodeDialog *self)
{
  g_return_val_if_fail (I2A_IS_OPENCODE_DIALOG (self), NULL);
  return self->error_text;
}

const char *
i2a_opencode_dialog_get_last_toast (I2aOpencodeDialog *self)
{
  g_return_val_if_fail (I2A_IS_OPENCODE_DIALOG (self), NULL);
  return self->last_toast;
}

GtkWidget *
i2a_opencode_dialog_get_apply_button (I2aOpencodeDialog *self)
{
  g_return_val_if_fail (I2A_IS_OPENCODE_DIALOG (self), NULL);
  return GTK_WIDGET (self->apply_button);
}

GtkWidget *
i2a_opencode_dialog_get_undo_button (I2aOpencodeDialog *self)
{
  g_return_val_if_fail (I2A_IS_OPENCODE_DIALOG (self), NULL);
  return GTK_WIDGET (self->undo_button);
}

GtkWindow *
i2a_opencode_dialog_get_confirm_dialog (I2aOpencodeDialog *self)
{
  g_return_val_if_fail (I2A_IS_OPENCODE_DIALOG (self), NULL);
  return self->confirm;
}
