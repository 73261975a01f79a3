/* i2a-chat-validate.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-chat-validate"

#include "config.h"

#include <string.h>

#include "i2a-chat-validate.h"
#include "i2a-json.h"
#include "i2a-json-limits.h"

static I2aApiError *
bad_field (const char *param,
           const char *message)
{
  I2aApiError *error = i2a_api_error_new (400, "invalid_request_error", "invalid_request", "%s", message);

  error->param = g_strdup (param);
  return error;
}

static gboolean
content_type_is_json (const char *content_type)
{
  g_autofree char *media = NULL;
  const char *semi;

  if (content_type == NULL || *content_type == '\0')
    return TRUE;
  semi = strchr (content_type, ';');
  media = g_strstrip (g_ascii_strdown (content_type, semi ? semi - content_type : -1));
  return g_str_equal (media, "application/json") || g_str_has_suffix (media, "+json");
}

static I2aApiError *
check_messages (JsonNode *node)
{
  JsonArray *array;
  guint n;

  if (node == NULL)
    return bad_field ("messages", "Missing required field 'messages' (an array of message objects)");
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_autofree char *m = g_strdup_printf ("'messages' must be an array, not %s", i2a_json_node_kind (node));
      return bad_field ("messages", m);
    }
  array = json_node_get_array (node);
  n = json_array_get_length (array);
  if (n == 0)
    return bad_field ("messages", "'messages' must contain at least one message");
  for (guint i = 0; i < n; i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      JsonNode *role;
      g_autofree char *param = g_strdup_printf ("messages[%u]", i);

      if (!JSON_NODE_HOLDS_OBJECT (item))
        {
          g_autofree char *m = g_strdup_printf ("'%s' must be an object, not %s", param, i2a_json_node_kind (item));
          return bad_field (param, m);
        }
      role = json_object_get_member (json_node_get_object (item), "role");
      if (!i2a_json_node_is_string (role) || *json_node_get_string (role) == '\0')
        {
          g_autofree char *p = g_strdup_printf ("%s.role", param);
          g_autofree char *m = g_strdup_printf ("'%s' must be a non-empty string", p);
          return bad_field (p, m);
        }
    }
  return NULL;
}

JsonObject *
i2a_chat_validate (const char   *content_type,
                   GBytes       *body,
                   I2aApiError **error)
{
  I2aJsonLimits limits;

  i2a_json_limits_init_default (&limits);
  return i2a_chat_validate_full (content_type, body, &limits, error);
}

JsonObject *
i2a_chat_validate_full (const char          *content_type,
                        GBytes              *body,
                        const I2aJsonLimits *limits,
                        I2aApiError        **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) parse_error = NULL;
  JsonObject *request;
  JsonNode *root, *model, *stream;
  I2aApiError *err = NULL;
  gsize len = 0;
  const char *data;

  if (!content_type_is_json (content_type))
    {
      *error = i2a_api_error_new (415, "invalid_request_error", "unsupported_media_type",
                                  "Unsupported Content-Type '%s': send the request body as "
                                  "JSON with 'Content-Type: application/json'", content_type);
      return NULL;
    }

  data = body ? g_bytes_get_data (body, &len) : NULL;
  if (len == 0)
    {
      *error = bad_field (NULL, "The request body is empty: expected a JSON object with 'model' and 'messages'");
      return NULL;
    }
  if (!g_utf8_validate (data, len, NULL))
    {
      *error = bad_field (NULL, "The request body is not valid UTF-8");
      return NULL;
    }
  /* Before the parser: it recurses per level and allocates per value. */
  if ((err = i2a_json_check_limits (data, len, limits)) != NULL)
    {
      *error = err;
      return NULL;
    }
  if (!json_parser_load_from_data (parser, data, len, &parse_error))
    {
      *error = i2a_api_error_new (400, "invalid_request_error", "invalid_json",
                                  "The request body is not valid JSON: %s", parse_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      *error = bad_field (NULL, "The request body must be a JSON object");
      return NULL;
    }
  request = json_node_get_object (root);

  model = json_object_get_member (request, "model");
  if (model == NULL)
    err = bad_field ("model", "Missing required field 'model'");
  else if (!i2a_json_node_is_string (model))
    {
      g_autofree char *m = g_strdup_printf ("'model' must be a string, not %s", i2a_json_node_kind (model));
      err = bad_field ("model", m);
    }
  else
    {
      g_autofree char *trimmed = g_strstrip (g_strdup (json_node_get_string (model)));
      if (*trimmed == '\0')
        err = bad_field ("model", "'model' must not be empty");
    }

  if (err == NULL)
    err = check_messages (json_object_get_member (request, "messages"));

  stream = json_object_get_member (request, "stream");
  if (err == NULL && stream && !JSON_NODE_HOLDS_NULL (stream) &&
      !(JSON_NODE_HOLDS_VALUE (stream) && json_node_get_value_type (stream) == G_TYPE_BOOLEAN))
    {
      g_autofree char *m = g_strdup_printf ("'stream' must be a boolean, not %s", i2a_json_node_kind (stream));
      err = bad_field ("stream", m);
    }

  if (err)
    {
      *error = err;
      return NULL;
    }
  return json_object_ref (request);
}
