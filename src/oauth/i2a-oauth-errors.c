/* i2a-oauth-errors.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-oauth-errors.c: what a failed OAuth answer means
 *
 * Sorts every failure into the codes callers act on: INVALID_GRANT (log in
 * again), OAUTH_TRANSIENT (retry later) or FAILED, with a short excerpt of
 * the server's own words that never repeats the token or code we sent. */
#define G_LOG_DOMAIN "i2a-oauth"

#include "config.h"

#include <string.h>
#include <libsoup/soup.h>

#include "i2a-error.h"
#include "i2a-oauth-private.h"

#define MAX_SERVER_TEXT 160

/* A short, printable excerpt of a server-supplied text, with anything we
 * sent (token, code) cut out in case the server echoes it. */
static char *
scrub_server_text (const char *text,
                   const char *secret)
{
  g_autofree char *valid = NULL;
  g_autofree char *cut = NULL;
  GString *out;

  if (text == NULL || *text == '\0')
    return NULL;
  valid = g_utf8_make_valid (text, -1);
  if (g_utf8_strlen (valid, -1) > MAX_SERVER_TEXT)
    cut = g_utf8_substring (valid, 0, MAX_SERVER_TEXT);
  else
    cut = g_strdup (valid);

  out = g_string_new (cut);
  if (secret != NULL && strlen (secret) >= 4)
    g_string_replace (out, secret, "…", 0);
  for (gsize i = 0; i < out->len; i++)
    if ((guchar) out->str[i] < 0x20)
      out->str[i] = ' ';
  return g_string_free (out, FALSE);
}

static gboolean
text_says_invalid_grant (const char *text)
{
  g_autofree char *lower = NULL;

  if (text == NULL)
    return FALSE;
  lower = g_ascii_strdown (text, -1);
  return strstr (lower, "invalid_grant") != NULL ||
         strstr (lower, "invalid_token") != NULL ||
         strstr (text, "refresh_token 无效") != NULL ||
         strstr (text, "refresh_token无效") != NULL ||
         strstr (text, "已过期") != NULL;
}

static gboolean
text_says_overload (const char *text)
{
  g_autofree char *lower = NULL;

  if (text == NULL)
    return FALSE;
  lower = g_ascii_strdown (text, -1);
  return strstr (text, "太多") != NULL ||
         strstr (text, "过载") != NULL ||
         strstr (text, "繁忙") != NULL ||
         strstr (lower, "overload") != NULL ||
         strstr (lower, "too many") != NULL ||
         strstr (lower, "busy") != NULL;
}

static gboolean
status_is_transient (guint status)
{
  return status >= 500 || status == SOUP_STATUS_REQUEST_TIMEOUT || status == 429;
}

/* Every text field the server may use to explain itself, joined. */
static char *
collect_error_texts (JsonObject *obj)
{
  static const char * const keys[] = { "error", "error_description", "message", "msg", "code" };
  GString *s = g_string_new (NULL);

  if (obj == NULL)
    return g_string_free (s, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      JsonNode *node = json_object_get_member (obj, keys[i]);
      g_autofree char *text = NULL;

      if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
        continue;
      if (json_node_get_value_type (node) == G_TYPE_STRING)
        text = g_strdup (json_node_get_string (node));
      else if (json_node_get_value_type (node) == G_TYPE_INT64)
        text = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
      if (text == NULL || *text == '\0')
        continue;
      if (s->len > 0)
        g_string_append (s, ": ");
      g_string_append (s, text);
    }
  return g_string_free (s, FALSE);
}

const char *
_i2a_oauth_op_name (I2aOAuthOp op)
{
  switch (op)
    {
    case I2A_OAUTH_OP_EXCHANGE:
      return "Token exchange";
    case I2A_OAUTH_OP_REFRESH:
      return "Token refresh";
    case I2A_OAUTH_OP_USER_INFO:
      return "User info request";
    default:
      g_assert_not_reached ();
    }
}

/* Classifies a failed answer. @obj may be NULL (no JSON). */
GError *
_i2a_oauth_error_from_answer (I2aOAuthOp  op,
                              const char *secret,
                              guint       status,
                              JsonObject *obj)
{
  g_autofree char *texts = collect_error_texts (obj);
  g_autofree char *detail = scrub_server_text (texts, secret);
  const char *what = _i2a_oauth_op_name (op);
  gboolean business = status == SOUP_STATUS_OK;   /* HTTP 200, success:false */
  gint code;

  if (op != I2A_OAUTH_OP_USER_INFO && text_says_invalid_grant (texts))
    code = I2A_ERROR_OAUTH_INVALID_GRANT;
  else if (status_is_transient (status) || text_says_overload (texts))
    code = I2A_ERROR_OAUTH_TRANSIENT;
  else if (business && op != I2A_OAUTH_OP_USER_INFO)
    /* iFlow answers overload on the token endpoint as HTTP 200
     * {"success":false,…}; a transient error, never a parse error. */
    code = I2A_ERROR_OAUTH_TRANSIENT;
  else
    code = I2A_ERROR_FAILED;

  if (detail != NULL && *detail != '\0')
    return g_error_new (I2A_ERROR, code, "%s failed (HTTP %u): %s", what, status, detail);
  return g_error_new (I2A_ERROR, code, "%s failed (HTTP %u)", what, status);
}

GError *
_i2a_oauth_error_from_transport (I2aOAuthOp    op,
                                 const GError *error)
{
  const char *what = _i2a_oauth_op_name (op);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_copy (error);
  if (error->domain == G_TLS_ERROR)
    return g_error_new (I2A_ERROR, I2A_ERROR_FAILED,
                        "%s failed: TLS error: %s", what, error->message);
  if (error->domain == SOUP_SESSION_ERROR)
    return g_error_new (I2A_ERROR, I2A_ERROR_FAILED,
                        "%s failed: %s", what, error->message);
  /* Timeouts, refused or reset connections, DNS: retry later. */
  return g_error_new (I2A_ERROR, I2A_ERROR_OAUTH_TRANSIENT,
                      "%s failed: cannot reach the OAuth server: %s", what, error->message);
}

/* "success": false, as boolean or string. */
gboolean
_i2a_oauth_answer_says_not_success (JsonObject *obj)
{
  JsonNode *node = obj != NULL ? json_object_get_member (obj, "success") : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    return !json_node_get_boolean (node);
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strcmp0 (json_node_get_string (node), "false") == 0;
  return FALSE;
}
