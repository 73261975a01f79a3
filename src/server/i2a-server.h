/* i2a-server.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-server.h: the local OpenAI-compatible HTTP endpoint.
 *
 * A SoupServer in the caller's GLib main loop. Endpoints: /health,
 * /v1/models (+ /models), /v1/chat/completions (+ /chat/completions),
 * /debug/accounts. Requests flow server -> pool -> upstream and back. */
#pragma once

#include <libsoup/soup.h>

#include "i2a-json-limits.h"
#include "i2a-pool.h"

G_BEGIN_DECLS

#define I2A_DEFAULT_HOST "127.0.0.1"
#define I2A_DEFAULT_PORT 8000
#define I2A_DEFAULT_MAX_BODY (32 * 1024 * 1024)
/* Request bodies from this size on are parsed in a worker thread. */
#define I2A_PARSE_IN_THREAD_BYTES (256 * 1024)

#define I2A_TYPE_SERVER (i2a_server_get_type ())
G_DECLARE_FINAL_TYPE (I2aServer, i2a_server, I2A, SERVER, GObject)

typedef struct _I2aChatRequest I2aChatRequest;

I2aServer   *i2a_server_new              (I2aPool     *pool);
/* Bind and listen. Refuses a non-loopback host unless client auth is
 * required (I2A_ERROR_BIND_REFUSED); port 0 picks a free port. */
gboolean     i2a_server_start            (I2aServer   *self,
                                          const char  *host,
                                          guint        port,
                                          GError     **error);
/* Cancel in-flight requests (streams end with an error event) and close
 * the listening sockets. */
void         i2a_server_stop             (I2aServer   *self);
gboolean     i2a_server_is_running       (I2aServer   *self);
/* TRUE after stop() while aborted responses are still being written. */
gboolean     i2a_server_is_draining      (I2aServer   *self);
/* The bound port (useful with port 0). */
guint        i2a_server_get_port         (I2aServer   *self);
char        *i2a_server_dup_base_url     (I2aServer   *self);
I2aPool     *i2a_server_get_pool         (I2aServer   *self);
SoupSession *i2a_server_get_session      (I2aServer   *self);
guint        i2a_server_get_active_requests (I2aServer *self);
/* Called by a chat request once it is over. */
void         i2a_server_request_done     (I2aServer         *self,
                                          I2aChatRequest    *request);
/* The client socket of a request (for hang-up detection). */
GSocket     *i2a_server_lookup_socket    (I2aServer         *self,
                                          SoupServerMessage *msg);

/* Tunables (seconds / bytes); tests shorten them. */
void         i2a_server_set_timeouts     (I2aServer   *self,
                                          guint        first_byte_seconds,
                                          guint        idle_seconds,
                                          guint        keepalive_seconds);
void         i2a_server_set_max_body     (I2aServer   *self,
                                          gsize        max_body);
/* Document limits every front door checks with i2a_json_check_limits ()
 * on the bytes it received, before parsing them. */
void         i2a_server_set_json_limits  (I2aServer           *self,
                                          const I2aJsonLimits *limits);
const I2aJsonLimits *i2a_server_get_json_limits (I2aServer    *self);
/* Browser protections: host names besides loopback ones that requests
 * may carry in Host, and web origins allowed to call the API. Both are
 * added to those in keys.json's "server" section. */
void         i2a_server_set_allowed_hosts   (I2aServer          *self,
                                             const char *const  *names);
void         i2a_server_set_allowed_origins (I2aServer          *self,
                                             const char *const  *origins);
GStrv        i2a_server_dup_allowed_hosts   (I2aServer          *self);
GStrv        i2a_server_dup_allowed_origins (I2aServer          *self);
/* Client connections: at most @max_connections open (more are refused
 * with a 503), request headers within @header_seconds of the accept (or
 * of the first byte of a later request), the body within @body_seconds
 * of the headers, and at most @keepalive_seconds idle between requests.
 * 0 = no limit. */
void         i2a_server_set_connection_limits (I2aServer *self,
                                               guint      max_connections,
                                               guint      header_seconds,
                                               guint      body_seconds,
                                               guint      keepalive_seconds);
guint        i2a_server_get_open_connections  (I2aServer *self);
guint        i2a_server_get_first_byte_timeout (I2aServer *self);
guint        i2a_server_get_idle_timeout       (I2aServer *self);
guint        i2a_server_get_keepalive_interval (I2aServer *self);

G_END_DECLS
