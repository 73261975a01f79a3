/* i2a-codex.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-codex.c: the Codex writer of the client-setup module. */
#define G_LOG_DOMAIN "i2a-codex"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "i2a-client-key.h"
#include "i2a-codex.h"
#include "i2a-error.h"
#include "i2a-json-pretty.h"
#include "i2a-models.h"
#include "i2a-util.h"

#define DEFAULT_BASE_URL "http://127.0.0.1:8000/v1"
#define TABLE            "[model_providers." I2A_CODEX_PROVIDER "]"
#define UTF8_BOM         "\xef\xbb\xbf"

char *
i2a_codex_default_config_path (void)
{
  const char *home = g_getenv ("CODEX_HOME");

  if (home != NULL && *home != '\0')
    return g_build_filename (home, I2A_CODEX_PROFILE ".config.toml", NULL);
  return g_build_filename (g_get_home_dir (), ".codex", I2A_CODEX_PROFILE ".config.toml", NULL);
}

/* ---- a little TOML ------------------------------------------------------ */

/* A basic TOML string. */
static void
append_string (GString    *out,
               const char *value)
{
  g_string_append_c (out, '"');
  for (const char *c = value; *c; c++)
    {
      if (*c == '"' || *c == '\\')
        g_string_append_printf (out, "\\%c", *c);
      else if (*c == '\n')
        g_string_append (out, "\\n");
      else if ((guchar) *c < 0x20)
        g_string_append_printf (out, "\\u%04x", (guchar) *c);
      else
        g_string_append_c (out, *c);
    }
  g_string_append_c (out, '"');
}

/* "key = …" -> the key ("model", "a.b", quotes kept), or NULL. */
static char *
line_key (const char *line)
{
  const char *eq = strchr (line, '=');
  g_autofree char *key = NULL;

  if (eq == NULL || *line == '#' || *line == '[')
    return NULL;
  key = g_strndup (line, eq - line);
  return g_strdup (g_strstrip (key));
}

static gboolean
is_table_header (const char *line)
{
  return *line == '[';
}

/* A table header naming our provider, however it is spaced or quoted. */
static gboolean
is_our_table (const char *line)
{
  g_autoptr(GString) compact = g_string_new (NULL);

  for (const char *c = line; *c && *c != '#'; c++)
    if (!g_ascii_isspace (*c) && *c != '"' && *c != '\'')
      g_string_append_c (compact, *c);
  return g_str_equal (compact->str, TABLE);
}

/* The profile's current model, to keep it when no --model is given. */
static char *
current_model (char **lines)
{
  for (guint i = 0; lines[i]; i++)
    {
      g_autofree char *stripped = g_strstrip (g_strdup (lines[i]));
      g_autofree char *key = NULL;
      const char *eq, *start, *end;

      if (is_table_header (stripped))
        break;
      key = line_key (stripped);
      if (g_strcmp0 (key, "model") != 0)
        continue;
      eq = strchr (stripped, '=');
      start = strchr (eq, '"');
      end = start ? strchr (start + 1, '"') : NULL;
      if (start && end)
        return g_strndup (start + 1, end - start - 1);
    }
  return NULL;
}

/* No leading blank lines, and no newline at the end. */
static void
trim_blank_lines (GString *text)
{
  while (text->len > 0 && text->str[0] == '\n')
    g_string_erase (text, 0, 1);
  while (text->len > 0 && text->str[text->len - 1] == '\n')
    g_string_truncate (text, text->len - 1);
}

static char *
codex_write (const char              *path,
             const char              *contents,
             gsize                    length,
             const I2aClientOptions  *options,
             GError                 **error)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GString) kept_top = g_string_new (NULL);
  g_autoptr(GString) kept_tables = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;
  g_autofree char *text = NULL;
  g_autofree char *existing = NULL;
  const char *model = options->model;
  const char *canonical;
  const char *key = options->api_key;
  gboolean in_table = FALSE, in_ours = FALSE;

  if (contents != NULL && length >= 3 && memcmp (contents, UTF8_BOM, 3) == 0)
    contents += 3, length -= 3;
  if (contents != NULL && !g_utf8_validate_len (contents, length, NULL))
    {
      g_set_error (error, I2A_ERROR, I2A_ERROR_INVALID_CONFIG,
                   _("%s is not UTF-8 text; it was left unchanged"), path);
      return NULL;
    }
  text = contents ? g_strndup (contents, length) : g_strdup ("");
  lines = g_strsplit (text, "\n", -1);

  if (model == NULL || *model == '\0')
    model = existing = current_model (lines);
  if (model == NULL)
    model = I2A_CODEX_DEFAULT_MODEL;
  canonical = i2a_models_canonical_id (model);
  if (canonical == NULL)
    {
      g_set_error (error, I2A_ERROR, I2A_ERROR_INVALID_CONFIG,
                   _("%s: “%s” is not a model iflow2api knows (see GET /v1/models)"), "--model", model);
      return NULL;
    }

  /* Everything the user added stays; what this profile is about is
   * written afresh: model_provider, model and our provider table. */
  for (guint i = 0; lines[i]; i++)
    {
      g_autofree char *stripped = g_strstrip (g_strdup (lines[i]));
      g_autofree char *k = line_key (stripped);

      if (lines[i + 1] == NULL && *stripped == '\0')
        break;
      if (is_table_header (stripped))
        {
          in_table = TRUE;
          in_ours = is_our_table (stripped);
        }
      if (in_ours)
        continue;
      if (!in_table)
        {
          if (g_strcmp0 (k, "model_provider") == 0 || g_strcmp0 (k, "model") == 0 ||
              g_str_has_prefix (stripped, "# Written by iflow2api") ||
              g_str_has_prefix (stripped, "# Use it with"))
            continue;
          g_string_append_printf (kept_top, "%s\n", lines[i]);
        }
      else
        g_string_append_printf (kept_tables, "%s\n", lines[i]);
    }
  /* Blank lines at the ends go: the layout below adds its own. */
  trim_blank_lines (kept_top);
  trim_blank_lines (kept_tables);

  g_string_append (out, "# Written by iflow2api (`iflow2api codex`); `iflow2api codex --undo` restores the previous version.\n");
  g_string_append (out, "# Use it with: codex --profile " I2A_CODEX_PROFILE "\n");
  g_string_append (out, "model_provider = ");
  append_string (out, I2A_CODEX_PROVIDER);
  g_string_append (out, "\nmodel = ");
  append_string (out, canonical);
  g_string_append_c (out, '\n');
  if (kept_top->len > 0)
    g_string_append_printf (out, "%s\n", kept_top->str);
  g_string_append_c (out, '\n');
  if (kept_tables->len > 0)
    g_string_append_printf (out, "%s\n\n", kept_tables->str);
  g_string_append (out, TABLE "\nname = ");
  append_string (out, I2A_CODEX_PROVIDER);
  g_string_append (out, "\nbase_url = ");
  append_string (out, options->base_url ? options->base_url : DEFAULT_BASE_URL);
  g_string_append (out, "\nwire_api = \"responses\"\n");
  /* Codex would otherwise try its WebSocket transport first. */
  g_string_append (out, "supports_websockets = false\n");
  /* With client auth off the server takes any request: no key, so Codex
   * needs no environment variable either. */
  if (key != NULL && !g_str_equal (key, I2A_CLIENT_KEY_NO_AUTH))
    {
      g_string_append (out, "experimental_bearer_token = ");
      append_string (out, key);
      g_string_append_c (out, '\n');
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static char *
codex_show (const char  *path,
            const char  *contents,
            gsize        length,
            GError     **error)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;
  g_autofree char *text = NULL;

  if (!g_utf8_validate_len (contents, length, NULL))
    {
      g_set_error (error, I2A_ERROR, I2A_ERROR_INVALID_CONFIG,
                   _("%s is not UTF-8 text; it was left unchanged"), path);
      return NULL;
    }
  text = g_strndup (contents, length);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      g_autofree char *stripped = g_strstrip (g_strdup (lines[i]));
      g_autofree char *key = line_key (stripped);
      const char *eq = strchr (lines[i], '=');
      const char *start = eq ? strchr (eq, '"') : NULL;
      const char *end = start ? strrchr (start + 1, '"') : NULL;

      if (i > 0)
        g_string_append_c (out, '\n');
      /* A secret-looking key with a string value: show "…abcd" only. */
      if (key != NULL && start != NULL && end != NULL && end > start &&
          i2a_json_member_is_secret (key))
        {
          g_autofree char *value = g_strndup (start + 1, end - start - 1);
          g_autofree char *masked = NULL;

          if (g_str_equal (value, I2A_CLIENT_PENDING_KEY) || g_str_equal (value, I2A_CLIENT_KEY_NO_AUTH))
            masked = g_strdup (value);
          else
            masked = i2a_mask_secret (value);
          g_string_append_len (out, lines[i], start + 1 - lines[i]);
          g_string_append (out, masked);
          g_string_append (out, end);
        }
      else
        g_string_append (out, lines[i]);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

const I2aClient i2a_client_codex = {
  .id = "codex",
  .name = "Codex",
  .cli_options = 0,
  .config_help = NULL,
  .model_help = N_("Codex's model in the profile (without it: the profile's, else glm-5)"),
  .small_model_help = NULL,
  .usage_hint = N_("Start Codex with: codex --profile iflow2api"),
  .no_key_without_auth = TRUE,
  .default_path = i2a_codex_default_config_path,
  .write = codex_write,
  .show = codex_show,
};
