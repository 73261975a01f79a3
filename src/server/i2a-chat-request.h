/* i2a-chat-request.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-chat-request.h: one proxied /chat/completions request, from the
 * validated client body to the last byte relayed back (streaming or not),
 * including failover before the first byte and cancellation when the
 * client goes away. */
#pragma once

#include "i2a-front-door.h"
#include "i2a-server.h"

G_BEGIN_DECLS

#define I2A_TYPE_CHAT_REQUEST (i2a_chat_request_get_type ())
G_DECLARE_FINAL_TYPE (I2aChatRequest, i2a_chat_request, I2A, CHAT_REQUEST, GObject)

/* Takes over @msg (pauses it); when it is finished with it, emits "done"
 * and then calls i2a_server_request_done(). @dispatch carries the pool's routing for this request. */
I2aChatRequest *i2a_chat_request_new   (I2aServer         *server,
                                        SoupServerMessage *msg,
                                        I2aDispatch       *dispatch,
                                        JsonObject        *request,
                                        GBytes            *raw);
/* The same for another front door: @client_request is what the client
 * sent, @request the chat request its translator made (and @raw its
 * bytes, forwarded as they are to OpenAI-compatible upstreams). */
I2aChatRequest *i2a_chat_request_new_for_door (I2aServer          *server,
                                               SoupServerMessage  *msg,
                                               I2aDispatch        *dispatch,
                                               const I2aFrontDoor *door,
                                               JsonObject         *client_request,
                                               JsonObject         *request,
                                               GBytes             *raw);
const I2aFrontDoor *i2a_chat_request_get_door (I2aChatRequest *self);
void            i2a_chat_request_start (I2aChatRequest    *self);
/* (i2a-server.c) Track @chat (transfer full) among the server's requests
 * (sweeps, shutdown) and start it. */
void            i2a_server_run_request (I2aServer         *server,
                                        I2aChatRequest    *chat);
/* Once a second from the server: timeouts and SSE keep-alives. */
void            i2a_chat_request_tick  (I2aChatRequest    *self,
                                        gint64             now);
/* Server shutdown: end the request now with an error. */
void            i2a_chat_request_abort (I2aChatRequest    *self,
                                        const char        *reason);

/* The upstream body for accounts of @provider, built beforehand (in a
 * thread, for big documents) instead of at each attempt. */
void i2a_chat_request_set_prepared_body (I2aChatRequest *self,
                                         I2aProvider     provider,
                                         GBytes         *body);

G_END_DECLS
