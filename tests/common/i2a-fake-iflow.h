/* i2a-fake-iflow.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-fake-iflow.h: a fake iFlow chat API for tests and benchmarks.
 *
 * A real SoupServer on a loopback port. It verifies the iFlow request
 * headers and signature for the keys it knows, records every request, and
 * answers according to a scenario chosen by the last user message:
 *
 *   (anything)                 normal completion / 3-chunk stream + usage
 *   fake:reasoning             reasoning_content deltas, then content
 *   fake:business STATUS MSG   HTTP 200 {"status":"STATUS","msg":"MSG"}
 *   fake:http CODE             HTTP CODE with an OpenAI error body
 *   fake:retry-after SECS      HTTP 429 with Retry-After
 *   fake:late-error MS CODE    HTTP CODE after MS milliseconds (200: a completion)
 *   fake:slow N MS             stream N content events, MS apart
 *   fake:flood N BYTES         N events of BYTES content each, at once
 *   fake:hang-headers          never answer
 *   fake:break-after N         stream N events, then drop the connection
 *   fake:nospace               "data:{...}" lines without the space
 *   fake:nodone                no final [DONE]
 *   fake:error-event STATUS    SSE whose first event is a business error
 *   fake:empty                 a 200 event stream with no events
 *   fake:echo                  reply content = JSON of the received body
 *   fake:tool NAME ARGS        ask for tool NAME (ARGS in odd pieces), then
 *                              answer with the tool's result
 *   fake:tool-late NAME ARGS   the same, ARGS only in the last chunk
 *
 * The scenario may also be a later line of the last user message. Usage
 * reports a realistic prompt_tokens (i2a-fake-iflow-script.h).
 *
 * GET /v1/models answers like an OpenAI-compatible server with the list
 * set by i2a_fake_iflow_set_models (per key, or for every key).
 *
 * A per-key override (i2a_fake_iflow_set_key_scenario) forces a scenario for
 * every request made with that key, which the pool tests use to make one
 * account fail. */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct _I2aFakeIflow I2aFakeIflow;

typedef struct
{
  char       *api_key;        /* from Authorization */
  char       *model;
  gboolean    stream;
  JsonObject *body;
  SoupMessageHeaders *headers;
  GBytes     *raw;
  gboolean    signature_ok;   /* all iFlow headers present and valid */
  gint64      prompt_tokens;  /* what the answer's usage reports */
  char       *header_problem; /* why not, or NULL */
} I2aFakeRequest;

I2aFakeIflow *i2a_fake_iflow_new           (void);
void          i2a_fake_iflow_free          (I2aFakeIflow *self);
/* Accept this key (several allowed). Requests with other keys get 401. */
void          i2a_fake_iflow_add_key       (I2aFakeIflow *self,
                                            const char   *api_key);
void          i2a_fake_iflow_set_key_scenario (I2aFakeIflow *self,
                                               const char   *api_key,
                                               const char   *scenario);
/* Require the iFlow headers (default TRUE): missing/invalid -> 400. */
void          i2a_fake_iflow_set_require_signature (I2aFakeIflow *self,
                                                    gboolean      require);
/* Per-event delay for the default stream (bench), and event count. */
void          i2a_fake_iflow_set_stream_shape (I2aFakeIflow *self,
                                               guint         events,
                                               guint         delay_ms);
guint         i2a_fake_iflow_get_port      (I2aFakeIflow *self);
char         *i2a_fake_iflow_dup_base_url  (I2aFakeIflow *self);

/* Recorded requests (I2aFakeRequest *), oldest first. */
GPtrArray    *i2a_fake_iflow_get_requests  (I2aFakeIflow *self);
I2aFakeRequest *i2a_fake_iflow_get_last_request (I2aFakeIflow *self);
void          i2a_fake_iflow_clear_requests (I2aFakeIflow *self);
/* Concurrency observed per key: now and maximum. */
guint         i2a_fake_iflow_get_in_flight (I2aFakeIflow *self,
                                            const char   *api_key);
guint         i2a_fake_iflow_get_max_in_flight (I2aFakeIflow *self,
                                                const char   *api_key);
guint         i2a_fake_iflow_get_request_count (I2aFakeIflow *self,
                                                const char   *api_key);
/* Requests whose client (the proxy) went away before we finished, and the
 * monotonic time (µs) of the last such hang-up. */
guint         i2a_fake_iflow_get_aborted   (I2aFakeIflow *self);
/* Streamed body chunks the fake's sockets have accepted so far. */
guint64       i2a_fake_iflow_get_chunks_written (I2aFakeIflow *self);
gint64        i2a_fake_iflow_get_last_abort_time (I2aFakeIflow *self);

/* GET /v1/models: @models for requests with @api_key (NULL: any key
 * without a list of its own). */
void          i2a_fake_iflow_set_models    (I2aFakeIflow      *self,
                                            const char        *api_key,
                                            const char *const *models);
/* Non-zero: GET /v1/models fails with this HTTP status. */
void          i2a_fake_iflow_set_models_status (I2aFakeIflow *self,
                                                guint         status);
guint         i2a_fake_iflow_get_models_requests (I2aFakeIflow *self);

G_END_DECLS
