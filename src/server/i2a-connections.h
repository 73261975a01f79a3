/* i2a-connections.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-connections.h: the server's client connections, counted and timed.
 *
 * The server accepts sockets itself and registers each one here before
 * libsoup sees it. A cap on open connections refuses more; a connection
 * must finish its request headers, then its body, within set times, and
 * may wait between requests (keep-alive) only so long. Idle connections
 * whose client went away are noticed and closed: libsoup 3.2.3 keeps them
 * open otherwise. All timing runs from the server's once-a-second sweep,
 * not a timer per connection. */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

#define I2A_DEFAULT_MAX_CONNECTIONS   512
#define I2A_DEFAULT_HEADER_TIMEOUT    30
#define I2A_DEFAULT_BODY_TIMEOUT      60
#define I2A_DEFAULT_KEEPALIVE_TIMEOUT 30

typedef struct _I2aConnections I2aConnections;

I2aConnections *i2a_connections_new        (void);
void            i2a_connections_free       (I2aConnections *self);
/* 0 keeps a value unlimited (not recommended). */
void            i2a_connections_set_limits (I2aConnections *self,
                                            guint           max_connections,
                                            guint           header_seconds,
                                            guint           body_seconds,
                                            guint           keepalive_seconds);
void            i2a_connections_get_limits (I2aConnections *self,
                                            guint          *max_connections,
                                            guint          *header_seconds,
                                            guint          *body_seconds,
                                            guint          *keepalive_seconds);
/* A socket was just accepted. FALSE when the cap is reached: the caller
 * refuses it (i2a_connections_refuse) instead of serving it. */
gboolean        i2a_connections_admit      (I2aConnections *self,
                                            GSocket        *socket);
/* Answer 503 on a socket that was not admitted and close it. */
void            i2a_connections_refuse     (I2aConnections *self,
                                            GSocket        *socket);
/* A request began on @socket's connection (SoupServer::request-started). */
void            i2a_connections_request_started (I2aConnections    *self,
                                                 GSocket           *socket,
                                                 SoupServerMessage *msg);
guint           i2a_connections_get_count  (I2aConnections *self);
/* Timeouts and hung-up idle connections; returns the connections open. */
guint           i2a_connections_sweep      (I2aConnections *self,
                                            gint64          now);

G_END_DECLS
