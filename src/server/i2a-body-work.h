/* i2a-body-work.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-body-work.h: the one way every front door works on a request body
 * (checking limits, parsing, translating, serializing) without stalling
 * the main loop.
 *
 * A long agent session sends megabytes of history; parsing tens of
 * megabytes takes seconds, and on the main loop every other request
 * (even /health) would wait for it. So a big body's work runs in a worker
 * thread while its message is paused, and the door continues on the main
 * loop once it is done. Even joining the received pieces of a big body
 * into one buffer happens in the thread. A small body's work runs at once: a
 * thread hop would cost more than it saves. */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "i2a-front-door.h"
#include "i2a-server.h"

G_BEGIN_DECLS

/* Pure work on @data and the request @body (NULL for a further step): no
 * libsoup, no main loop, no shared state, since it may run in a worker
 * thread. It keeps a reference to @body if it needs it later. */
typedef void (*I2aBodyWorkFunc) (GBytes   *body,
                                 gpointer  data);
/* Continues on the main loop with the message unpaused; owns @data. */
typedef void (*I2aBodyDoneFunc) (I2aServer         *server,
                                 SoupServerMessage *msg,
                                 gpointer           data);

/* Runs @work on the request body of @msg and @data (in a worker thread
 * when the body has I2A_PARSE_IN_THREAD_BYTES or more, at once
 * otherwise), then @done. @done is always called exactly once, possibly
 * before this returns. */
void i2a_body_work_run      (I2aServer         *server,
                             SoupServerMessage *msg,
                             I2aBodyWorkFunc    work,
                             I2aBodyDoneFunc    done,
                             gpointer           data);
/* A further step from a @done: the same with @work given no body and
 * @size (the bytes it works on) deciding where it runs. */
void i2a_body_work_continue (I2aServer         *server,
                             SoupServerMessage *msg,
                             gsize              size,
                             I2aBodyWorkFunc    work,
                             I2aBodyDoneFunc    done,
                             gpointer           data);

/* For a big @chat (its bytes @chat_raw): the upstream body for each
 * provider, built where the parsing ran so that no attempt builds one on
 * the main loop (see i2a_chat_request_set_prepared_body ()). A small one
 * is left alone (@prepared stays NULL): building only the body an attempt
 * needs, when it needs it, costs less. Pure. */
void i2a_body_work_prepare  (JsonObject        *chat,
                             GBytes            *chat_raw,
                             GBytes            *prepared[2]);

/* The end every door's request path shares, on the main loop once the
 * body is worked on: refuse when the server has stopped meanwhile, admit
 * the request for @client_token to the pool (or answer its refusal in
 * @door's shape), then run the chat request with the @prepared upstream
 * bodies (may be NULL). */
void i2a_body_work_start    (I2aServer          *server,
                             SoupServerMessage  *msg,
                             const I2aFrontDoor *door,
                             const char         *client_token,
                             JsonObject         *client_request,
                             JsonObject         *chat,
                             GBytes             *chat_raw,
                             GBytes            **prepared);

G_END_DECLS
