/* i2a-model-index.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-model-index"

#include "config.h"

#include <string.h>

#include "i2a-model-index.h"
#include "i2a-models.h"
#include "i2a-pool-private.h"

void
i2a_served_model_free (I2aServedModel *model)
{
  g_free (model->id);
  g_free (model->owned_by);
  g_free (model->alias_of);
  g_ptr_array_unref (model->accounts);
  g_free (model);
}

/* The accounts a request with @token may use, as i2a_pool_begin routes it. */
static I2aKeysRoute *
route_of (I2aPool    *self,
          const char *token)
{
  I2aKeysRoute *route = token ? i2a_keys_config_lookup_token (self->config, token, NULL) : NULL;

  return route ? route : self->config->default_route;
}

static GPtrArray *
scope (I2aPool      *self,
       I2aKeysRoute *route)
{
  GPtrArray *out = g_ptr_array_new ();

  if (!i2a_pool_is_multi_account (self))
    {
      g_ptr_array_add (out, self->cli_account);
      return out;
    }
  for (guint i = 0; i < self->accounts->len; i++)
    {
      I2aAccount *a = self->accounts->pdata[i];

      if (route == NULL || g_strv_contains ((const char *const *) route->accounts, i2a_account_get_id (a)))
        g_ptr_array_add (out, a);
    }
  return out;
}

static I2aServedModel *
find_or_add (GPtrArray  *list,
             GHashTable *by_id,
             const char *id,
             const char *owned_by)
{
  g_autofree char *key = g_ascii_strdown (id, -1);
  I2aServedModel *m = g_hash_table_lookup (by_id, key);

  if (m != NULL)
    return m;
  m = g_new0 (I2aServedModel, 1);
  m->id = g_strdup (id);
  m->owned_by = g_strdup (owned_by);
  m->accounts = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (list, m);
  g_hash_table_insert (by_id, g_steal_pointer (&key), m);
  return m;
}

static void
add_account (I2aServedModel *m,
             I2aAccount     *account)
{
  const char *id = i2a_account_get_id (account);

  if (!g_ptr_array_find_with_equal_func (m->accounts, id, g_str_equal, NULL))
    g_ptr_array_add (m->accounts, g_strdup (id));
}

static const char *
provider_label (I2aAccount *account)
{
  const char *label = i2a_account_get_label (account);

  return label && *label ? label : i2a_account_get_id (account);
}

static GPtrArray *
list_models (I2aPool      *self,
             I2aKeysRoute *route)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) i2a_served_model_free);
  g_autoptr(GHashTable) by_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) accounts = scope (self, route);
  I2aModelRules *rules = self->config->model_rules;

  g_return_val_if_fail (I2A_IS_POOL (self), list);

  for (guint i = 0; i < accounts->len; i++)
    {
      I2aAccount *a = accounts->pdata[i];

      if (!i2a_account_get_enabled (a) || i2a_account_get_provider (a) != I2A_PROVIDER_IFLOW)
        continue;
      if (!i2a_pool_is_multi_account (self) && !i2a_account_has_api_key (a))
        continue;  /* the iFlow CLI is not logged in */
      for (guint k = 0; k < i2a_models_count (); k++)
        add_account (find_or_add (list, by_id, i2a_models_get (k)->id, "iflow"), a);
    }
  for (guint i = 0; i < accounts->len; i++)
    {
      I2aAccount *a = accounts->pdata[i];
      const char *const *models = i2a_account_get_models (a);

      if (!i2a_account_get_enabled (a) || i2a_account_get_provider (a) != I2A_PROVIDER_OPENAI)
        continue;
      for (guint k = 0; models && models[k]; k++)
        add_account (find_or_add (list, by_id, models[k], provider_label (a)), a);
    }
  for (guint i = 0; i < i2a_model_rules_n_aliases (rules); i++)
    {
      const char *target = i2a_model_rules_alias_target (rules, i);
      g_autofree char *key = g_ascii_strdown (target, -1);
      I2aServedModel *served = g_hash_table_lookup (by_id, key);
      I2aServedModel *m;

      if (g_hash_table_contains (by_id, i2a_model_rules_alias_name (rules, i)))
        continue;  /* a real model of that name wins */
      m = find_or_add (list, by_id, i2a_model_rules_alias_name (rules, i), "alias");
      m->alias_of = g_strdup (target);
      for (guint k = 0; served && k < served->accounts->len; k++)
        g_ptr_array_add (m->accounts, g_strdup (served->accounts->pdata[k]));
    }
  return list;
}

GPtrArray *
i2a_pool_list_models (I2aPool    *self,
                      const char *token)
{
  return list_models (self, route_of (self, token));
}

JsonNode *
i2a_pool_build_model_list (I2aPool    *self,
                           const char *token,
                           gint64      created)
{
  g_autoptr(GPtrArray) list = i2a_pool_list_models (self, token);
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "object");
  json_builder_add_string_value (b, "list");
  json_builder_set_member_name (b, "data");
  json_builder_begin_array (b);
  for (guint i = 0; i < list->len; i++)
    {
      I2aServedModel *m = list->pdata[i];

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, m->id);
      json_builder_set_member_name (b, "object");
      json_builder_add_string_value (b, "model");
      json_builder_set_member_name (b, "created");
      json_builder_add_int_value (b, created);
      json_builder_set_member_name (b, "owned_by");
      json_builder_add_string_value (b, m->owned_by);
      json_builder_set_member_name (b, "permission");
      json_builder_begin_array (b);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "root");
      json_builder_add_string_value (b, m->alias_of ? m->alias_of : m->id);
      json_builder_set_member_name (b, "parent");
      json_builder_add_null_value (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* Levenshtein distance over bytes, lowercase; short strings only. */
static guint
distance (const char *a,
          const char *b)
{
  gsize la = MIN (strlen (a), 64), lb = MIN (strlen (b), 64);
  guint row[65];

  for (gsize j = 0; j <= lb; j++)
    row[j] = j;
  for (gsize i = 1; i <= la; i++)
    {
      guint diag = row[0];

      row[0] = i;
      for (gsize j = 1; j <= lb; j++)
        {
          guint up = row[j];
          guint cost = g_ascii_tolower (a[i - 1]) == g_ascii_tolower (b[j - 1]) ? 0 : 1;

          row[j] = MIN (MIN (row[j] + 1, row[j - 1] + 1), diag + cost);
          diag = up;
        }
    }
  return row[lb];
}

typedef struct
{
  const char *id;
  guint       score;
} Scored;

static gint
scored_compare (gconstpointer a,
                gconstpointer b)
{
  const Scored *x = a, *y = b;

  return x->score != y->score ? (x->score < y->score ? -1 : 1) : g_strcmp0 (x->id, y->id);
}

GStrv
i2a_pool_suggest_models (I2aPool    *self,
                         const char *token,
                         const char *model,
                         guint       max)
{
  return i2a_pool_suggest_models_for_route (self, route_of (self, token), model, max);
}

GStrv
i2a_pool_suggest_models_for_route (I2aPool      *self,
                                   I2aKeysRoute *route,
                                   const char   *model,
                                   guint         max)
{
  g_autoptr(GPtrArray) list = list_models (self, route);
  g_autoptr(GArray) scored = g_array_new (FALSE, FALSE, sizeof (Scored));
  g_autoptr(GStrvBuilder) out = g_strv_builder_new ();

  for (guint i = 0; i < list->len; i++)
    {
      I2aServedModel *m = list->pdata[i];
      Scored s = { m->id, distance (model ? model : "", m->id) };

      /* A shared family prefix ("glm-", "deepseek-") counts as close. */
      if (model && g_ascii_strncasecmp (model, m->id, MIN (4, strlen (model))) == 0)
        s.score = s.score > 3 ? s.score - 3 : 0;
      g_array_append_val (scored, s);
    }
  g_array_sort (scored, scored_compare);
  for (guint i = 0; i < scored->len && i < max; i++)
    g_strv_builder_add (out, g_array_index (scored, Scored, i).id);
  return g_strv_builder_end (out);
}
