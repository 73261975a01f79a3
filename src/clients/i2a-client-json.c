/* i2a-client-json.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-client-json.c: reading and editing a client's JSON config file
 * without damaging what the writer does not own. */
#define G_LOG_DOMAIN "i2a-client-json"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "i2a-client-json.h"
#include "i2a-error.h"
#include "i2a-json.h"
#include "i2a-json-pretty.h"

#define UTF8_BOM "\xef\xbb\xbf"

/* The document in @contents (BOM skipped; blank = {}), refusing what a
 * rewrite would damage. */
JsonNode *
i2a_client_json_parse (const char  *path,
                       const char  *contents,
                       gsize        length,
                       GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  const char *message;
  guint line = 0, column = 0;
  JsonNode *root;

  if (length >= 3 && memcmp (contents, UTF8_BOM, 3) == 0)
    {
      contents += 3;
      length -= 3;
    }
  if (!g_utf8_validate_len (contents, length, NULL))
    {
      g_set_error (error, I2A_ERROR, I2A_ERROR_INVALID_CONFIG,
                   _("%s is not UTF-8 text; it was left unchanged"), path);
      return NULL;
    }
  /* json-glib skips block comments without a word: the rewrite would
   * silently drop them. */
  if (i2a_json_find_comment (contents, length, &line, &column))
    {
      g_set_error (error, I2A_ERROR, I2A_ERROR_INVALID_CONFIG,
                   _("%s:%u:%u: the file has comments (JSONC). Rewriting it would lose them, so it "
                     "was left unchanged: remove the comments first, or add the provider by hand"),
                   path, line, column);
      return NULL;
    }
  {
    g_autofree char *blank = g_strstrip (g_strndup (contents, length));

    if (*blank == '\0')
      return i2a_json_node_new_object ();
  }
  if (!json_parser_load_from_data (parser, contents, length, &local_error))
    {
      /* "<data>:3:5: Parse error: ..." -> "PATH:3:5: Parse error: ..." */
      message = local_error->message;
      if (g_str_has_prefix (message, "<data>:"))
        message += strlen ("<data>:");
      g_set_error (error, I2A_ERROR, I2A_ERROR_INVALID_CONFIG,
                   _("%s:%s (only plain JSON can be rewritten: no trailing commas); "
                     "the file was left unchanged"), path, message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, I2A_ERROR, I2A_ERROR_INVALID_CONFIG,
                   _("%s: the top level is not a JSON object; the file was left unchanged"), path);
      return NULL;
    }
  return json_node_copy (root);
}

/* The member @name of @obj as an object; created when missing or null.
 * NULL (with @error) when it holds something else: that is the user's. */
JsonObject *
i2a_client_json_ensure_object (JsonObject  *obj,
                               const char  *name,
                               const char  *json_path,
                               GError     **error)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    json_object_set_object_member (obj, name, json_object_new ());
  else if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, I2A_ERROR, I2A_ERROR_INVALID_CONFIG,
                   _("“%s” is not a JSON object; the file was left unchanged"), json_path);
      return NULL;
    }
  return json_object_get_object_member (obj, name);
}


JsonNode *
i2a_client_json_load (const char  *path,
                      const char  *contents,
                      gsize        length,
                      GError     **error)
{
  if (contents == NULL)
    return i2a_json_node_new_object ();
  return i2a_client_json_parse (path, contents, length, error);
}

char *
i2a_client_json_show (const char          *path,
                      const char          *contents,
                      gsize                length,
                      const char * const  *public_values,
                      GError             **error)
{
  g_autoptr(JsonNode) root = i2a_client_json_parse (path, contents, length, error);

  if (root == NULL)
    return NULL;
  return i2a_json_pretty (root, I2A_JSON_PRETTY_MASK_SECRETS, public_values);
}
