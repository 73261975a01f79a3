/* i2a-cli-common.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-cli-commands"

#include "config.h"

#include <signal.h>
#include <glib-unix.h>
#include <glib/gi18n.h>

#include "i2a-cli-common.h"

void
i2a_cmd_clear (I2aCmd *cmd)
{
  g_clear_handle_id (&cmd->sigint, g_source_remove);
  g_clear_object (&cmd->result);
  g_clear_object (&cmd->store);
  g_clear_object (&cmd->secrets);
  g_clear_object (&cmd->pool);
  g_clear_object (&cmd->cli);
  g_clear_object (&cmd->cancellable);
  g_clear_pointer (&cmd->keys_path, g_free);
}

static gboolean
sigint_cb (gpointer user_data)
{
  I2aCmd *cmd = user_data;

  g_printerr ("%s\n", _("Cancelled."));
  g_cancellable_cancel (cmd->cancellable);
  cmd->sigint = 0;
  return G_SOURCE_REMOVE;
}

void
i2a_cmd_result_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  I2aCmd *cmd = user_data;

  g_set_object (&cmd->result, result);
}

GAsyncResult *
i2a_cmd_wait (I2aCmd *cmd)
{
  while (cmd->result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return g_steal_pointer (&cmd->result);
}

gboolean
i2a_cmd_fail (const char   *what,
      const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return FALSE;
  g_printerr ("iflow2api: %s: %s\n", what, error->message);
  return FALSE;
}

gboolean
i2a_cmd_open_pool (I2aCmd *cmd)
{
  cmd->cancellable = g_cancellable_new ();
  cmd->sigint = g_unix_signal_add (SIGINT, sigint_cb, cmd);
  cmd->cli = i2a_cli_settings_new (NULL);
  cmd->pool = i2a_pool_new_with_keys (cmd->cli, cmd->keys_path);
  while (!i2a_pool_is_loaded (cmd->pool))
    g_main_context_iteration (NULL, TRUE);
  if (i2a_pool_get_load_error (cmd->pool) != NULL)
    {
      i2a_cmd_fail (_("cannot use the account file"), i2a_pool_get_load_error (cmd->pool));
      return FALSE;
    }
  cmd->secrets = i2a_secret_store_new ();
  cmd->store = i2a_account_store_new (cmd->pool, cmd->secrets, NULL);
  return TRUE;
}

gboolean
i2a_cmd_parse (GOptionEntry  *entries,
       const char    *parameter,
       const char    *summary,
       int           *argc,
       char        ***argv,
       char         **keys_path)
{
  g_autoptr(GOptionContext) context = g_option_context_new (parameter);
  g_autoptr(GError) error = NULL;
  GOptionEntry common[] = {
    { "keys", 0, 0, G_OPTION_ARG_FILENAME, keys_path,
      N_("Account pool file (default $IFLOW2API_KEYS_PATH or ~/.iflow2api/keys.json)"), N_("PATH") },
    { NULL }
  };

  /* Entries, @parameter and @summary are N_() strings: the context
   * translates them when it prints --help. */
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, summary);
  g_option_context_add_main_entries (context, common, GETTEXT_PACKAGE);
  if (entries)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      g_printerr ("iflow2api: %s\n", error->message);
      return FALSE;
    }
  return TRUE;
}

