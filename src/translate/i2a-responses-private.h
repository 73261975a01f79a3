/* i2a-responses-private.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-responses-private.h: shared by the Responses request translator
 * (i2a-responses-request.c) and its tools part (i2a-responses-tools.c). */
#pragma once

#include "i2a-json.h"
#include "i2a-responses-request.h"

G_BEGIN_DECLS

/* A 400 invalid_request_error whose param is @param. */
I2aApiError *_i2a_responses_bad_field      (const char   *param,
                                            const char   *format,
                                            ...) G_GNUC_PRINTF (2, 3);
/* Missing or null. */
gboolean     _i2a_responses_is_absent      (JsonNode     *node);
gboolean     _i2a_responses_is_blank       (const char   *text);
/* The member when it has that type, else NULL. */
const char  *_i2a_responses_get_string     (JsonObject   *obj,
                                            const char   *name);
JsonObject  *_i2a_responses_get_object     (JsonObject   *obj,
                                            const char   *name);
/* A non-empty string member, or NULL with a 400 naming @param.@name. */
const char  *_i2a_responses_require_string (JsonObject   *obj,
                                            const char   *param,
                                            const char   *name,
                                            I2aApiError **error);

/* "tools" and "tool_choice" of @request into @chat. */
I2aApiError *_i2a_responses_map_tools       (JsonObject  *request,
                                             JsonObject  *chat);
I2aApiError *_i2a_responses_map_tool_choice (JsonObject  *request,
                                             JsonObject  *chat);

G_END_DECLS
