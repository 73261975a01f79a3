/* i2a-server-settings.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-server-settings"

#include "config.h"

#include "i2a-gate.h"
#include "i2a-server-settings.h"

GSettings *
i2a_server_settings_new_default (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = source ? g_settings_schema_source_lookup (source, APP_ID, TRUE) : NULL;

  if (schema == NULL || !g_settings_schema_has_key (schema, "allowed-origins") ||
      !g_settings_schema_has_key (schema, "allowed-hosts"))
    return NULL;
  return g_settings_new_full (schema, NULL, NULL);
}

/* The valid entries of @key. The window validates what it stores, but
 * gsettings and dconf-editor write anything. */
static GStrv
valid_entries (GSettings  *settings,
               const char *key,
               gboolean  (*is_valid) (const char *))
{
  g_auto(GStrv) values = g_settings_get_strv (settings, key);
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

  for (guint i = 0; values[i]; i++)
    {
      g_autofree char *value = g_strstrip (g_strdup (values[i]));

      if (is_valid (value))
        g_strv_builder_add (b, value);
      else
        g_warning ("Setting %s: ignoring '%s', which is not valid", key, value);
    }
  return g_strv_builder_end (b);
}

static void
origins_changed_cb (GSettings  *settings,
                    const char *key,
                    I2aServer  *server)
{
  g_auto(GStrv) origins = valid_entries (settings, "allowed-origins", i2a_gate_origin_is_valid);

  i2a_server_set_allowed_origins (server, (const char *const *) origins);
}

static void
hosts_changed_cb (GSettings  *settings,
                  const char *key,
                  I2aServer  *server)
{
  g_auto(GStrv) hosts = valid_entries (settings, "allowed-hosts", i2a_gate_host_name_is_valid);

  i2a_server_set_allowed_hosts (server, (const char *const *) hosts);
}

void
i2a_server_follow_settings (I2aServer *server,
                            GSettings *settings)
{
  g_return_if_fail (I2A_IS_SERVER (server));
  g_return_if_fail (G_IS_SETTINGS (settings));

  g_signal_connect_object (settings, "changed::allowed-origins", G_CALLBACK (origins_changed_cb), server, 0);
  g_signal_connect_object (settings, "changed::allowed-hosts", G_CALLBACK (hosts_changed_cb), server, 0);
  origins_changed_cb (settings, "allowed-origins", server);
  hosts_changed_cb (settings, "allowed-hosts", server);
  /* Alive as long as the server: a GSettings that is dropped tells no one
   * about changes. */
  g_object_set_data_full (G_OBJECT (server), "i2a-server-settings", g_object_ref (settings), g_object_unref);
}
