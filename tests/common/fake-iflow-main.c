/* fake-iflow-main.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* fake-iflow: the test fake as a standalone server, for the benchmark and
 * for end-to-end tests with real clients. Prints its base URL on stdout. */
#define G_LOG_DOMAIN "fake-iflow"

#include "config.h"

#include <signal.h>
#include <glib-unix.h>

#include "i2a-fake-iflow.h"

static gboolean
quit_cb (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

int
main (int argc, char **argv)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GOptionContext) ctx = g_option_context_new ("- fake iFlow upstream");
  g_autoptr(GError) error = NULL;
  char *key = NULL;
  int events = 3, delay = 0;
  gboolean no_signature = FALSE;
  I2aFakeIflow *fake;
  GOptionEntry entries[] = {
    { "key", 'k', 0, G_OPTION_ARG_STRING, &key, "Accepted API key", "KEY" },
    { "events", 'e', 0, G_OPTION_ARG_INT, &events, "Events per default stream", "N" },
    { "delay", 'd', 0, G_OPTION_ARG_INT, &delay, "Milliseconds between events", "MS" },
    { "no-signature", 0, 0, G_OPTION_ARG_NONE, &no_signature, "Do not require iFlow headers", NULL },
    { NULL }
  };

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  fake = i2a_fake_iflow_new ();
  i2a_fake_iflow_add_key (fake, key ? key : "sk-0123456789abcdef0123456789abcdef");
  i2a_fake_iflow_set_stream_shape (fake, events, delay);
  i2a_fake_iflow_set_require_signature (fake, !no_signature);
  {
    g_autofree char *base = i2a_fake_iflow_dup_base_url (fake);
    g_print ("%s\n", base);
  }
  g_unix_signal_add (SIGINT, quit_cb, loop);
  g_unix_signal_add (SIGTERM, quit_cb, loop);
  g_main_loop_run (loop);
  i2a_fake_iflow_free (fake);
  g_free (key);
  return 0;
}
