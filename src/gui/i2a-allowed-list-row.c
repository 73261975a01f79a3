/* i2a-allowed-list-row.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-allowed-list-row"

#include "config.h"

#include <glib/gi18n.h>

#include "i2a-allowed-list-row.h"
#include "i2a-gate.h"

struct _I2aAllowedListRow
{
  AdwExpanderRow  parent_instance;

  GSettings      *settings;
  char           *key;
  gboolean        hosts;      /* host names, not origins */
  AdwEntryRow    *entry_row;
  GPtrArray      *rows;       /* one AdwActionRow per entry */
};

G_DEFINE_FINAL_TYPE (I2aAllowedListRow, i2a_allowed_list_row, ADW_TYPE_EXPANDER_ROW)

static void
show_toast (I2aAllowedListRow *self,
            const char        *text)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  if (ADW_IS_PREFERENCES_WINDOW (root))
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (root), adw_toast_new (escaped));
}

static void
set_values (I2aAllowedListRow  *self,
            const char *const  *values)
{
  g_settings_set_strv (self->settings, self->key, values);
}

static void
remove_clicked_cb (GtkButton         *button,
                   I2aAllowedListRow *self)
{
  const char *value = g_object_get_data (G_OBJECT (button), "i2a-value");
  g_auto(GStrv) values = g_settings_get_strv (self->settings, self->key);
  g_autoptr(GStrvBuilder) kept = g_strv_builder_new ();
  g_auto(GStrv) result = NULL;

  for (guint i = 0; values[i]; i++)
    if (!g_str_equal (values[i], value))
      g_strv_builder_add (kept, values[i]);
  result = g_strv_builder_end (kept);
  set_values (self, (const char *const *) result);
}

/* The entry rows, rebuilt from the setting (whoever changed it). */
static void
sync_rows (I2aAllowedListRow *self)
{
  g_auto(GStrv) values = g_settings_get_strv (self->settings, self->key);

  for (guint i = 0; i < self->rows->len; i++)
    adw_expander_row_remove (ADW_EXPANDER_ROW (self), g_ptr_array_index (self->rows, i));
  g_ptr_array_set_size (self->rows, 0);
  for (guint i = 0; values[i]; i++)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *button = gtk_button_new_from_icon_name ("user-trash-symbolic");

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), values[i]);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (button, _("Remove"));
      gtk_widget_add_css_class (button, "flat");
      g_object_set_data_full (G_OBJECT (button), "i2a-value", g_strdup (values[i]), g_free);
      g_signal_connect (button, "clicked", G_CALLBACK (remove_clicked_cb), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      adw_expander_row_add_row (ADW_EXPANDER_ROW (self), row);
      g_ptr_array_add (self->rows, row);
    }
}

static void
apply_cb (AdwEntryRow       *entry_row,
          I2aAllowedListRow *self)
{
  g_autofree char *value = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry_row))));
  g_auto(GStrv) values = NULL;
  g_autoptr(GStrvBuilder) b = NULL;
  g_auto(GStrv) result = NULL;

  if (*value == '\0')
    return;
  if (self->hosts ? !i2a_gate_host_name_is_valid (value) : !i2a_gate_origin_is_valid (value))
    {
      g_autofree char *text = NULL;

      gtk_widget_add_css_class (GTK_WIDGET (entry_row), "error");
      if (self->hosts)
        text = g_strdup_printf (_("“%s” is not a host name: enter a name, optionally with a port, "
                                  "such as myhost or myhost:8000, without http:// or a path"), value);
      else
        text = g_strdup_printf (_("“%s” is not an origin: enter scheme://host[:port], such as "
                                  "https://chat.example.org, without a path"), value);
      show_toast (self, text);
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (entry_row), "error");
  values = g_settings_get_strv (self->settings, self->key);
  if (!g_strv_contains ((const char *const *) values, value))
    {
      b = g_strv_builder_new ();
      g_strv_builder_addv (b, (const char **) values);
      g_strv_builder_add (b, value);
      result = g_strv_builder_end (b);
      set_values (self, (const char *const *) result);
    }
  gtk_editable_set_text (GTK_EDITABLE (entry_row), "");
}

static void
entry_changed_cb (GtkEditable       *editable,
                  I2aAllowedListRow *self)
{
  gtk_widget_remove_css_class (GTK_WIDGET (editable), "error");
}

void
i2a_allowed_list_row_bind (I2aAllowedListRow *self,
                           GSettings         *settings,
                           const char        *key)
{
  g_autofree char *signal = g_strconcat ("changed::", key, NULL);

  g_return_if_fail (I2A_IS_ALLOWED_LIST_ROW (self));
  g_return_if_fail (self->settings == NULL);

  self->settings = g_object_ref (settings);
  self->key = g_strdup (key);
  self->hosts = g_str_equal (key, "allowed-hosts");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->entry_row),
                                 self->hosts ? _("Add Host Name") : _("Add Origin"));
  g_signal_connect_object (settings, signal, G_CALLBACK (sync_rows), self, G_CONNECT_SWAPPED);
  sync_rows (self);
}

AdwEntryRow *
i2a_allowed_list_row_get_entry_row (I2aAllowedListRow *self)
{
  g_return_val_if_fail (I2A_IS_ALLOWED_LIST_ROW (self), NULL);
  return self->entry_row;
}

static void
i2a_allowed_list_row_dispose (GObject *object)
{
  I2aAllowedListRow *self = I2A_ALLOWED_LIST_ROW (object);

  g_clear_object (&self->settings);
  G_OBJECT_CLASS (i2a_allowed_list_row_parent_class)->dispose (object);
}

static void
i2a_allowed_list_row_finalize (GObject *object)
{
  I2aAllowedListRow *self = I2A_ALLOWED_LIST_ROW (object);

  g_free (self->key);
  g_ptr_array_unref (self->rows);
  G_OBJECT_CLASS (i2a_allowed_list_row_parent_class)->finalize (object);
}

static void
i2a_allowed_list_row_class_init (I2aAllowedListRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = i2a_allowed_list_row_dispose;
  object_class->finalize = i2a_allowed_list_row_finalize;
}

static void
i2a_allowed_list_row_init (I2aAllowedListRow *self)
{
  self->rows = g_ptr_array_new ();
  self->entry_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_entry_row_set_show_apply_button (self->entry_row, TRUE);
  g_signal_connect (self->entry_row, "apply", G_CALLBACK (apply_cb), self);
  g_signal_connect (self->entry_row, "changed", G_CALLBACK (entry_changed_cb), self);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (self), GTK_WIDGET (self->entry_row));
}
