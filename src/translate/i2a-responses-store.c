/* i2a-responses-store.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-responses-store.c: stored responses, oldest evicted first. */
#define G_LOG_DOMAIN "i2a-responses"

#include "config.h"

#include <string.h>

#include "i2a-responses-store.h"

typedef struct
{
  char   *id;
  GBytes *response;   /* the response object, serialized */
  GBytes *history;    /* input items + the response's output items, serialized */
  gsize   bytes;
} Entry;

struct _I2aResponsesStore
{
  GObject     parent_instance;

  guint       max_count;
  gsize       max_bytes;
  gsize       bytes;
  GHashTable *by_id;     /* id -> GList * link in order */
  GQueue      order;     /* Entry *, oldest first */
};

G_DEFINE_FINAL_TYPE (I2aResponsesStore, i2a_responses_store, G_TYPE_OBJECT)

static void
entry_free (Entry *entry)
{
  g_free (entry->id);
  g_bytes_unref (entry->response);
  g_bytes_unref (entry->history);
  g_free (entry);
}

static void
drop_link (I2aResponsesStore *self,
           GList             *link)
{
  Entry *entry = link->data;

  g_hash_table_remove (self->by_id, entry->id);
  self->bytes -= entry->bytes;
  g_queue_delete_link (&self->order, link);
  entry_free (entry);
}

static void
evict (I2aResponsesStore *self)
{
  while (self->order.length > 0 &&
         (self->order.length > self->max_count || self->bytes > self->max_bytes))
    {
      g_debug ("Evicting the stored response %s", ((Entry *) self->order.head->data)->id);
      drop_link (self, self->order.head);
    }
}

static void
i2a_responses_store_finalize (GObject *object)
{
  I2aResponsesStore *self = I2A_RESPONSES_STORE (object);

  g_queue_clear_full (&self->order, (GDestroyNotify) entry_free);
  g_hash_table_unref (self->by_id);
  G_OBJECT_CLASS (i2a_responses_store_parent_class)->finalize (object);
}

static void
i2a_responses_store_class_init (I2aResponsesStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = i2a_responses_store_finalize;
}

static void
i2a_responses_store_init (I2aResponsesStore *self)
{
  self->by_id = g_hash_table_new (g_str_hash, g_str_equal);
  g_queue_init (&self->order);
}

I2aResponsesStore *
i2a_responses_store_new (guint max_count,
                         gsize max_bytes)
{
  I2aResponsesStore *self = g_object_new (I2A_TYPE_RESPONSES_STORE, NULL);

  self->max_count = max_count;
  self->max_bytes = max_bytes;
  return self;
}

I2aResponsesStore *
i2a_responses_store_get_default (void)
{
  static I2aResponsesStore *store;

  if (store == NULL)
    store = i2a_responses_store_new (I2A_RESPONSES_STORE_DEFAULT_COUNT,
                                     (gsize) I2A_RESPONSES_STORE_DEFAULT_MB * 1024 * 1024);
  return store;
}

void
i2a_responses_store_set_limits (I2aResponsesStore *self,
                                guint              max_count,
                                gsize              max_bytes)
{
  g_return_if_fail (I2A_IS_RESPONSES_STORE (self));
  self->max_count = max_count;
  self->max_bytes = max_bytes;
  evict (self);
}

static GBytes *
serialize (JsonNode *node)
{
  gsize len = 0;
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  char *text;

  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, &len);
  return g_bytes_new_take (text, len);
}

/* "[a,b]" and "[c]" -> "[a,b,c]": both are arrays serialized by
 * json-glib, so each starts with '[' and ends with ']'. */
static GBytes *
join_arrays (GBytes *first,
             GBytes *second)
{
  gsize len1 = 0, len2 = 0;
  const char *a = first ? g_bytes_get_data (first, &len1) : NULL;
  const char *b = g_bytes_get_data (second, &len2);
  GString *out;

  if (a == NULL || len1 < 2 || a[0] != '[' || a[len1 - 1] != ']')
    return g_bytes_ref (second);
  out = g_string_sized_new (len1 + len2);
  g_string_append_len (out, a, len1 - 1);
  if (len2 > 2)
    {
      if (len1 > 2)
        g_string_append_c (out, ',');
      g_string_append_len (out, b + 1, len2 - 1);
    }
  else
    g_string_append_c (out, ']');
  return g_string_free_to_bytes (out);
}

void
i2a_responses_store_put (I2aResponsesStore *self,
                         JsonObject        *response,
                         GBytes            *history)
{
  g_autoptr(JsonNode) response_node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(GBytes) output = NULL;
  JsonNode *member;
  const char *id;
  GList *old;
  Entry *entry;

  g_return_if_fail (I2A_IS_RESPONSES_STORE (self));
  id = json_object_get_string_member_with_default (response, "id", NULL);
  g_return_if_fail (id != NULL);

  /* The next turn continues from the input and what the model said. */
  member = json_object_get_member (response, "output");
  if (member && JSON_NODE_HOLDS_ARRAY (member) && json_node_get_array (member))
    output = serialize (member);
  else
    output = g_bytes_new_static ("[]", 2);

  json_node_set_object (response_node, response);
  entry = g_new0 (Entry, 1);
  entry->id = g_strdup (id);
  entry->response = serialize (response_node);
  entry->history = join_arrays (history, output);
  entry->bytes = strlen (id) + g_bytes_get_size (entry->response) + g_bytes_get_size (entry->history);
  if (entry->bytes > self->max_bytes || self->max_count == 0)
    {
      g_debug ("Not storing the response %s: %" G_GSIZE_FORMAT " bytes is over the store's limit",
               id, entry->bytes);
      entry_free (entry);
      return;
    }
  if ((old = g_hash_table_lookup (self->by_id, id)) != NULL)
    drop_link (self, old);
  g_queue_push_tail (&self->order, entry);
  g_hash_table_insert (self->by_id, entry->id, self->order.tail);
  self->bytes += entry->bytes;
  evict (self);
}

static Entry *
lookup (I2aResponsesStore *self,
        const char        *id)
{
  GList *link = id ? g_hash_table_lookup (self->by_id, id) : NULL;

  return link ? link->data : NULL;
}

GBytes *
i2a_responses_store_dup_response (I2aResponsesStore *self,
                                  const char        *id)
{
  Entry *entry;

  g_return_val_if_fail (I2A_IS_RESPONSES_STORE (self), NULL);
  entry = lookup (self, id);
  return entry ? g_bytes_ref (entry->response) : NULL;
}

GBytes *
i2a_responses_store_dup_history_bytes (I2aResponsesStore *self,
                                       const char        *id)
{
  Entry *entry;

  g_return_val_if_fail (I2A_IS_RESPONSES_STORE (self), NULL);
  entry = lookup (self, id);
  return entry ? g_bytes_ref (entry->history) : NULL;
}

JsonArray *
i2a_responses_store_parse_history (GBytes *history)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize len = 0;
  const char *data = g_bytes_get_data (history, &len);
  JsonNode *root;

  if (!json_parser_load_from_data (parser, data, len, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    return NULL;
  return json_array_ref (json_node_get_array (root));
}

JsonArray *
i2a_responses_store_dup_history (I2aResponsesStore *self,
                                 const char        *id)
{
  g_autoptr(GBytes) history = i2a_responses_store_dup_history_bytes (self, id);

  return history ? i2a_responses_store_parse_history (history) : NULL;
}

gboolean
i2a_responses_store_remove (I2aResponsesStore *self,
                            const char        *id)
{
  GList *link;

  g_return_val_if_fail (I2A_IS_RESPONSES_STORE (self), FALSE);
  if ((link = id ? g_hash_table_lookup (self->by_id, id) : NULL) == NULL)
    return FALSE;
  drop_link (self, link);
  return TRUE;
}

guint
i2a_responses_store_get_count (I2aResponsesStore *self)
{
  g_return_val_if_fail (I2A_IS_RESPONSES_STORE (self), 0);
  return self->order.length;
}

gsize
i2a_responses_store_get_bytes (I2aResponsesStore *self)
{
  g_return_val_if_fail (I2A_IS_RESPONSES_STORE (self), 0);
  return self->bytes;
}
