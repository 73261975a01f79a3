/* i2a-json-limits.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-json-limits.h: document limits checked on the raw bytes of a JSON
 * document, before json-glib builds a tree from it.
 *
 * json-glib's parser recurses once per nesting level (a body of nested
 * '[' overflows the stack) and builds a node per value (millions of tiny
 * values take gigabytes). This scan is iterative, allocates only one frame
 * per allowed nesting level, and stops at the first limit crossed, so every
 * front door calls it on the bytes it received before parsing them.
 * GTK-free and soup-free. */
#pragma once

#include <glib.h>

#include "i2a-api-error.h"

G_BEGIN_DECLS

/* 0 means "no limit" for every field but depth. */
typedef struct
{
  guint depth;        /* arrays and objects nested in one another */
  gsize string_bytes; /* one string (or key), in bytes as sent */
  guint values;       /* JSON values in the whole document */
  guint messages;     /* elements of the top-level "messages" or "input" */
  guint parts;        /* elements of "content" in one message or input item */
  guint tools;        /* elements of the top-level "tools" or "functions" */
} I2aJsonLimits;

#define I2A_JSON_DEFAULT_DEPTH        64
#define I2A_JSON_DEFAULT_STRING_BYTES (16 * 1024 * 1024)
#define I2A_JSON_DEFAULT_VALUES       1000000
#define I2A_JSON_DEFAULT_MESSAGES     10000
#define I2A_JSON_DEFAULT_PARTS        1000
#define I2A_JSON_DEFAULT_TOOLS        512

/* Limits generous enough for long agent sessions (hundreds of tools,
 * thousands of messages, whole files in one message). */
void         i2a_json_limits_init_default (I2aJsonLimits       *limits);

/* NULL when @data is within @limits, else a 400 whose code names the limit
 * ("nesting_too_deep", "too_many_messages", "too_many_content_parts",
 * "too_many_tools", "string_too_long", "too_many_values") and whose param
 * is the JSON path where it was crossed. Numbers that json-glib cannot
 * represent (an integer beyond int64, a float that overflows to infinity)
 * get "number_out_of_range" with their path: json-glib would wrap or
 * print them as invalid JSON. A \u escape without four hex digits or of
 * a lone UTF-16 surrogate gets "invalid_unicode_escape": json-glib would
 * read past the end of the string or decode it to bytes that are not
 * UTF-8. Any other backslash escape JSON does not have (json-glib reads
 * octal ones such as \200 as bytes that are not UTF-8) gets
 * "invalid_escape". Other bytes that are not JSON are left to the
 * parser to report; the scan skips strings and comments the way json-glib
 * does, so it never counts fewer levels than the parser will see. */
I2aApiError *i2a_json_check_limits        (const char          *data,
                                           gsize                len,
                                           const I2aJsonLimits *limits);

/* For files (keys.json, settings.json, ...): TRUE when @data nests at most
 * @max_depth levels and all its numbers and escapes are representable; else FALSE with
 * @error set (I2A_ERROR_INVALID_CONFIG) to a message free of file contents. */
gboolean     i2a_json_check_depth         (const char          *data,
                                           gsize                len,
                                           guint                max_depth,
                                           GError             **error);

G_END_DECLS
