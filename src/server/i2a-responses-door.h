/* i2a-responses-door.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-responses-door.h: the OpenAI Responses front door (/v1/responses,
 * GET/DELETE /v1/responses/{id}) and Codex's model catalogue
 * (GET /v1/models?client_version=…). */
#pragma once

#include "i2a-front-door.h"
#include "i2a-server.h"

G_BEGIN_DECLS

extern const I2aFrontDoor i2a_responses_door;

/* Answers @msg when @path (with @query, which may be NULL) is one of this
 * door's and returns TRUE; FALSE leaves the request to the caller. */
gboolean i2a_responses_door_route  (I2aServer         *server,
                                    SoupServerMessage *msg,
                                    const char        *path,
                                    GHashTable        *query);

/* GET /v1/models?client_version=…: the pool's models in the shape Codex's
 * model picker reads ({"models":[{slug, display_name, …}]}), where a plain
 * OpenAI list would leave it empty. (i2a-responses-models.c) */
void     i2a_responses_codex_models (I2aServer         *server,
                                     SoupServerMessage *msg);

G_END_DECLS
