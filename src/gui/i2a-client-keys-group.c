/* i2a-client-keys-group.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-client-keys-group"

#include "config.h"

#include <glib/gi18n.h>

#include "i2a-account-ops.h"
#include "i2a-gui-utils.h"
#include "i2a-client-keys-group.h"
#include "i2a-util.h"

struct _I2aClientKeysGroup
{
  AdwBin                parent_instance;

  I2aPool              *pool;
  AdwPreferencesGroup  *group;
  GPtrArray            *rows;      /* GtkWidget *, owned by the group */
  guint                 n_keys;
};

G_DEFINE_FINAL_TYPE (I2aClientKeysGroup, i2a_client_keys_group, ADW_TYPE_BIN)

static void
toast (I2aClientKeysGroup *self,
       const char         *title)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    i2a_gui_toast (ADW_TOAST_OVERLAY (overlay), title);
}

static char *
describe_route (I2aKeysRoute *route)
{
  g_autofree char *accounts = NULL;
  const char *strategy;

  if (route == NULL)
    return g_strdup (_("Default route"));
  accounts = g_strjoinv (", ", route->accounts);
  strategy = route->strategy == I2A_STRATEGY_ROUND_ROBIN ? _("round robin") : _("least busy");
  /* Translators: "work, team · least busy": the accounts a key uses and how */
  return g_strdup_printf (_("%s · %s"), accounts, strategy);
}

static void
copy_clicked_cb (GtkButton          *button,
                 I2aClientKeysGroup *self)
{
  const char *token = g_object_get_data (G_OBJECT (button), "token");

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), token);
  toast (self, _("Key copied"));
}

static void
regenerate_clicked_cb (GtkButton          *button,
                       I2aClientKeysGroup *self)
{
  const char *token = g_object_get_data (G_OBJECT (button), "token");
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;

  key = i2a_account_ops_regenerate_key (self->pool, token, &error);
  if (key == NULL)
    {
      toast (self, error->message);
      return;
    }
  /* Shown nowhere else: the new key goes to the clipboard. */
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), key);
  toast (self, token ? _("New key copied; the old one no longer works") : _("New key copied"));
}

static GtkWidget *
key_button (I2aClientKeysGroup *self,
            const char         *icon,
            const char         *tooltip,
            const char         *token,
            GCallback           callback)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  g_object_set_data_full (G_OBJECT (button), "token", g_strdup (token), g_free);
  g_signal_connect (button, "clicked", callback, self);
  return button;
}

static void
rebuild (I2aClientKeysGroup *self)
{
  I2aKeysConfig *config = self->pool ? i2a_pool_get_config (self->pool) : NULL;

  for (guint i = 0; i < self->rows->len; i++)
    adw_preferences_group_remove (self->group, g_ptr_array_index (self->rows, i));
  g_ptr_array_set_size (self->rows, 0);
  self->n_keys = 0;

  if (config == NULL || config->tokens->len == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No client keys"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                                   _("Programs on this computer can use the API without a key"));
      adw_preferences_group_add (self->group, row);
      g_ptr_array_add (self->rows, row);
      return;
    }

  for (guint i = 0; i < config->tokens->len; i++)
    {
      const char *token = g_ptr_array_index (config->tokens, i);
      I2aKeysRoute *route = g_ptr_array_index (config->routes, i);
      g_autofree char *masked = i2a_mask_secret (token);
      g_autofree char *subtitle = describe_route (route);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *regenerate;

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), masked);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 key_button (self, "edit-copy-symbolic", _("Copy Key"), token,
                                             G_CALLBACK (copy_clicked_cb)));
      regenerate = key_button (self, "view-refresh-symbolic", _("Replace with a New Key"),
                               token, G_CALLBACK (regenerate_clicked_cb));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), regenerate);
      g_object_set_data (G_OBJECT (row), "regenerate-button", regenerate);
      adw_preferences_group_add (self->group, row);
      g_ptr_array_add (self->rows, row);
      self->n_keys++;
    }
}

static void
new_key_clicked_cb (GtkButton          *button,
                    I2aClientKeysGroup *self)
{
  regenerate_clicked_cb (button, self);
}

static void
i2a_client_keys_group_dispose (GObject *object)
{
  I2aClientKeysGroup *self = I2A_CLIENT_KEYS_GROUP (object);

  if (self->pool != NULL)
    g_signal_handlers_disconnect_by_data (self->pool, self);
  g_clear_object (&self->pool);
  g_clear_pointer (&self->rows, g_ptr_array_unref);

  G_OBJECT_CLASS (i2a_client_keys_group_parent_class)->dispose (object);
}

static void
i2a_client_keys_group_class_init (I2aClientKeysGroupClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = i2a_client_keys_group_dispose;
}

static void
i2a_client_keys_group_init (I2aClientKeysGroup *self)
{
  GtkWidget *add = gtk_button_new ();
  GtkWidget *content = adw_button_content_new ();

  self->rows = g_ptr_array_new ();
  self->group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (self->group, _("Client Keys"));
  adw_preferences_group_set_description (self->group,
                                         _("Programs send one of these as their API key. "
                                           "Each key can be limited to some accounts."));
  adw_button_content_set_icon_name (ADW_BUTTON_CONTENT (content), "list-add-symbolic");
  adw_button_content_set_label (ADW_BUTTON_CONTENT (content), _("_New Key"));
  adw_button_content_set_use_underline (ADW_BUTTON_CONTENT (content), TRUE);
  gtk_button_set_child (GTK_BUTTON (add), content);
  gtk_widget_add_css_class (add, "flat");
  gtk_widget_set_valign (add, GTK_ALIGN_CENTER);
  g_signal_connect (add, "clicked", G_CALLBACK (new_key_clicked_cb), self);
  adw_preferences_group_set_header_suffix (self->group, add);
  adw_bin_set_child (ADW_BIN (self), GTK_WIDGET (self->group));
}

GtkWidget *
i2a_client_keys_group_new (void)
{
  return g_object_new (I2A_TYPE_CLIENT_KEYS_GROUP, NULL);
}

void
i2a_client_keys_group_set_pool (I2aClientKeysGroup *self,
                                I2aPool            *pool)
{
  g_return_if_fail (I2A_IS_CLIENT_KEYS_GROUP (self));

  if (self->pool != NULL)
    g_signal_handlers_disconnect_by_data (self->pool, self);
  g_set_object (&self->pool, pool);
  if (pool != NULL)
    g_signal_connect_swapped (pool, "config-reloaded", G_CALLBACK (rebuild), self);
  rebuild (self);
}

guint
i2a_client_keys_group_get_n_keys (I2aClientKeysGroup *self)
{
  g_return_val_if_fail (I2A_IS_CLIENT_KEYS_GROUP (self), 0);

  return self->n_keys;
}

GtkWidget *
i2a_client_keys_group_get_row (I2aClientKeysGroup *self,
                               guint               index)
{
  g_return_val_if_fail (I2A_IS_CLIENT_KEYS_GROUP (self), NULL);

  return index < self->rows->len ? g_ptr_array_index (self->rows, index) : NULL;
}
