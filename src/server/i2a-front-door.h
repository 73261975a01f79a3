/* i2a-front-door.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-front-door.h: what makes an API dialect ("front door") out of the one
 * chat-completions request path.
 *
 * Every client-facing byte of a proxied request goes through the door:
 * errors before the first byte, each upstream chat SSE event, the end of a
 * stream, a failure after the first byte, keep-alives during gaps and the
 * non-streaming body. The door's request translator runs before routing
 * (client JSON -> chat JSON, the client's model name kept), so the pool,
 * the upstream rules, failover, slots, the breaker and the counters are the
 * same for every door. The chat endpoint is the identity door.
 *
 * The answer translators behind a door are pure (no libsoup, no main loop):
 * only reply_error touches the HTTP message. */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "i2a-api-error.h"

G_BEGIN_DECLS

/* Per-request answer-translator state (opaque, owned by the request). */
typedef struct _I2aReply I2aReply;

typedef struct
{
  const char *name;   /* "chat", "messages", "responses": logs, ledger */

  /* An error before the first byte, as a whole HTTP response in the door's
   * JSON shape (status, Retry-After when error->retry_after >= 0). */
  void      (*reply_error)    (SoupServerMessage *msg,
                               const I2aApiError *error);

  /* A fresh answer translator for one upstream attempt. @client_request is
   * what the client sent, @chat_request what goes upstream. Called again
   * when an attempt fails over before any byte reached the client. */
  I2aReply *(*reply_new)      (JsonObject        *client_request,
                               JsonObject        *chat_request);
  void      (*reply_free)     (I2aReply          *reply);

  /* One upstream chat SSE data payload (NUL-terminated, "[DONE]" too) ->
   * zero or more complete client SSE events appended to @out. */
  void      (*stream_event)   (I2aReply          *reply,
                               const char        *data,
                               gsize              len,
                               GString           *out);
  /* The upstream stream ended normally: the closing events. */
  void      (*stream_end)     (I2aReply          *reply,
                               GString           *out);
  /* A failure after the first byte: the events that end the stream with
   * the error (never a silent clean end). */
  void      (*stream_error)   (I2aReply          *reply,
                               const I2aApiError *error,
                               GString           *out);

  /* Bytes written during long gaps of a stream. */
  const char *keepalive;

  /* Non-streaming success: the client's body (transfer full), or NULL with
   * @error set when the upstream's answer cannot be translated. */
  GBytes   *(*translate_body) (I2aReply          *reply,
                               GBytes            *chat_body,
                               I2aApiError      **error);

  /* Extensions (zero for "no"): */
  /* Copy the upstream's "event:" field in front of what stream_event
   * writes (the identity door relays events as they are). */
  gboolean    relay_event_names;
  /* Send the keep-alive while waiting for the upstream's first byte too:
   * the status line and headers go out then, but failover stays possible
   * until the first translated event is written. */
  gboolean    keepalive_before_first_byte;
} I2aFrontDoor;

/* The identity door of /v1/chat/completions. */
extern const I2aFrontDoor i2a_chat_door;

G_END_DECLS
