/* i2a-model-rules.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-model-rules"

#include "config.h"

#include <string.h>

#include "i2a-error.h"
#include "i2a-model-rules.h"

typedef struct
{
  char *name;     /* lowercase; for a pattern the prefix without '*' */
  char *target;
  gboolean pattern;
} Alias;

struct _I2aModelRules
{
  GPtrArray  *aliases;     /* Alias *, file order */
  GHashTable *fallbacks;   /* lowercase model -> GStrv */
};

static void
alias_free (Alias *a)
{
  g_free (a->name);
  g_free (a->target);
  g_free (a);
}

void
i2a_model_rules_free (I2aModelRules *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->aliases);
  g_hash_table_unref (self->fallbacks);
  g_free (self);
}

static gboolean
is_string (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING &&
         *json_node_get_string (node) != '\0';
}

static gboolean
fail (GError    **error,
      const char *filename,
      const char *path,
      const char *problem)
{
  g_set_error (error, I2A_ERROR, I2A_ERROR_INVALID_CONFIG, "%s: %s: %s",
               filename ? filename : "keys.json", path, problem);
  return FALSE;
}

static gboolean
parse_aliases (I2aModelRules *self,
               JsonNode      *node,
               const char    *filename,
               GError       **error)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return fail (error, filename, "aliases", "expected an object such as {\"gpt-5\": \"deepseek-chat\"}");
  json_object_iter_init_ordered (&iter, json_node_get_object (node));
  while (json_object_iter_next_ordered (&iter, &name, &value))
    {
      g_autofree char *path = g_strdup_printf ("aliases.%s", name);
      const char *star = strchr (name, '*');
      Alias *a;

      if (*name == '\0')
        return fail (error, filename, "aliases", "an alias name must not be empty");
      if (!is_string (value))
        return fail (error, filename, path, "expected the name of a model");
      if (star != NULL && star[1] != '\0')
        return fail (error, filename, path, "'*' is allowed only at the end of an alias");
      a = g_new0 (Alias, 1);
      a->pattern = star != NULL;
      a->name = g_ascii_strdown (name, a->pattern ? star - name : -1);
      a->target = g_strdup (json_node_get_string (value));
      g_ptr_array_add (self->aliases, a);
    }
  return TRUE;
}

static gboolean
parse_fallbacks (I2aModelRules *self,
                 JsonNode      *node,
                 const char    *filename,
                 GError       **error)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return fail (error, filename, "fallbacks", "expected an object such as {\"glm-5\": [\"glm-4.7\"]}");
  json_object_iter_init_ordered (&iter, json_node_get_object (node));
  while (json_object_iter_next_ordered (&iter, &name, &value))
    {
      g_autofree char *path = g_strdup_printf ("fallbacks.%s", name);
      g_autoptr(GStrvBuilder) chain = g_strv_builder_new ();
      JsonArray *array;

      if (!JSON_NODE_HOLDS_ARRAY (value) || json_array_get_length (json_node_get_array (value)) == 0)
        return fail (error, filename, path, "expected a list of model names");
      array = json_node_get_array (value);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          if (!is_string (json_array_get_element (array, i)))
            return fail (error, filename, path, "expected a list of model names");
          g_strv_builder_add (chain, json_array_get_string_element (array, i));
        }
      g_hash_table_replace (self->fallbacks, g_ascii_strdown (name, -1), g_strv_builder_end (chain));
    }
  return TRUE;
}

I2aModelRules *
i2a_model_rules_parse (JsonObject  *top,
                       const char  *filename,
                       GError     **error)
{
  I2aModelRules *self = g_new0 (I2aModelRules, 1);
  JsonNode *node;

  self->aliases = g_ptr_array_new_with_free_func ((GDestroyNotify) alias_free);
  self->fallbacks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_strfreev);
  if (top == NULL)
    return self;
  node = json_object_get_member (top, "aliases");
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node) && !parse_aliases (self, node, filename, error))
    goto failed;
  node = json_object_get_member (top, "fallbacks");
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node) && !parse_fallbacks (self, node, filename, error))
    goto failed;
  return self;

failed:
  i2a_model_rules_free (self);
  return NULL;
}

const char *
i2a_model_rules_resolve (I2aModelRules *self,
                         const char    *model)
{
  g_autofree char *lower = NULL;
  Alias *best = NULL;

  if (self == NULL || model == NULL)
    return NULL;
  lower = g_ascii_strdown (model, -1);
  for (guint i = 0; i < self->aliases->len; i++)
    {
      Alias *a = self->aliases->pdata[i];

      if (!a->pattern && strcmp (a->name, lower) == 0)
        return a->target;
      if (a->pattern && g_str_has_prefix (lower, a->name) &&
          (best == NULL || strlen (a->name) > strlen (best->name)))
        best = a;
    }
  return best ? best->target : NULL;
}

const char *const *
i2a_model_rules_fallbacks (I2aModelRules *self,
                           const char    *model)
{
  g_autofree char *lower = NULL;

  if (self == NULL || model == NULL)
    return NULL;
  lower = g_ascii_strdown (model, -1);
  return g_hash_table_lookup (self->fallbacks, lower);
}

static Alias *
nth_exact (I2aModelRules *self,
           guint          index)
{
  for (guint i = 0; self && i < self->aliases->len; i++)
    {
      Alias *a = self->aliases->pdata[i];

      if (!a->pattern && index-- == 0)
        return a;
    }
  return NULL;
}

guint
i2a_model_rules_n_aliases (I2aModelRules *self)
{
  guint n = 0;

  while (nth_exact (self, n) != NULL)
    n++;
  return n;
}

const char *
i2a_model_rules_alias_name (I2aModelRules *self,
                            guint          index)
{
  Alias *a = nth_exact (self, index);

  return a ? a->name : NULL;
}

const char *
i2a_model_rules_alias_target (I2aModelRules *self,
                              guint          index)
{
  Alias *a = nth_exact (self, index);

  return a ? a->target : NULL;
}
