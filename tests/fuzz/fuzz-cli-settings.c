/* fuzz-cli-settings.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* fuzz-cli-settings: the iFlow CLI's ~/.iflow/settings.json and
 * ~/.iflow/oauth_creds.json as the app reads them to share its login.
 *
 * Input: settings.json, then a NUL byte and oauth_creds.json (missing
 * when the input has no NUL). Nothing the app logs about the files may
 * quote a key from them. */
#define G_LOG_DOMAIN "i2a-fuzz"

#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "i2a-cli-settings.h"

static I2aCliSettings *settings;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  i2a_fuzz_init ();
  i2a_fuzz_capture_logs (TRUE);
  /* Without a directory: no file monitor, no reads, only the parsing. */
  settings = g_object_new (I2A_TYPE_CLI_SETTINGS, NULL);
  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  const guint8 *nul = memchr (data, '\0', size);
  g_autofree char *doc = i2a_fuzz_strndup (data, nul ? (size_t) (nul - data) : size);
  g_autofree char *creds = nul ? i2a_fuzz_strndup (nul + 1, size - (nul + 1 - data)) : NULL;

  i2a_fuzz_reset_logged ();
  i2a_cli_settings_load_data (settings, doc, strlen (doc), creds, creds ? strlen (creds) : 0);

  if (!i2a_cli_settings_is_loaded (settings))
    g_error ("not loaded after a load");
  if (i2a_cli_settings_get_base_url (settings) == NULL)
    g_error ("no base URL after a load");
  i2a_fuzz_assert_no_secret (i2a_fuzz_logged (), data, size);
  return 0;
}
