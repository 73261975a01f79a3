/* i2a-add-account-dialog.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-add-account-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "i2a-account-ops.h"
#include "i2a-gui-utils.h"
#include "i2a-add-account-dialog.h"
#include "i2a-error.h"
#include "i2a-provider-preset.h"

typedef struct
{
  char     *id;
  char     *name;
  char     *base_url;   /* "" for Custom */
  char     *keys_url;   /* NULL: none */
  char     *key_hint;
  gboolean  needs_key;
} Preset;

struct _I2aAddAccountDialog
{
  AdwWindow        parent_instance;

  I2aAccountStore *store;
  I2aAccount      *account;     /* editing; NULL: adding */
  GPtrArray       *presets;     /* of Preset */
  GCancellable    *cancellable;
  char            *test_text;
  char            *error_text;
  gboolean         testing;
  gboolean         saving;
  char            *filled_url;  /* what the preset put in the fields */
  char            *filled_label;

  GtkButton       *save_button;
  GtkSpinner      *save_spinner;
  AdwToastOverlay *toast_overlay;
  AdwPreferencesGroup *login_group;
  AdwActionRow    *login_row;
  AdwPreferencesGroup *service_group;
  AdwComboRow     *preset_row;
  AdwActionRow    *hint_row;
  GtkLinkButton   *keys_link;
  AdwEntryRow     *label_row;
  AdwEntryRow     *base_url_row;
  AdwEntryRow     *key_row;
  GtkSpinButton   *limit_spin;
  AdwComboRow     *quota_window_row;
  GtkSpinButton   *quota_requests_spin;
  GtkSpinButton   *quota_tokens_spin;
  AdwActionRow    *test_row;
  GtkImage        *test_icon;
  GtkSpinner      *test_spinner;
  GtkButton       *test_button;
};

enum {
  PROP_0,
  PROP_STORE,
  PROP_ACCOUNT,
  N_PROPS
};

enum {
  SAVED,
  N_SIGNALS
};

static GParamSpec *properties [N_PROPS];
static guint signals [N_SIGNALS];

G_DEFINE_FINAL_TYPE (I2aAddAccountDialog, i2a_add_account_dialog, ADW_TYPE_WINDOW)

static void
preset_free (Preset *preset)
{
  g_free (preset->id);
  g_free (preset->name);
  g_free (preset->base_url);
  g_free (preset->keys_url);
  g_free (preset->key_hint);
  g_free (preset);
}

/* The presets resource, with the words around it in the user's language. */
static GPtrArray *
load_presets (void)
{
  GPtrArray *presets = g_ptr_array_new_with_free_func ((GDestroyNotify) preset_free);
  GListModel *list = i2a_provider_presets_get ();

  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr(I2aProviderPreset) item = g_list_model_get_item (list, i);
      const char *hint = i2a_provider_preset_get_key_hint (item);
      Preset *preset = g_new0 (Preset, 1);

      preset->id = g_strdup (i2a_provider_preset_get_id (item));
      preset->base_url = g_strdup (i2a_provider_preset_get_base_url (item));
      preset->keys_url = g_strdup (i2a_provider_preset_get_key_url (item));
      preset->needs_key = i2a_provider_preset_get_needs_key (item);
      if (*preset->base_url == '\0')
        {
          preset->name = g_strdup (_("Custom"));
          preset->key_hint = g_strdup (_("Any server that speaks the OpenAI chat API"));
        }
      else
        {
          preset->name = g_strdup (i2a_provider_preset_get_name (item));
          if (i2a_provider_preset_get_local (item))
            preset->key_hint = g_strdup (_("Runs on this computer: no key needed"));
          else if (hint != NULL)
            /* Translators: %s is the start of a key, such as sk-… */
            preset->key_hint = g_strdup_printf (_("Keys look like %s"), hint);
          else
            preset->key_hint = g_strdup (_("Make a key on the service’s website"));
        }
      g_ptr_array_add (presets, preset);
    }
  return presets;
}

static const Preset *
selected_preset (I2aAddAccountDialog *self)
{
  guint i = adw_combo_row_get_selected (self->preset_row);

  return i < self->presets->len ? self->presets->pdata[i] : NULL;
}

static gboolean
needs_key (I2aAddAccountDialog *self)
{
  const Preset *preset = selected_preset (self);

  /* Editing keeps the stored key when the field is left empty. */
  return self->account == NULL && preset != NULL && preset->needs_key;
}

static char *
dup_base_url (I2aAddAccountDialog *self)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->base_url_row))));
}

static void
update_sensitivity (I2aAddAccountDialog *self)
{
  g_autofree char *url = dup_base_url (self);
  const char *key = gtk_editable_get_text (GTK_EDITABLE (self->key_row));
  gboolean url_ok = i2a_account_ops_is_base_url (url);
  gboolean busy = self->testing || self->saving;

  gtk_widget_set_sensitive (GTK_WIDGET (self->test_button), url_ok && !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->save_button),
                            url_ok && !busy && (*key != '\0' || !needs_key (self)));
  if (self->saving)
    gtk_spinner_start (self->save_spinner);
  else
    gtk_spinner_stop (self->save_spinner);
  if (self->testing)
    gtk_spinner_start (self->test_spinner);
  else
    gtk_spinner_stop (self->test_spinner);
}

static void
set_test_result (I2aAddAccountDialog *self,
                 const char          *text,
                 const char          *icon,
                 const char          *css_class)
{
  g_free (self->test_text);
  self->test_text = g_strdup (text);
  adw_action_row_set_subtitle (self->test_row, text);
  gtk_image_set_from_icon_name (self->test_icon, icon);
  gtk_widget_remove_css_class (GTK_WIDGET (self->test_icon), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->test_icon), "error");
  if (css_class != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->test_icon), css_class);
}

static void
fields_changed_cb (I2aAddAccountDialog *self)
{
  /* A result says nothing about other fields. */
  if (self->test_text != NULL && !self->testing)
    {
      set_test_result (self, _("Lists the service’s models with this key. Nothing is saved."),
                       "network-transmit-receive-symbolic", NULL);
      g_clear_pointer (&self->test_text, g_free);
    }
  update_sensitivity (self);
}

/* Fill a field from the preset unless the user typed something else. */
static void
fill_field (AdwEntryRow  *row,
            char        **filled,
            const char   *value)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (row));

  if (*text == '\0' || g_strcmp0 (text, *filled) == 0)
    gtk_editable_set_text (GTK_EDITABLE (row), value);
  g_free (*filled);
  *filled = g_strdup (value);
}

static void
preset_selected_cb (I2aAddAccountDialog *self)
{
  const Preset *preset = selected_preset (self);
  gboolean custom;

  if (preset == NULL)
    return;
  custom = *preset->base_url == '\0';
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->preset_row),
                               custom ? _("Type the base URL below") : preset->base_url);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->hint_row),
                                 preset->needs_key ? _("API Keys") : _("No Key Needed"));
  adw_action_row_set_subtitle (self->hint_row, preset->key_hint ? preset->key_hint : "");
  gtk_widget_set_visible (GTK_WIDGET (self->keys_link), preset->keys_url != NULL);
  if (preset->keys_url != NULL)
    gtk_link_button_set_uri (self->keys_link, preset->keys_url);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->key_row),
                                 preset->needs_key ? _("API Key") : _("API Key (Optional)"));
  if (self->account == NULL)
    {
      fill_field (self->base_url_row, &self->filled_url, preset->base_url);
      fill_field (self->label_row, &self->filled_label, custom ? "" : preset->name);
    }
  update_sensitivity (self);
}

static void
test_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(I2aAddAccountDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  gint n;

  n = i2a_account_ops_test_connection_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->testing = FALSE;
  if (error != NULL)
    set_test_result (self, error->message, "dialog-error-symbolic", "error");
  else
    {
      /* Translators: the result of the connection test */
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d model", "%d models", n), n);
      set_test_result (self, text, "emblem-ok-symbolic", "success");
    }
  update_sensitivity (self);
}

static const char *
key_for_test (I2aAddAccountDialog *self)
{
  const char *key = gtk_editable_get_text (GTK_EDITABLE (self->key_row));

  if (*key == '\0' && self->account != NULL)
    return i2a_account_get_api_key (self->account);
  return key;
}

static void
test_clicked_cb (I2aAddAccountDialog *self)
{
  g_autofree char *url = dup_base_url (self);

  if (!i2a_account_ops_is_base_url (url) || self->testing)
    return;
  self->testing = TRUE;
  set_test_result (self, _("Testing…"), "network-transmit-receive-symbolic", NULL);
  update_sensitivity (self);
  i2a_account_ops_test_connection_async (url, key_for_test (self), self->cancellable,
                                         test_done_cb, g_object_ref (self));
}

static void
saved_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(I2aAddAccountDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(I2aAccount) account = NULL;

  account = i2a_account_ops_save_api_account_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->saving = FALSE;
  update_sensitivity (self);
  if (account == NULL)
    {
      g_free (self->error_text);
      self->error_text = g_strdup (error->message);
      i2a_gui_toast (self->toast_overlay, error->message);
      return;
    }
  g_signal_emit (self, signals[SAVED], 0, account, self->account == NULL);
  gtk_window_close (GTK_WINDOW (self));
}

/* The quota window choices of the dialog; a window set by hand in
 * keys.json to something else shows as a fifth choice and is kept. */
static const char *const quota_windows[] = { NULL, "5h", "1d", "7d" };

static const char *
quota_window (I2aAddAccountDialog *self)
{
  guint selected = adw_combo_row_get_selected (self->quota_window_row);
  GListModel *model = adw_combo_row_get_model (self->quota_window_row);

  if (selected < G_N_ELEMENTS (quota_windows))
    return quota_windows[selected];
  if (selected < g_list_model_get_n_items (model))
    return gtk_string_list_get_string (GTK_STRING_LIST (model), selected);
  return NULL;
}

static void
fill_quota (I2aAddAccountDialog *self)
{
  I2aPool *pool = i2a_account_store_get_pool (self->store);
  const I2aKeysAccount *entry = i2a_keys_config_lookup_account (i2a_pool_get_config (pool),
                                                                i2a_account_get_id (self->account));
  g_autofree char *text = NULL;
  gint64 ms;

  if (entry == NULL || entry->quota.window_ms == 0)
    return;
  ms = entry->quota.window_ms;
  gtk_spin_button_set_value (self->quota_requests_spin, (double) entry->quota.requests);
  gtk_spin_button_set_value (self->quota_tokens_spin, (double) entry->quota.tokens);
  if (ms % (24 * 3600 * 1000) == 0)
    text = g_strdup_printf ("%" G_GINT64_FORMAT "d", ms / (24 * 3600 * 1000));
  else if (ms % (3600 * 1000) == 0)
    text = g_strdup_printf ("%" G_GINT64_FORMAT "h", ms / (3600 * 1000));
  else if (ms % (60 * 1000) == 0)
    text = g_strdup_printf ("%" G_GINT64_FORMAT "m", ms / (60 * 1000));
  else
    text = g_strdup_printf ("%" G_GINT64_FORMAT "s", ms / 1000);
  for (guint i = 1; i < G_N_ELEMENTS (quota_windows); i++)
    if (g_str_equal (text, quota_windows[i]))
      {
        adw_combo_row_set_selected (self->quota_window_row, i);
        return;
      }
  gtk_string_list_append (GTK_STRING_LIST (adw_combo_row_get_model (self->quota_window_row)), text);
  adw_combo_row_set_selected (self->quota_window_row, G_N_ELEMENTS (quota_windows));
}

static void
save_clicked_cb (I2aAddAccountDialog *self)
{
  g_autofree char *url = dup_base_url (self);
  g_autofree char *label = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->label_row))));
  const Preset *preset = selected_preset (self);
  I2aApiAccountFields fields = { 0 };

  if (!gtk_widget_get_sensitive (GTK_WIDGET (self->save_button)))
    return;
  g_clear_pointer (&self->error_text, g_free);
  fields.preset_id = preset != NULL && *preset->base_url != '\0' ? preset->id : NULL;
  fields.label = *label != '\0' ? label : NULL;
  fields.base_url = url;
  fields.api_key = gtk_editable_get_text (GTK_EDITABLE (self->key_row));
  fields.max_concurrency = (guint) gtk_spin_button_get_value_as_int (self->limit_spin);
  fields.quota_window = quota_window (self);
  fields.quota_requests = (gint64) gtk_spin_button_get_value (self->quota_requests_spin);
  fields.quota_tokens = (gint64) gtk_spin_button_get_value (self->quota_tokens_spin);
  self->saving = TRUE;
  update_sensitivity (self);
  i2a_account_ops_save_api_account_async (self->store, self->account, &fields, self->cancellable,
                                          saved_cb, g_object_ref (self));
}

static void
login_activated_cb (I2aAddAccountDialog *self)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));

  gtk_window_close (GTK_WINDOW (self));
  if (parent != NULL)
    gtk_widget_activate_action (GTK_WIDGET (parent), "app.login", NULL);
}

static void
fill_from_account (I2aAddAccountDialog *self)
{
  const char *label = i2a_account_get_label (self->account);

  gtk_window_set_title (GTK_WINDOW (self), _("Edit Account"));
  gtk_button_set_label (self->save_button, _("_Save"));
  gtk_widget_set_visible (GTK_WIDGET (self->login_group), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->service_group), FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->label_row), label ? label : "");
  gtk_editable_set_text (GTK_EDITABLE (self->base_url_row), i2a_account_get_base_url (self->account));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->key_row),
                                 _("New API Key (Empty: Keep the Current One)"));
  gtk_spin_button_set_value (self->limit_spin, i2a_account_get_max_concurrency (self->account));
  fill_quota (self);
}

static void
i2a_add_account_dialog_constructed (GObject *object)
{
  I2aAddAccountDialog *self = I2A_ADD_ACCOUNT_DIALOG (object);
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);

  G_OBJECT_CLASS (i2a_add_account_dialog_parent_class)->constructed (object);

  for (guint i = 0; i < self->presets->len; i++)
    gtk_string_list_append (names, ((Preset *) self->presets->pdata[i])->name);
  adw_combo_row_set_model (self->preset_row, G_LIST_MODEL (names));
  if (self->account != NULL)
    fill_from_account (self);
  else
    preset_selected_cb (self);
  update_sensitivity (self);
}

static gboolean
i2a_add_account_dialog_close_request (GtkWindow *window)
{
  I2aAddAccountDialog *self = I2A_ADD_ACCOUNT_DIALOG (window);

  g_cancellable_cancel (self->cancellable);
  return GTK_WINDOW_CLASS (i2a_add_account_dialog_parent_class)->close_request (window);
}

static void
i2a_add_account_dialog_dispose (GObject *object)
{
  I2aAddAccountDialog *self = I2A_ADD_ACCOUNT_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_object (&self->account);

  G_OBJECT_CLASS (i2a_add_account_dialog_parent_class)->dispose (object);
}

static void
i2a_add_account_dialog_finalize (GObject *object)
{
  I2aAddAccountDialog *self = I2A_ADD_ACCOUNT_DIALOG (object);

  g_ptr_array_unref (self->presets);
  g_free (self->test_text);
  g_free (self->error_text);
  g_free (self->filled_url);
  g_free (self->filled_label);

  G_OBJECT_CLASS (i2a_add_account_dialog_parent_class)->finalize (object);
}

static void
i2a_add_account_dialog_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  I2aAddAccountDialog *self = I2A_ADD_ACCOUNT_DIALOG (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    case PROP_ACCOUNT:
      self->account = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
i2a_add_account_dialog_class_init (I2aAddAccountDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = i2a_add_account_dialog_constructed;
  object_class->dispose = i2a_add_account_dialog_dispose;
  object_class->finalize = i2a_add_account_dialog_finalize;
  object_class->set_property = i2a_add_account_dialog_set_property;
  window_class->close_request = i2a_add_account_dialog_close_request;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, I2A_TYPE_ACCOUNT_STORE,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ACCOUNT] =
    g_param_spec_object ("account", NULL, NULL, I2A_TYPE_ACCOUNT,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* (account, created) */
  signals[SAVED] =
    g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, I2A_TYPE_ACCOUNT, G_TYPE_BOOLEAN);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/iflow2api/Iflow2Api/ui/i2a-add-account-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, I2aAddAccountDialog, save_button);
  gtk_widget_class_bind_template_child (widget_class, I2aAddAccountDialog, save_spinner);
  gtk_widget_class_bind_template_child (widget_class, I2aAddAccountDialog, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, I2aAddAccountDialog, login_group);
  gtk_widget_class_bind_template_child (widget_class, I2aAddAccountDialog, login_row);
  gtk_widget_class_bind_template_child (widget_class, I2aAddAccountDialog, service_group);
  gtk_widget_class_bind_template_child (widget_class, I2aAddAccountDialog, preset_row);
  gtk_widget_class_bind_template_child (widget_class, I2aAddAccountDialog, hint_row);
  gtk_widget_class_bind_template_child (widget_class, I2aAddAccountDialog, keys_link);
  gtk_widget_class_bind_template_child (widget_class, I2aAddAccountDialog, label_row);
  gtk_widget_class_bind_template_child (widget_class, I2aAddAccountDialog, base_url_row);
  gtk_widget_class_bind_template_child (widget_class, I2aAddAccountDialog, key_row);
  gtk_widget_class_bind_template_child (widget_class, I2aAddAccountDialog, limit_spin);
  gtk_widget_class_bind_template_child (widget_class, I2aAddAccountDialog, quota_window_row);
  gtk_widget_class_bind_template_child (widget_class, I2aAddAccountDialog, quota_requests_spin);
  gtk_widget_class_bind_template_child (widget_class, I2aAddAccountDialog, quota_tokens_spin);
  gtk_widget_class_bind_template_child (widget_class, I2aAddAccountDialog, test_row);
  gtk_widget_class_bind_template_child (widget_class, I2aAddAccountDialog, test_icon);
  gtk_widget_class_bind_template_child (widget_class, I2aAddAccountDialog, test_spinner);
  gtk_widget_class_bind_template_child (widget_class, I2aAddAccountDialog, test_button);
  gtk_widget_class_bind_template_callback (widget_class, save_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, test_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, fields_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, preset_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, login_activated_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
i2a_add_account_dialog_init (I2aAddAccountDialog *self)
{
  self->presets = load_presets ();
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
i2a_add_account_dialog_new (GtkWindow       *parent,
                            I2aAccountStore *store,
                            I2aAccount      *account)
{
  g_return_val_if_fail (I2A_IS_ACCOUNT_STORE (store), NULL);
  g_return_val_if_fail (account == NULL || I2A_IS_ACCOUNT (account), NULL);

  return g_object_new (I2A_TYPE_ADD_ACCOUNT_DIALOG,
                       "transient-for", parent,
                       "store", store,
                       "account", account,
                       NULL);
}

gboolean
i2a_add_account_dialog_select_preset (I2aAddAccountDialog *self,
                                      const char          *id)
{
  g_return_val_if_fail (I2A_IS_ADD_ACCOUNT_DIALOG (self), FALSE);

  for (guint i = 0; i < self->presets->len; i++)
    if (g_strcmp0 (((Preset *) self->presets->pdata[i])->id, id) == 0)
      {
        adw_combo_row_set_selected (self->preset_row, i);
        return TRUE;
      }
  return FALSE;
}

const char *
i2a_add_account_dialog_get_test_text (I2aAddAccountDialog *self)
{
  g_return_val_if_fail (I2A_IS_ADD_ACCOUNT_DIALOG (self), NULL);

  return self->test_text;
}

const char *
i2a_add_account_dialog_get_error_text (I2aAddAccountDialog *self)
{
  g_return_val_if_fail (I2A_IS_ADD_ACCOUNT_DIALOG (self), NULL);

  return self->error_text;
}

gboolean
i2a_add_account_dialog_is_busy (I2aAddAccountDialog *self)
{
  g_return_val_if_fail (I2A_IS_ADD_ACCOUNT_DIALOG (self), FALSE);

  return self->testing || self->saving;
}
