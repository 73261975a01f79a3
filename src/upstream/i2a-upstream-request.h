/* i2a-upstream-request.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-upstream-request.h: build the HTTP request for one upstream attempt.
 *
 * provider "iflow": the headers of the official CLI (user-agent iFlow-Cli,
 * session-id, conversation-id, x-iflow-timestamp, x-iflow-signature,
 * traceparent, accept: any) and the body rules of i2a-iflow-rules.
 * provider "openai": plain Bearer auth, the client's body byte for byte. */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum
{
  I2A_PROVIDER_IFLOW,
  I2A_PROVIDER_OPENAI,
} I2aProvider;

/* I2A_TYPE_PROVIDER: nicks "iflow", "openai" (keys.json "provider"). */
#include "i2a-upstream-enums.h"

typedef struct
{
  I2aProvider  provider;
  const char  *base_url;         /* without trailing slash */
  const char  *api_key;
  const char  *session_id;       /* iflow: "session-<uuid>", per account */
  const char  *conversation_id;  /* iflow: "<uuid>", per account */
} I2aUpstreamTarget;

/* Lowercase hex HMAC-SHA256(key=api_key, "iFlow-Cli:<session>:<ts>"). */
char        *i2a_iflow_signature         (const char *api_key,
                                          const char *session_id,
                                          const char *timestamp_ms);

/* @request is the parsed client body, @raw the client's bytes (sent as-is
 * for provider openai). */
/* The two halves of i2a_upstream_request_new: the body for @provider
 * (pure, may run in a thread; big documents are built off the main loop)
 * and the message around a body. */
GBytes      *i2a_upstream_request_build_body    (I2aProvider              provider,
                                                 JsonObject              *request,
                                                 GBytes                  *raw,
                                                 gboolean                 stream);
SoupMessage *i2a_upstream_request_new_with_body (const I2aUpstreamTarget *target,
                                                 GBytes                  *body,
                                                 gboolean                 stream);
SoupMessage *i2a_upstream_request_new    (const I2aUpstreamTarget *target,
                                          JsonObject              *request,
                                          GBytes                  *raw,
                                          gboolean                 stream);

G_END_DECLS
