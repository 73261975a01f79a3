/* test-cli-settings.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Reading the iFlow CLI's files: what a file holds, whatever it holds,
 * gives values or a warning, never a CRITICAL (fatal in the tests). */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "i2a-cli-settings.h"

static gboolean
loaded (gpointer data)
{
  return i2a_cli_settings_is_loaded (data);
}

static gboolean
timed_out (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* An empty settings.json parses to no document at all. */
static void
test_empty_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("i2a-cli-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "settings.json", NULL);
  g_autoptr(I2aCliSettings) settings = NULL;
  gboolean late = FALSE;
  guint id;

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (path, "", 0, &error));
  g_test_expect_message ("i2a-cli-settings", G_LOG_LEVEL_WARNING, "Ignoring*settings.json*empty*");
  settings = i2a_cli_settings_new (dir);
  id = g_timeout_add (5000, timed_out, &late);
  while (!loaded (settings) && !late)
    g_main_context_iteration (NULL, TRUE);
  if (!late)
    g_source_remove (id);
  g_test_assert_expected_messages ();
  g_assert_true (i2a_cli_settings_is_loaded (settings));
  g_assert_null (i2a_cli_settings_get_api_key (settings));
  g_assert_cmpstr (i2a_cli_settings_get_base_url (settings), ==, I2A_DEFAULT_BASE_URL);
  g_clear_object (&settings);
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_load_data (void)
{
  g_autoptr(I2aCliSettings) settings = g_object_new (I2A_TYPE_CLI_SETTINGS, NULL);
  const char *doc = "{\"apiKey\":\"sk-1\",\"baseUrl\":\"https://example.invalid/v1/\"}";
  const char *creds = "{\"refresh_token\":\"rt\",\"expiry_date\":1767225600000}";

  i2a_cli_settings_load_data (settings, doc, strlen (doc), creds, strlen (creds));
  g_assert_cmpstr (i2a_cli_settings_get_api_key (settings), ==, "sk-1");
  g_assert_cmpstr (i2a_cli_settings_get_base_url (settings), ==, "https://example.invalid/v1");
  g_assert_cmpstr (i2a_cli_settings_get_refresh_token (settings), ==, "rt");
  g_assert_cmpint (i2a_cli_settings_get_expires_at (settings), ==, 1767225600);

  /* Missing files: nothing is kept from before. */
  i2a_cli_settings_load_data (settings, NULL, 0, NULL, 0);
  g_assert_null (i2a_cli_settings_get_api_key (settings));
  g_assert_null (i2a_cli_settings_get_refresh_token (settings));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/iflow-cli/settings/empty-file", test_empty_file);
  g_test_add_func ("/iflow-cli/settings/load-data", test_load_data);
  return g_test_run ();
}
