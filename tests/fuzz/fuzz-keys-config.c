/* fuzz-keys-config.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* fuzz-keys-config: ~/.iflow2api/keys.json through the parser and
 * validator the app uses on start-up and on every reload. A config that
 * loads must survive being written back and loaded again; a syntax error
 * must not quote a client key. */
#define G_LOG_DOMAIN "i2a-fuzz"

#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "i2a-keys-config.h"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  i2a_fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr(I2aKeysConfig) config = NULL;
  g_autoptr(I2aKeysConfig) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *written = NULL;

  config = i2a_keys_config_parse ((const char *) data, size, "keys.json", &error);
  if (config == NULL)
    {
      if (error == NULL || error->message == NULL)
        g_error ("keys.json refused without an error");
      if (!g_str_has_prefix (error->message, "keys.json"))
        g_error ("the error does not name the file: %s", error->message);
      /* Content errors name paths the user wrote; json-glib's syntax
       * messages quote input and must be scrubbed. */
      if (g_str_has_prefix (error->message, "keys.json:") && g_ascii_isdigit (error->message[10]))
        i2a_fuzz_assert_no_secret (error->message, data, size);
      return 0;
    }

  for (guint i = 0; i < config->accounts->len; i++)
    {
      const I2aKeysAccount *a = config->accounts->pdata[i];

      if (i2a_keys_config_lookup_account (config, a->id) == NULL)
        g_error ("account %u cannot be found by its id", i);
    }
  for (guint i = 0; i < config->tokens->len; i++)
    {
      guint compared = 0;

      if (i2a_keys_config_lookup_token (config, config->tokens->pdata[i], &compared) == NULL)
        g_error ("token %u has no route", i);
      if (compared != config->tokens->len)
        g_error ("token lookup stopped early");
    }
  (void) i2a_keys_config_lookup_token (config, "sk-not-a-configured-token", NULL);

  written = i2a_keys_config_root_to_data (config->root);
  again = i2a_keys_config_parse (written, -1, "keys.json", &error);
  if (again == NULL)
    g_error ("a loaded keys.json does not load again after writing: %s", error->message);
  if (again->accounts->len != config->accounts->len || again->tokens->len != config->tokens->len)
    g_error ("writing keys.json back changed what it holds");
  return 0;
}
