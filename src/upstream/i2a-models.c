/* i2a-models.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-models"

#include "config.h"

#include <string.h>

#include "i2a-models.h"
#include "i2a-upstream-resources.h"

#define MODELS_RESOURCE "/io/github/iflow2api/Iflow2Api/upstream/models.json"

typedef struct
{
  GPtrArray  *entries;  /* I2aModelInfo*, catalogue order */
  GHashTable *by_key;   /* lowercase id or alias -> I2aModelInfo* (borrowed) */
} Catalogue;

static void
model_info_free (gpointer data)
{
  I2aModelInfo *info = data;

  g_free ((char *) info->id);
  g_free ((char *) info->name);
  g_free (info);
}

static void
add_entry (Catalogue  *cat,
           JsonObject *obj)
{
  I2aModelInfo *info;
  const char *id = json_object_get_string_member_with_default (obj, "id", NULL);

  if (id == NULL || *id == '\0')
    return;

  info = g_new0 (I2aModelInfo, 1);
  info->id = g_strdup (id);
  info->name = g_strdup (json_object_get_string_member_with_default (obj, "name", id));
  info->context_length = json_object_get_int_member_with_default (obj, "context", 0);
  info->max_output_tokens = json_object_get_int_member_with_default (obj, "output", 0);
  info->thinking = json_object_get_boolean_member_with_default (obj, "thinking", FALSE);
  info->vision = json_object_get_boolean_member_with_default (obj, "vision", FALSE);
  g_ptr_array_add (cat->entries, info);
  g_hash_table_insert (cat->by_key, g_ascii_strdown (id, -1), info);
}

static void
add_alias (JsonObject  *aliases,
           const char  *alias,
           JsonNode    *target_node,
           gpointer     user_data)
{
  Catalogue *cat = user_data;
  g_autofree char *target = NULL;
  g_autofree char *key = NULL;
  I2aModelInfo *info;

  if (!JSON_NODE_HOLDS_VALUE (target_node)
      || json_node_get_value_type (target_node) != G_TYPE_STRING)
    return;

  target = g_ascii_strdown (json_node_get_string (target_node), -1);
  info = g_hash_table_lookup (cat->by_key, target);
  if (info == NULL)
    {
      g_warning ("models.json: alias %s points to unknown model %s", alias, target);
      return;
    }
  /* A real id always wins over an alias of the same spelling. */
  key = g_ascii_strdown (alias, -1);
  if (!g_hash_table_contains (cat->by_key, key))
    g_hash_table_insert (cat->by_key, g_steal_pointer (&key), info);
}

static Catalogue *
catalogue_load (void)
{
  Catalogue *cat = g_new0 (Catalogue, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonObject *obj;
  JsonArray *models;
  JsonObject *aliases;
  guint i;

  cat->entries = g_ptr_array_new_with_free_func (model_info_free);
  cat->by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  /* Referencing the resource keeps it linked in from the static library. */
  bytes = g_resource_lookup_data (i2a_upstream_get_resource (), MODELS_RESOURCE,
                                  G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  if (bytes == NULL
      || !json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL),
                                      g_bytes_get_size (bytes), &error))
    {
      /* Built into the binary: failing here is a packaging bug. */
      g_critical ("Cannot load the model catalogue: %s", error->message);
      return cat;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_critical ("Model catalogue is not a JSON object");
      return cat;
    }
  obj = json_node_get_object (root);

  if (json_object_has_member (obj, "models")
      && JSON_NODE_HOLDS_ARRAY (json_object_get_member (obj, "models")))
    {
      models = json_object_get_array_member (obj, "models");
      for (i = 0; i < json_array_get_length (models); i++)
        {
          JsonNode *node = json_array_get_element (models, i);

          if (JSON_NODE_HOLDS_OBJECT (node))
            add_entry (cat, json_node_get_object (node));
        }
    }

  if (json_object_has_member (obj, "aliases")
      && JSON_NODE_HOLDS_OBJECT (json_object_get_member (obj, "aliases")))
    {
      aliases = json_object_get_object_member (obj, "aliases");
      json_object_foreach_member (aliases, add_alias, cat);
    }

  return cat;
}

static Catalogue *
catalogue_get (void)
{
  static Catalogue *catalogue;

  if (g_once_init_enter (&catalogue))
    g_once_init_leave (&catalogue, catalogue_load ());
  return catalogue;
}

/* Clients write "iflow/glm-5" or "iflow2api/glm-5" when they route through
 * a provider prefix (zyylovelyyso, OpenCode). */
static const char *
strip_provider_prefix (const char *id)
{
  static const char * const prefixes[] = { "iflow2api/", "iflow/" };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (prefixes); i++)
    {
      gsize len = strlen (prefixes[i]);

      if (g_ascii_strncasecmp (id, prefixes[i], len) == 0)
        return id + len;
    }
  return id;
}

const I2aModelInfo *
i2a_models_lookup (const char *client_id)
{
  g_autofree char *key = NULL;

  if (client_id == NULL)
    return NULL;

  key = g_ascii_strdown (strip_provider_prefix (client_id), -1);
  g_strstrip (key);
  return g_hash_table_lookup (catalogue_get ()->by_key, key);
}

const char *
i2a_models_canonical_id (const char *client_id)
{
  const I2aModelInfo *info = i2a_models_lookup (client_id);

  return info ? info->id : NULL;
}

guint
i2a_models_count (void)
{
  return catalogue_get ()->entries->len;
}

const I2aModelInfo *
i2a_models_get (guint index)
{
  Catalogue *cat = catalogue_get ();

  if (index >= cat->entries->len)
    return NULL;
  return g_ptr_array_index (cat->entries, index);
}

JsonNode *
i2a_models_build_list (gint64 created)
{
  Catalogue *cat = catalogue_get ();
  g_autoptr(JsonBuilder) b = json_builder_new ();
  guint i;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "object");
  json_builder_add_string_value (b, "list");
  json_builder_set_member_name (b, "data");
  json_builder_begin_array (b);
  for (i = 0; i < cat->entries->len; i++)
    {
      const I2aModelInfo *info = g_ptr_array_index (cat->entries, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, info->id);
      json_builder_set_member_name (b, "object");
      json_builder_add_string_value (b, "model");
      json_builder_set_member_name (b, "created");
      json_builder_add_int_value (b, created);
      json_builder_set_member_name (b, "owned_by");
      json_builder_add_string_value (b, "iflow");
      json_builder_set_member_name (b, "permission");
      json_builder_begin_array (b);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "root");
      json_builder_add_string_value (b, info->id);
      json_builder_set_member_name (b, "parent");
      json_builder_add_null_value (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}
