/* i2a-provider-preset.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-presets"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "i2a-provider-preset.h"
#include "i2a-providers-resources.h"

#define PRESETS_RESOURCE "/io/github/iflow2api/Iflow2Api/providers/presets.json"

struct _I2aProviderPreset
{
  GObject   parent_instance;
  char     *id;
  char     *name;
  char     *base_url;
  char     *key_url;
  char     *key_hint;
  gboolean  needs_key;
  gboolean  local;
};

G_DEFINE_FINAL_TYPE (I2aProviderPreset, i2a_provider_preset, G_TYPE_OBJECT)

enum { PROP_0, PROP_ID, PROP_NAME, PROP_BASE_URL, PROP_KEY_URL, PROP_KEY_HINT,
       PROP_NEEDS_KEY, PROP_LOCAL, N_PROPS };
static GParamSpec *props[N_PROPS];

static void
i2a_provider_preset_finalize (GObject *object)
{
  I2aProviderPreset *self = I2A_PROVIDER_PRESET (object);

  g_free (self->id);
  g_free (self->name);
  g_free (self->base_url);
  g_free (self->key_url);
  g_free (self->key_hint);
  G_OBJECT_CLASS (i2a_provider_preset_parent_class)->finalize (object);
}

static void
i2a_provider_preset_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  I2aProviderPreset *self = I2A_PROVIDER_PRESET (object);

  switch (prop_id)
    {
    case PROP_ID: g_value_set_string (value, self->id); break;
    case PROP_NAME: g_value_set_string (value, self->name); break;
    case PROP_BASE_URL: g_value_set_string (value, self->base_url); break;
    case PROP_KEY_URL: g_value_set_string (value, self->key_url); break;
    case PROP_KEY_HINT: g_value_set_string (value, self->key_hint); break;
    case PROP_NEEDS_KEY: g_value_set_boolean (value, self->needs_key); break;
    case PROP_LOCAL: g_value_set_boolean (value, self->local); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
i2a_provider_preset_class_init (I2aProviderPresetClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = i2a_provider_preset_finalize;
  object_class->get_property = i2a_provider_preset_get_property;

  props[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, flags);
  props[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  props[PROP_BASE_URL] = g_param_spec_string ("base-url", NULL, NULL, NULL, flags);
  props[PROP_KEY_URL] = g_param_spec_string ("key-url", NULL, NULL, NULL, flags);
  props[PROP_KEY_HINT] = g_param_spec_string ("key-hint", NULL, NULL, NULL, flags);
  props[PROP_NEEDS_KEY] = g_param_spec_boolean ("needs-key", NULL, NULL, TRUE, flags);
  props[PROP_LOCAL] = g_param_spec_boolean ("local", NULL, NULL, FALSE, flags);
  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
i2a_provider_preset_init (I2aProviderPreset *self)
{
  self->needs_key = TRUE;
}

const char *
i2a_provider_preset_get_id (I2aProviderPreset *self)
{
  g_return_val_if_fail (I2A_IS_PROVIDER_PRESET (self), NULL);
  return self->id;
}

const char *
i2a_provider_preset_get_name (I2aProviderPreset *self)
{
  g_return_val_if_fail (I2A_IS_PROVIDER_PRESET (self), NULL);
  return self->name;
}

const char *
i2a_provider_preset_get_base_url (I2aProviderPreset *self)
{
  g_return_val_if_fail (I2A_IS_PROVIDER_PRESET (self), NULL);
  return self->base_url;
}

const char *
i2a_provider_preset_get_key_url (I2aProviderPreset *self)
{
  g_return_val_if_fail (I2A_IS_PROVIDER_PRESET (self), NULL);
  return self->key_url;
}

const char *
i2a_provider_preset_get_key_hint (I2aProviderPreset *self)
{
  g_return_val_if_fail (I2A_IS_PROVIDER_PRESET (self), NULL);
  return self->key_hint;
}

gboolean
i2a_provider_preset_get_needs_key (I2aProviderPreset *self)
{
  g_return_val_if_fail (I2A_IS_PROVIDER_PRESET (self), FALSE);
  return self->needs_key;
}

gboolean
i2a_provider_preset_get_local (I2aProviderPreset *self)
{
  g_return_val_if_fail (I2A_IS_PROVIDER_PRESET (self), FALSE);
  return self->local;
}

static char *
dup_member (JsonObject *obj,
            const char *name)
{
  const char *value = json_object_get_string_member_with_default (obj, name, NULL);

  return value != NULL && *value != '\0' ? g_strdup (value) : NULL;
}

static I2aProviderPreset *
preset_from_json (JsonObject *obj)
{
  I2aProviderPreset *self;
  const char *id = json_object_get_string_member_with_default (obj, "id", NULL);
  const char *name = json_object_get_string_member_with_default (obj, "name", NULL);

  if (id == NULL || name == NULL)
    return NULL;

  self = g_object_new (I2A_TYPE_PROVIDER_PRESET, NULL);
  self->id = g_strdup (id);
  self->name = g_strdup (name);
  self->base_url = g_strdup (json_object_get_string_member_with_default (obj, "base_url", ""));
  self->key_url = dup_member (obj, "key_url");
  self->key_hint = dup_member (obj, "key_hint");
  self->local = json_object_get_boolean_member_with_default (obj, "local", FALSE);
  self->needs_key = !self->local
                    && !json_object_get_boolean_member_with_default (obj, "key_optional", FALSE);
  return self;
}

static GListStore *
presets_load (void)
{
  GListStore *store = g_list_store_new (I2A_TYPE_PROVIDER_PRESET);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonArray *list;

  /* Referencing the resource keeps it linked in from the static library. */
  bytes = g_resource_lookup_data (i2a_providers_get_resource (), PRESETS_RESOURCE,
                                  G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  if (bytes == NULL
      || !json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL),
                                      g_bytes_get_size (bytes), &error))
    {
      /* Built into the binary: failing here is a packaging bug. */
      g_critical ("Cannot load the provider presets: %s", error->message);
      return store;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)
      || !json_object_has_member (json_node_get_object (root), "presets"))
    {
      g_critical ("Provider presets: no \"presets\" array");
      return store;
    }
  list = json_object_get_array_member (json_node_get_object (root), "presets");
  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    {
      JsonNode *node = json_array_get_element (list, i);
      g_autoptr(I2aProviderPreset) preset = NULL;

      if (JSON_NODE_HOLDS_OBJECT (node))
        preset = preset_from_json (json_node_get_object (node));
      if (preset != NULL)
        g_list_store_append (store, preset);
    }
  return store;
}

GListModel *
i2a_provider_presets_get (void)
{
  static GListStore *presets;

  if (g_once_init_enter (&presets))
    g_once_init_leave (&presets, presets_load ());
  return G_LIST_MODEL (presets);
}

I2aProviderPreset *
i2a_provider_presets_find (const char *name)
{
  GListModel *model = i2a_provider_presets_get ();

  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(I2aProviderPreset) preset = g_list_model_get_item (model, i);

      if (g_ascii_strcasecmp (preset->id, name) == 0
          || g_ascii_strcasecmp (preset->name, name) == 0)
        return preset;  /* the store keeps its reference */
    }
  return NULL;
}

static gsize
url_length (const char *url)
{
  gsize len = strlen (url);

  return len > 0 && url[len - 1] == '/' ? len - 1 : len;
}

I2aProviderPreset *
i2a_provider_presets_find_by_url (const char *base_url)
{
  GListModel *model = i2a_provider_presets_get ();
  gsize len;

  if (base_url == NULL || *base_url == '\0')
    return NULL;
  len = url_length (base_url);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(I2aProviderPreset) preset = g_list_model_get_item (model, i);

      if (*preset->base_url != '\0' && url_length (preset->base_url) == len
          && g_ascii_strncasecmp (preset->base_url, base_url, len) == 0)
        return preset;
    }
  return NULL;
}
