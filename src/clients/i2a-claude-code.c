/* i2a-claude-code.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-claude-code.c: the Claude Code writer of the client-setup module. */
#define G_LOG_DOMAIN "i2a-claude-code"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "i2a-claude-code.h"
#include "i2a-client-json.h"
#include "i2a-client-key.h"
#include "i2a-error.h"
#include "i2a-json.h"
#include "i2a-json-pretty.h"
#include "i2a-models.h"

#define DEFAULT_BASE_URL "http://127.0.0.1:8000"

static const char * const public_values[] = {
  I2A_CLIENT_KEY_NO_AUTH, I2A_CLIENT_PENDING_KEY, NULL
};

char *
i2a_claude_code_default_config_path (void)
{
  const char *dir = g_getenv ("CLAUDE_CONFIG_DIR");

  if (dir != NULL && *dir != '\0')
    return g_build_filename (dir, "settings.json", NULL);
  return g_build_filename (g_get_home_dir (), ".claude", "settings.json", NULL);
}

/* Claude Code appends /v1/messages itself: the server root, no /v1. */
static char *
server_root (const char *base_url)
{
  g_autofree char *url = g_strdup (base_url ? base_url : DEFAULT_BASE_URL);
  gsize len = strlen (url);

  while (len > 0 && url[len - 1] == '/')
    url[--len] = '\0';
  if (g_str_has_suffix (url, "/v1"))
    url[len - 3] = '\0';
  return g_steal_pointer (&url);
}

static const char *
catalogue_id (const char  *id,
              const char  *option,
              GError     **error)
{
  const char *canonical = i2a_models_canonical_id (id);

  if (canonical == NULL)
    g_set_error (error, I2A_ERROR, I2A_ERROR_INVALID_CONFIG,
                 _("%s: “%s” is not a model iflow2api knows (see GET /v1/models)"), option, id);
  return canonical;
}

static gboolean
apply_setup (JsonObject              *root,
             const I2aClientOptions  *options,
             GError                 **error)
{
  JsonObject *env = i2a_client_json_ensure_object (root, "env", "env", error);
  const char *model = NULL;
  const char *small = NULL;
  g_autofree char *url = server_root (options->base_url);

  if (env == NULL)
    return FALSE;
  json_object_set_string_member (env, "ANTHROPIC_BASE_URL", url);
  /* Sent as Authorization: Bearer, which iflow2api takes as a client key. */
  json_object_set_string_member (env, "ANTHROPIC_AUTH_TOKEN",
                                 options->api_key ? options->api_key : I2A_CLIENT_KEY_NO_AUTH);

  if (options->model == NULL ? !json_object_has_member (env, "ANTHROPIC_MODEL") : *options->model != '\0')
    {
      if (!(model = catalogue_id (options->model ? options->model : I2A_CLAUDE_CODE_DEFAULT_MODEL,
                                  "--model", error)))
        return FALSE;
      json_object_set_string_member (env, "ANTHROPIC_MODEL", model);
      /* Claude Code picks these by tier (and some sub-agents ask for a
       * "haiku" by name): every tier is the chosen model. */
      json_object_set_string_member (env, "ANTHROPIC_DEFAULT_OPUS_MODEL", model);
      json_object_set_string_member (env, "ANTHROPIC_DEFAULT_SONNET_MODEL", model);
      if (!json_object_has_member (env, "ANTHROPIC_DEFAULT_HAIKU_MODEL") || options->model != NULL)
        json_object_set_string_member (env, "ANTHROPIC_DEFAULT_HAIKU_MODEL", model);
    }
  if (options->small_model != NULL && *options->small_model != '\0')
    {
      if (!(small = catalogue_id (options->small_model, "--small-model", error)))
        return FALSE;
      json_object_set_string_member (env, "ANTHROPIC_DEFAULT_HAIKU_MODEL", small);
    }
  /* No telemetry or update checks toward Anthropic from a local setup. */
  json_object_set_string_member (env, "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
  return TRUE;
}

static char *
claude_code_write (const char              *path,
                   const char              *contents,
                   gsize                    length,
                   const I2aClientOptions  *options,
                   GError                 **error)
{
  g_autoptr(JsonNode) root = i2a_client_json_load (path, contents, length, error);

  if (root == NULL || !apply_setup (json_node_get_object (root), options, error))
    return NULL;
  return i2a_json_pretty (root, I2A_JSON_PRETTY_DEFAULT, NULL);
}

static char *
claude_code_show (const char  *path,
                  const char  *contents,
                  gsize        length,
                  GError     **error)
{
  return i2a_client_json_show (path, contents, length, public_values, error);
}

const I2aClient i2a_client_claude_code = {
  .id = "claude-code",
  .name = "Claude Code",
  .cli_options = I2A_CLIENT_OPTION_SMALL_MODEL,
  .config_help = NULL,
  .model_help = N_("Claude Code's model for every tier (without it: glm-5, only if none is set)"),
  .small_model_help = N_("Claude Code's small, fast model (the Haiku tier)"),
  .usage_hint = N_("Run `claude` as usual: its settings.json now points at iflow2api."),
  .default_path = i2a_claude_code_default_config_path,
  .write = claude_code_write,
  .show = claude_code_show,
};
