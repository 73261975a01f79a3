/* i2a-http.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-http.h: response helpers shared by the endpoints. */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "i2a-api-error.h"

G_BEGIN_DECLS

/* Every response carries Connection: close: libsoup 3.2.3 leaks idle
 * keep-alive connections that the client closes (CLOSE-WAIT, one file
 * descriptor each). */
void  i2a_http_prepare_response (SoupServerMessage *msg);
void  i2a_http_reply_json       (SoupServerMessage *msg,
                                 guint              status,
                                 JsonNode          *node);
void  i2a_http_reply_bytes      (SoupServerMessage *msg,
                                 guint              status,
                                 const char        *content_type,
                                 GBytes            *body);
void  i2a_http_reply_error      (SoupServerMessage *msg,
                                 const I2aApiError *error);
void  i2a_http_reply_simple_error (SoupServerMessage *msg,
                                   guint              status,
                                   const char        *code,
                                   const char        *message);
/* The bearer token of the request, or NULL. */
const char *i2a_http_get_bearer  (SoupServerMessage *msg);
/* Path without trailing slashes ("/" stays "/"). */
char *i2a_http_normalized_path   (SoupServerMessage *msg);

G_END_DECLS
