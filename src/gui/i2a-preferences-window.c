/* i2a-preferences-window.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-preferences-window"

#include "config.h"

#include "i2a-allowed-list-row.h"
#include "i2a-preferences-window.h"

struct _I2aPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;

  AdwEntryRow          *host_row;
  GtkSpinButton        *port_spin;
  GtkSwitch            *background_switch;
  GtkSwitch            *autostart_switch;
  GtkSwitch            *minimized_switch;
  GtkSwitch            *notifications_switch;
  GtkSwitch            *share_switch;
  AdwComboRow          *strategy_row;
  I2aAllowedListRow    *origins_row;
  I2aAllowedListRow    *hosts_row;
};

enum {
  PROP_0,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

G_DEFINE_FINAL_TYPE (I2aPreferencesWindow, i2a_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* Same order as the combo row's string list. */
static const char *strategies[] = { "least_busy", "round_robin" };

static gboolean
strategy_get_mapping (GValue   *value,
                      GVariant *variant,
                      gpointer  user_data)
{
  const char *name = g_variant_get_string (variant, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (strategies); i++)
    if (g_str_equal (name, strategies[i]))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  return FALSE;
}

static GVariant *
strategy_set_mapping (const GValue       *value,
                      const GVariantType *expected_type,
                      gpointer            user_data)
{
  guint i = g_value_get_uint (value);

  return i < G_N_ELEMENTS (strategies) ? g_variant_new_string (strategies[i]) : NULL;
}

/* The host is applied with the row's apply button, not on every key. */
static void
host_apply_cb (I2aPreferencesWindow *self)
{
  g_autofree char *host = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->host_row))));

  if (*host != '\0')
    g_settings_set_string (self->settings, "host", host);
}

static void
i2a_preferences_window_constructed (GObject *object)
{
  I2aPreferencesWindow *self = I2A_PREFERENCES_WINDOW (object);
  g_autofree char *host = NULL;

  G_OBJECT_CLASS (i2a_preferences_window_parent_class)->constructed (object);

  host = g_settings_get_string (self->settings, "host");
  gtk_editable_set_text (GTK_EDITABLE (self->host_row), host);
  g_signal_connect_swapped (self->host_row, "apply", G_CALLBACK (host_apply_cb), self);

  g_settings_bind (self->settings, "port", self->port_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "run-in-background", self->background_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "autostart", self->autostart_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "start-minimized", self->minimized_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "notifications", self->notifications_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "share-login-with-iflow-cli", self->share_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_with_mapping (self->settings, "default-strategy", self->strategy_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, strategy_get_mapping, strategy_set_mapping,
                                NULL, NULL);
  i2a_allowed_list_row_bind (self->origins_row, self->settings, "allowed-origins");
  i2a_allowed_list_row_bind (self->hosts_row, self->settings, "allowed-hosts");
}

static void
i2a_preferences_window_dispose (GObject *object)
{
  I2aPreferencesWindow *self = I2A_PREFERENCES_WINDOW (object);

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (i2a_preferences_window_parent_class)->dispose (object);
}

static void
i2a_preferences_window_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  I2aPreferencesWindow *self = I2A_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
i2a_preferences_window_class_init (I2aPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = i2a_preferences_window_constructed;
  object_class->dispose = i2a_preferences_window_dispose;
  object_class->set_property = i2a_preferences_window_set_property;

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (I2A_TYPE_ALLOWED_LIST_ROW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/iflow2api/Iflow2Api/ui/i2a-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, I2aPreferencesWindow, host_row);
  gtk_widget_class_bind_template_child (widget_class, I2aPreferencesWindow, port_spin);
  gtk_widget_class_bind_template_child (widget_class, I2aPreferencesWindow, background_switch);
  gtk_widget_class_bind_template_child (widget_class, I2aPreferencesWindow, autostart_switch);
  gtk_widget_class_bind_template_child (widget_class, I2aPreferencesWindow, minimized_switch);
  gtk_widget_class_bind_template_child (widget_class, I2aPreferencesWindow, notifications_switch);
  gtk_widget_class_bind_template_child (widget_class, I2aPreferencesWindow, share_switch);
  gtk_widget_class_bind_template_child (widget_class, I2aPreferencesWindow, strategy_row);
  gtk_widget_class_bind_template_child (widget_class, I2aPreferencesWindow, origins_row);
  gtk_widget_class_bind_template_child (widget_class, I2aPreferencesWindow, hosts_row);
}

static void
i2a_preferences_window_init (I2aPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
i2a_preferences_window_new (GtkWindow *parent,
                            GSettings *settings)
{
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  return g_object_new (I2A_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       "settings", settings,
                       NULL);
}
