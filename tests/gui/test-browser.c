/* test-browser.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* test-browser URL: the web browser of the UI login test.
 *
 * Registered as the http handler (a desktop file in a temporary
 * XDG_DATA_HOME and mimeapps.list), so the app's gtk_show_uri_full()
 * starts it like a real browser. It GETs the authorize URL of the fake
 * OAuth server and follows its redirect to the login's loopback callback
 * (fake_browser_open), which is what a user logging in amounts to.
 * Exits 0 when the callback page answered 200. */
#include "config.h"

#include <stdio.h>

#include "fake-oauth-server.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  guint status = 0;

  if (argc != 2)
    {
      fprintf (stderr, "usage: %s URL\n", argv[0]);
      return 2;
    }
  if (!fake_browser_open (argv[1], &status, &body, &error))
    {
      fprintf (stderr, "test-browser: %s\n", error->message);
      return 1;
    }
  if (status != 200)
    {
      fprintf (stderr, "test-browser: HTTP %u\n", status);
      return 1;
    }
  return 0;
}
