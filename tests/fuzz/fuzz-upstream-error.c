/* fuzz-upstream-error.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* fuzz-upstream-error: what an upstream answered (status, Retry-After,
 * body) through the classification that decides the client's error,
 * failover and cool-down.
 *
 * Input: bytes 0-1 the HTTP status (big-endian, taken modulo 600), then a
 * Retry-After value up to the first newline (none when the input has no
 * newline), then the body. */
#define G_LOG_DOMAIN "i2a-fuzz"

#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "i2a-upstream-error.h"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  i2a_fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autofree char *retry_after = NULL;
  g_autofree char *body = NULL;
  g_autoptr(I2aApiError) error = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autofree char *text = NULL;
  const guint8 *nl;
  guint status;

  if (size < 2)
    return 0;
  status = ((data[0] << 8) | data[1]) % 600;
  data += 2;
  size -= 2;
  nl = memchr (data, '\n', size);
  if (nl)
    {
      retry_after = i2a_fuzz_strndup (data, nl - data);
      size -= nl + 1 - data;
      data = nl + 1;
    }
  body = i2a_fuzz_strndup (data, size);

  error = i2a_upstream_error_classify (status, body, size, retry_after, NULL);
  if (error == NULL)
    {
      if (status < 200 || status > 299)
        g_error ("HTTP %u classified as a success", status);
      return 0;
    }
  if (error->http_status < 400 || error->http_status > 599)
    g_error ("HTTP %u classified as client status %u", status, error->http_status);
  if (error->message == NULL || error->type == NULL)
    g_error ("an error without a message or type");
  if (error->retry_after < -1)
    g_error ("negative Retry-After %d", error->retry_after);
  json = i2a_api_error_to_json (error);
  text = i2a_api_error_to_string (error);
  return 0;
}
