#define G_LOG_DOMAIN "i2a-json"

#include "config.h"

#include "i2a-json.h"
#include "i2a-json-limits.h"

JsonObject *
i2a_json_parse_object (const char *data,
                       gsize       len)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonNode *root;

  if (data == NULL || len == 0)
    return NULL;
  /* json-glib recurses per nesting level: a hostile answer must not
   * overflow the stack. */
  if (!i2a_json_check_depth (data, len, I2A_JSON_DEFAULT_DEPTH, NULL))
    return NULL;
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, data, (gssize) len, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  return json_object_ref (json_node_get_object (root));
}

JsonNode *
i2a_json_node_new_object (void)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, json_object_new ());
  return node;
}
