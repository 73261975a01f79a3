/* i2a-secret-store.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-secret-store.c: account credentials in the Secret Service */
#define G_LOG_DOMAIN "i2a-secrets"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "i2a-error.h"
#include "i2a-json.h"
#include "i2a-util.h"
#include "i2a-secret-store.h"

#define KIND_ACCOUNT "account"

static const SecretSchema account_schema = {
  I2A_SECRET_SCHEMA_NAME, SECRET_SCHEMA_NONE,
  {
    { "account-id", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "kind", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  }
};

const SecretSchema *
i2a_secret_store_get_schema (void)
{
  return &account_schema;
}

/* ---------------------------------------------------------------- secrets */

I2aAccountSecrets *
i2a_account_secrets_new (void)
{
  return g_new0 (I2aAccountSecrets, 1);
}

I2aAccountSecrets *
i2a_account_secrets_copy (const I2aAccountSecrets *secrets)
{
  I2aAccountSecrets *copy;

  if (secrets == NULL)
    return NULL;
  copy = i2a_account_secrets_new ();
  copy->api_key = g_strdup (secrets->api_key);
  copy->access_token = g_strdup (secrets->access_token);
  copy->refresh_token = g_strdup (secrets->refresh_token);
  copy->expires_at = secrets->expires_at;
  copy->refreshed_at = secrets->refreshed_at;
  copy->refresh_failures = secrets->refresh_failures;
  copy->last_refresh_error = g_strdup (secrets->last_refresh_error);
  return copy;
}

void
i2a_account_secrets_free (I2aAccountSecrets *secrets)
{
  if (secrets == NULL)
    return;
  i2a_secret_free (secrets->api_key);
  i2a_secret_free (secrets->access_token);
  i2a_secret_free (secrets->refresh_token);
  g_free (secrets->last_refresh_error);
  explicit_bzero (secrets, sizeof *secrets);
  g_free (secrets);
}

static char *
secrets_to_json (const I2aAccountSecrets *secrets)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  if (secrets->api_key != NULL)
    {
      json_builder_set_member_name (builder, "api_key");
      json_builder_add_string_value (builder, secrets->api_key);
    }
  if (secrets->access_token != NULL)
    {
      json_builder_set_member_name (builder, "access_token");
      json_builder_add_string_value (builder, secrets->access_token);
    }
  if (secrets->refresh_token != NULL)
    {
      json_builder_set_member_name (builder, "refresh_token");
      json_builder_add_string_value (builder, secrets->refresh_token);
    }
  json_builder_set_member_name (builder, "expires_at");
  json_builder_add_int_value (builder, secrets->expires_at);
  if (secrets->refreshed_at > 0)
    {
      json_builder_set_member_name (builder, "refreshed_at");
      json_builder_add_int_value (builder, secrets->refreshed_at);
    }
  if (secrets->refresh_failures > 0)
    {
      json_builder_set_member_name (builder, "refresh_failures");
      json_builder_add_int_value (builder, secrets->refresh_failures);
    }
  if (secrets->last_refresh_error != NULL)
    {
      json_builder_set_member_name (builder, "last_refresh_error");
      json_builder_add_string_value (builder, secrets->last_refresh_error);
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

static char *
dup_member (JsonObject *obj,
            const char *name)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return g_strdup (json_node_get_string (node));
}

static I2aAccountSecrets *
secrets_from_json (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(I2aAccountSecrets) secrets = NULL;
  JsonObject *obj;
  JsonNode *node;

  if (json == NULL || !i2a_json_load_private (parser, json, strlen (json), NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  obj = json_node_get_object (json_parser_get_root (parser));

  secrets = i2a_account_secrets_new ();
  secrets->api_key = dup_member (obj, "api_key");
  secrets->access_token = dup_member (obj, "access_token");
  secrets->refresh_token = dup_member (obj, "refresh_token");
  node = json_object_get_member (obj, "expires_at");
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node))
    {
      /* Any format seen in the wild: epoch seconds or milliseconds, ISO 8601
       * with or without an offset, "YYYY-MM-DD HH:MM". */
      if (json_node_get_value_type (node) == G_TYPE_INT64)
        secrets->expires_at = i2a_timestamp_from_number (json_node_get_int (node));
      else if (json_node_get_value_type (node) == G_TYPE_STRING)
        secrets->expires_at = i2a_parse_timestamp (json_node_get_string (node));
    }
  secrets->refreshed_at = MAX (i2a_json_int_member (obj, "refreshed_at", 0), 0);
  secrets->refresh_failures = (guint) CLAMP (i2a_json_int_member (obj, "refresh_failures", 0),
                                             0, G_MAXUINT);
  secrets->last_refresh_error = dup_member (obj, "last_refresh_error");
  return g_steal_pointer (&secrets);
}

/* ---------------------------------------------------------------- errors */

static GError *
map_error (const GError *error,
           GCancellable *cancellable)
{
  const char *bus = g_getenv ("DBUS_SESSION_BUS_ADDRESS");

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      if (cancellable != NULL && g_cancellable_is_cancelled (cancellable))
        return g_error_copy (error);
      /* Not our cancel: an unlock prompt was dismissed. */
      return g_error_new_literal (I2A_ERROR, I2A_ERROR_SECRETS_UNAVAILABLE,
                                  "The keyring is locked and unlocking it was dismissed");
    }
  if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
      g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER))
    return g_error_new_literal (I2A_ERROR, I2A_ERROR_SECRETS_UNAVAILABLE,
                                "No Secret Service: nothing provides org.freedesktop.secrets on "
                                "the session bus; start gnome-keyring (or KWallet with its "
                                "Secret Service enabled) and try again");
  if (g_error_matches (error, SECRET_ERROR, SECRET_ERROR_IS_LOCKED))
    return g_error_new_literal (I2A_ERROR, I2A_ERROR_SECRETS_UNAVAILABLE,
                                "The keyring is locked; unlock it and try again");
  if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT) ||
      g_error_matches (error, SECRET_ERROR, SECRET_ERROR_NO_SUCH_OBJECT))
    return g_error_new (I2A_ERROR, I2A_ERROR_SECRETS_UNAVAILABLE,
                        "The default keyring does not exist or could not be unlocked "
                        "(no password prompt available?): %s", error->message);
  if ((bus == NULL || *bus == '\0') && error->domain == G_IO_ERROR)
    return g_error_new (I2A_ERROR, I2A_ERROR_SECRETS_UNAVAILABLE,
                        "No D-Bus session bus ($DBUS_SESSION_BUS_ADDRESS is not set), so "
                        "the Secret Service cannot be reached: %s", error->message);
  return g_error_new (I2A_ERROR, I2A_ERROR_SECRETS_UNAVAILABLE,
                      "The Secret Service failed: %s", error->message);
}

static void
return_mapped_error (GTask  *task,
                     GError *error)
{
  g_debug ("Secret Service error: %s", error->message);
  g_task_return_error (task, map_error (error, g_task_get_cancellable (task)));
}

/* ---------------------------------------------------------------- GObject */

/* Writes (store, clear) run one at a time, in the order they were asked:
 * libsecret's file backend (used inside Flatpak) fails or loses a write
 * that overlaps another one of the same process, e.g. a login being saved
 * while the refresher writes a refreshed token. Reads are not queued. */
struct _I2aSecretStore
{
  GObject  parent_instance;

  GQueue   writes;     /* GTask *, waiting */
  GTask   *writing;    /* the write in flight (ref), or NULL */
};

G_DEFINE_FINAL_TYPE (I2aSecretStore, i2a_secret_store, G_TYPE_OBJECT)

static void
i2a_secret_store_finalize (GObject *object)
{
  I2aSecretStore *self = I2A_SECRET_STORE (object);

  /* Every queued task holds a ref on us: nothing can be left here. */
  g_assert (self->writing == NULL && self->writes.length == 0);

  G_OBJECT_CLASS (i2a_secret_store_parent_class)->finalize (object);
}

static void
i2a_secret_store_class_init (I2aSecretStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = i2a_secret_store_finalize;
}

static void
i2a_secret_store_init (I2aSecretStore *self)
{
  g_queue_init (&self->writes);
}

I2aSecretStore *
i2a_secret_store_new (void)
{
  return g_object_new (I2A_TYPE_SECRET_STORE, NULL);
}

/* ---------------------------------------------------------------- writes */

typedef enum
{
  WRITE_STORE,
  WRITE_CLEAR,
} WriteKind;

typedef struct
{
  WriteKind  kind;
  char      *account_id;
  char      *label;
  char      *json;        /* secret; wiped */
} WriteOp;

static void
write_op_free (WriteOp *op)
{
  g_free (op->account_id);
  g_free (op->label);
  i2a_secret_free (op->json);
  g_free (op);
}

static void run_next_write (I2aSecretStore *self);

/* The write in flight is over: let the next one start. Takes the ref. */
static void
write_finished (GTask *task)
{
  I2aSecretStore *self = g_task_get_source_object (task);

  g_object_ref (self);
  g_assert (self->writing == task);
  self->writing = NULL;
  g_object_unref (task);
  run_next_write (self);
  g_object_unref (self);
}

static void
store_cb (GObject      *source,
          GAsyncResult *res,
          gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;

  if (!secret_password_store_finish (res, &error))
    return_mapped_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
  write_finished (task);
}

static void
clear_cb (GObject      *source,
          GAsyncResult *res,
          gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;
  gboolean removed;

  removed = secret_password_clear_finish (res, &error);
  if (error != NULL)
    return_mapped_error (task, error);
  else
    g_task_return_boolean (task, removed);
  write_finished (task);
}

static void
run_next_write (I2aSecretStore *self)
{
  while (self->writing == NULL)
    {
      GTask *task = g_queue_pop_head (&self->writes);
      GCancellable *cancellable;
      WriteOp *op;

      if (task == NULL)
        return;
      cancellable = g_task_get_cancellable (task);
      /* Cancelled while it waited: never started, nothing to undo. */
      if (g_task_return_error_if_cancelled (task))
        {
          g_object_unref (task);
          continue;
        }
      op = g_task_get_task_data (task);
      self->writing = task;
      if (op->kind == WRITE_STORE)
        {
          /* libsecret copies the password before this returns. */
          secret_password_store (&account_schema, SECRET_COLLECTION_DEFAULT, op->label, op->json,
                                 cancellable, store_cb, task,
                                 "account-id", op->account_id,
                                 "kind", KIND_ACCOUNT,
                                 NULL);
          g_clear_pointer (&op->json, i2a_secret_free);
        }
      else
        secret_password_clear (&account_schema, cancellable, clear_cb, task,
                               "account-id", op->account_id,
                               "kind", KIND_ACCOUNT,
                               NULL);
    }
}

/* Takes @task. */
static void
queue_write (I2aSecretStore *self,
             GTask          *task)
{
  g_queue_push_tail (&self->writes, task);
  run_next_write (self);
}

/* ---------------------------------------------------------------- store */

void
i2a_secret_store_store_async (I2aSecretStore          *self,
                              const char              *account_id,
                              const char              *label,
                              const I2aAccountSecrets *secrets,
                              GCancellable            *cancellable,
                              GAsyncReadyCallback      callback,
                              gpointer                 user_data)
{
  GTask *task;
  WriteOp *op;

  g_return_if_fail (I2A_IS_SECRET_STORE (self));
  g_return_if_fail (account_id != NULL && *account_id != '\0');
  g_return_if_fail (secrets != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, i2a_secret_store_store_async);

  op = g_new0 (WriteOp, 1);
  op->kind = WRITE_STORE;
  op->account_id = g_strdup (account_id);
  op->label = label ? g_strdup (label) : g_strdup_printf (_("iflow2api account %s"), account_id);
  /* The secrets as they are now, whenever the write gets its turn. */
  op->json = secrets_to_json (secrets);
  g_task_set_task_data (task, op, (GDestroyNotify) write_op_free);
  queue_write (self, task);
}

gboolean
i2a_secret_store_store_finish (I2aSecretStore  *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---------------------------------------------------------------- lookup */

static void
lookup_cb (GObject      *source,
           GAsyncResult *res,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  char *json;
  I2aAccountSecrets *secrets;

  json = secret_password_lookup_finish (res, &error);
  if (error != NULL)
    {
      return_mapped_error (task, error);
      return;
    }
  if (json == NULL)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  secrets = secrets_from_json (json);
  secret_password_free (json);
  if (secrets == NULL)
    g_task_return_new_error (task, I2A_ERROR, I2A_ERROR_FAILED,
                             "The stored credentials of account %s are damaged",
                             (const char *) g_task_get_task_data (task));
  else
    g_task_return_pointer (task, secrets, (GDestroyNotify) i2a_account_secrets_free);
}

void
i2a_secret_store_lookup_async (I2aSecretStore      *self,
                               const char          *account_id,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (I2A_IS_SECRET_STORE (self));
  g_return_if_fail (account_id != NULL && *account_id != '\0');

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, i2a_secret_store_lookup_async);
  g_task_set_task_data (task, g_strdup (account_id), g_free);

  secret_password_lookup (&account_schema, cancellable, lookup_cb, task,
                          "account-id", account_id,
                          "kind", KIND_ACCOUNT,
                          NULL);
}

I2aAccountSecrets *
i2a_secret_store_lookup_finish (I2aSecretStore  *self,
                                GAsyncResult    *result,
                                GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---------------------------------------------------------------- clear */

void
i2a_secret_store_clear_async (I2aSecretStore      *self,
                              const char          *account_id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task;
  WriteOp *op;

  g_return_if_fail (I2A_IS_SECRET_STORE (self));
  g_return_if_fail (account_id != NULL && *account_id != '\0');

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, i2a_secret_store_clear_async);
  op = g_new0 (WriteOp, 1);
  op->kind = WRITE_CLEAR;
  op->account_id = g_strdup (account_id);
  g_task_set_task_data (task, op, (GDestroyNotify) write_op_free);
  queue_write (self, task);
}

gboolean
i2a_secret_store_clear_finish (I2aSecretStore  *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---------------------------------------------------------------- list */

static gint
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static void
list_cb (GObject      *source,
         GAsyncResult *res,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  GList *items;

  items = secret_password_search_finish (res, &error);
  if (error != NULL)
    {
      return_mapped_error (task, error);
      return;
    }

  ids = g_ptr_array_new_with_free_func (g_free);
  for (GList *l = items; l != NULL; l = l->next)
    {
      g_autoptr(GHashTable) attrs = secret_retrievable_get_attributes (l->data);
      const char *id = attrs != NULL ? g_hash_table_lookup (attrs, "account-id") : NULL;

      if (id != NULL && *id != '\0')
        g_ptr_array_add (ids, g_strdup (id));
    }
  g_list_free_full (items, g_object_unref);

  g_ptr_array_sort (ids, compare_strings);
  for (guint i = 1; i < ids->len;)
    {
      if (g_strcmp0 (ids->pdata[i - 1], ids->pdata[i]) == 0)
        g_ptr_array_remove_index (ids, i);
      else
        i++;
    }
  g_ptr_array_add (ids, NULL);
  g_task_return_pointer (task, g_ptr_array_free (g_steal_pointer (&ids), FALSE),
                         (GDestroyNotify) g_strfreev);
}

void
i2a_secret_store_list_account_ids_async (I2aSecretStore      *self,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (I2A_IS_SECRET_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, i2a_secret_store_list_account_ids_async);

  /* Attributes only: no need to unlock anything to list. */
  secret_password_search (&account_schema, SECRET_SEARCH_ALL, cancellable, list_cb, task,
                          "kind", KIND_ACCOUNT,
                          NULL);
}

GStrv
i2a_secret_store_list_account_ids_finish (I2aSecretStore  *self,
                                          GAsyncResult    *result,
                                          GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
