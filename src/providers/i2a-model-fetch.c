/* i2a-model-fetch.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-model-fetch"

#include "config.h"

#include <string.h>

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "i2a-error.h"
#include "i2a-json.h"
#include "i2a-model-fetch.h"

/* A model list is small; a server answering megabytes is not one. */
#define MAX_LIST_BYTES (8 * 1024 * 1024)
#define FETCH_TIMEOUT_SECONDS 20

static SoupSession *
shared_session (void)
{
  static SoupSession *session;

  /* Main thread only, like every caller; kept for the process. */
  if (session == NULL)
    session = soup_session_new_with_options ("timeout", FETCH_TIMEOUT_SECONDS,
                                             "user-agent", "iflow2api/" PACKAGE_VERSION,
                                             NULL);
  return session;
}

static void
add_id (GPtrArray  *ids,
        GHashTable *seen,
        const char *id)
{
  if (id == NULL || *id == '\0' || g_hash_table_contains (seen, id))
    return;
  g_hash_table_add (seen, (gpointer) id);
  g_ptr_array_add (ids, g_strdup (id));
}

GStrv
i2a_model_fetch_parse (GBytes  *body,
                       GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  JsonNode *root, *list;
  JsonArray *array;
  gboolean named;

  if (!json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body), NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, I2A_ERROR, I2A_ERROR_UPSTREAM, "The answer is not a JSON model list");
      return NULL;
    }
  list = json_object_get_member (json_node_get_object (root), "data");
  named = FALSE;
  if (list == NULL)
    {
      list = json_object_get_member (json_node_get_object (root), "models");
      named = TRUE;
    }
  if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
    {
      g_set_error (error, I2A_ERROR, I2A_ERROR_UPSTREAM, "The answer has no \"data\" list of models");
      return NULL;
    }
  array = json_node_get_array (list);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *e = json_array_get_element (array, i);
      JsonObject *obj;
      const char *id;

      if (!JSON_NODE_HOLDS_OBJECT (e))
        continue;
      obj = json_node_get_object (e);
      id = json_object_get_string_member_with_default (obj, "id", NULL);
      if (id == NULL && named)
        id = json_object_get_string_member_with_default (obj, "name", NULL);
      add_id (ids, seen, id);
    }
  g_ptr_array_add (ids, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&ids), FALSE);
}

/* The upstream's own words: error.message, message or detail. */
static char *
upstream_message (GBytes *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonObject *obj, *err;
  const char *text = NULL;

  if (body == NULL || g_bytes_get_size (body) == 0 ||
      !json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body), NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  obj = json_node_get_object (root);
  if (json_object_has_member (obj, "error") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (obj, "error")))
    {
      err = json_object_get_object_member (obj, "error");
      text = json_object_get_string_member_with_default (err, "message", NULL);
    }
  else if (json_object_has_member (obj, "error"))
    text = json_object_get_string_member_with_default (obj, "error", NULL);
  if (text == NULL)
    text = json_object_get_string_member_with_default (obj, "message", NULL);
  if (text == NULL)
    text = json_object_get_string_member_with_default (obj, "detail", NULL);
  return text ? g_utf8_make_valid (text, MIN (strlen (text), 500)) : NULL;
}

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SoupMessage *msg = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  guint status = soup_message_get_status (msg);
  GStrv ids;

  if (body == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_autofree char *text = upstream_message (body);

      g_task_return_new_error (task, I2A_ERROR, I2A_ERROR_UPSTREAM, "HTTP %u: %s", status,
                               text ? text : soup_message_get_reason_phrase (msg));
      return;
    }
  if (g_bytes_get_size (body) > MAX_LIST_BYTES)
    {
      g_task_return_new_error (task, I2A_ERROR, I2A_ERROR_UPSTREAM, "The model list is too large");
      return;
    }
  ids = i2a_model_fetch_parse (body, &error);
  if (ids == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, ids, (GDestroyNotify) g_strfreev);
}

void
i2a_model_fetch_async (const char          *base_url,
                       const char          *api_key,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autofree char *stripped = NULL;
  g_autofree char *url = NULL;
  SoupMessage *msg;

  g_task_set_source_tag (task, i2a_model_fetch_async);
  stripped = g_strdup (base_url ? base_url : "");
  while (g_str_has_suffix (stripped, "/"))
    stripped[strlen (stripped) - 1] = '\0';
  url = g_strconcat (stripped, "/models", NULL);
  if (!g_str_has_prefix (url, "http://") && !g_str_has_prefix (url, "https://"))
    {
      g_task_return_new_error (task, I2A_ERROR, I2A_ERROR_FAILED,
                               "The base URL must be an http:// or https:// URL");
      return;
    }
  msg = soup_message_new (SOUP_METHOD_GET, url);
  if (msg == NULL)
    {
      g_task_return_new_error (task, I2A_ERROR, I2A_ERROR_FAILED, "“%s” is not a valid URL", url);
      return;
    }
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Accept", "application/json");
  if (api_key != NULL && *api_key != '\0')
    {
      g_autofree char *auth = g_strdup_printf ("Bearer %s", api_key);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
    }
  g_task_set_task_data (task, msg, g_object_unref);
  soup_session_send_and_read_async (shared_session (), msg, G_PRIORITY_DEFAULT, cancellable,
                                    read_cb, g_object_ref (task));
}

GStrv
i2a_model_fetch_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
