/* i2a-cli-interop.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-cli-interop"

#include "config.h"

#include <string.h>
#include <json-glib/json-glib.h>

#include "i2a-cli-interop.h"
#include "i2a-error.h"
#include "i2a-json.h"
#include "i2a-util.h"

#define SETTINGS_NAME "settings.json"

char *
i2a_cli_interop_default_dir (void)
{
  return g_build_filename (g_get_home_dir (), ".iflow", NULL);
}

static const char *
string_member (JsonObject *obj,
               const char *name)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return json_node_get_string (node);
  return NULL;
}

gboolean
i2a_cli_interop_write_login (const char  *dir,
                             const char  *api_key,
                             const char  *base_url,
                             const char  *auth_type,
                             GError     **error)
{
  g_autofree char *default_dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local_error = NULL;
  char *contents = NULL;
  gsize length = 0;
  JsonObject *obj;
  const char *old_key, *search_key;
  gboolean ok;

  g_return_val_if_fail (api_key != NULL && *api_key != '\0', FALSE);

  if (dir == NULL)
    dir = default_dir = i2a_cli_interop_default_dir ();
  path = g_build_filename (dir, SETTINGS_NAME, NULL);

  if (g_file_get_contents (path, &contents, &length, &local_error))
    {
      /* The file holds the CLI's key: wipe our copy of the bytes. */
      ok = i2a_json_load_private (parser, contents, length, &local_error);
      explicit_bzero (contents, length);
      g_free (contents);
      if (!ok)
        {
          g_set_error (error, I2A_ERROR, I2A_ERROR_INVALID_CONFIG,
                       "%s is not valid JSON (%s); not overwriting it", path, local_error->message);
          return FALSE;
        }
      if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        {
          g_set_error (error, I2A_ERROR, I2A_ERROR_INVALID_CONFIG,
                       "%s is not a JSON object; not overwriting it", path);
          return FALSE;
        }
      root = json_node_copy (json_parser_get_root (parser));
    }
  else if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_autoptr(JsonObject) empty = json_object_new ();

      /* init_object takes its own reference. */
      root = json_node_init_object (json_node_alloc (), empty);
    }
  else
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "Cannot read %s: ", path);
      return FALSE;
    }

  obj = json_node_get_object (root);
  old_key = string_member (obj, "apiKey");
  search_key = string_member (obj, "searchApiKey");
  /* The official CLI keeps searchApiKey equal to apiKey; keep it so. */
  if (search_key != NULL && old_key != NULL && strcmp (search_key, old_key) == 0)
    json_object_set_string_member (obj, "searchApiKey", api_key);
  json_object_set_string_member (obj, "apiKey", api_key);
  if (base_url != NULL && *base_url != '\0')
    json_object_set_string_member (obj, "baseUrl", base_url);
  json_object_set_string_member (obj, "selectedAuthType",
                                 auth_type ? auth_type : I2A_CLI_AUTH_TYPE_OAUTH);

  generator = json_generator_new ();
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, root);
  contents = json_generator_to_data (generator, &length);
  ok = i2a_write_private_file (path, contents, length, error);
  i2a_secret_free (contents);
  if (ok)
    g_debug ("Shared the login with the iFlow CLI (%s)", path);
  return ok;
}

/* ---- async --------------------------------------------------------------- */

typedef struct
{
  char *dir;
  char *api_key;
  char *base_url;
  char *auth_type;
} WriteData;

static void
write_data_free (gpointer data)
{
  WriteData *w = data;

  g_free (w->dir);
  i2a_secret_free (w->api_key);
  g_free (w->base_url);
  g_free (w->auth_type);
  g_free (w);
}

static void
write_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  WriteData *w = task_data;
  GError *error = NULL;

  if (i2a_cli_interop_write_login (w->dir, w->api_key, w->base_url, w->auth_type, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
i2a_cli_interop_write_login_async (const char          *dir,
                                   const char          *api_key,
                                   const char          *base_url,
                                   const char          *auth_type,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  WriteData *w = g_new0 (WriteData, 1);

  g_task_set_source_tag (task, i2a_cli_interop_write_login_async);
  w->dir = g_strdup (dir);
  w->api_key = g_strdup (api_key);
  w->base_url = g_strdup (base_url);
  w->auth_type = g_strdup (auth_type);
  g_task_set_task_data (task, w, write_data_free);
  g_task_run_in_thread (task, write_thread);
}

gboolean
i2a_cli_interop_write_login_finish (GAsyncResult  *result,
                                    GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
