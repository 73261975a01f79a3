/* i2a-pool-store.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-pool-store"

#include "config.h"

#include <string.h>

#include "i2a-error.h"
#include "i2a-pool-private.h"
#include "i2a-util.h"

/* Edits made by the app: change a copy of the document as read (so members
 * we do not know survive), validate it like a file, apply it, then write
 * it in a worker thread (atomic, 0600). Writes are serialised; a newer
 * edit made while one is being written replaces the queued one. */

typedef struct
{
  char *path;
  char *data;
  char *etag;   /* of the file as we left it */
} WriteJob;

/* Our own writes come back through the file monitor; they are recognised
 * by etag (not content, so that a user restoring an older version by hand
 * is still applied). A few are kept: a reload can read an older write of
 * ours after a newer one finished. */
#define KEPT_ETAGS 16

static void
write_job_free (WriteJob *job)
{
  g_free (job->path);
  g_free (job->data);
  g_free (job->etag);
  g_free (job);
}

static void start_write (I2aPool *self, char *data);

static void
complete_flushes (I2aPool      *self,
                  const GError *error)
{
  g_autoptr(GPtrArray) tasks = g_steal_pointer (&self->flush_tasks);

  for (guint i = 0; tasks && i < tasks->len; i++)
    {
      if (error)
        g_task_return_error (tasks->pdata[i], g_error_copy (error));
      else
        g_task_return_boolean (tasks->pdata[i], TRUE);
    }
}

static void
write_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  WriteJob *job = task_data;
  GError *error = NULL;

  if (i2a_write_private_file (job->path, job->data, -1, &error))
    {
      g_autoptr(GFile) file = g_file_new_for_path (job->path);
      g_autoptr(GFileInfo) info = g_file_query_info (file, G_FILE_ATTRIBUTE_ETAG_VALUE,
                                                     G_FILE_QUERY_INFO_NONE, NULL, NULL);

      if (info)
        job->etag = g_strdup (g_file_info_get_etag (info));
      g_task_return_boolean (task, TRUE);
    }
  else
    g_task_return_error (task, error);
}

static void
write_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  I2aPool *self = I2A_POOL (source);
  WriteJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  self->writing = FALSE;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_warning ("Cannot save %s: %s", job->path, error->message);
  else if (job->etag)
    {
      if (self->written_etags == NULL)
        self->written_etags = g_ptr_array_new_with_free_func (g_free);
      if (self->written_etags->len >= KEPT_ETAGS)
        g_ptr_array_remove_index (self->written_etags, 0);
      g_ptr_array_add (self->written_etags, g_strdup (job->etag));
    }
  if (self->pending_write)
    {
      start_write (self, g_steal_pointer (&self->pending_write));
      return;
    }
  complete_flushes (self, error);
}

static void
start_write (I2aPool *self,
             char    *data)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, write_done_cb, NULL);
  WriteJob *job = g_new0 (WriteJob, 1);

  job->path = g_strdup (self->path);
  job->data = data;
  self->writing = TRUE;
  g_task_set_task_data (task, job, (GDestroyNotify) write_job_free);
  g_task_run_in_thread (task, write_thread);
}

gboolean
_i2a_pool_store_wrote (I2aPool    *self,
                       const char *etag)
{
  if (etag == NULL || self->written_etags == NULL)
    return FALSE;
  for (guint i = 0; i < self->written_etags->len; i++)
    if (g_str_equal (self->written_etags->pdata[i], etag))
      return TRUE;
  return FALSE;
}

gboolean
_i2a_pool_store_busy (I2aPool *self)
{
  return self->writing || self->pending_write != NULL;
}

void
_i2a_pool_store_dispose (I2aPool *self)
{
  g_autoptr(GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED, "The pool was disposed");

  g_clear_pointer (&self->pending_write, g_free);
  g_clear_pointer (&self->written_etags, g_ptr_array_unref);
  complete_flushes (self, error);
}

void
i2a_pool_flush_async (I2aPool             *self,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  if (!_i2a_pool_store_busy (self))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (self->flush_tasks == NULL)
    self->flush_tasks = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (self->flush_tasks, g_steal_pointer (&task));
}

gboolean
i2a_pool_flush_finish (I2aPool       *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- edit plumbing ------------------------------------------------------ */

static JsonNode *
edit_begin (I2aPool  *self,
            GError  **error)
{
  if (self->path == NULL)
    {
      g_set_error (error, I2A_ERROR, I2A_ERROR_FAILED, "No keys.json is in use, so nothing can be saved");
      return NULL;
    }
  if (self->load_error != NULL)
    {
      /* Writing now would overwrite the user's unfinished edit. */
      g_set_error (error, I2A_ERROR, I2A_ERROR_INVALID_CONFIG, "Fix %s first: %s",
                   self->path, self->load_error->message);
      return NULL;
    }
  return json_node_copy (self->config->root);
}

static gboolean
edit_commit (I2aPool   *self,
             JsonNode  *root,
             GError   **error)
{
  g_autoptr(I2aKeysConfig) config = i2a_keys_config_new_from_root (root, self->path, error);
  char *data;

  if (config == NULL || !_i2a_pool_apply_config (self, config, error))
    return FALSE;
  data = i2a_keys_config_root_to_data (root);
  if (self->writing)
    {
      g_free (self->pending_write);
      self->pending_write = data;
    }
  else
    start_write (self, data);
  return TRUE;
}

/* The member @name of @obj as an object, created (or replacing a null). */
static JsonObject *
ensure_object (JsonObject *obj,
               const char *name)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    json_object_set_object_member (obj, name, json_object_new ());
  return json_object_get_object_member (obj, name);
}

static JsonObject *
account_entry (JsonObject  *root,
               const char  *id,
               GError     **error)
{
  JsonObject *accounts = ensure_object (root, "accounts");
  JsonNode *node = id ? json_object_get_member (accounts, id) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, I2A_ERROR, I2A_ERROR_FAILED, "There is no account '%s'", id ? id : "(null)");
      return NULL;
    }
  return json_node_get_object (node);
}

static void
apply_spec (JsonObject           *entry,
            const I2aAccountSpec *spec)
{
#define PUT_STRING(field, name) \
  if (spec->field != NULL) json_object_set_string_member (entry, name, spec->field)
  PUT_STRING (label, "label");
  PUT_STRING (email, "email");
  PUT_STRING (auth_type, "auth_type");
  PUT_STRING (base_url, "base_url");
  PUT_STRING (provider, "provider");
  PUT_STRING (api_key, "api_key");
#undef PUT_STRING
  if (spec->max_concurrency >= 0)
    json_object_set_int_member (entry, "max_concurrency", spec->max_concurrency);
  if (spec->enabled >= 0)
    json_object_set_boolean_member (entry, "enabled", spec->enabled != 0);
  if (spec->drop_api_key && json_object_has_member (entry, "api_key"))
    json_object_remove_member (entry, "api_key");
}

/* ---- edits -------------------------------------------------------------- */

char *
i2a_pool_add_account (I2aPool              *self,
                      const I2aAccountSpec *spec,
                      GError              **error)
{
  g_autoptr(JsonNode) root = edit_begin (self, error);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *id = NULL;
  g_autofree char *created = NULL;
  JsonObject *accounts, *entry;

  if (root == NULL)
    return NULL;
  accounts = ensure_object (json_node_get_object (root), "accounts");
  if (spec->id != NULL)
    id = g_strdup (spec->id);
  for (guint i = 1; id == NULL && i < 1000; i++)
    {
      g_autofree char *candidate = g_strdup_printf ("acc%u", i);

      if (!json_object_has_member (accounts, candidate))
        id = g_steal_pointer (&candidate);
    }
  if (id == NULL)
    {
      guint8 bytes[4];

      i2a_random_bytes (bytes, sizeof bytes, NULL);
      id = g_strdup_printf ("acc-%02x%02x%02x%02x", bytes[0], bytes[1], bytes[2], bytes[3]);
    }
  if (json_object_has_member (accounts, id))
    {
      g_set_error (error, I2A_ERROR, I2A_ERROR_FAILED, "An account '%s' already exists", id);
      return NULL;
    }

  entry = json_object_new ();
  json_object_set_object_member (accounts, id, entry);
  created = g_date_time_format_iso8601 (now);
  json_object_set_string_member (entry, "base_url", I2A_DEFAULT_BASE_URL);
  json_object_set_int_member (entry, "max_concurrency", I2A_KEYS_DEFAULT_MAX_CONCURRENCY);
  json_object_set_boolean_member (entry, "enabled", TRUE);
  json_object_set_string_member (entry, "created_at", created);
  apply_spec (entry, spec);
  if (!edit_commit (self, root, error))
    return NULL;
  return g_steal_pointer (&id);
}

gboolean
i2a_pool_update_account (I2aPool              *self,
                         const I2aAccountSpec *spec,
                         GError              **error)
{
  g_autoptr(JsonNode) root = edit_begin (self, error);
  JsonObject *entry;

  if (root == NULL || (entry = account_entry (json_node_get_object (root), spec->id, error)) == NULL)
    return FALSE;
  apply_spec (entry, spec);
  return edit_commit (self, root, error);
}

gboolean
i2a_pool_set_account_enabled (I2aPool     *self,
                              const char  *id,
                              gboolean     enabled,
                              GError     **error)
{
  I2aAccountSpec spec = I2A_ACCOUNT_SPEC_INIT;

  spec.id = id;
  spec.enabled = enabled ? 1 : 0;
  return i2a_pool_update_account (self, &spec, error);
}

gboolean
i2a_pool_set_account_max_concurrency (I2aPool     *self,
                                      const char  *id,
                                      guint        max,
                                      GError     **error)
{
  I2aAccountSpec spec = I2A_ACCOUNT_SPEC_INIT;

  spec.id = id;
  spec.max_concurrency = (gint) MIN (max, (guint) G_MAXINT);
  return i2a_pool_update_account (self, &spec, error);
}

gboolean
i2a_pool_set_account_quota (I2aPool     *self,
                            const char  *id,
                            gint64       requests,
                            gint64       tokens,
                            const char  *window,
                            GError     **error)
{
  g_autoptr(JsonNode) root = edit_begin (self, error);
  JsonObject *entry;

  if (root == NULL)
    return FALSE;
  entry = account_entry (json_node_get_object (root), id, error);
  if (entry == NULL)
    return FALSE;
  if (window == NULL || (requests <= 0 && tokens <= 0))
    {
      if (!json_object_has_member (entry, "quota"))
        return TRUE;
      json_object_remove_member (entry, "quota");
    }
  else
    {
      JsonObject *quota = json_object_new ();

      if (requests > 0)
        json_object_set_int_member (quota, "requests", requests);
      if (tokens > 0)
        json_object_set_int_member (quota, "tokens", tokens);
      json_object_set_string_member (quota, "window", window);
      json_object_set_object_member (entry, "quota", quota);
    }
  return edit_commit (self, root, error);
}

/* Drop @id from a route; TRUE when the route is left empty. */
static gboolean
route_drop (JsonObject *route,
            const char *id)
{
  JsonNode *many = json_object_get_member (route, "accounts");

  if (g_strcmp0 (json_object_get_string_member_with_default (route, "account", NULL), id) == 0)
    return TRUE;
  if (many != NULL && JSON_NODE_HOLDS_ARRAY (many))
    {
      JsonArray *old = json_node_get_array (many);
      JsonArray *kept = json_array_new ();

      for (guint i = 0; i < json_array_get_length (old); i++)
        {
          JsonNode *e = json_array_get_element (old, i);

          if (!(JSON_NODE_HOLDS_VALUE (e) && g_strcmp0 (json_node_get_string (e), id) == 0))
            json_array_add_element (kept, json_node_copy (e));
        }
      json_object_set_array_member (route, "accounts", kept);
      return json_array_get_length (kept) == 0;
    }
  return FALSE;
}

gboolean
i2a_pool_remove_account (I2aPool     *self,
                         const char  *id,
                         GError     **error)
{
  g_autoptr(JsonNode) root = edit_begin (self, error);
  JsonObject *top, *keys;
  JsonNode *node;

  if (root == NULL || account_entry (json_node_get_object (root), id, error) == NULL)
    return FALSE;
  top = json_node_get_object (root);
  json_object_remove_member (json_object_get_object_member (top, "accounts"), id);

  node = json_object_get_member (top, "keys");
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autoptr(GList) names = NULL;

      keys = json_node_get_object (node);
      names = json_object_get_members (keys);
      for (GList *l = names; l; l = l->next)
        {
          JsonNode *route = json_object_get_member (keys, l->data);
          g_autofree char *name = g_strdup (l->data);

          if (JSON_NODE_HOLDS_OBJECT (route) && route_drop (json_node_get_object (route), id))
            json_object_remove_member (keys, name);
        }
    }
  node = json_object_get_member (top, "default");
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node) && route_drop (json_node_get_object (node), id))
    json_object_remove_member (top, "default");
  return edit_commit (self, root, error);
}

gboolean
i2a_pool_set_auth (I2aPool   *self,
                   gboolean   enabled,
                   gboolean   required,
                   GError   **error)
{
  g_autoptr(JsonNode) root = edit_begin (self, error);
  JsonObject *auth;

  if (root == NULL)
    return FALSE;
  auth = ensure_object (json_node_get_object (root), "auth");
  json_object_set_boolean_member (auth, "enabled", enabled);
  json_object_set_boolean_member (auth, "required", required);
  return edit_commit (self, root, error);
}

gboolean
i2a_pool_set_model_rules (I2aPool     *self,
                          JsonObject  *aliases,
                          JsonObject  *fallbacks,
                          GError     **error)
{
  g_autoptr(JsonNode) current = edit_begin (self, error);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GList) names = NULL;
  JsonObject *old_top, *top;

  if (current == NULL)
    return FALSE;
  /* A new top object: the one in force must not change if this fails. */
  old_top = json_node_get_object (current);
  top = json_object_new ();
  names = json_object_get_members (old_top);
  for (GList *l = names; l != NULL; l = l->next)
    json_object_set_member (top, l->data, json_node_copy (json_object_get_member (old_top, l->data)));
  root = json_node_init_object (json_node_alloc (), top);
  json_object_unref (top);
  if (aliases != NULL && json_object_get_size (aliases) == 0)
    json_object_remove_member (top, "aliases");
  else if (aliases != NULL)
    json_object_set_object_member (top, "aliases", json_object_ref (aliases));
  if (fallbacks != NULL && json_object_get_size (fallbacks) == 0)
    json_object_remove_member (top, "fallbacks");
  else if (fallbacks != NULL)
    json_object_set_object_member (top, "fallbacks", json_object_ref (fallbacks));
  return edit_commit (self, root, error);
}

char *
i2a_pool_regenerate_client_key (I2aPool     *self,
                                const char  *old_token,
                                GError     **error)
{
  g_autoptr(JsonNode) root = edit_begin (self, error);
  g_autofree char *random = NULL;
  g_autofree char *token = NULL;
  g_autoptr(GList) names = NULL;
  JsonNode *route = NULL;
  JsonObject *top, *keys;

  if (root == NULL)
    return NULL;
  top = json_node_get_object (root);
  keys = ensure_object (top, "keys");
  random = i2a_random_token (18);
  token = g_strconcat ("sk-iflow-", random, NULL);

  if (old_token != NULL)
    {
      g_autofree char *found = NULL;

      names = json_object_get_members (keys);
      for (GList *l = names; l; l = l->next)
        if (i2a_secret_equal (l->data, old_token) && found == NULL)
          found = g_strdup (l->data);
      if (found == NULL)
        {
          g_set_error (error, I2A_ERROR, I2A_ERROR_FAILED, "That client key is not in keys.json");
          return NULL;
        }
      route = json_node_copy (json_object_get_member (keys, found));
      json_object_remove_member (keys, found);
    }
  else
    {
      JsonObject *obj = json_object_new ();
      JsonArray *ids = json_array_new ();
      JsonObject *accounts = ensure_object (top, "accounts");
      g_autoptr(GList) account_ids = json_object_get_members (accounts);

      for (GList *l = account_ids; l; l = l->next)
        json_array_add_string_element (ids, l->data);
      if (json_array_get_length (ids) == 0)
        {
          json_array_unref (ids);
          json_object_unref (obj);
          g_set_error (error, I2A_ERROR, I2A_ERROR_FAILED, "Add an account before creating a client key");
          return NULL;
        }
      json_object_set_array_member (obj, "accounts", ids);
      json_object_set_string_member (obj, "strategy", "least_busy");
      route = json_node_init_object (json_node_alloc (), obj);
      json_object_unref (obj);
    }
  json_object_set_member (keys, token, route);
  if (!edit_commit (self, root, error))
    return NULL;
  return g_steal_pointer (&token);
}
