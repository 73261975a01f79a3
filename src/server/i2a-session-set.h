/* i2a-session-set.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-session-set.h: the upstream SoupSessions of a server.
 *
 * libsoup 3.2 walks a session's whole message queue whenever a message
 * starts, ends or its connection changes state, so one session carrying
 * thousands of long streams costs time quadratic in their number. Requests
 * are spread over a few sessions, each configured for a proxy. */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct _I2aSessionSet I2aSessionSet;

I2aSessionSet *i2a_session_set_new   (void);
void           i2a_session_set_free  (I2aSessionSet *self);
/* The session for the next upstream request (round robin). */
SoupSession   *i2a_session_set_next  (I2aSessionSet *self);
/* Cancels every upstream request of every session. */
void           i2a_session_set_abort (I2aSessionSet *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (I2aSessionSet, i2a_session_set_free)

G_END_DECLS
