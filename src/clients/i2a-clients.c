/* i2a-clients.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-clients.c: the table of client programs `iflow2api <id>` and the
 * window's Clients section can set up. A new client is one entry here
 * plus its writer. */
#include "config.h"

#include "i2a-claude-code.h"
#include "i2a-client-setup.h"
#include "i2a-codex.h"
#include "i2a-opencode.h"

static const I2aClient * const clients[] = {
  &i2a_client_opencode,
  &i2a_client_codex,
  &i2a_client_claude_code,
  NULL
};

const I2aClient * const *
i2a_clients_all (void)
{
  return clients;
}

const I2aClient *
i2a_client_find (const char *id)
{
  for (guint i = 0; id != NULL && clients[i]; i++)
    if (g_str_equal (clients[i]->id, id))
      return clients[i];
  return NULL;
}
