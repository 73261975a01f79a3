/* i2a-responses-reply.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-responses-reply.h: a chat completions answer -> an OpenAI Responses
 * answer. Pure (json-glib only): no libsoup, no main loop.
 *
 * Non-streaming: the chat completion JSON becomes one "response" object
 * (output: a reasoning item with the reasoning_content as its summary, a
 * message with output_text, function_call / custom_tool_call items;
 * status completed, or incomplete with incomplete_details.reason on
 * length; usage with input/output/total tokens, cached and reasoning
 * token details).
 *
 * Streaming: each upstream chat chunk becomes the Responses events at once
 * (nothing is held back), every event with an increasing sequence_number:
 * response.created, response.in_progress, then per item
 * response.output_item.added … response.output_item.done with
 * content_part / output_text deltas for messages, reasoning_summary_part /
 * reasoning_summary_text deltas for reasoning, and
 * function_call_arguments deltas for function calls; and always a last
 * response.completed (with usage), response.incomplete or
 * response.failed (with the error). */
#pragma once

#include <json-glib/json-glib.h>

#include "i2a-api-error.h"

G_BEGIN_DECLS

typedef struct _I2aResponsesReply I2aResponsesReply;

/* @request is the client's Responses request (kept referenced: its tools,
 * model and settings are echoed in the response object); @id
 * ("resp_…") and @created_at (Unix seconds) name the response. */
I2aResponsesReply *i2a_responses_reply_new          (JsonObject          *request,
                                                     const char          *id,
                                                     gint64               created_at);
void               i2a_responses_reply_free         (I2aResponsesReply   *self);

/* One upstream SSE data payload ("[DONE]" too) -> complete SSE events
 * ("event: …\ndata: {…}\n\n") appended to @out. */
void               i2a_responses_reply_stream_event (I2aResponsesReply   *self,
                                                     const char          *data,
                                                     gsize                len,
                                                     GString             *out);
/* The upstream stream ended: close the open items, then
 * response.completed or response.incomplete. */
void               i2a_responses_reply_stream_end   (I2aResponsesReply   *self,
                                                     GString             *out);
/* A failure after the first byte: response.failed with @error. */
void               i2a_responses_reply_stream_error (I2aResponsesReply   *self,
                                                     const I2aApiError   *error,
                                                     GString             *out);

/* Non-streaming: the response object's JSON, or NULL with a 502 when
 * @chat_body is not a chat completion. */
GBytes            *i2a_responses_reply_translate    (I2aResponsesReply   *self,
                                                     GBytes              *chat_body,
                                                     I2aApiError        **error);

/* The response object once complete (after stream_end, stream_error or a
 * successful translate), else NULL. Transfer none. */
JsonObject        *i2a_responses_reply_get_response (I2aResponsesReply   *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (I2aResponsesReply, i2a_responses_reply_free)

G_END_DECLS
