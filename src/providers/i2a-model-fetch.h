/* i2a-model-fetch.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-model-fetch.h: GET {base}/models of an OpenAI-compatible server.
 *
 * What "Test" in the add dialog, `iflow2api add --test` and model
 * discovery all call. The result is the list of model ids the server
 * serves; a failure carries the upstream's own words ("HTTP 401: Invalid
 * API key") or the network error. The key is sent as a bearer token and
 * never appears in a message. GTK-free. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* @api_key NULL or "": no Authorization header (local servers). */
void   i2a_model_fetch_async  (const char          *base_url,
                               const char          *api_key,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data);
/* The model ids, in the server's order without duplicates (possibly
 * empty, never NULL on success). */
GStrv  i2a_model_fetch_finish (GAsyncResult        *result,
                               GError             **error);

/* The ids in an OpenAI list body ({"data":[{"id":…}]}, or the
 * {"models":[{"id"|"name":…}]} some servers send); NULL with an error
 * when @body is no such list. */
GStrv  i2a_model_fetch_parse  (GBytes              *body,
                               GError             **error);

G_END_DECLS
