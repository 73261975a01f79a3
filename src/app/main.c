#define G_LOG_DOMAIN "iflow2api"

#include "config.h"

#include <locale.h>
#include <sys/resource.h>
#include <glib/gi18n.h>

#include "i2a-headless.h"

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

int
main (int   argc,
      char *argv[])
{
  I2aServeOptions options = { NULL, 8000, NULL, NULL, FALSE };
  gboolean headless = FALSE, version = FALSE;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  int status;
  GOptionEntry entries[] = {
    { "headless", 0, 0, G_OPTION_ARG_NONE, &headless, N_("Run the API server without a window (no display needed)"), NULL },
    { "host", 0, 0, G_OPTION_ARG_STRING, &options.host, N_("Address to listen on (default 127.0.0.1)"), N_("ADDRESS") },
    { "port", 'p', 0, G_OPTION_ARG_INT, &options.port, N_("Port to listen on (default 8000)"), N_("PORT") },
    { "keys", 0, 0, G_OPTION_ARG_FILENAME, &options.keys_path, N_("Account pool file (default $IFLOW2API_KEYS_PATH or ~/.iflow2api/keys.json)"), N_("PATH") },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &options.verbose, N_("Log every request and debug messages to stderr"), NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_("Print the version and exit"), NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");
  /* build-aux/run points this at the build tree's translations. */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("IFLOW2API_LOCALEDIR") ? g_getenv ("IFLOW2API_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* Before any SoupSession exists (protocol decision h). */
  g_setenv ("SOUP_FORCE_HTTP1", "1", TRUE);

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
                                _("Local OpenAI-compatible API for iFlow and OpenAI-compatible accounts.\n"
                                  "Serves /v1/models and /v1/chat/completions on http://127.0.0.1:8000."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("iflow2api: %s\n", error->message);
      g_printerr (_("Run 'iflow2api --help' to see the options.\n"));
      return 2;
    }
  if (version)
    {
      g_print ("iflow2api %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (options.port < 0 || options.port > 65535)
    {
      g_printerr ("iflow2api: --port must be between 0 and 65535, not %d\n", options.port);
      return 2;
    }
  if (options.host == NULL)
    options.host = g_strdup ("127.0.0.1");
  if (options.verbose)
    {
      g_log_set_writer_func (log_writer, NULL, NULL);
      g_log_set_debug_enabled (TRUE);
    }

  raise_fd_limit ();
  (void) headless;  /* the desktop app is not built yet: always headless */
  status = i2a_headless_run (&options);

  g_free (options.host);
  g_free (options.keys_path);
  return status;
}
