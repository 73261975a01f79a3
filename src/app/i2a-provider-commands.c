/* i2a-provider-commands.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-cli-commands"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <glib/gi18n.h>

#include "i2a-cli-common.h"
#include "i2a-model-discovery.h"
#include "i2a-model-fetch.h"
#include "i2a-model-index.h"
#include "i2a-provider-commands.h"
#include "i2a-provider-preset.h"
#include "i2a-util.h"

/* Keys are one line; anything longer is not a key. */
#define MAX_KEY_LENGTH 4096

/* The key from stdin: the first line of a pipe, or typed at a prompt
 * without echo. NULL on a read error; "" when none was given. */
static char *
read_key (const char *hint)
{
  struct termios saved, quiet;
  gboolean tty = isatty (STDIN_FILENO);
  char *line = g_malloc0 (MAX_KEY_LENGTH + 2);
  char *result;

  if (tty)
    {
      if (hint != NULL)
        /* TRANSLATORS: %s is how keys of this provider look, e.g. "sk-…" */
        g_printerr (_("API key (%s; input is hidden): "), hint);
      else
        g_printerr ("%s", _("API key (empty for none; input is hidden): "));
      tcgetattr (STDIN_FILENO, &saved);
      quiet = saved;
      quiet.c_lflag &= ~(tcflag_t) ECHO;
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
    }
  if (fgets (line, MAX_KEY_LENGTH + 2, stdin) == NULL)
    line[0] = '\0';
  if (tty)
    {
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
      g_printerr ("\n");
    }
  result = g_strdup (g_strstrip (line));
  i2a_secret_free (line);
  return result;
}

/* ---- add ---------------------------------------------------------------- */

static gboolean
test_key (I2aCmd     *cmd,
          const char *base_url,
          const char *api_key)
{
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) models = NULL;
  guint n;

  i2a_model_fetch_async (base_url, api_key, cmd->cancellable, i2a_cmd_result_cb, cmd);
  res = i2a_cmd_wait (cmd);
  models = i2a_model_fetch_finish (res, &error);
  if (models == NULL)
    return i2a_cmd_fail (_("the test failed; nothing was saved"), error);
  n = g_strv_length (models);
  /* TRANSLATORS: %s is a URL, %u a number of models */
  g_print (ngettext ("%s answers: %u model.\n", "%s answers: %u models.\n", n), base_url, n);
  return TRUE;
}

int
i2a_cmd_add (int    argc,
             char **argv)
{
  I2aCmd cmd = { 0 };
  g_autofree char *base_url = NULL;
  g_autofree char *preset_name = NULL;
  g_autofree char *label = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  I2aProviderPreset *preset = NULL;
  I2aApiKeyAccountSpec spec = I2A_API_KEY_ACCOUNT_SPEC_INIT;
  char *api_key = NULL;
  gboolean test = FALSE;
  int max_concurrency = -1;
  int status = 1;
  GOptionEntry entries[] = {
    { "base-url", 0, 0, G_OPTION_ARG_STRING, &base_url,
      N_("OpenAI-compatible base URL, e.g. https://api.deepseek.com/v1"), N_("URL") },
    { "preset", 0, 0, G_OPTION_ARG_STRING, &preset_name,
      N_("A known provider (deepseek, moonshot, zhipu, dashscope, siliconflow, openrouter, groq, "
         "ollama, lmstudio, llamacpp, vllm): its base URL and name"), N_("NAME") },
    { "label", 0, 0, G_OPTION_ARG_STRING, &label, N_("Name of the account"), N_("NAME") },
    { "max-concurrency", 0, 0, G_OPTION_ARG_INT, &max_concurrency,
      N_("Requests at once on this account (default 4; 0 = no limit)"), N_("N") },
    { "test", 0, 0, G_OPTION_ARG_NONE, &test,
      N_("Call GET {base}/models with the key first and save only if it answers"), NULL },
    { NULL }
  };

  if (!i2a_cmd_parse (entries, NULL,
                      N_("Add an account of an OpenAI-compatible provider. The API key is read from "
                         "stdin (or typed at a hidden prompt) and stored in the keyring."),
                      &argc, &argv, &cmd.keys_path))
    return 2;
  if (argc > 1)
    {
      g_printerr ("iflow2api: %s\n", _("add takes no arguments; the API key is read from stdin, "
                                       "never from the command line"));
      return 2;
    }
  if (preset_name != NULL && (preset = i2a_provider_presets_find (preset_name)) == NULL)
    {
      g_autofree char *message = NULL;

      /* TRANSLATORS: %s is what the user typed */
      message = g_strdup_printf (_("no preset “%s”; see `iflow2api add --help`"), preset_name);
      g_printerr ("iflow2api: %s\n", message);
      return 2;
    }
  if (base_url == NULL && preset != NULL && *i2a_provider_preset_get_base_url (preset) != '\0')
    base_url = g_strdup (i2a_provider_preset_get_base_url (preset));
  if (base_url == NULL)
    {
      g_printerr ("iflow2api: %s\n", _("add needs --base-url URL (or a --preset)"));
      return 2;
    }
  if (max_concurrency < -1)
    {
      g_printerr ("iflow2api: %s\n", _("--max-concurrency must be 0 or more"));
      return 2;
    }

  api_key = read_key (preset ? i2a_provider_preset_get_key_hint (preset) : NULL);
  if (*api_key == '\0' && preset != NULL && i2a_provider_preset_get_needs_key (preset))
    {
      g_printerr ("iflow2api: %s\n", _("this provider needs an API key; pipe it to stdin"));
      status = 2;
      goto out;
    }
  if (!i2a_cmd_open_pool (&cmd))
    goto out;
  if (test && !test_key (&cmd, base_url, api_key))
    goto out;

  spec.id_hint = preset ? i2a_provider_preset_get_id (preset) : NULL;
  spec.label = label ? label : (preset ? i2a_provider_preset_get_name (preset) : NULL);
  spec.base_url = base_url;
  spec.api_key = api_key;
  spec.max_concurrency = max_concurrency;
  i2a_account_store_add_api_key_async (cmd.store, &spec, cmd.cancellable, i2a_cmd_result_cb, &cmd);
  res = i2a_cmd_wait (&cmd);
  id = i2a_account_store_add_api_key_finish (cmd.store, res, &error);
  if (id == NULL)
    {
      i2a_cmd_fail (_("cannot add the account"), error);
      goto out;
    }
  /* TRANSLATORS: the first %s is the account's label, the second its id */
  g_print (*api_key != '\0' ? _("Added account “%s” (id %s); its key is in the keyring.\n")
                            : _("Added account “%s” (id %s) without a key.\n"),
           spec.label ? spec.label : id, id);
  status = 0;

out:
  i2a_secret_free (api_key);
  i2a_cmd_clear (&cmd);
  return status;
}

/* ---- migrate-keys ------------------------------------------------------- */

int
i2a_cmd_migrate_keys (int    argc,
                      char **argv)
{
  I2aCmd cmd = { 0 };
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  guint moved = 0;
  int status = 1;

  if (!i2a_cmd_parse (NULL, NULL,
                      N_("Move every plaintext \"api_key\" of keys.json into the keyring and rewrite "
                         "keys.json without it."),
                      &argc, &argv, &cmd.keys_path))
    return 2;
  if (!i2a_cmd_open_pool (&cmd))
    goto out;
  i2a_account_store_migrate_keys_async (cmd.store, cmd.cancellable, i2a_cmd_result_cb, &cmd);
  res = i2a_cmd_wait (&cmd);
  if (!i2a_account_store_migrate_keys_finish (cmd.store, res, &moved, &error))
    i2a_cmd_fail (_("cannot move the keys"), error);
  else
    status = 0;
  if (moved > 0 || status == 0)
    /* TRANSLATORS: %u is a number of API keys, %s the path of keys.json */
    g_print (ngettext ("Moved %u key to the keyring; %s no longer holds it.\n",
                       "Moved %u keys to the keyring; %s no longer holds them.\n", moved),
             moved, i2a_pool_get_config_path (cmd.pool));

out:
  i2a_cmd_clear (&cmd);
  return status;
}

/* ---- models ------------------------------------------------------------- */

static void
print_models (I2aPool *pool)
{
  g_autoptr(GPtrArray) list = i2a_pool_list_models (pool, NULL);
  gsize width = strlen (_("MODEL"));

  for (guint i = 0; i < list->len; i++)
    width = MAX (width, strlen (((I2aServedModel *) list->pdata[i])->id));
  /* TRANSLATORS: column headings of `iflow2api models` */
  g_print ("%-*s  %s\n", (int) width, _("MODEL"), _("ACCOUNTS"));
  for (guint i = 0; i < list->len; i++)
    {
      I2aServedModel *m = list->pdata[i];
      g_autoptr(GString) accounts = g_string_new (NULL);

      for (guint k = 0; k < m->accounts->len; k++)
        g_string_append_printf (accounts, "%s%s", k ? ", " : "", (char *) m->accounts->pdata[k]);
      if (m->alias_of != NULL)
        g_string_append_printf (accounts, "%s(→ %s)", accounts->len ? " " : "", m->alias_of);
      g_print ("%-*s  %s\n", (int) width, m->id, accounts->len ? accounts->str : "-");
    }
}

int
i2a_cmd_models (int    argc,
                char **argv)
{
  I2aCmd cmd = { 0 };
  g_autoptr(I2aModelDiscovery) discovery = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  gboolean refresh = FALSE;
  int status = 1;
  GListModel *accounts;
  GOptionEntry entries[] = {
    { "refresh", 0, 0, G_OPTION_ARG_NONE, &refresh,
      N_("Ask every OpenAI-compatible account for its models now (default: the cached lists)"), NULL },
    { NULL }
  };

  if (!i2a_cmd_parse (entries, NULL, N_("List the models the pool serves, with the accounts that serve each."),
                      &argc, &argv, &cmd.keys_path))
    return 2;
  if (!i2a_cmd_open_pool (&cmd))
    goto out;
  discovery = i2a_model_discovery_new (cmd.pool, NULL);
  i2a_model_discovery_load_cache (discovery);
  if (refresh)
    {
      /* The keys of keyring accounts first. */
      i2a_account_store_start (cmd.store);
      i2a_account_store_wait_loaded_async (cmd.store, cmd.cancellable, i2a_cmd_result_cb, &cmd);
      res = i2a_cmd_wait (&cmd);
      if (!i2a_account_store_wait_loaded_finish (cmd.store, res, &error))
        {
          i2a_cmd_fail (_("cannot read the keyring"), error);
          g_clear_error (&error);
        }
      g_clear_object (&res);
      i2a_model_discovery_refresh_async (discovery, NULL, cmd.cancellable, i2a_cmd_result_cb, &cmd);
      res = i2a_cmd_wait (&cmd);
      i2a_model_discovery_refresh_finish (discovery, res, NULL);
      g_clear_object (&res);
      i2a_model_discovery_flush_async (discovery, NULL, i2a_cmd_result_cb, &cmd);
      res = i2a_cmd_wait (&cmd);
      i2a_model_discovery_flush_finish (discovery, res, NULL);
    }
  print_models (cmd.pool);

  accounts = G_LIST_MODEL (cmd.pool);
  for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr(I2aAccount) account = g_list_model_get_item (accounts, i);

      if (i2a_account_get_models_error (account) != NULL)
        /* TRANSLATORS: %s is an account id, then an error message */
        g_printerr (_("%s: cannot list its models: %s\n"), i2a_account_get_id (account),
                    i2a_account_get_models_error (account));
      else if (i2a_account_get_provider (account) == I2A_PROVIDER_OPENAI &&
               i2a_account_get_models (account) == NULL)
        /* TRANSLATORS: %s is an account id */
        g_printerr (_("%s: models not known yet (it accepts any model); run `iflow2api models --refresh`\n"),
                    i2a_account_get_id (account));
    }
  status = 0;

out:
  i2a_cmd_clear (&cmd);
  return status;
}
