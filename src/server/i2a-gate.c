/* i2a-gate.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-gate"

#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "i2a-gate.h"

/* At most this much of a header goes into an error message. */
#define SHOWN_MAX 100

static char *
shown (const char *value)
{
  g_autofree char *valid = g_utf8_make_valid (value, MIN (strlen (value), SHOWN_MAX));

  return g_strdup (valid);
}

/* "name[:port]" or "[v6]:port" -> name (lower case, no trailing dot) and
 * port (-1 when absent); FALSE when malformed. */
static gboolean
split_host (const char  *host,
            char       **name,
            gint        *port)
{
  const char *colon;
  g_autofree char *n = NULL;

  *port = -1;
  if (host[0] == '[')
    {
      const char *close = strchr (host, ']');

      if (close == NULL)
        return FALSE;
      n = g_strndup (host + 1, close - host - 1);
      colon = close[1] == ':' ? close + 1 : NULL;
      if (close[1] != '\0' && colon == NULL)
        return FALSE;
    }
  else
    {
      colon = strchr (host, ':');
      if (colon && strchr (colon + 1, ':'))
        return FALSE;  /* an IPv6 address must be bracketed */
      n = g_strndup (host, colon ? (gsize) (colon - host) : strlen (host));
    }
  if (colon)
    {
      guint64 value;

      if (colon[1] == '\0' || !g_ascii_string_to_unsigned (colon + 1, 10, 1, 65535, &value, NULL))
        return FALSE;
      *port = (gint) value;
    }
  if (*n == '\0')
    return FALSE;
  if (g_str_has_suffix (n, "."))
    n[strlen (n) - 1] = '\0';
  *name = g_ascii_strdown (n, -1);
  return TRUE;
}

static gboolean
is_local_name (const char *name)
{
  g_autoptr(GInetAddress) address = NULL;

  if (g_str_equal (name, "localhost") || g_str_has_suffix (name, ".localhost"))
    return TRUE;
  /* A page can only put an address in Host when it was itself loaded from
   * that address: DNS rebinding needs a name. */
  address = g_inet_address_new_from_string (name);
  return address != NULL;
}

static gboolean
matches_extra (const char        *name,
               gint               port,
               const char *const *extra_names)
{
  for (guint i = 0; extra_names && extra_names[i]; i++)
    {
      g_autofree char *entry_name = NULL;
      gint entry_port;

      if (!split_host (extra_names[i], &entry_name, &entry_port))
        continue;
      if (g_str_equal (entry_name, name) && (entry_port < 0 || entry_port == (port < 0 ? 80 : port)))
        return TRUE;
    }
  return FALSE;
}

I2aApiError *
i2a_gate_check_host (const char        *host,
                     guint              port,
                     const char *const *extra_names)
{
  g_autofree char *name = NULL;
  g_autofree char *text = NULL;
  gint host_port;

  if (host == NULL)
    return NULL;
  if (split_host (host, &name, &host_port))
    {
      /* Without a port (tools that write a bare "localhost") the name alone
       * decides: no page can make a browser send a local name. */
      if (is_local_name (name) && (host_port < 0 || (guint) host_port == port))
        return NULL;
      if (matches_extra (name, host_port, extra_names))
        return NULL;
    }
  text = shown (host);
  return i2a_api_error_new (403, "permission_error", "host_not_allowed",
                            "The Host header '%s' does not name this server: use 127.0.0.1:%u or "
                            "localhost:%u, or add the name to server.allowed_hosts in keys.json "
                            "(or Preferences → Browser Access → Extra Host Names in the app)", text, port, port);
}

static char *
normalize_origin (const char *origin)
{
  char *out = g_ascii_strdown (origin, -1);
  gsize len = strlen (out);

  while (len > 0 && out[len - 1] == '/')
    out[--len] = '\0';
  return out;
}

I2aApiError *
i2a_gate_check_origin (const char        *origin,
                       const char *const *allowed)
{
  g_autofree char *wanted = NULL;
  g_autofree char *text = NULL;

  if (origin == NULL)
    return NULL;
  wanted = normalize_origin (origin);
  for (guint i = 0; allowed && allowed[i]; i++)
    {
      g_autofree char *entry = normalize_origin (allowed[i]);

      if (*entry && g_str_equal (entry, wanted))
        return NULL;
    }
  text = shown (origin);
  return i2a_api_error_new (403, "permission_error", "origin_not_allowed",
                            "Requests from web pages are refused: the origin '%s' is not in "
                            "server.allowed_origins in keys.json (or Preferences → Browser Access → "
                            "Allowed Origins in the app)", text);
}

gboolean
i2a_gate_host_name_is_valid (const char *name)
{
  g_autofree char *host = NULL;
  gint port;

  return name != NULL && *name != '\0' && strpbrk (name, "/@?#\\ \t\r\n") == NULL &&
         split_host (name, &host, &port);
}

gboolean
i2a_gate_origin_is_valid (const char *origin)
{
  g_autoptr(GUri) uri = origin ? g_uri_parse (origin, G_URI_FLAGS_NONE, NULL) : NULL;
  const char *scheme = uri ? g_uri_get_scheme (uri) : NULL;
  const char *path = uri ? g_uri_get_path (uri) : NULL;

  /* Any scheme: browser extensions have origins such as
   * chrome-extension://id. */
  return uri != NULL && scheme != NULL &&
         g_uri_get_host (uri) != NULL && *g_uri_get_host (uri) != '\0' &&
         g_uri_get_userinfo (uri) == NULL && g_uri_get_query (uri) == NULL &&
         g_uri_get_fragment (uri) == NULL && (path == NULL || *path == '\0' || g_str_equal (path, "/")) &&
         strpbrk (origin, " \t\r\n") == NULL;
}

gboolean
i2a_gate_content_type_is_json (const char *content_type)
{
  g_autofree char *media = NULL;
  const char *semi;

  if (content_type == NULL)
    return FALSE;
  semi = strchr (content_type, ';');
  media = g_strstrip (g_ascii_strdown (content_type, semi ? semi - content_type : -1));
  return g_str_equal (media, "application/json") ||
         (g_str_has_suffix (media, "+json") && strchr (media, '/') != NULL);
}

I2aApiError *
i2a_gate_check_content_type (const char *method,
                             const char *content_type)
{
  g_autofree char *text = NULL;

  if (!g_str_equal (method, "POST") && !g_str_equal (method, "PUT") && !g_str_equal (method, "PATCH"))
    return NULL;
  if (i2a_gate_content_type_is_json (content_type))
    return NULL;
  if (content_type == NULL || *content_type == '\0')
    return i2a_api_error_new (415, "invalid_request_error", "unsupported_media_type",
                              "Missing Content-Type: send the request body as JSON with "
                              "'Content-Type: application/json'");
  text = shown (content_type);
  return i2a_api_error_new (415, "invalid_request_error", "unsupported_media_type",
                            "Unsupported Content-Type '%s': send the request body as JSON with "
                            "'Content-Type: application/json'", text);
}
