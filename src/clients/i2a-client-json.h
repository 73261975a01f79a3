/* i2a-client-json.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-client-json.h: the JSON config files of client programs (OpenCode,
 * Claude Code): parsed only when a rewrite cannot damage them, and their
 * objects created on demand. Pure: no I/O. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The document in @contents (a UTF-8 BOM skipped; blank = {}), or NULL
 * with I2A_ERROR_INVALID_CONFIG when a rewrite would damage it: not UTF-8,
 * comments (JSONC), not JSON, or not an object at the top. */
JsonNode   *i2a_client_json_parse         (const char  *path,
                                           const char  *contents,
                                           gsize        length,
                                           GError     **error);

/* The document of an existing file (@contents) or, with @contents NULL
 * (no file yet), an empty object to build on; errors as parse(). */
JsonNode   *i2a_client_json_load          (const char  *path,
                                           const char  *contents,
                                           gsize        length,
                                           GError     **error);

/* The document for display, pretty-printed with its secrets masked
 * (@public_values are shown as they are); errors as parse(). */
char       *i2a_client_json_show          (const char          *path,
                                           const char          *contents,
                                           gsize                length,
                                           const char * const  *public_values,
                                           GError             **error);

/* The member @name of @obj as an object, created when missing or null;
 * NULL with I2A_ERROR_INVALID_CONFIG (naming @json_path) when it holds
 * something else, which is the user's. */
JsonObject *i2a_client_json_ensure_object (JsonObject  *obj,
                                           const char  *name,
                                           const char  *json_path,
                                           GError     **error);

G_END_DECLS
