/* i2a-messages-reply.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-messages-reply.h: a chat completions answer turned into an Anthropic
 * Messages answer (pure: JSON/bytes in, JSON/SSE text out).
 *
 * Streaming is a state machine fed one upstream chat SSE payload at a time
 * that writes complete Messages events as soon as it can: one
 * message_start, then thinking, text and each tool call as blocks on their
 * own index (a block closes when another kind starts), then message_delta
 * (stop_reason, stop_sequence, usage) and message_stop. Tool blocks open
 * with their first argument piece (or at the end when the upstream sends
 * the arguments only then), so their input is whole when they stop; an
 * empty input is "{}". A tool_use stop reason comes only with a tool block
 * (and any tool block means tool_use, whatever the upstream said).
 *
 * usage: input_tokens is the upstream's prompt_tokens minus the cached
 * part, which is cache_read_input_tokens (Anthropic counts them apart). */
#pragma once

#include <json-glib/json-glib.h>

#include "i2a-api-error.h"

G_BEGIN_DECLS

typedef struct _I2aMessagesReply I2aMessagesReply;

/* @model: the client's model name (echoed back); @stop_sequences: the
 * request's, for recognizing which one ended the answer (may be NULL);
 * @input_estimate: the prompt's local token estimate for message_start. */
I2aMessagesReply *i2a_messages_reply_new    (const char        *model,
                                             const char * const *stop_sequences,
                                             gint64             input_estimate);
void              i2a_messages_reply_free   (I2aMessagesReply  *self);

/* One upstream payload ("[DONE]" too) -> zero or more SSE events. */
void              i2a_messages_reply_event  (I2aMessagesReply  *self,
                                             const char        *data,
                                             gsize              len,
                                             GString           *out);
/* Normal end: close blocks, message_delta, message_stop (once). */
void              i2a_messages_reply_end    (I2aMessagesReply  *self,
                                             GString           *out);
/* Failure after the first byte: an error event. */
void              i2a_messages_reply_error  (I2aMessagesReply  *self,
                                             const I2aApiError *error,
                                             GString           *out);

/* Non-streaming: a chat completion body -> a Messages body, or NULL with
 * @error (a 502) when it is not a chat completion. */
GBytes           *i2a_messages_reply_body   (I2aMessagesReply  *self,
                                             GBytes            *chat_body,
                                             I2aApiError      **error);

/* Anthropic's error type for @error ("invalid_request_error", ...). */
const char       *i2a_messages_error_type   (const I2aApiError *error);
/* {"type":"error","error":{"type":...,"message":...}} */
char             *i2a_messages_error_json   (const I2aApiError *error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (I2aMessagesReply, i2a_messages_reply_free)

G_END_DECLS
