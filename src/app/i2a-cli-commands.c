/* i2a-cli-commands.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-cli-commands"

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <glib-unix.h>
#include <glib/gi18n.h>

#include "i2a-account-store.h"
#include "i2a-cli-commands.h"
#include "i2a-enum.h"
#include "i2a-cli-common.h"
#include "i2a-provider-commands.h"
#include "i2a-cli-interop.h"
#include "i2a-error.h"

/* "2026-11-29 15:58 (in 47 h)" in local time; "-" when unknown. */
static char *
format_expiry (gint64 expires_at)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autofree char *when = NULL;
  gint64 left;

  if (expires_at <= 0)
    return g_strdup ("-");
  dt = g_date_time_new_from_unix_local (expires_at);
  if (dt == NULL)
    return g_strdup ("-");
  when = g_date_time_format (dt, "%Y-%m-%d %H:%M");
  left = expires_at - g_get_real_time () / G_USEC_PER_SEC;
  if (left <= 0)
    /* TRANSLATORS: %s is a date and time */
    return g_strdup_printf (_("%s (expired)"), when);
  if (left < 3600)
    /* TRANSLATORS: %s is a date and time, %d a number of minutes */
    return g_strdup_printf (_("%s (in %d min)"), when, (int) MAX (left / 60, 1));
  if (left < 3 * 86400)
    /* TRANSLATORS: %s is a date and time, %d a number of hours */
    return g_strdup_printf (_("%s (in %d h)"), when, (int) (left / 3600));
  /* TRANSLATORS: %s is a date and time, %d a number of days */
  return g_strdup_printf (ngettext ("%s (in %d day)", "%s (in %d days)", (unsigned long) (left / 86400)),
                          when, (int) MIN (left / 86400, G_MAXINT));
}

/* "2026-11-27 15:58 (3 h ago)" in local time; "-" when unknown. */
static char *
format_last_refresh (gint64 refreshed_at)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autofree char *when = NULL;
  gint64 ago;

  if (refreshed_at <= 0)
    return g_strdup ("-");
  dt = g_date_time_new_from_unix_local (refreshed_at);
  if (dt == NULL)
    return g_strdup ("-");
  when = g_date_time_format (dt, "%Y-%m-%d %H:%M");
  ago = MAX (g_get_real_time () / G_USEC_PER_SEC - refreshed_at, 0);
  if (ago < 3600)
    /* TRANSLATORS: %s is a date and time, %d a number of minutes */
    return g_strdup_printf (_("%s (%d min ago)"), when, (int) (ago / 60));
  if (ago < 3 * 86400)
    /* TRANSLATORS: %s is a date and time, %d a number of hours */
    return g_strdup_printf (_("%s (%d h ago)"), when, (int) (ago / 3600));
  /* TRANSLATORS: %s is a date and time, %d a number of days */
  return g_strdup_printf (ngettext ("%s (%d day ago)", "%s (%d days ago)", (unsigned long) (ago / 86400)),
                          when, (int) MIN (ago / 86400, G_MAXINT));
}

/* ---- login -------------------------------------------------------------- */

static int
cmd_login (int    argc,
           char **argv)
{
  I2aCmd cmd = { 0 };
  gboolean no_browser = FALSE, share = FALSE, no_share = FALSE, created = FALSE, do_share;
  g_autofree char *label = NULL;
  g_autofree char *base_url = NULL;
  g_autoptr(I2aOAuthClient) client = NULL;
  g_autoptr(I2aOAuthLogin) login = NULL;
  g_autoptr(I2aOAuthLoginResult) result = NULL;
  g_autoptr(I2aAccount) account = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  const char *url, *name;
  int status = 1;
  GOptionEntry entries[] = {
    { "no-browser", 0, 0, G_OPTION_ARG_NONE, &no_browser, N_("Only print the login URL"), NULL },
    { "label", 0, 0, G_OPTION_ARG_STRING, &label, N_("Name of the account (default: its email)"), N_("NAME") },
    { "share-with-iflow-cli", 0, 0, G_OPTION_ARG_NONE, &share,
      N_("Also write the login to ~/.iflow/settings.json (default for the first account)"), NULL },
    { "no-share-with-iflow-cli", 0, 0, G_OPTION_ARG_NONE, &no_share,
      N_("Leave ~/.iflow/settings.json alone"), NULL },
    { "base-url", 0, 0, G_OPTION_ARG_STRING, &base_url,
      N_("Chat base URL of a compatible iFlow deployment (default $IFLOW2API_API_BASE or https://apis.iflow.cn/v1)"),
      N_("URL") },
    { NULL }
  };

  if (!i2a_cmd_parse (entries, NULL, N_("Log in to iFlow in a browser and add the account to the pool."),
              &argc, &argv, &cmd.keys_path))
    return 2;
  if (share && no_share)
    {
      g_printerr ("iflow2api: %s\n",
                  _("--share-with-iflow-cli and --no-share-with-iflow-cli exclude each other"));
      return 2;
    }
  if (base_url != NULL && !g_str_has_prefix (base_url, "http://") && !g_str_has_prefix (base_url, "https://"))
    {
      g_printerr ("iflow2api: %s\n", _("--base-url must be an http:// or https:// URL"));
      return 2;
    }
  if (!i2a_cmd_open_pool (&cmd))
    goto out;
  if (base_url != NULL)
    i2a_account_store_set_default_base_url (cmd.store, base_url);
  /* Sharing is the default only for the first account: later logins
   * must not silently switch the account the iFlow CLI uses. */
  do_share = share || (!no_share && i2a_account_store_count_login_accounts (cmd.store) == 0);

  client = i2a_oauth_client_new (NULL);
  login = i2a_oauth_login_new (client);
  i2a_oauth_login_start_async (login, cmd.cancellable, i2a_cmd_result_cb, &cmd);
  url = i2a_oauth_login_get_authorize_url (login);
  if (url == NULL)
    {
      /* The listener could not start: the result says why. */
      res = i2a_cmd_wait (&cmd);
      result = i2a_oauth_login_start_finish (login, res, &error);
      i2a_cmd_fail (_("cannot start the login"), error);
      goto out;
    }
  /* The URL on a line of its own, indented: scripts (and tests) take it from there. */
  g_print ("%s\n\n  %s\n\n", _("Open this URL in a browser to log in to iFlow:"), url);
  if (!no_browser && !g_app_info_launch_default_for_uri (url, NULL, &error))
    {
      g_printerr (_("Could not open a browser (%s); open the URL above yourself.\n"), error->message);
      g_clear_error (&error);
    }
  g_print ("%s\n", _("Waiting for the login to finish (Ctrl+C to cancel)…"));
  fflush (stdout);

  res = i2a_cmd_wait (&cmd);
  result = i2a_oauth_login_start_finish (login, res, &error);
  g_clear_object (&res);
  if (result == NULL)
    {
      i2a_cmd_fail (_("login failed"), error);
      goto out;
    }

  i2a_account_store_add_login_async (cmd.store, result, NULL, label, cmd.cancellable, i2a_cmd_result_cb, &cmd);
  res = i2a_cmd_wait (&cmd);
  account = i2a_account_store_add_login_finish (cmd.store, res, &created, &error);
  g_clear_object (&res);
  if (account == NULL)
    {
      i2a_cmd_fail (_("cannot save the account"), error);
      goto out;
    }
  name = i2a_oauth_user_info_get_display_name (result->user_info);
  if (name != NULL)
    /* TRANSLATORS: %s is an email address or phone number */
    g_print (_("Logged in as %s.\n"), name);
  else
    g_print ("%s\n", _("Logged in."));
  /* TRANSLATORS: the first %s is the account's label, the second its id */
  g_print (created ? _("Added account “%s” (id %s).\n") : _("Updated account “%s” (id %s).\n"),
           i2a_account_get_label (account) ? i2a_account_get_label (account) : i2a_account_get_id (account),
           i2a_account_get_id (account));

  if (do_share)
    {
      g_autofree char *dir = i2a_cli_interop_default_dir ();

      i2a_cli_interop_write_login_async (NULL, result->user_info->api_key,
                                         i2a_account_get_base_url (account), I2A_CLI_AUTH_TYPE_OAUTH,
                                         cmd.cancellable, i2a_cmd_result_cb, &cmd);
      res = i2a_cmd_wait (&cmd);
      if (!i2a_cli_interop_write_login_finish (res, &error))
        {
          /* The account itself is saved: report, but succeed. */
          i2a_cmd_fail (_("could not share the login with the iFlow CLI"), error);
          g_clear_error (&error);
        }
      else
        /* TRANSLATORS: %s is a directory */
        g_print (_("The iFlow CLI uses this login too (%s/settings.json).\n"), dir);
    }
  status = 0;

out:
  i2a_cmd_clear (&cmd);
  return status;
}

/* ---- accounts ----------------------------------------------------------- */

#define N_COLUMNS 7

typedef struct
{
  char *cells[N_COLUMNS];
} Row;

/* Terminal columns: CJK labels and translated headings take two each. */
static gsize
display_width (const char *text)
{
  gsize width = 0;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iszerowidth (c))
        continue;
      width += g_unichar_iswide (c) ? 2 : 1;
    }
  return width;
}

static void
row_free (Row *row)
{
  for (guint i = 0; i < G_N_ELEMENTS (row->cells); i++)
    g_free (row->cells[i]);
  g_free (row);
}

/* "quota — resets in 2 h 13 min" when the account used up its quota (as
 * far as the usage ledger on disk knows: requests in flight in a running
 * iflow2api are not counted here), else NULL. */
static char *
quota_state (GHashTable           **windows,
             const I2aKeysAccount  *entry)
{
  g_autofree char *key = g_strconcat ("a:", entry->id, NULL);
  g_autofree char *path = NULL;
  g_autofree char *when = NULL;
  gint64 now = g_get_real_time () / 1000, at;
  I2aUsageWindow *w;

  if (*windows == NULL)
    {
      g_autoptr(GError) error = NULL;

      path = i2a_ledger_default_path ();
      *windows = path ? i2a_ledger_read_windows (path, &error) : NULL;
      if (*windows == NULL)
        *windows = g_hash_table_new (g_str_hash, g_str_equal);
    }
  w = g_hash_table_lookup (*windows, key);
  if (w == NULL)
    return NULL;
  at = i2a_usage_window_free_at (w, now, entry->quota.window_ms, entry->quota.requests, entry->quota.tokens, 0);
  if (at <= now)
    return NULL;
  when = i2a_usage_format_duration ((guint) ((at - now + 999) / 1000));
  /* TRANSLATORS: an account's state; %s is a duration such as "2 h 13 min" */
  return g_strdup_printf (_("quota — resets in %s"), when);
}

static int
cmd_accounts (int    argc,
              char **argv)
{
  I2aCmd cmd = { 0 };
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
  g_autoptr(GError) keyring_error = NULL;
  g_autoptr(GString) notes = g_string_new (NULL);
  gsize widths[N_COLUMNS] = { 0 };
  I2aKeysConfig *config;
  int status = 1;
  Row *header;
  g_autoptr(GHashTable) windows = NULL;

  if (!i2a_cmd_parse (NULL, NULL, N_("List the accounts of the pool (never their keys)."), &argc, &argv, &cmd.keys_path))
    return 2;
  if (!i2a_cmd_open_pool (&cmd))
    goto out;

  config = i2a_pool_get_config (cmd.pool);
  if (config->accounts->len == 0)
    {
      I2aCliSettings *cli = i2a_pool_get_cli_settings (cmd.pool);

      while (!i2a_cli_settings_is_loaded (cli))
        g_main_context_iteration (NULL, TRUE);
      /* TRANSLATORS: %s is the path of keys.json */
      g_print (_("No accounts in %s.\n"), i2a_pool_get_config_path (cmd.pool));
      /* TRANSLATORS: %s is the iFlow CLI's directory (~/.iflow) */
      g_print (i2a_cli_settings_get_api_key (cli) ? _("The iFlow CLI login (%s) is used: logged in.\n")
                                                  : _("The iFlow CLI login (%s) is used: not logged in.\n"),
               i2a_cli_settings_get_dir (cli));
      g_print ("%s\n", _("Add one with `iflow2api login` or `iflow2api import-cli`."));
      status = 0;
      goto out;
    }

  header = g_new0 (Row, 1);
  /* TRANSLATORS: column headings of `iflow2api accounts` */
  header->cells[0] = g_strdup (_("ID"));
  header->cells[1] = g_strdup (_("LABEL"));
  header->cells[2] = g_strdup (_("PROVIDER"));
  header->cells[3] = g_strdup (_("AUTH"));
  header->cells[4] = g_strdup (_("STATE"));
  header->cells[5] = g_strdup (_("TOKEN EXPIRES"));
  header->cells[6] = g_strdup (_("LAST REFRESH"));
  g_ptr_array_add (rows, header);

  for (guint i = 0; i < config->accounts->len; i++)
    {
      const I2aKeysAccount *entry = config->accounts->pdata[i];
      Row *row = g_new0 (Row, 1);
      const char *state = "ok";
      gint64 expires_at = 0, refreshed_at = 0;

      row->cells[0] = g_strdup (entry->id);
      row->cells[1] = g_strdup (entry->label ? entry->label : (entry->email ? entry->email : "-"));
      row->cells[2] = g_strdup (i2a_enum_to_nick (I2A_TYPE_PROVIDER, entry->provider));
      row->cells[3] = g_strdup (entry->auth_type ? entry->auth_type : (entry->api_key ? "api-key" : "-"));
      if (entry->api_key == NULL && g_strcmp0 (entry->auth_type, I2A_AUTH_TYPE_NONE) != 0)
        {
          g_autoptr(GAsyncResult) res = NULL;
          g_autoptr(GError) error = NULL;
          g_autoptr(I2aAccountSecrets) secrets = NULL;

          i2a_secret_store_lookup_async (cmd.secrets, entry->id, cmd.cancellable, i2a_cmd_result_cb, &cmd);
          res = i2a_cmd_wait (&cmd);
          secrets = i2a_secret_store_lookup_finish (cmd.secrets, res, &error);
          if (error != NULL)
            {
              if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
                {
                  row_free (row);
                  goto out;
                }
              state = "error";
              if (keyring_error == NULL)
                keyring_error = g_steal_pointer (&error);
            }
          else if (secrets == NULL || secrets->api_key == NULL)
            state = "needs-login";
          else
            {
              gboolean expired = secrets->expires_at > 0 &&
                                 secrets->expires_at <= g_get_real_time () / G_USEC_PER_SEC;

              expires_at = secrets->expires_at;
              refreshed_at = secrets->refreshed_at;
              /* The refresher drops a refresh token the server rejected. */
              if (g_strcmp0 (entry->auth_type, I2A_AUTH_TYPE_OAUTH) == 0 && secrets->refresh_token == NULL)
                state = "needs-login";
              /* As the running app shows it: failing, and the old key is gone. */
              else if (secrets->refresh_failures > 0 && expired)
                state = "error";
            }
          if (secrets != NULL && (secrets->refresh_failures > 0 || secrets->last_refresh_error != NULL))
            {
              g_string_append_printf (notes, "%s: ", entry->id);
              /* TRANSLATORS: %u is a number of failed refresh tries in a row */
              g_string_append_printf (notes, ngettext ("%u failed refresh try", "%u failed refresh tries",
                                                       secrets->refresh_failures),
                                      secrets->refresh_failures);
              if (secrets->last_refresh_error != NULL)
                /* TRANSLATORS: %s is an error message */
                g_string_append_printf (notes, _("; last error: %s"), secrets->last_refresh_error);
              g_string_append_c (notes, '\n');
            }
        }
      if (!entry->enabled && g_strcmp0 (state, "ok") == 0)
        state = "disabled";
      row->cells[4] = g_strdup (state);
      if (g_strcmp0 (state, "ok") == 0 && entry->quota.window_ms > 0)
        {
          g_autofree char *quota = quota_state (&windows, entry);

          if (quota)
            {
              g_free (row->cells[4]);
              row->cells[4] = g_steal_pointer (&quota);
            }
        }
      row->cells[5] = format_expiry (expires_at);
      row->cells[6] = format_last_refresh (refreshed_at);
      g_ptr_array_add (rows, row);
    }

  for (guint r = 0; r < rows->len; r++)
    for (guint c = 0; c < N_COLUMNS; c++)
      widths[c] = MAX (widths[c], display_width (((Row *) rows->pdata[r])->cells[c]));
  for (guint r = 0; r < rows->len; r++)
    {
      Row *row = rows->pdata[r];

      for (guint c = 0; c < N_COLUMNS; c++)
        {
          /* Pad by display width, not bytes or characters. */
          gsize pad = c < N_COLUMNS - 1 ? widths[c] - display_width (row->cells[c]) + 2 : 0;

          g_print ("%s%*s", row->cells[c], (int) pad, "");
        }
      g_print ("\n");
    }
  if (notes->len > 0)
    g_print ("\n%s", notes->str);
  if (keyring_error != NULL)
    i2a_cmd_fail (_("cannot read the keyring"), keyring_error);
  status = 0;

out:
  i2a_cmd_clear (&cmd);
  return status;
}

/* ---- logout ------------------------------------------------------------- */

static int
cmd_logout (int    argc,
            char **argv)
{
  I2aCmd cmd = { 0 };
  g_autofree char *id = NULL;
  g_autofree char *label = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  const I2aKeysAccount *entry;
  int status = 1;

  if (!i2a_cmd_parse (NULL, N_("ACCOUNT"), N_("Remove an account (id, label or email) and its keyring item."),
              &argc, &argv, &cmd.keys_path))
    return 2;
  if (argc != 2)
    {
      g_printerr ("iflow2api: %s\n", _("logout needs exactly one ACCOUNT (id, label or email); "
                                       "see `iflow2api accounts`"));
      return 2;
    }
  if (!i2a_cmd_open_pool (&cmd))
    goto out;
  id = i2a_account_store_resolve (cmd.store, argv[1]);
  if (id == NULL)
    {
      g_autofree char *message = NULL;

      /* TRANSLATORS: %s is what the user typed */
      message = g_strdup_printf (_("no account “%s”; see `iflow2api accounts`"), argv[1]);
      g_printerr ("iflow2api: %s\n", message);
      goto out;
    }
  entry = i2a_keys_config_lookup_account (i2a_pool_get_config (cmd.pool), id);
  label = g_strdup (entry && entry->label ? entry->label : id);

  i2a_account_store_logout_async (cmd.store, id, cmd.cancellable, i2a_cmd_result_cb, &cmd);
  res = i2a_cmd_wait (&cmd);
  if (!i2a_account_store_logout_finish (cmd.store, res, &error))
    {
      i2a_cmd_fail (_("logout"), error);
      goto out;
    }
  /* TRANSLATORS: the first %s is the account's label, the second its id */
  g_print (_("Removed account “%s” (id %s) and its keyring item.\n"), label, id);
  status = 0;

out:
  i2a_cmd_clear (&cmd);
  return status;
}

/* ---- import-cli --------------------------------------------------------- */

static int
cmd_import_cli (int    argc,
                char **argv)
{
  I2aCmd cmd = { 0 };
  g_autofree char *label = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(I2aAccount) account = NULL;
  gboolean created = FALSE;
  int status = 1;
  GOptionEntry entries[] = {
    { "label", 0, 0, G_OPTION_ARG_STRING, &label, N_("Name of the account (default: its email)"), N_("NAME") },
    { NULL }
  };

  if (!i2a_cmd_parse (entries, NULL, N_("Import the iFlow CLI’s login (~/.iflow) as a pool account."),
              &argc, &argv, &cmd.keys_path))
    return 2;
  if (!i2a_cmd_open_pool (&cmd))
    goto out;
  while (!i2a_cli_settings_is_loaded (cmd.cli))
    g_main_context_iteration (NULL, TRUE);

  i2a_account_store_import_cli_async (cmd.store, cmd.cli, label, cmd.cancellable, i2a_cmd_result_cb, &cmd);
  res = i2a_cmd_wait (&cmd);
  account = i2a_account_store_import_cli_finish (cmd.store, res, &created, &error);
  if (account == NULL)
    {
      i2a_cmd_fail (_("import"), error);
      goto out;
    }
  /* TRANSLATORS: the first %s is the account's label, the second its id */
  g_print (created ? _("Added account “%s” (id %s) from the iFlow CLI login; its credentials are in the keyring.\n")
                   : _("Updated account “%s” (id %s) from the iFlow CLI login; its credentials are in the keyring.\n"),
           i2a_account_get_label (account) ? i2a_account_get_label (account) : i2a_account_get_id (account),
           i2a_account_get_id (account));
  status = 0;

out:
  i2a_cmd_clear (&cmd);
  return status;
}

/* ---- dispatch ----------------------------------------------------------- */

static const struct
{
  const char *name;
  int       (*run) (int argc, char **argv);
} commands[] = {
  { "login", cmd_login },
  { "accounts", cmd_accounts },
  { "logout", cmd_logout },
  { "remove", cmd_logout },
  { "add", i2a_cmd_add },
  { "migrate-keys", i2a_cmd_migrate_keys },
  { "models", i2a_cmd_models },
  { "import-cli", cmd_import_cli },
};

gboolean
i2a_cli_commands_handles (const char *name)
{
  for (guint i = 0; name && i < G_N_ELEMENTS (commands); i++)
    if (strcmp (commands[i].name, name) == 0)
      return TRUE;
  return FALSE;
}

int
i2a_cli_commands_run (int    argc,
                      char **argv)
{
  g_autofree char *prog = NULL;

  g_return_val_if_fail (argc >= 2, 2);
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (commands[i].name, argv[1]) == 0)
      {
        int status;

        /* "iflow2api login --help" reads naturally: argv[0] = "iflow2api login". */
        prog = g_strdup_printf ("%s %s", argv[0], argv[1]);
        g_set_prgname (prog);
        argv[1] = prog;
        status = commands[i].run (argc - 1, argv + 1);
        return status;
      }
  return 2;
}
