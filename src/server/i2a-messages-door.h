/* i2a-messages-door.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-messages-door.h: the Anthropic Messages front door (/v1/messages and
 * count_tokens) and the small endpoints Claude Code calls around it. */
#pragma once

#include "i2a-front-door.h"
#include "i2a-server.h"

G_BEGIN_DECLS

extern const I2aFrontDoor i2a_messages_door;

/* Answers @msg when @path is one of this door's paths and returns TRUE;
 * FALSE leaves the request to the caller. */
gboolean i2a_messages_door_route (I2aServer         *server,
                                  SoupServerMessage *msg,
                                  const char        *path);

G_END_DECLS
