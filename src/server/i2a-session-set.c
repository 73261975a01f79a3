/* i2a-session-set.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-session-set"

#include "config.h"

#include "i2a-session-set.h"

/* Enough that no session's queue gets long with thousands of streams;
 * each idle session costs a few hundred bytes. */
#define N_SESSIONS 16

struct _I2aSessionSet
{
  SoupSession *sessions[N_SESSIONS];
  guint        next;
};

I2aSessionSet *
i2a_session_set_new (void)
{
  I2aSessionSet *self = g_new0 (I2aSessionSet, 1);

  for (guint i = 0; i < N_SESSIONS; i++)
    {
      /* libsoup's defaults (2 connections per host, a 60 s I/O timeout)
       * break a proxy: our own phase timers replace the I/O timeout. */
      self->sessions[i] = soup_session_new_with_options ("max-conns", 4096,
                                                         "max-conns-per-host", 4096,
                                                         "timeout", 0,
                                                         "idle-timeout", 60,
                                                         NULL);
      /* Ignore http_proxy & co: a proxy set for other tools broke peers. */
      soup_session_set_proxy_resolver (self->sessions[i], NULL);
    }
  return self;
}

void
i2a_session_set_free (I2aSessionSet *self)
{
  if (self == NULL)
    return;
  for (guint i = 0; i < N_SESSIONS; i++)
    g_clear_object (&self->sessions[i]);
  g_free (self);
}

SoupSession *
i2a_session_set_next (I2aSessionSet *self)
{
  SoupSession *session = self->sessions[self->next];

  self->next = (self->next + 1) % N_SESSIONS;
  return session;
}

void
i2a_session_set_abort (I2aSessionSet *self)
{
  for (guint i = 0; i < N_SESSIONS; i++)
    soup_session_abort (self->sessions[i]);
}
