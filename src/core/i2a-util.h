/* i2a-util.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-util.h: small helpers shared by every subsystem */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Fill @buf from the kernel CSPRNG (getrandom); GRand is not one. */
gboolean  i2a_random_bytes            (guint8      *buf,
                                       gsize        len,
                                       GError     **error);
/* base64url without padding of @n_bytes random bytes. */
char     *i2a_random_token            (gsize        n_bytes);
char     *i2a_hex_encode              (const guint8 *data,
                                       gsize        len);

/* Compare secrets without an early exit on the first differing byte. */
gboolean  i2a_secret_equal            (const char  *a,
                                       const char  *b);

/* Overwrite then free a secret string (NULL is fine). explicit_bzero, as
 * a memset before free may be optimised away. */
void      i2a_secret_free             (char        *secret);

/* "…abcd": never more than the last 4 characters of a secret. */
char     *i2a_mask_secret             (const char  *secret);

/* Atomic replace (temp file + rename) with mode 0600; parent dirs 0700. */
gboolean  i2a_write_private_file      (const char  *path,
                                       const char  *contents,
                                       gssize       length,
                                       GError     **error);

/* Expiry in every format seen in the wild: epoch s/ms (number or string),
 * ISO-8601 with or without offset (naive = local), "YYYY-MM-DD HH:MM" (local).
 * Returns unix seconds, or 0 when @text cannot be parsed. */
gint64    i2a_parse_timestamp         (const char  *text);
gint64    i2a_timestamp_from_number   (gint64       value);

/* Strip trailing slashes. */
char     *i2a_strip_trailing_slash    (const char  *url);

/* TRUE for 127.0.0.0/8, ::1 and "localhost". */
gboolean  i2a_host_is_loopback        (const char  *host);

/* @url as it may be shown in logs, errors and /debug: without
 * "user:password@", "?query" and "#fragment", which can carry keys. */
char     *i2a_url_for_display         (const char  *url);

G_END_DECLS
