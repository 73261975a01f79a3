/* main.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "iflow2api"

#include "config.h"

#include <locale.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>
#include <glib/gi18n.h>

#include "i2a-cli-commands.h"
#include "i2a-headless.h"
#include "i2a-server.h"
#include "i2a-usage-command.h"
#include "i2a-client-command.h"
#if HAVE_GUI
#include "i2a-application.h"
#endif

/* --verbose: our debug messages, not every library's. */
static GLogWriterOutput
log_writer (GLogLevelFlags   level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  if (level & G_LOG_LEVEL_DEBUG)
    {
      const char *domain = NULL;

      for (gsize i = 0; i < n_fields; i++)
        if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
          domain = fields[i].value;
      if (domain == NULL || !(g_str_has_prefix (domain, "i2a") || g_str_has_prefix (domain, "iflow2api")))
        return G_LOG_WRITER_HANDLED;
    }
  return g_log_writer_standard_streams (level, fields, n_fields, user_data);
}

static void
raise_fd_limit (void)
{
  struct rlimit rl;

  /* Each stream costs two sockets; the soft default (1024) is too low. */
  if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max)
    {
      rl.rlim_cur = rl.rlim_max;
      setrlimit (RLIMIT_NOFILE, &rl);
    }
}

typedef struct
{
  I2aServeOptions serve;
  gboolean        headless;
  gboolean        version;
} MainOptions;

/* Shared by both entry points; returns -1 to go on, else an exit status. */
static int
check_options (MainOptions *opts)
{
  if (opts->version)
    {
      g_print ("iflow2api %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (opts->serve.port < -1 || opts->serve.port > 65535)
    {
      g_printerr ("iflow2api: --port must be between 0 and 65535, not %d\n", opts->serve.port);
      return 2;
    }
  if (opts->serve.verbose)
    {
      g_log_set_writer_func (log_writer, NULL, NULL);
      g_log_set_debug_enabled (TRUE);
    }
  return -1;
}

static int
run_headless (MainOptions *opts)
{
  /* -1: not given on the command line. */
  if (opts->serve.port < 0)
    opts->serve.port = I2A_DEFAULT_PORT;
  if (opts->serve.host == NULL)
    opts->serve.host = g_strdup ("127.0.0.1");
  raise_fd_limit ();
  return i2a_headless_run (&opts->serve);
}

#if HAVE_GUI
/* Runs before the application registers on D-Bus or opens a display, so
 * --headless (and --version) need neither. */
static int
handle_local_options_cb (GApplication *application,
                         GVariantDict *dict,
                         MainOptions  *opts)
{
  int status = check_options (opts);

  if (status >= 0)
    return status;
  if (opts->headless)
    return run_headless (opts);
  /* On a machine without a display (ssh, a server) the window cannot open:
   * serve anyway rather than fail. D-Bus activation always has one. */
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL &&
      !(g_application_get_flags (application) & G_APPLICATION_IS_SERVICE))
    {
      g_printerr (_("iflow2api: no display found; running the server only (--headless)\n"));
      return run_headless (opts);
    }

  raise_fd_limit ();
  i2a_application_set_overrides (I2A_APPLICATION (application), opts->serve.host,
                                 opts->serve.port, opts->serve.keys_path, opts->serve.iflow_dir);
  return -1;
}
#endif

int
main (int   argc,
      char *argv[])
{
  MainOptions opts = { { NULL, -1, NULL, NULL, FALSE }, FALSE, FALSE };
  int status;
  GOptionEntry entries[] = {
    { "headless", 0, 0, G_OPTION_ARG_NONE, &opts.headless, N_("Run the API server without a window (no display needed)"), NULL },
    { "host", 0, 0, G_OPTION_ARG_STRING, &opts.serve.host, N_("Address to listen on (default 127.0.0.1)"), N_("ADDRESS") },
    { "port", 'p', 0, G_OPTION_ARG_INT, &opts.serve.port, N_("Port to listen on (default 8000)"), N_("PORT") },
    { "keys", 0, 0, G_OPTION_ARG_FILENAME, &opts.serve.keys_path, N_("Account pool file (default $IFLOW2API_KEYS_PATH or ~/.iflow2api/keys.json)"), N_("PATH") },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &opts.serve.verbose, N_("Log every request and debug messages to stderr"), NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &opts.version, N_("Print the version and exit"), NULL },
    { NULL }
  };
  const char *summary = N_("Local OpenAI-compatible API for iFlow and OpenAI-compatible accounts.\n"
                           "Serves /v1/models, /v1/chat/completions, /v1/messages and /v1/responses on http://127.0.0.1:8000.");
  const char *commands = N_("Commands (each has its own --help):\n"
                            "  login         log in to iFlow in a browser and add the account\n"
                            "  accounts      list the accounts of the pool (never their keys)\n"
                            "  add           add an OpenAI-compatible account (key from stdin, kept in the keyring)\n"
                            "  remove ID     remove an account and its keyring item (also: logout)\n"
                            "  migrate-keys  move plaintext keys of keys.json into the keyring\n"
                            "  models        list the models the pool serves (--refresh asks the accounts)\n"
                            "  import-cli    import the iFlow CLI's login as a pool account\n"
                            "  usage         requests and tokens per day, account, model, key or endpoint\n"
                            "  opencode      point OpenCode at iflow2api (preview, --apply, --undo)\n"
                            "  claude-code   point Claude Code at iflow2api (preview, --apply, --undo)\n"
                            "  codex         write a Codex profile for iflow2api (preview, --apply, --undo)");

  setlocale (LC_ALL, "");
  /* build-aux/run points this at the build tree's translations. */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("IFLOW2API_LOCALEDIR") ? g_getenv ("IFLOW2API_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* iFlow over HTTP/1.1 only, as the official CLI does (HTTP/2 caused
   * stream resets); set before any SoupSession exists. */
  g_setenv ("SOUP_FORCE_HTTP1", "1", TRUE);

  /* Account subcommands (i2a-cli-commands.c): login, accounts, logout,
   * import-cli. They never start the server or the GUI. */
  if (argc >= 2 && g_strcmp0 (argv[1], "usage") == 0)
    return i2a_usage_command_run (argc, argv);
  if (argc >= 2 && i2a_cli_commands_handles (argv[1]))
    return i2a_cli_commands_run (argc, argv);
  /* Client setup (i2a-client-command.c): opencode, codex… */
  if (argc >= 2 && i2a_client_find (argv[1]) != NULL)
    return i2a_client_command_run (i2a_client_find (argv[1]), argc, argv);

  /* GLib before 2.76 allocates objects from its slice allocator, which
   * keeps freed memory in its own caches for good: after a burst of
   * thousands of streams the memory stayed with the process. Plain malloc
   * gives it back (the server trims the heap once a burst is over). Only
   * the server needs it, so the commands above never pay for it. GLib
   * reads G_SLICE in its library constructors, before main (), so the
   * variable only takes effect in a fresh process: set it and start
   * this program again, once. A G_SLICE from the environment wins. */
  if (g_getenv ("G_SLICE") == NULL && glib_check_version (2, 76, 0) != NULL)
    {
      setenv ("G_SLICE", "always-malloc", 0);
      execv ("/proc/self/exe", argv);
      /* No /proc: carry on with the slice allocator. */
    }

#if HAVE_GUI
  {
    g_autoptr(I2aApplication) app = i2a_application_new ();

    g_application_add_main_option_entries (G_APPLICATION (app), entries);
    g_application_set_option_context_summary (G_APPLICATION (app), _(summary));
    g_application_set_option_context_description (G_APPLICATION (app), _(commands));
    g_signal_connect (app, "handle-local-options", G_CALLBACK (handle_local_options_cb), &opts);
    status = g_application_run (G_APPLICATION (app), argc, argv);
  }
#else
  {
    g_autoptr(GOptionContext) context = g_option_context_new (NULL);
    g_autoptr(GError) error = NULL;

    g_option_context_set_summary (context, _(summary));
    g_option_context_set_description (context, _(commands));
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
    if (!g_option_context_parse (context, &argc, &argv, &error))
      {
        g_printerr ("iflow2api: %s\n", error->message);
        g_printerr (_("Run 'iflow2api --help' to see the options.\n"));
        return 2;
      }
    status = check_options (&opts);
    if (status < 0)
      status = run_headless (&opts);
  }
#endif

  g_free (opts.serve.host);
  g_free (opts.serve.keys_path);
  return status;
}
