/* i2a-routing.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-routing"

#include "config.h"

#include <string.h>

#include "i2a-pool-private.h"
#include "i2a-routing.h"

struct _I2aRouting
{
  char      *client_model;
  GPtrArray *chain;      /* char *: the resolved model, then its fallbacks */
  guint      step;
  char      *session;
  gboolean   follow;
};

I2aRouting *
i2a_routing_new (I2aKeysConfig *config,
                 const char    *client_model,
                 const char    *session_key,
                 gboolean       follow)
{
  I2aRouting *self = g_new0 (I2aRouting, 1);
  const char *model, *target;
  const char *const *fallbacks;

  self->chain = g_ptr_array_new_with_free_func (g_free);
  self->session = g_strdup (session_key);
  self->follow = follow;
  if (client_model == NULL || *client_model == '\0')
    return self;
  self->client_model = g_strdup (client_model);
  target = i2a_model_rules_resolve (config->model_rules, client_model);
  model = target ? target : client_model;
  g_ptr_array_add (self->chain, g_strdup (model));
  fallbacks = i2a_model_rules_fallbacks (config->model_rules, model);
  if (fallbacks == NULL && target != NULL)
    fallbacks = i2a_model_rules_fallbacks (config->model_rules, client_model);
  for (guint i = 0; fallbacks && fallbacks[i]; i++)
    {
      const char *next = i2a_model_rules_resolve (config->model_rules, fallbacks[i]);

      g_ptr_array_add (self->chain, g_strdup (next ? next : fallbacks[i]));
    }
  return self;
}

void
i2a_routing_free (I2aRouting *self)
{
  if (self == NULL)
    return;
  g_free (self->client_model);
  g_ptr_array_unref (self->chain);
  g_free (self->session);
  g_free (self);
}

const char *
i2a_routing_get_model (I2aRouting *self)
{
  return self && self->step < self->chain->len ? self->chain->pdata[self->step] : NULL;
}

const char *
i2a_routing_get_session (I2aRouting *self)
{
  return self ? self->session : NULL;
}

gboolean
i2a_routing_serves (I2aRouting *self,
                    I2aAccount *account)
{
  return i2a_account_serves_model (account, i2a_routing_get_model (self));
}

gboolean
i2a_routing_follows (I2aRouting *self)
{
  return self != NULL && self->follow;
}

gboolean
i2a_routing_has_next (I2aRouting *self)
{
  return self != NULL && self->step + 1 < self->chain->len;
}

/* ---- per-pool state: sticky LRU and fallback counts ---------------------- */

typedef struct
{
  GHashTable *by_key;     /* session key -> GList link in @order (data: Entry) */
  GQueue      order;      /* most recent first */
  guint64     moves;
  GHashTable *fallbacks;  /* "from -> to" -> count */
} RoutingState;

typedef struct
{
  char *key;
  char *account_id;
} Entry;

static void
entry_free (Entry *e)
{
  g_free (e->key);
  g_free (e->account_id);
  g_free (e);
}

static void
state_free (RoutingState *st)
{
  g_hash_table_unref (st->by_key);
  g_queue_clear_full (&st->order, (GDestroyNotify) entry_free);
  g_hash_table_unref (st->fallbacks);
  g_free (st);
}

static RoutingState *
state (I2aPool *pool)
{
  static GQuark quark;
  RoutingState *st;

  if (quark == 0)
    quark = g_quark_from_static_string ("i2a-pool-routing");
  st = g_object_get_qdata (G_OBJECT (pool), quark);
  if (st == NULL)
    {
      st = g_new0 (RoutingState, 1);
      st->by_key = g_hash_table_new (g_str_hash, g_str_equal);
      st->fallbacks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_object_set_qdata_full (G_OBJECT (pool), quark, st, (GDestroyNotify) state_free);
    }
  return st;
}

gboolean
i2a_routing_next_model (I2aRouting *self,
                        I2aPool    *pool,
                        const char *why)
{
  g_autofree char *step = NULL;
  RoutingState *st;

  if (!i2a_routing_has_next (self))
    return FALSE;
  step = g_strdup_printf ("%s -> %s", (char *) self->chain->pdata[self->step],
                          (char *) self->chain->pdata[self->step + 1]);
  g_message ("Fallback %s: every account of %s is unavailable (%s)", step,
             (char *) self->chain->pdata[self->step], why);
  self->step++;
  st = state (pool);
  g_hash_table_insert (st->fallbacks, g_strdup (step),
                       GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (st->fallbacks, step)) + 1));
  return TRUE;
}

const char *
i2a_pool_sticky_lookup (I2aPool    *pool,
                        const char *session_key)
{
  GList *link;

  if (session_key == NULL)
    return NULL;
  link = g_hash_table_lookup (state (pool)->by_key, session_key);
  return link ? ((Entry *) link->data)->account_id : NULL;
}

void
i2a_pool_sticky_set (I2aPool    *pool,
                     const char *session_key,
                     const char *account_id)
{
  RoutingState *st = state (pool);
  GList *link;
  Entry *e;

  if (session_key == NULL || account_id == NULL)
    return;
  link = g_hash_table_lookup (st->by_key, session_key);
  if (link != NULL)
    {
      e = link->data;
      if (!g_str_equal (e->account_id, account_id))
        {
          g_info ("Session moves from account %s to %s", e->account_id, account_id);
          st->moves++;
          g_free (e->account_id);
          e->account_id = g_strdup (account_id);
        }
      g_queue_unlink (&st->order, link);
      g_queue_push_head_link (&st->order, link);
      return;
    }
  e = g_new0 (Entry, 1);
  e->key = g_strdup (session_key);
  e->account_id = g_strdup (account_id);
  g_queue_push_head (&st->order, e);
  g_hash_table_insert (st->by_key, e->key, st->order.head);
  /* Bounded: the least recently used session goes. */
  while (st->order.length > I2A_STICKY_MAX_SESSIONS)
    {
      Entry *old = g_queue_pop_tail (&st->order);

      g_hash_table_remove (st->by_key, old->key);
      entry_free (old);
    }
}

guint
i2a_pool_sticky_count (I2aPool    *pool,
                       const char *account_id)
{
  guint n = 0;

  for (GList *l = state (pool)->order.head; l; l = l->next)
    if (g_strcmp0 (((Entry *) l->data)->account_id, account_id) == 0)
      n++;
  return n;
}

void
i2a_pool_add_routing_debug (I2aPool     *pool,
                            JsonBuilder *b)
{
  RoutingState *st = state (pool);
  g_autoptr(GHashTable) per_account = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer key, value;

  for (GList *l = st->order.head; l; l = l->next)
    {
      const char *id = ((Entry *) l->data)->account_id;

      g_hash_table_insert (per_account, (gpointer) id,
                           GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (per_account, id)) + 1));
    }
  json_builder_set_member_name (b, "sticky");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "sessions");
  json_builder_add_int_value (b, st->order.length);
  json_builder_set_member_name (b, "max_sessions");
  json_builder_add_int_value (b, I2A_STICKY_MAX_SESSIONS);
  json_builder_set_member_name (b, "moves");
  json_builder_add_int_value (b, (gint64) st->moves);
  json_builder_set_member_name (b, "accounts");
  json_builder_begin_object (b);
  g_hash_table_iter_init (&iter, per_account);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      json_builder_set_member_name (b, key);
      json_builder_add_int_value (b, GPOINTER_TO_UINT (value));
    }
  json_builder_end_object (b);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "fallbacks");
  json_builder_begin_object (b);
  g_hash_table_iter_init (&iter, st->fallbacks);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      json_builder_set_member_name (b, key);
      json_builder_add_int_value (b, GPOINTER_TO_UINT (value));
    }
  json_builder_end_object (b);
}

/* ---- session keys ------------------------------------------------------- */

static const char *
string_member (JsonObject *obj,
               const char *name)
{
  JsonNode *node = obj ? json_object_get_member (obj, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return *json_node_get_string (node) ? json_node_get_string (node) : NULL;
}

char *
i2a_routing_session_key (JsonObject *request,
                         const char *header_session,
                         gboolean   *follow)
{
  JsonNode *node;
  JsonArray *messages;
  g_autoptr(GChecksum) sum = NULL;
  gboolean user_seen = FALSE;
  const char *s;

  *follow = TRUE;
  if (header_session != NULL && *header_session != '\0')
    return g_strconcat ("session:", header_session, NULL);
  if ((s = string_member (request, "prompt_cache_key")) != NULL)
    return g_strconcat ("cache:", s, NULL);
  if ((s = string_member (request, "user")) != NULL)
    return g_strconcat ("user:", s, NULL);

  /* The start of the conversation identifies it: the system prompt and the
   * first user message stay the same while the conversation grows. */
  node = request ? json_object_get_member (request, "messages") : NULL;
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;
  messages = json_node_get_array (node);
  sum = g_checksum_new (G_CHECKSUM_SHA256);
  for (guint i = 0; i < json_array_get_length (messages) && !user_seen; i++)
    {
      JsonNode *m = json_array_get_element (messages, i);
      const char *role;
      g_autofree char *text = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (m))
        continue;
      role = string_member (json_node_get_object (m), "role");
      if (g_strcmp0 (role, "system") != 0 && g_strcmp0 (role, "developer") != 0 &&
          g_strcmp0 (role, "user") != 0)
        continue;
      text = json_to_string (m, FALSE);
      g_checksum_update (sum, (const guchar *) text, -1);
      user_seen = g_strcmp0 (role, "user") == 0;
    }
  if (!user_seen)
    return NULL;
  *follow = FALSE;
  for (guint i = 0; i < json_array_get_length (messages); i++)
    {
      JsonNode *m = json_array_get_element (messages, i);

      if (JSON_NODE_HOLDS_OBJECT (m) &&
          g_strcmp0 (string_member (json_node_get_object (m), "role"), "assistant") == 0)
        *follow = TRUE;
    }
  return g_strconcat ("hash:", g_checksum_get_string (sum), NULL);
}
