/* i2a-responses-store.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-responses-store.h: the Responses API's stored responses, in memory
 * and bounded: at most a number of responses and of bytes, the oldest
 * evicted first. Each entry keeps the response object (for
 * GET /v1/responses/{id}) and the conversation that led to it, so a later
 * request naming it as previous_response_id continues that conversation.
 * Nothing is written to disk. Main thread only. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define I2A_RESPONSES_STORE_DEFAULT_COUNT 1000
#define I2A_RESPONSES_STORE_DEFAULT_MB    64

#define I2A_TYPE_RESPONSES_STORE (i2a_responses_store_get_type ())
G_DECLARE_FINAL_TYPE (I2aResponsesStore, i2a_responses_store, I2A, RESPONSES_STORE, GObject)

I2aResponsesStore *i2a_responses_store_new          (guint              max_count,
                                                     gsize              max_bytes);
/* The process's store, shared by every server (transfer none). */
I2aResponsesStore *i2a_responses_store_get_default  (void);
/* New limits; entries beyond them are evicted at once. */
void               i2a_responses_store_set_limits   (I2aResponsesStore *self,
                                                     guint              max_count,
                                                     gsize              max_bytes);

/* Keep @response (its "id" names it) with @history, the input items that
 * led to it (earlier turns included) as a serialized JSON array, or NULL.
 * Only the response's own output is serialized here: a long conversation
 * comes as bytes made where the request was parsed, so keeping it costs
 * the main loop a copy of bytes, not a walk over the tree. An entry larger
 * than the byte limit alone is not kept. */
void               i2a_responses_store_put          (I2aResponsesStore *self,
                                                     JsonObject        *response,
                                                     GBytes            *history);
/* The response object's JSON, or NULL when @id is unknown or evicted. */
GBytes            *i2a_responses_store_dup_response (I2aResponsesStore *self,
                                                     const char        *id);
/* The conversation up to and including @id's output, as input items for
 * the next request; NULL when @id is unknown or evicted. */
JsonArray         *i2a_responses_store_dup_history  (I2aResponsesStore *self,
                                                     const char        *id);
/* The same as stored JSON, to parse with the function below off the
 * main thread (a long conversation takes a while to parse). */
GBytes            *i2a_responses_store_dup_history_bytes (I2aResponsesStore *self,
                                                          const char        *id);
/* Stored history bytes -> input items, or NULL. Any thread. */
JsonArray         *i2a_responses_store_parse_history (GBytes            *history);
gboolean           i2a_responses_store_remove       (I2aResponsesStore *self,
                                                     const char        *id);
guint              i2a_responses_store_get_count    (I2aResponsesStore *self);
gsize              i2a_responses_store_get_bytes    (I2aResponsesStore *self);

G_END_DECLS
