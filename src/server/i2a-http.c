/* i2a-http.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-http"

#include "config.h"

#include <string.h>

#include "i2a-http.h"

void
i2a_http_prepare_response (SoupServerMessage *msg)
{
  SoupMessageHeaders *h = soup_server_message_get_response_headers (msg);

  soup_message_headers_replace (h, "Cache-Control", "no-store");
  soup_message_headers_replace (h, "X-Content-Type-Options", "nosniff");
}

void
i2a_http_reply_bytes (SoupServerMessage *msg,
                      guint              status,
                      const char        *content_type,
                      GBytes            *body)
{
  SoupMessageBody *response = soup_server_message_get_response_body (msg);

  i2a_http_prepare_response (msg);
  soup_server_message_set_status (msg, status, NULL);
  /* The bytes themselves, not a copy: bodies can be large. */
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Content-Type", content_type);
  soup_message_body_truncate (response);
  soup_message_body_append_bytes (response, body);
}

void
i2a_http_reply_json (SoupServerMessage *msg,
                     guint              status,
                     JsonNode          *node)
{
  gsize len = 0;
  char *text = json_to_string (node, FALSE);
  g_autoptr(GBytes) body = NULL;

  len = strlen (text);
  body = g_bytes_new_take (text, len);
  i2a_http_reply_bytes (msg, status, "application/json", body);
}

void
i2a_http_reply_error (SoupServerMessage *msg,
                      const I2aApiError *error)
{
  g_autoptr(JsonNode) node = i2a_api_error_to_json (error);

  i2a_http_reply_json (msg, error->http_status, node);
  if (error->retry_after >= 0)
    {
      g_autofree char *value = g_strdup_printf ("%d", error->retry_after);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Retry-After", value);
    }
}

void
i2a_http_reply_simple_error (SoupServerMessage *msg,
                             guint              status,
                             const char        *code,
                             const char        *message)
{
  g_autoptr(I2aApiError) error = i2a_api_error_new (status, NULL, code, "%s", message);

  i2a_http_reply_error (msg, error);
}

const char *
i2a_http_get_bearer (SoupServerMessage *msg)
{
  const char *auth = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                   "Authorization");

  if (auth == NULL)
    return NULL;
  if (g_ascii_strncasecmp (auth, "Bearer ", 7) == 0)
    auth += 7;
  while (*auth == ' ')
    auth++;
  return *auth ? auth : NULL;
}

char *
i2a_http_normalized_path (SoupServerMessage *msg)
{
  GUri *uri = soup_server_message_get_uri (msg);
  const char *path = uri ? g_uri_get_path (uri) : NULL;
  char *out = g_strdup (path && *path ? path : "/");
  gsize len = strlen (out);

  while (len > 1 && out[len - 1] == '/')
    out[--len] = '\0';
  return out;
}
