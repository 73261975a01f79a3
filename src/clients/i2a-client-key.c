/* i2a-client-key.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-client-key"

#include "config.h"

#include "i2a-client-key.h"

static gboolean
route_has (const I2aKeysRoute *route,
           const char         *id)
{
  for (guint i = 0; route->accounts[i]; i++)
    if (g_str_equal (route->accounts[i], id))
      return TRUE;
  return FALSE;
}

const char *
i2a_client_key_find_for_all (I2aKeysConfig *config)
{
  g_return_val_if_fail (config != NULL, NULL);

  if (config->accounts->len == 0)
    return NULL;
  for (guint t = 0; t < config->tokens->len; t++)
    {
      const I2aKeysRoute *route = config->routes->pdata[t];
      gboolean all = TRUE;

      for (guint a = 0; a < config->accounts->len && all; a++)
        {
          const I2aKeysAccount *account = config->accounts->pdata[a];

          if (account->enabled && !route_has (route, account->id))
            all = FALSE;
        }
      if (all)
        return config->tokens->pdata[t];
    }
  return NULL;
}
