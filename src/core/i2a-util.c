/* i2a-util.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-util"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

#include "i2a-util.h"

gboolean
i2a_random_bytes (guint8  *buf,
                  gsize    len,
                  GError **error)
{
  gsize done = 0;

  while (done < len)
    {
      ssize_t r = getrandom (buf + done, len - done, 0);

      if (r < 0)
        {
          int saved = errno;

          if (saved == EINTR)
            continue;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       "getrandom failed: %s", g_strerror (saved));
          return FALSE;
        }
      done += (gsize) r;
    }
  return TRUE;
}

char *
i2a_random_token (gsize n_bytes)
{
  g_autofree guint8 *buf = g_malloc (n_bytes);
  char *b64;

  if (!i2a_random_bytes (buf, n_bytes, NULL))
    g_error ("No random source available");

  b64 = g_base64_encode (buf, n_bytes);
  for (char *p = b64; *p; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
      else if (*p == '=')
        {
          *p = '\0';
          break;
        }
    }
  memset (buf, 0, n_bytes);
  return b64;
}

char *
i2a_hex_encode (const guint8 *data,
                gsize         len)
{
  static const char digits[] = "0123456789abcdef";
  char *out = g_malloc (len * 2 + 1);

  for (gsize i = 0; i < len; i++)
    {
      out[i * 2] = digits[data[i] >> 4];
      out[i * 2 + 1] = digits[data[i] & 0xf];
    }
  out[len * 2] = '\0';
  return out;
}

gboolean
i2a_secret_equal (const char *a,
                  const char *b)
{
  gsize la, lb, n;
  guint8 diff;

  if (a == NULL || b == NULL)
    return FALSE;

  la = strlen (a);
  lb = strlen (b);
  /* Walk the longer length so timing depends only on input sizes. */
  n = MAX (la, lb);
  diff = (guint8) (la != lb);
  for (gsize i = 0; i < n; i++)
    {
      guint8 ca = i < la ? (guint8) a[i] : 0;
      guint8 cb = i < lb ? (guint8) b[i] : 0;
      diff |= ca ^ cb;
    }
  return diff == 0;
}

void
i2a_secret_free (char *secret)
{
  if (secret == NULL)
    return;
  explicit_bzero (secret, strlen (secret));
  g_free (secret);
}

char *
i2a_mask_secret (const char *secret)
{
  gsize len;

  if (secret == NULL || *secret == '\0')
    return g_strdup ("");
  len = strlen (secret);
  if (len <= 8)
    return g_strdup ("…");
  return g_strdup_printf ("…%s", secret + len - 4);
}

gboolean
i2a_write_private_file (const char  *path,
                        const char  *contents,
                        gssize       length,
                        GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Cannot create %s: %s", dir, g_strerror (saved));
      return FALSE;
    }
  return g_file_set_contents_full (path, contents, length,
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

gint64
i2a_timestamp_from_number (gint64 value)
{
  if (value <= 0)
    return 0;
  /* Milliseconds since 1970 pass 1e11 in 1973; seconds will not until 5138. */
  if (value > G_GINT64_CONSTANT (100000000000))
    return value / 1000;
  return value;
}

gint64
i2a_parse_timestamp (const char *text)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autoptr(GTimeZone) local = NULL;
  g_autofree char *trimmed = NULL;
  const char *p;
  gboolean digits = TRUE;

  if (text == NULL)
    return 0;
  trimmed = g_strstrip (g_strdup (text));
  if (*trimmed == '\0')
    return 0;

  for (p = trimmed; *p; p++)
    if (!g_ascii_isdigit (*p))
      {
        digits = FALSE;
        break;
      }
  if (digits)
    return i2a_timestamp_from_number (g_ascii_strtoll (trimmed, NULL, 10));

  local = g_time_zone_new_local ();
  dt = g_date_time_new_from_iso8601 (trimmed, local);
  if (dt == NULL)
    {
      int y, mo, d, h, mi;
      char tail;

      /* "YYYY-MM-DD HH:MM" (platform expireTime), local time */
      if (sscanf (trimmed, "%4d-%2d-%2d %2d:%2d%c", &y, &mo, &d, &h, &mi, &tail) == 5)
        dt = g_date_time_new (local, y, mo, d, h, mi, 0);
      else
        {
          /* ISO with a space instead of 'T' */
          g_autofree char *t = g_strdup (trimmed);
          if (strlen (t) > 10 && t[10] == ' ')
            {
              t[10] = 'T';
              dt = g_date_time_new_from_iso8601 (t, local);
            }
        }
    }
  return dt ? g_date_time_to_unix (dt) : 0;
}

char *
i2a_strip_trailing_slash (const char *url)
{
  char *out;
  gsize len;

  if (url == NULL)
    return NULL;
  out = g_strdup (url);
  len = strlen (out);
  while (len > 0 && out[len - 1] == '/')
    out[--len] = '\0';
  return out;
}

gboolean
i2a_host_is_loopback (const char *host)
{
  g_autoptr(GInetAddress) addr = NULL;

  if (host == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;
  addr = g_inet_address_new_from_string (host);
  return addr != NULL && g_inet_address_get_is_loopback (addr);
}

char *
i2a_url_for_display (const char *url)
{
  const char *authority, *at, *slash;
  GString *out;

  if (url == NULL)
    return NULL;
  /* By hand rather than with GUri: an invalid URL must be shown safely too. */
  out = g_string_new (NULL);
  authority = strstr (url, "://");
  authority = authority ? authority + 3 : url;
  g_string_append_len (out, url, authority - url);
  slash = authority + strcspn (authority, "/?#");
  at = g_strstr_len (authority, slash - authority, "@");
  while (at && g_strstr_len (at + 1, slash - at - 1, "@"))
    at = g_strstr_len (at + 1, slash - at - 1, "@");
  g_string_append_len (out, at ? at + 1 : authority, slash - (at ? at + 1 : authority));
  g_string_append_len (out, slash, strcspn (slash, "?#"));
  return g_string_free (out, FALSE);
}
