/* i2a-cli-settings.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-cli-settings"

#include "config.h"

#include <string.h>
#include <json-glib/json-glib.h>

#include "i2a-cli-settings.h"
#include "i2a-json.h"
#include "i2a-util.h"

struct _I2aCliSettings
{
  GObject       parent_instance;

  char         *dir;
  GFileMonitor *monitor;
  GCancellable *cancellable;
  guint         reload_id;
  guint         pending;      /* file loads in flight */
  guint         generation;   /* bumped by every reload */
  gboolean      loaded;

  /* values being assembled by the current load */
  JsonObject   *settings;
  JsonObject   *creds;

  char         *api_key;
  char         *base_url;
  char         *auth_type;
  char         *model_name;
  char         *access_token;
  char         *refresh_token;
  gint64        expires_at;
};

G_DEFINE_FINAL_TYPE (I2aCliSettings, i2a_cli_settings, G_TYPE_OBJECT)

enum { CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
wipe_string (char **s)
{
  g_clear_pointer (s, i2a_secret_free);
}

static const char *
member_string (JsonObject *obj,
               const char *name)
{
  JsonNode *node;

  if (obj == NULL || (node = json_object_get_member (obj, name)) == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *s = json_node_get_string (node);
      return (s && *s) ? s : NULL;
    }
  return NULL;
}

static void
apply_loaded (I2aCliSettings *self)
{
  const char *key, *base;
  JsonNode *expiry;

  wipe_string (&self->api_key);
  wipe_string (&self->access_token);
  wipe_string (&self->refresh_token);
  g_clear_pointer (&self->base_url, g_free);
  g_clear_pointer (&self->auth_type, g_free);
  g_clear_pointer (&self->model_name, g_free);
  self->expires_at = 0;

  key = member_string (self->settings, "apiKey");
  if (key == NULL)
    key = member_string (self->settings, "searchApiKey");
  if (key == NULL)
    key = member_string (self->creds, "apiKey");
  self->api_key = g_strdup (key);

  base = member_string (self->settings, "baseUrl");
  self->base_url = i2a_strip_trailing_slash (base ? base : I2A_DEFAULT_BASE_URL);
  self->auth_type = g_strdup (member_string (self->settings, "selectedAuthType"));
  self->model_name = g_strdup (member_string (self->settings, "modelName"));
  self->access_token = g_strdup (member_string (self->creds, "access_token"));
  self->refresh_token = g_strdup (member_string (self->creds, "refresh_token"));

  expiry = self->creds ? json_object_get_member (self->creds, "expiry_date") : NULL;
  if (expiry && JSON_NODE_HOLDS_VALUE (expiry))
    {
      if (json_node_get_value_type (expiry) == G_TYPE_STRING)
        self->expires_at = i2a_parse_timestamp (json_node_get_string (expiry));
      else
        self->expires_at = i2a_timestamp_from_number (json_node_get_int (expiry));
    }

  self->loaded = TRUE;
  g_debug ("iFlow CLI login %s", self->api_key ? "found" : "not found");
  g_signal_emit (self, signals[CHANGED], 0);
}

/* A file that does not parse leaves @slot (the last good values) alone. */
static void
parse_document (const char  *path,
                const char  *contents,
                gsize        len,
                JsonObject **slot)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  /* The files hold the CLI's keys: the message never quotes them. */
  if (!i2a_json_load_private (parser, contents, len, &error))
    g_warning ("Ignoring %s: %s (keeping the previous values)", path, error->message);
  else if (json_parser_get_root (parser) == NULL)
    g_warning ("Ignoring %s: the file is empty (keeping the previous values)", path);
  else if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    g_warning ("Ignoring %s: the top level is not a JSON object (keeping the previous values)",
               path);
  else
    {
      g_clear_pointer (slot, json_object_unref);
      *slot = json_object_ref (json_node_get_object (json_parser_get_root (parser)));
    }
}

typedef struct
{
  I2aCliSettings *self;
  JsonObject    **slot;
  char           *path;
  guint           generation;
} LoadData;

static void
load_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  LoadData *data = user_data;
  I2aCliSettings *self = data->self;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (!g_file_load_contents_finish (G_FILE (source), result, &contents, &len, NULL, &error) ||
      data->generation != self->generation)
    {
      if (data->generation != self->generation ||
          g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        goto out_stale;
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        g_warning ("Cannot read %s: %s", data->path, error->message);
      g_clear_pointer (data->slot, json_object_unref);
    }
  else
    {
      parse_document (data->path, contents, len, data->slot);
      if (contents)
        memset (contents, 0, len);
    }

  if (--self->pending == 0)
    apply_loaded (self);

  g_free (data->path);
  g_object_unref (self);
  g_free (data);
  return;

out_stale:
  /* a newer reload owns the counters now */
  g_free (data->path);
  g_object_unref (self);
  g_free (data);
}

static void
load_file (I2aCliSettings *self,
           const char     *name,
           JsonObject    **slot)
{
  LoadData *data = g_new0 (LoadData, 1);
  g_autoptr(GFile) file = NULL;

  data->self = g_object_ref (self);
  data->slot = slot;
  data->path = g_build_filename (self->dir, name, NULL);
  data->generation = self->generation;
  file = g_file_new_for_path (data->path);
  self->pending++;
  g_file_load_contents_async (file, self->cancellable, load_done_cb, data);
}

void
i2a_cli_settings_reload (I2aCliSettings *self)
{
  g_return_if_fail (I2A_IS_CLI_SETTINGS (self));

  if (self->pending > 0)
    {
      /* A load is running; start over so the newest contents win. */
      g_cancellable_cancel (self->cancellable);
      g_clear_object (&self->cancellable);
      self->pending = 0;
    }
  self->generation++;
  if (self->cancellable == NULL)
    self->cancellable = g_cancellable_new ();
  load_file (self, "settings.json", &self->settings);
  load_file (self, "oauth_creds.json", &self->creds);
}

static gboolean
reload_timeout_cb (gpointer user_data)
{
  I2aCliSettings *self = user_data;

  self->reload_id = 0;
  i2a_cli_settings_reload (self);
  return G_SOURCE_REMOVE;
}

static void
monitor_changed_cb (GFileMonitor      *monitor,
                    GFile             *file,
                    GFile             *other,
                    GFileMonitorEvent  event,
                    I2aCliSettings    *self)
{
  g_autofree char *name = g_file_get_basename (file);

  if (g_strcmp0 (name, "settings.json") != 0 && g_strcmp0 (name, "oauth_creds.json") != 0 &&
      (other == NULL || !g_str_has_suffix (g_file_peek_path (other), ".json")))
    return;
  /* Editors write in several steps; settle before re-reading. */
  g_clear_handle_id (&self->reload_id, g_source_remove);
  self->reload_id = g_timeout_add (100, reload_timeout_cb, self);
}

static void
i2a_cli_settings_dispose (GObject *object)
{
  I2aCliSettings *self = I2A_CLI_SETTINGS (object);

  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->reload_id, g_source_remove);
  if (self->monitor)
    {
      g_signal_handlers_disconnect_by_data (self->monitor, self);
      g_file_monitor_cancel (self->monitor);
    }
  g_clear_object (&self->monitor);

  G_OBJECT_CLASS (i2a_cli_settings_parent_class)->dispose (object);
}

static void
i2a_cli_settings_finalize (GObject *object)
{
  I2aCliSettings *self = I2A_CLI_SETTINGS (object);

  g_clear_pointer (&self->settings, json_object_unref);
  g_clear_pointer (&self->creds, json_object_unref);
  wipe_string (&self->api_key);
  wipe_string (&self->access_token);
  wipe_string (&self->refresh_token);
  g_free (self->base_url);
  g_free (self->auth_type);
  g_free (self->model_name);
  g_free (self->dir);

  G_OBJECT_CLASS (i2a_cli_settings_parent_class)->finalize (object);
}

static void
i2a_cli_settings_class_init (I2aCliSettingsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = i2a_cli_settings_dispose;
  object_class->finalize = i2a_cli_settings_finalize;

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
i2a_cli_settings_init (I2aCliSettings *self)
{
  self->base_url = g_strdup (I2A_DEFAULT_BASE_URL);
}

I2aCliSettings *
i2a_cli_settings_new (const char *dir)
{
  I2aCliSettings *self = g_object_new (I2A_TYPE_CLI_SETTINGS, NULL);
  g_autoptr(GFile) gdir = NULL;
  g_autoptr(GError) error = NULL;

  self->dir = dir ? g_strdup (dir) : g_build_filename (g_get_home_dir (), ".iflow", NULL);
  gdir = g_file_new_for_path (self->dir);
  /* Watching the directory also catches a first login creating the file. */
  self->monitor = g_file_monitor_directory (gdir, G_FILE_MONITOR_WATCH_MOVES, NULL, &error);
  if (self->monitor)
    {
      g_file_monitor_set_rate_limit (self->monitor, 100);
      g_signal_connect (self->monitor, "changed", G_CALLBACK (monitor_changed_cb), self);
    }
  else
    g_debug ("Not watching %s: %s", self->dir, error->message);

  i2a_cli_settings_reload (self);
  return self;
}

void
i2a_cli_settings_load_data (I2aCliSettings *self,
                            const char     *settings,
                            gsize           settings_len,
                            const char     *creds,
                            gsize           creds_len)
{
  const char *dir = self->dir ? self->dir : "~/.iflow";
  g_autofree char *settings_path = g_build_filename (dir, "settings.json", NULL);
  g_autofree char *creds_path = g_build_filename (dir, "oauth_creds.json", NULL);

  g_return_if_fail (I2A_IS_CLI_SETTINGS (self));

  g_clear_pointer (&self->settings, json_object_unref);
  g_clear_pointer (&self->creds, json_object_unref);
  if (settings)
    parse_document (settings_path, settings, settings_len, &self->settings);
  if (creds)
    parse_document (creds_path, creds, creds_len, &self->creds);
  apply_loaded (self);
}

const char *i2a_cli_settings_get_dir (I2aCliSettings *self) { return self->dir; }
gboolean i2a_cli_settings_is_loaded (I2aCliSettings *self) { return self->loaded; }
const char *i2a_cli_settings_get_api_key (I2aCliSettings *self) { return self->api_key; }
const char *i2a_cli_settings_get_base_url (I2aCliSettings *self) { return self->base_url; }
const char *i2a_cli_settings_get_auth_type (I2aCliSettings *self) { return self->auth_type; }
const char *i2a_cli_settings_get_model_name (I2aCliSettings *self) { return self->model_name; }
const char *i2a_cli_settings_get_refresh_token (I2aCliSettings *self) { return self->refresh_token; }
const char *i2a_cli_settings_get_access_token (I2aCliSettings *self) { return self->access_token; }
gint64 i2a_cli_settings_get_expires_at (I2aCliSettings *self) { return self->expires_at; }
