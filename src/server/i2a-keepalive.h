/* i2a-keepalive.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-keepalive.h: HTTP keep-alive for the connections the server accepts
 * itself.
 *
 * libsoup 3.2 keeps a connection open after a response only while the
 * SoupServer has a listener of its own, and it leaks every idle kept-alive
 * connection that the client then closes (the socket stays in CLOSE-WAIT,
 * its descriptor and objects are never freed). So libsoup never holds an
 * idle connection here: once a response is written, the connection is
 * taken back from libsoup and waited on by this module; when the next
 * request arrives it is handed to libsoup again, and when the client closes
 * it, it is closed here. Requests the client pipelined are kept: whatever
 * libsoup had already read is handed back in front of the socket. */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct _I2aKeepalive I2aKeepalive;

/* The client socket of @msg, or NULL. */
typedef GSocket *(*I2aKeepaliveLookup) (SoupServerMessage *msg,
                                        gpointer           user_data);

I2aKeepalive *i2a_keepalive_new    (SoupServer         *soup,
                                    I2aKeepaliveLookup  lookup,
                                    gpointer            user_data);
/* Closes the connections that wait for a request; those serving one are
 * libsoup's and end with it. */
void          i2a_keepalive_free   (I2aKeepalive       *self);
/* Serves a newly accepted connection. */
void          i2a_keepalive_accept (I2aKeepalive       *self,
                                    GSocketConnection  *connection,
                                    GSocketAddress     *local,
                                    GSocketAddress     *remote);
/* Connections waiting for their next request (tests, /debug). */
guint         i2a_keepalive_get_idle (I2aKeepalive     *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (I2aKeepalive, i2a_keepalive_free)

G_END_DECLS
