/* i2a-headless.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-headless"

#include "config.h"

#include <signal.h>
#include <glib-unix.h>

#include "i2a-account-store.h"
#include "i2a-headless.h"
#include "i2a-model-discovery.h"
#include "i2a-server.h"
#include "i2a-server-settings.h"

typedef struct
{
  GMainLoop *loop;
  I2aServer *server;
} RunData;

static gboolean
quit_cb (gpointer user_data)
{
  RunData *run = user_data;

  g_message ("Stopping: cancelling %u in-flight request(s)",
             i2a_server_get_active_requests (run->server));
  /* In-flight streams end with an error event; sockets close. */
  i2a_server_stop (run->server);
  g_main_loop_quit (run->loop);
  /* Both handlers are removed once the loop is left. */
  return G_SOURCE_CONTINUE;
}

int
i2a_headless_run (const I2aServeOptions *options)
{
  g_autoptr(I2aCliSettings) cli = i2a_cli_settings_new (options->iflow_dir);
  g_autoptr(I2aPool) pool = i2a_pool_new_with_keys (cli, options->keys_path);
  g_autoptr(I2aAccountStore) accounts = NULL;
  g_autoptr(I2aModelDiscovery) discovery = NULL;
  g_autoptr(I2aServer) server = NULL;
  g_autoptr(I2aLedger) ledger = NULL;
  g_autoptr(GSettings) settings = i2a_server_settings_new_default ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  RunData run = { loop, server };
  guint sigint, sigterm;

  /* Auth and routing must be known before the first request (and before
   * deciding whether a non-loopback bind is safe). */
  while (!i2a_pool_is_loaded (pool))
    g_main_context_iteration (NULL, TRUE);
  if (i2a_pool_get_load_error (pool) != NULL)
    {
      g_printerr ("iflow2api: %s\n", i2a_pool_get_load_error (pool)->message);
      return 1;
    }
  /* Logged-in accounts: keys from the keyring, refreshed in time. */
  accounts = i2a_account_store_new_for_app (pool);
  ledger = i2a_ledger_open_default ();
  i2a_pool_set_ledger (pool, ledger);
  /* Which models the OpenAI-compatible accounts serve, for routing. */
  discovery = i2a_model_discovery_new (pool, NULL);
  i2a_model_discovery_start (discovery);
  server = i2a_server_new (pool);
  run.server = server;
  /* The window's allowed origins and host names (shared settings). */
  if (settings)
    i2a_server_follow_settings (server, settings);
  if (!i2a_server_start (server, options->host, options->port, &error))
    {
      g_printerr ("iflow2api: cannot start the server on %s:%d: %s\n",
                  options->host, options->port, error->message);
      return 1;
    }

  sigint = g_unix_signal_add (SIGINT, quit_cb, &run);
  sigterm = g_unix_signal_add (SIGTERM, quit_cb, &run);
  g_main_loop_run (loop);
  g_source_remove (sigint);
  g_source_remove (sigterm);

  /* Let cancelled requests flush their last bytes (bounded by the
   * server's drain timeout). */
  while (i2a_server_is_draining (server))
    g_main_context_iteration (NULL, TRUE);
  /* A refresh that just rotated the refresh token must reach the keyring. */
  while (i2a_refresher_is_saving (i2a_account_store_get_refresher (accounts)))
    g_main_context_iteration (NULL, TRUE);
  /* Every finished request reaches the disk before we exit. */
  if (ledger)
    i2a_ledger_close (ledger);
  return 0;
}
