/* i2a-upstream-request.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-upstream-request"

#include "config.h"

#include <string.h>

#include "i2a-iflow-rules.h"
#include "i2a-upstream-request.h"
#include "i2a-util.h"

/* The official CLI sends exactly this; it is also the HMAC prefix. */
#define IFLOW_USER_AGENT "iFlow-Cli"

char *
i2a_iflow_signature (const char *api_key,
                     const char *session_id,
                     const char *timestamp_ms)
{
  g_autofree char *message = g_strdup_printf ("%s:%s:%s", IFLOW_USER_AGENT,
                                              session_id, timestamp_ms);

  return g_compute_hmac_for_string (G_CHECKSUM_SHA256,
                                    (const guchar *) api_key, strlen (api_key),
                                    message, -1);
}

static char *
new_traceparent (void)
{
  guint8 trace[16], span[8];
  g_autofree char *t = NULL;
  g_autofree char *s = NULL;

  i2a_random_bytes (trace, sizeof trace, NULL);
  i2a_random_bytes (span, sizeof span, NULL);
  t = i2a_hex_encode (trace, sizeof trace);
  s = i2a_hex_encode (span, sizeof span);
  return g_strdup_printf ("00-%s-%s-01", t, s);
}

static void
add_iflow_headers (SoupMessageHeaders      *h,
                   const I2aUpstreamTarget *target)
{
  g_autofree char *traceparent = new_traceparent ();

  soup_message_headers_append (h, "user-agent", IFLOW_USER_AGENT);
  soup_message_headers_append (h, "session-id", target->session_id);
  soup_message_headers_append (h, "conversation-id", target->conversation_id);
  /* Headers as the official CLI sends them, nothing more; without a key
   * it omits both signature headers, and so do we. */
  if (target->api_key && *target->api_key)
    {
      g_autofree char *ts = g_strdup_printf ("%" G_GINT64_FORMAT, g_get_real_time () / 1000);
      g_autofree char *sig = i2a_iflow_signature (target->api_key, target->session_id, ts);

      soup_message_headers_append (h, "x-iflow-signature", sig);
      soup_message_headers_append (h, "x-iflow-timestamp", ts);
    }
  soup_message_headers_append (h, "traceparent", traceparent);
  soup_message_headers_append (h, "accept", "*/*");
  soup_message_headers_append (h, "accept-language", "*");
  soup_message_headers_append (h, "sec-fetch-mode", "cors");
}

/* The endpoint of the last base URL asked for: nearly every request goes to
 * the same few accounts, and parsing the URL each time is wasted work. */
G_LOCK_DEFINE_STATIC (endpoint_cache);
static char *cached_base_url;
static GUri *cached_endpoint;

static GUri *
endpoint_for (const char *base_url)
{
  GUri *uri = NULL;

  G_LOCK (endpoint_cache);
  if (cached_base_url && g_str_equal (cached_base_url, base_url))
    uri = g_uri_ref (cached_endpoint);
  G_UNLOCK (endpoint_cache);
  if (uri)
    return uri;
  {
    g_autofree char *url = g_strconcat (base_url, "/chat/completions", NULL);

    uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  }
  /* soup_message_new refuses anything but http(s) with a host. */
  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0' ||
      (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 && g_strcmp0 (g_uri_get_scheme (uri), "https") != 0))
    {
      g_clear_pointer (&uri, g_uri_unref);
      return NULL;
    }
  G_LOCK (endpoint_cache);
  g_free (cached_base_url);
  cached_base_url = g_strdup (base_url);
  g_clear_pointer (&cached_endpoint, g_uri_unref);
  cached_endpoint = g_uri_ref (uri);
  G_UNLOCK (endpoint_cache);
  return uri;
}

static GBytes *
with_stream_usage (JsonObject *request,
                   GBytes     *raw)
{
  JsonNode *node = json_object_get_member (request, "stream_options");
  JsonObject *options = node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *copy, *copy_options;
  gsize len;
  const char *data = g_bytes_get_data (raw, &len);
  char *text;

  if (options && json_object_get_boolean_member_with_default (options, "include_usage", FALSE))
    return g_bytes_ref (raw);
  /* A fresh parse of the client's bytes: @request is shared by every
   * attempt and must stay as the client sent it. */
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, data, (gssize) len, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return g_bytes_ref (raw);
  copy = json_node_get_object (json_parser_get_root (parser));
  node = json_object_get_member (copy, "stream_options");
  if (node && JSON_NODE_HOLDS_OBJECT (node))
    copy_options = json_node_get_object (node);
  else
    {
      copy_options = json_object_new ();
      json_object_set_object_member (copy, "stream_options", copy_options);
    }
  json_object_set_boolean_member (copy_options, "include_usage", TRUE);
  text = json_to_string (json_parser_get_root (parser), FALSE);
  return g_bytes_new_take (text, strlen (text));
}

GBytes *
i2a_upstream_request_build_body (I2aProvider  provider,
                                 JsonObject  *request,
                                 GBytes      *raw,
                                 gboolean     stream)
{
  if (provider == I2A_PROVIDER_IFLOW)
    {
      g_autoptr(JsonObject) upstream_body = i2a_iflow_rules_apply (request, stream);
      g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
      char *text;

      json_node_set_object (node, upstream_body);
      text = json_to_string (node, FALSE);
      return g_bytes_new_take (text, strlen (text));
    }
  /* Any OpenAI-compatible server: the client's bytes, untouched, except
   * that a stream always asks for usage (the ledger counts it; the chat
   * relay keeps the chunk from a client that did not ask). */
  return stream ? with_stream_usage (request, raw) : g_bytes_ref (raw);
}

SoupMessage *
i2a_upstream_request_new_with_body (const I2aUpstreamTarget *target,
                                    GBytes                  *body,
                                    gboolean                 stream)
{
  g_autoptr(GUri) uri = endpoint_for (target->base_url);
  SoupMessage *msg;
  SoupMessageHeaders *h;

  if (uri == NULL)
    return NULL;
  msg = soup_message_new_from_uri (SOUP_METHOD_POST, uri);
  h = soup_message_get_request_headers (msg);

  if (target->api_key && *target->api_key)
    {
      g_autofree char *auth = g_strdup_printf ("Bearer %s", target->api_key);
      soup_message_headers_append (h, "Authorization", auth);
    }
  if (target->provider == I2A_PROVIDER_IFLOW)
    add_iflow_headers (h, target);
  else
    soup_message_headers_append (h, "Accept", stream ? "text/event-stream" : "application/json");

  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  /* libsoup 3 opens a new connection for every non-idempotent request;
   * upstream that means a TLS handshake per chat call. Marking it lets an
   * idle keep-alive connection be reused. The cost: libsoup re-sends when
   * a reused connection turns out dead before any response, which the
   * server has then never processed. */
  soup_message_add_flags (msg, SOUP_MESSAGE_IDEMPOTENT);
  return msg;
}

SoupMessage *
i2a_upstream_request_new (const I2aUpstreamTarget *target,
                          JsonObject              *request,
                          GBytes                  *raw,
                          gboolean                 stream)
{
  g_autoptr(GBytes) body = NULL;

  if (target->base_url == NULL)
    return NULL;
  body = i2a_upstream_request_build_body (target->provider, request, raw, stream);
  return i2a_upstream_request_new_with_body (target, body, stream);
}
