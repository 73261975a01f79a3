/* i2a-json.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-json.h: small json-glib conveniences used across subsystems. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The top-level object of @data, or NULL when it is empty, not JSON or not
 * an object (for best-effort reads of answers that may be anything). */
JsonObject *i2a_json_parse_object (const char *data,
                                   gsize       len);

/* A JSON_NODE_OBJECT node holding a new empty object. (json_node_init_object
 * takes its own reference, so passing json_object_new () to it leaks.) */
JsonNode   *i2a_json_node_new_object (void);

/* What a request validator says it got instead: "null", "an object",
 * "an array", "a string", "a boolean" or "a number". NULL (an absent
 * member) is "null". */
const char *i2a_json_node_kind      (JsonNode   *node);
/* A string value; FALSE for NULL. */
gboolean    i2a_json_node_is_string (JsonNode   *node);
/* An integer or floating-point value; FALSE for NULL. */
gboolean    i2a_json_node_is_number (JsonNode   *node);
/* Member @name of @obj as an integer when it is a number (a fraction is
 * cut off; out of range is clamped), else @fallback: json-glib's own
 * getters log a CRITICAL for a member of another type, which a peer's
 * JSON must never cause. */
gint64      i2a_json_int_member     (JsonObject *obj,
                                     const char *name,
                                     gint64      fallback);

/* Parse a file that may hold secrets (keys.json, settings.json,
 * oauth_creds.json): nesting depth checked before the recursive parser
 * runs, and on failure an I2A_ERROR_INVALID_CONFIG whose message is
 * "LINE:COL: what" with any text quoted from the file left out. */
gboolean    i2a_json_load_private  (JsonParser  *parser,
                                    const char  *data,
                                    gsize        len,
                                    GError     **error);

G_END_DECLS
