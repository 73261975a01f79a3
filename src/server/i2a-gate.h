/* i2a-gate.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-gate.h: what a request must satisfy before any byte of its body is
 * read, decided from the request line and headers alone.
 *
 * A local API server is reachable from every web page the user opens: a
 * page may send "simple" cross-site POSTs (no preflight) and, through DNS
 * rebinding, may even read answers under its own host name. So the Host
 * must name this server, a request carrying Origin must come from an
 * allowed origin, and a POST must declare a JSON body (which a simple
 * cross-site request cannot). The checks are plain string functions (no
 * libsoup), and return the error to send, or NULL to go on. */
#pragma once

#include <glib.h>

#include "i2a-api-error.h"

G_BEGIN_DECLS

/* @host: the Host header (NULL: absent, accepted for HTTP/1.0 clients,
 * which libsoup otherwise refuses). Accepted: an IP address or
 * "localhost" (or a name under .localhost) with @port or without a port,
 * or a name in @extra_names ("name" for any port, "name:port" for one). */
I2aApiError *i2a_gate_check_host         (const char        *host,
                                          guint              port,
                                          const char *const *extra_names);
/* @origin: the Origin header, or NULL. Accepted when absent or listed in
 * @allowed (compared without case and trailing slash). */
I2aApiError *i2a_gate_check_origin       (const char        *origin,
                                          const char *const *allowed);
/* Entries of the allow-lists as users type them. An origin is
 * scheme://host[:port] (nothing after the port); a host
 * name is "name" or "name:port" with no scheme, path or user. */
gboolean     i2a_gate_origin_is_valid    (const char        *origin);
gboolean     i2a_gate_host_name_is_valid (const char        *name);

/* TRUE for application/json and any +json media type (parameters allowed). */
gboolean     i2a_gate_content_type_is_json (const char      *content_type);
I2aApiError *i2a_gate_check_content_type (const char        *method,
                                          const char        *content_type);

G_END_DECLS
