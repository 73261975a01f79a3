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

G_END_DECLS
