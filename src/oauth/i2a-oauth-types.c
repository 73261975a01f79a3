/* i2a-oauth-types.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-oauth-types.c: the boxed token and user-info structs, and how they
 * are read from an OAuth answer */
#define G_LOG_DOMAIN "i2a-oauth"

#include "config.h"

#include <string.h>

#include "i2a-util.h"
#include "i2a-oauth-private.h"

I2aOAuthTokens *
i2a_oauth_tokens_new (void)
{
  return g_new0 (I2aOAuthTokens, 1);
}

I2aOAuthTokens *
i2a_oauth_tokens_copy (const I2aOAuthTokens *tokens)
{
  I2aOAuthTokens *copy;

  if (tokens == NULL)
    return NULL;
  copy = i2a_oauth_tokens_new ();
  copy->access_token = g_strdup (tokens->access_token);
  copy->refresh_token = g_strdup (tokens->refresh_token);
  copy->expires_at = tokens->expires_at;
  copy->token_type = g_strdup (tokens->token_type);
  copy->scope = g_strdup (tokens->scope);
  return copy;
}

void
i2a_oauth_tokens_free (I2aOAuthTokens *tokens)
{
  if (tokens == NULL)
    return;
  i2a_secret_free (tokens->access_token);
  i2a_secret_free (tokens->refresh_token);
  g_free (tokens->token_type);
  g_free (tokens->scope);
  g_free (tokens);
}

G_DEFINE_BOXED_TYPE (I2aOAuthTokens, i2a_oauth_tokens,
                     i2a_oauth_tokens_copy, i2a_oauth_tokens_free)

I2aOAuthUserInfo *
i2a_oauth_user_info_new (void)
{
  return g_new0 (I2aOAuthUserInfo, 1);
}

I2aOAuthUserInfo *
i2a_oauth_user_info_copy (const I2aOAuthUserInfo *info)
{
  I2aOAuthUserInfo *copy;

  if (info == NULL)
    return NULL;
  copy = i2a_oauth_user_info_new ();
  copy->api_key = g_strdup (info->api_key);
  copy->email = g_strdup (info->email);
  copy->phone = g_strdup (info->phone);
  copy->username = g_strdup (info->username);
  return copy;
}

void
i2a_oauth_user_info_free (I2aOAuthUserInfo *info)
{
  if (info == NULL)
    return;
  i2a_secret_free (info->api_key);
  g_free (info->email);
  g_free (info->phone);
  g_free (info->username);
  g_free (info);
}

G_DEFINE_BOXED_TYPE (I2aOAuthUserInfo, i2a_oauth_user_info,
                     i2a_oauth_user_info_copy, i2a_oauth_user_info_free)

const char *
i2a_oauth_user_info_get_display_name (const I2aOAuthUserInfo *info)
{
  g_return_val_if_fail (info != NULL, NULL);

  if (info->email != NULL && *info->email != '\0')
    return info->email;
  if (info->phone != NULL && *info->phone != '\0')
    return info->phone;
  if (info->username != NULL && *info->username != '\0')
    return info->username;
  return NULL;
}

/* ---------------------------------------------------------------- from JSON */

static char *
dup_string_member (JsonObject *obj,
                   const char *name)
{
  JsonNode *node = obj != NULL ? json_object_get_member (obj, name) : NULL;
  const char *s;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  s = json_node_get_string (node);
  return s != NULL && *s != '\0' ? g_strdup (s) : NULL;
}

/* expires_in as a number or a numeric string; -1 when absent. */
static gint64
get_expires_in (JsonObject *obj)
{
  JsonNode *node = json_object_get_member (obj, "expires_in");

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return -1;
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      return json_node_get_int (node);
    case G_TYPE_DOUBLE:
      return (gint64) json_node_get_double (node);
    case G_TYPE_STRING:
      {
        const char *s = json_node_get_string (node);
        char *end = NULL;
        gint64 v = g_ascii_strtoll (s, &end, 10);

        return end != s && *end == '\0' ? v : -1;
      }
    default:
      return -1;
    }
}

I2aOAuthTokens *
_i2a_oauth_tokens_from_json (JsonObject *obj)
{
  g_autoptr(I2aOAuthTokens) tokens = i2a_oauth_tokens_new ();
  gint64 expires_in;

  /* Tolerate a {"success":true,"data":{…}} envelope around the tokens. */
  if (!json_object_has_member (obj, "access_token") &&
      json_object_has_member (obj, "data") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (obj, "data")))
    obj = json_object_get_object_member (obj, "data");

  tokens->access_token = dup_string_member (obj, "access_token");
  if (tokens->access_token == NULL)
    return NULL;
  tokens->refresh_token = dup_string_member (obj, "refresh_token");
  tokens->token_type = dup_string_member (obj, "token_type");
  tokens->scope = dup_string_member (obj, "scope");
  expires_in = get_expires_in (obj);
  if (expires_in > 0)
    tokens->expires_at = g_get_real_time () / G_USEC_PER_SEC + expires_in;
  return g_steal_pointer (&tokens);
}

I2aOAuthUserInfo *
_i2a_oauth_user_info_from_json (JsonObject *obj)
{
  g_autoptr(I2aOAuthUserInfo) info = i2a_oauth_user_info_new ();
  JsonObject *data;

  if (!json_object_has_member (obj, "data") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (obj, "data")))
    return NULL;
  data = json_object_get_object_member (obj, "data");
  info->api_key = dup_string_member (data, "apiKey");
  if (info->api_key == NULL)
    info->api_key = dup_string_member (data, "searchApiKey");
  if (info->api_key == NULL)
    return NULL;
  info->email = dup_string_member (data, "email");
  info->phone = dup_string_member (data, "phone");
  info->username = dup_string_member (data, "username");
  return g_steal_pointer (&info);
}
