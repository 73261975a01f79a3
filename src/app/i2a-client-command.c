/* i2a-client-command.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-client-command"

#include "config.h"

#include <stdio.h>
#include <unistd.h>
#include <glib/gi18n.h>

#include "i2a-client-key.h"
#include "i2a-client-command.h"
#include "i2a-pool.h"
#include "i2a-util.h"

#define DEFAULT_PORT 8000

typedef struct
{
  const I2aClient *client;
  gboolean     print;
  gboolean     apply;
  gboolean     undo;
  gboolean     list_backups;
  char        *config;
  char        *provider;
  char        *model;
  char        *small_model;
  char        *keys_path;
  int          port;
  GAsyncResult *result;
} Opts;

static void
result_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Opts *opts = user_data;

  g_set_object (&opts->result, result);
}

/* The async API the app uses, run to completion: a CLI may wait. */
static GAsyncResult *
wait_result (Opts *opts)
{
  while (opts->result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return g_steal_pointer (&opts->result);
}

static int
fail (const GError *error)
{
  g_printerr ("iflow2api: %s\n", error->message);
  return 1;
}

/* The port the desktop app serves on (its setting), else 8000. */
static int
configured_port (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) settings = NULL;

  if (source == NULL)
    return DEFAULT_PORT;
  schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL || !g_settings_schema_has_key (schema, "port"))
    return DEFAULT_PORT;
  settings = g_settings_new_full (schema, NULL, NULL);
  return g_settings_get_int (settings, "port");
}

/* Red/green lines on a terminal, plain text otherwise. */
static void
print_diff (const char *diff)
{
  g_auto(GStrv) lines = g_strsplit (diff, "\n", -1);
  gboolean color = isatty (STDOUT_FILENO) && g_getenv ("NO_COLOR") == NULL &&
                   g_strcmp0 (g_getenv ("TERM"), "dumb") != 0;

  for (guint i = 0; lines[i] && (lines[i][0] || lines[i + 1]); i++)
    {
      const char *start = "", *end = "";

      if (color && (g_str_has_prefix (lines[i], "+++") || g_str_has_prefix (lines[i], "---")))
        start = "\033[1m", end = "\033[0m";
      else if (color && lines[i][0] == '+')
        start = "\033[32m", end = "\033[0m";
      else if (color && lines[i][0] == '-')
        start = "\033[31m", end = "\033[0m";
      else if (color && lines[i][0] == '@')
        start = "\033[36m", end = "\033[0m";
      g_print ("%s%s%s\n", start, lines[i], end);
    }
}

static void
print_usage_hint (const I2aClient *client)
{
  if (client->usage_hint != NULL)
    g_print ("%s\n", _(client->usage_hint));
}

static int
run_list_backups (const char *path)
{
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) backups = NULL;
  Opts waiter = { 0 };

  i2a_client_list_backups_async (path, NULL, result_cb, &waiter);
  res = wait_result (&waiter);
  backups = i2a_client_list_backups_finish (res, &error);
  if (backups == NULL)
    return fail (error);
  if (backups[0] == NULL)
    {
      g_print (_("No backups of %s.\n"), path);
      return 0;
    }
  g_print (_("Backups of %s, newest first (--undo restores the first):\n"), path);
  for (guint i = 0; backups[i]; i++)
    g_print ("  %s\n", backups[i]);
  return 0;
}

static int
run_undo (Opts       *opts,
          const char *path)
{
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(I2aClientPlan) plan = NULL;
  g_autofree char *unused = NULL;

  i2a_client_plan_undo_async (opts->client, path, NULL, result_cb, opts);
  res = wait_result (opts);
  plan = i2a_client_plan_undo_finish (res, &error);
  if (plan == NULL)
    return fail (error);
  g_clear_object (&res);

  print_diff (i2a_client_plan_get_diff (plan));
  if (opts->print)
    {
      g_print (_("Nothing was written. Run `iflow2api %s --undo` to restore %s.\n"),
               opts->client->id, i2a_client_plan_get_backup_path (plan));
      return 0;
    }
  i2a_client_plan_apply_async (plan, NULL, result_cb, opts);
  res = wait_result (opts);
  if (!i2a_client_plan_apply_finish (plan, res, &unused, &error))
    return fail (error);
  if (*i2a_client_plan_get_new_text (plan) == '\0')
    g_print (_("Removed %s: it did not exist before the setup.\n"), path);
  else
    g_print (_("Restored %s from %s.\n"), path, i2a_client_plan_get_backup_path (plan));
  return 0;
}

typedef struct
{
  I2aCliSettings *cli;
  I2aPool        *pool;
} KeySource;

static void
key_source_clear (KeySource *ks)
{
  g_clear_object (&ks->pool);
  g_clear_object (&ks->cli);
}

/* keys.json as the server would load it. */
static gboolean
open_keys (Opts      *opts,
           KeySource *ks)
{
  ks->cli = i2a_cli_settings_new (NULL);
  ks->pool = i2a_pool_new_with_keys (ks->cli, opts->keys_path);
  while (!i2a_pool_is_loaded (ks->pool))
    g_main_context_iteration (NULL, TRUE);
  if (i2a_pool_get_load_error (ks->pool) != NULL)
    {
      g_printerr (_("iflow2api: cannot use the account file: %s\n"),
                  i2a_pool_get_load_error (ks->pool)->message);
      return FALSE;
    }
  return TRUE;
}

/* A new client key routed to every account, saved to keys.json. */
static char *
create_key (Opts      *opts,
            KeySource *ks,
            GError   **error)
{
  g_autoptr(GAsyncResult) res = NULL;
  g_autofree char *key = i2a_pool_regenerate_client_key (ks->pool, NULL, error);

  if (key == NULL)
    return NULL;
  i2a_pool_flush_async (ks->pool, NULL, result_cb, opts);
  res = wait_result (opts);
  if (!i2a_pool_flush_finish (ks->pool, res, error))
    return NULL;
  return g_steal_pointer (&key);
}

static I2aClientPlan *
make_plan (Opts        *opts,
           const char  *path,
           const char  *api_key,
           GError     **error)
{
  g_autoptr(GAsyncResult) res = NULL;
  g_autofree char *base_url = g_strdup_printf ("http://127.0.0.1:%d/v1", opts->port);
  I2aClientOptions options = {
    opts->provider, base_url, api_key, opts->model, opts->small_model,
  };

  i2a_client_plan_setup_async (opts->client, path, &options, NULL, result_cb, opts);
  res = wait_result (opts);
  return i2a_client_plan_setup_finish (res, error);
}

static int
run_setup (Opts       *opts,
           const char *path)
{
  KeySource ks = { 0 };
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(I2aClientPlan) plan = NULL;
  g_autofree char *created_key = NULL;
  g_autofree char *backup = NULL;
  const char *key = NULL;
  gboolean pending = FALSE;
  I2aKeysConfig *config;
  int status = 1;

  if (!open_keys (opts, &ks))
    goto out;
  config = i2a_pool_get_config (ks.pool);
  if (config->auth_enabled)
    {
      key = i2a_client_key_find_for_all (config);
      pending = key == NULL;
      if (pending)
        key = I2A_CLIENT_PENDING_KEY;
    }

  /* Check the client's file first: nothing goes into keys.json for a
   * file that is refused. */
  plan = make_plan (opts, path, key, &error);
  if (plan == NULL)
    {
      status = fail (error);
      goto out;
    }

  if (!config->auth_enabled && opts->client->no_key_without_auth)
    g_print (_("Client auth is off in %s, so %s needs no key.\n"),
             i2a_pool_get_config_path (ks.pool), opts->client->name);
  else if (!config->auth_enabled)
    g_print (_("Client auth is off in %s, so the server accepts any key; %s gets \"%s\".\n"),
             i2a_pool_get_config_path (ks.pool), opts->client->name, I2A_CLIENT_KEY_NO_AUTH);
  else if (pending)
    g_print (_("No client key reaches every account yet: --apply adds one to %s.\n"),
             i2a_pool_get_config_path (ks.pool));
  else
    {
      g_autofree char *masked = i2a_mask_secret (key);

      g_print (_("%s gets the client key %s from %s.\n"), opts->client->name, masked,
               i2a_pool_get_config_path (ks.pool));
    }

  if (!i2a_client_plan_get_changed (plan))
    {
      g_print (_("%s already points %s at iflow2api; nothing to do.\n"), path, opts->client->name);
      print_usage_hint (opts->client);
      status = 0;
      goto out;
    }
  print_diff (i2a_client_plan_get_diff (plan));
  if (!opts->apply)
    {
      g_print (_("Nothing was written (secrets are masked above). "
                 "Run `iflow2api %s --apply` to write it; a backup is kept.\n"), opts->client->id);
      status = 0;
      goto out;
    }

  if (pending)
    {
      created_key = create_key (opts, &ks, &error);
      if (created_key == NULL)
        {
          g_printerr (_("iflow2api: cannot create a client key: %s\n"), error->message);
          goto out;
        }
      g_clear_object (&plan);
      plan = make_plan (opts, path, created_key, &error);
      if (plan == NULL)
        {
          status = fail (error);
          goto out;
        }
      g_print (_("Added a client key for %s to %s.\n"), opts->client->name, i2a_pool_get_config_path (ks.pool));
    }

  i2a_client_plan_apply_async (plan, NULL, result_cb, opts);
  res = wait_result (opts);
  if (!i2a_client_plan_apply_finish (plan, res, &backup, &error))
    {
      status = fail (error);
      goto out;
    }
  g_print (_("Wrote %s.\n"), path);
  if (backup != NULL && i2a_client_plan_get_file_exists (plan))
    g_print (_("The previous version is in %s; `iflow2api %s --undo` puts it back.\n"), backup, opts->client->id);
  else if (backup != NULL)
    g_print (_("`iflow2api %s --undo` removes it again.\n"), opts->client->id);
  print_usage_hint (opts->client);
  status = 0;

out:
  key_source_clear (&ks);
  return status;
}

int
i2a_client_command_run (const I2aClient  *client,
                        int               argc,
                        char            **argv)
{
  Opts opts = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *prog = g_strdup_printf ("%s %s", argv[0], argv[1]);
  g_autofree char *summary = NULL;
  g_autofree char *path = NULL;
  int status = 2;
  GOptionEntry all[] = {
    { "print", 0, 0, G_OPTION_ARG_NONE, &opts.print, N_("Show the changes without writing anything (the default)"), NULL },
    { "apply", 0, 0, G_OPTION_ARG_NONE, &opts.apply, N_("Back up the config file and write the changes"), NULL },
    { "undo", 0, 0, G_OPTION_ARG_NONE, &opts.undo, N_("Restore the newest backup (with --print: only show it)"), NULL },
    { "list-backups", 0, 0, G_OPTION_ARG_NONE, &opts.list_backups, N_("List the backups, newest first"), NULL },
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &opts.config, client->config_help, N_("PATH") },
    { "provider", 0, 0, G_OPTION_ARG_STRING, &opts.provider, N_("Provider name in OpenCode (default iflow2api)"), N_("NAME") },
    { "model", 0, 0, G_OPTION_ARG_STRING, &opts.model, client->model_help, N_("ID") },
    { "small-model", 0, 0, G_OPTION_ARG_STRING, &opts.small_model, client->small_model_help, N_("ID") },
    { "port", 'p', 0, G_OPTION_ARG_INT, &opts.port, N_("Port iflow2api serves on (default: the app's setting, 8000)"), N_("PORT") },
    { "keys", 0, 0, G_OPTION_ARG_FILENAME, &opts.keys_path,
      N_("Account pool file (default $IFLOW2API_KEYS_PATH or ~/.iflow2api/keys.json)"), N_("PATH") },
  };
  GOptionEntry entries[G_N_ELEMENTS (all) + 1] = { { NULL } };
  guint n = 0;

  g_return_val_if_fail (client != NULL, 2);
  g_return_val_if_fail (argc >= 2, 2);
  opts.client = client;
  /* Only the options this client has. */
  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    {
      if ((g_str_equal (all[i].long_name, "config") && !(client->cli_options & I2A_CLIENT_OPTION_CONFIG)) ||
          (g_str_equal (all[i].long_name, "provider") && !(client->cli_options & I2A_CLIENT_OPTION_PROVIDER)) ||
          (g_str_equal (all[i].long_name, "small-model") && !(client->cli_options & I2A_CLIENT_OPTION_SMALL_MODEL)))
        continue;
      entries[n++] = all[i];
    }
  /* "iflow2api codex --help" reads naturally. */
  g_set_prgname (prog);
  argv[1] = prog;
  argc--, argv++;

  context = g_option_context_new (NULL);
  /* Translators: %s is a program name, e.g. "OpenCode" or "Codex" */
  summary = g_strdup_printf (_("Set up %s to use iflow2api: shows the changes to its "
                               "config file first, keeps a backup, and can undo."), client->name);
  g_option_context_set_summary (context, summary);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("iflow2api: %s\n", error->message);
      goto out;
    }
  if (argc > 1)
    {
      g_printerr (_("iflow2api: unexpected argument \"%s\"\n"), argv[1]);
      goto out;
    }
  if (opts.print && opts.apply)
    {
      g_printerr (_("iflow2api: --print and --apply exclude each other\n"));
      goto out;
    }
  if ((opts.undo || opts.list_backups) &&
      (opts.provider || opts.model || opts.small_model || opts.port || opts.keys_path))
    {
      g_printerr (client->cli_options & I2A_CLIENT_OPTION_CONFIG
                  ? _("iflow2api: --undo and --list-backups take only --config (and --print)\n")
                  : _("iflow2api: --undo and --list-backups take only --print\n"));
      goto out;
    }
  if (opts.undo && opts.list_backups)
    {
      g_printerr (_("iflow2api: --undo and --list-backups exclude each other\n"));
      goto out;
    }
  if (opts.port < 0 || opts.port > 65535)
    {
      g_printerr (_("iflow2api: --port must be between 1 and 65535\n"));
      goto out;
    }
  if (opts.port == 0)
    opts.port = configured_port ();

  path = opts.config ? g_strdup (opts.config) : client->default_path ();
  if (opts.list_backups)
    status = run_list_backups (path);
  else if (opts.undo)
    status = run_undo (&opts, path);
  else
    status = run_setup (&opts, path);

out:
  g_clear_object (&opts.result);
  g_free (opts.config);
  g_free (opts.provider);
  g_free (opts.model);
  g_free (opts.small_model);
  g_free (opts.keys_path);
  return status;
}
