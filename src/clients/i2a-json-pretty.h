/* i2a-json-pretty.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-json-pretty.h: JSON text for files people read and diff.
 *
 * json-glib 1.6 prints doubles with 17 digits (0.7 becomes
 * 0.69999999999999996) and silently skips C comments when parsing, which
 * would erase them on a rewrite; these helpers cover both. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum
{
  I2A_JSON_PRETTY_DEFAULT      = 0,
  /* Show string values of members that look secret (…key, …token,
   * secret, password, authorization) as "…abcd"; "{env:…}" and "{file:…}"
   * references are kept, they are not secrets. For previews only. */
  I2A_JSON_PRETTY_MASK_SECRETS = 1 << 0,
} I2aJsonPrettyFlags;

/* Two-space indented JSON with a final newline, members in document order,
 * UTF-8 kept as is, doubles in their shortest exact form. @public_values
 * (NULL-terminated, may be NULL) are never masked. */
char     *i2a_json_pretty              (JsonNode            *node,
                                        I2aJsonPrettyFlags   flags,
                                        const char * const  *public_values);

/* TRUE when @text has a // or block comment outside strings; @line and
 * @column (1-based, optional) locate the first one. */
gboolean  i2a_json_find_comment        (const char          *text,
                                        gsize                length,
                                        guint               *line,
                                        guint               *column);

/* Whether a member name looks like it holds a secret. */
gboolean  i2a_json_member_is_secret    (const char          *name);

G_END_DECLS
