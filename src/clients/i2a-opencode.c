/* i2a-opencode.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-opencode.c: the OpenCode writer of the client-setup module. */
#define G_LOG_DOMAIN "i2a-opencode"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "i2a-client-json.h"
#include "i2a-client-key.h"
#include "i2a-error.h"
#include "i2a-json.h"
#include "i2a-json-pretty.h"
#include "i2a-models.h"
#include "i2a-opencode.h"

#define DEFAULT_BASE_URL   "http://127.0.0.1:8000/v1"
#define SCHEMA_URL         "https://opencode.ai/config.json"
#define PROVIDER_NPM       "@ai-sdk/openai-compatible"
#define PROVIDER_LABEL     "iflow2api"
/* OpenCode sends limit.output as max_tokens and rejects 0. */
#define FALLBACK_CONTEXT   128000
#define FALLBACK_OUTPUT    32000

static const char * const public_values[] = {
  I2A_CLIENT_KEY_NO_AUTH, I2A_CLIENT_PENDING_KEY, NULL
};

char *
i2a_opencode_default_config_path (void)
{
  const char *env = g_getenv ("OPENCODE_CONFIG");
  g_autofree char *json = NULL;
  g_autofree char *jsonc = NULL;

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  /* g_get_user_config_dir () caches $XDG_CONFIG_HOME for the process;
   * OpenCode reads it afresh, so do the same. */
  env = g_getenv ("XDG_CONFIG_HOME");
  if (env != NULL && g_path_is_absolute (env))
    json = g_build_filename (env, "opencode", "opencode.json", NULL);
  else
    json = g_build_filename (g_get_home_dir (), ".config", "opencode", "opencode.json", NULL);
  jsonc = g_strconcat (json, "c", NULL);
  if (!g_file_test (json, G_FILE_TEST_EXISTS) && g_file_test (jsonc, G_FILE_TEST_EXISTS))
    return g_steal_pointer (&jsonc);
  return g_steal_pointer (&json);
}

/* ---- computing ---------------------------------------------------------- */

static void
set_model_entry (JsonObject         *models,
                 const I2aModelInfo *info)
{
  JsonObject *entry, *limit;
  JsonNode *node = json_object_get_member (models, info->id);

  /* Members the user added to a model (options, variants...) stay. */
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    json_object_set_object_member (models, info->id, json_object_new ());
  entry = json_object_get_object_member (models, info->id);
  json_object_set_string_member (entry, "name", info->name);
  limit = json_object_new ();
  json_object_set_int_member (limit, "context", info->context_length > 0 ? info->context_length : FALLBACK_CONTEXT);
  json_object_set_int_member (limit, "output", info->max_output_tokens > 0 ? info->max_output_tokens : FALLBACK_OUTPUT);
  json_object_set_object_member (entry, "limit", limit);
  json_object_set_boolean_member (entry, "reasoning", info->thinking);
  if (info->vision)
    {
      JsonObject *modalities = json_object_new ();
      JsonArray *input = json_array_new ();
      JsonArray *output = json_array_new ();

      json_array_add_string_element (input, "text");
      json_array_add_string_element (input, "image");
      json_array_add_string_element (output, "text");
      json_object_set_array_member (modalities, "input", input);
      json_object_set_array_member (modalities, "output", output);
      json_object_set_boolean_member (entry, "attachment", TRUE);
      json_object_set_object_member (entry, "modalities", modalities);
    }
}

/* "glm-5" or "<provider>/glm-5" -> "<provider>/glm-5" (catalogue spelling). */
static char *
model_ref (const char  *provider,
           const char  *id,
           const char  *option,
           GError     **error)
{
  g_autofree char *prefix = g_strconcat (provider, "/", NULL);
  const char *canonical;

  if (g_str_has_prefix (id, prefix))
    id += strlen (prefix);
  canonical = i2a_models_canonical_id (id);
  if (canonical == NULL)
    {
      g_set_error (error, I2A_ERROR, I2A_ERROR_INVALID_CONFIG,
                   _("%s: “%s” is not a model iflow2api knows (see GET /v1/models)"), option, id);
      return NULL;
    }
  return g_strconcat (prefix, canonical, NULL);
}

static gboolean
apply_setup (JsonObject                *root,
             const I2aClientOptions  *options,
             gboolean                   new_file,
             GError                   **error)
{
  const char *name = options->provider ? options->provider : I2A_OPENCODE_DEFAULT_PROVIDER;
  g_autofree char *provider_path = NULL;
  g_autofree char *options_path = NULL;
  g_autofree char *models_path = NULL;
  JsonObject *providers, *provider, *provider_options, *models;

  if (*name == '\0' || strchr (name, '/') != NULL)
    {
      g_set_error (error, I2A_ERROR, I2A_ERROR_INVALID_CONFIG,
                   _("“%s” cannot name an OpenCode provider (empty or with a “/”)"), name);
      return FALSE;
    }
  if (new_file)
    json_object_set_string_member (root, "$schema", SCHEMA_URL);

  provider_path = g_strconcat ("provider.", name, NULL);
  options_path = g_strconcat (provider_path, ".options", NULL);
  models_path = g_strconcat (provider_path, ".models", NULL);
  if (!(providers = i2a_client_json_ensure_object (root, "provider", "provider", error)) ||
      !(provider = i2a_client_json_ensure_object (providers, name, provider_path, error)))
    return FALSE;
  json_object_set_string_member (provider, "npm", PROVIDER_NPM);
  json_object_set_string_member (provider, "name", PROVIDER_LABEL);
  if (!(provider_options = i2a_client_json_ensure_object (provider, "options", options_path, error)))
    return FALSE;
  json_object_set_string_member (provider_options, "baseURL",
                                 options->base_url ? options->base_url : DEFAULT_BASE_URL);
  json_object_set_string_member (provider_options, "apiKey",
                                 options->api_key ? options->api_key : I2A_CLIENT_KEY_NO_AUTH);
  if (!(models = i2a_client_json_ensure_object (provider, "models", models_path, error)))
    return FALSE;
  /* Models the user added by hand (for an OpenAI-compatible account)
   * are kept; catalogue entries are refreshed. */
  for (guint i = 0; i < i2a_models_count (); i++)
    set_model_entry (models, i2a_models_get (i));

  if (options->model == NULL ? !json_object_has_member (root, "model") : *options->model != '\0')
    {
      g_autofree char *ref = model_ref (name, options->model ? options->model : I2A_OPENCODE_DEFAULT_MODEL,
                                        "--model", error);

      if (ref == NULL)
        return FALSE;
      json_object_set_string_member (root, "model", ref);
    }
  if (options->small_model != NULL && *options->small_model != '\0')
    {
      g_autofree char *ref = model_ref (name, options->small_model, "--small-model", error);

      if (ref == NULL)
        return FALSE;
      json_object_set_string_member (root, "small_model", ref);
    }
  return TRUE;
}

/* ---- the client -------------------------------------------------------- */

static char *
opencode_write (const char              *path,
                const char              *contents,
                gsize                    length,
                const I2aClientOptions  *options,
                GError                 **error)
{
  g_autoptr(JsonNode) root = i2a_client_json_load (path, contents, length, error);

  if (root == NULL || !apply_setup (json_node_get_object (root), options, contents == NULL, error))
    return NULL;
  return i2a_json_pretty (root, I2A_JSON_PRETTY_DEFAULT, NULL);
}

static char *
opencode_show (const char  *path,
               const char  *contents,
               gsize        length,
               GError     **error)
{
  return i2a_client_json_show (path, contents, length, public_values, error);
}

const I2aClient i2a_client_opencode = {
  .id = "opencode",
  .name = "OpenCode",
  .cli_options = I2A_CLIENT_OPTION_CONFIG | I2A_CLIENT_OPTION_PROVIDER | I2A_CLIENT_OPTION_SMALL_MODEL,
  .config_help = N_("OpenCode config file (default $OPENCODE_CONFIG or ~/.config/opencode/opencode.json)"),
  .model_help = N_("Make this model OpenCode's default (without it: glm-5, only if no default is set)"),
  .small_model_help = N_("OpenCode's small model for titles and summaries"),
  .usage_hint = NULL,
  .default_path = i2a_opencode_default_config_path,
  .write = opencode_write,
  .show = opencode_show,
};
