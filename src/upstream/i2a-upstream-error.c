/* i2a-upstream-error.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-upstream-error"
/* memmem */
#define _GNU_SOURCE

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <gio/gio.h>
#include <libsoup/soup.h>

#include "i2a-json.h"
#include "i2a-upstream-error.h"

/* Longest piece of a non-JSON error body quoted in a message. */
#define BODY_SNIPPET_MAX 200

static const guint default_retry_codes[] = { 429, 500, 502, 503, 504 };

static gboolean
status_in_retry_set (guint   status,
                     GArray *retry_status_codes)
{
  guint i;

  if (retry_status_codes == NULL)
    {
      for (i = 0; i < G_N_ELEMENTS (default_retry_codes); i++)
        if (default_retry_codes[i] == status)
          return TRUE;
      return FALSE;
    }
  for (i = 0; i < retry_status_codes->len; i++)
    if (g_array_index (retry_status_codes, guint, i) == status)
      return TRUE;
  return FALSE;
}

/* Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3).
 * Clamped: a value of years would cool an account down for good. */
static gint
parse_retry_after_unclamped (const char *value)
{
  g_autoptr(GDateTime) date = NULL;
  g_autoptr(GDateTime) now = NULL;
  const char *p;
  char *end = NULL;
  gint64 seconds;
  guint64 parsed;

  if (value == NULL)
    return -1;
  for (p = value; g_ascii_isspace (*p); p++)
    ;
  if (*p == '\0')
    return -1;

  if (g_ascii_isdigit (*p))
    {
      parsed = g_ascii_strtoull (p, &end, 10);
      while (end && g_ascii_isspace (*end))
        end++;
      if (end && *end == '\0')
        return (gint) MIN (parsed, (guint64) G_MAXINT);
    }

  date = soup_date_time_new_from_http_string (p);
  if (date == NULL)
    return -1;
  now = g_date_time_new_now_utc ();
  seconds = g_date_time_difference (date, now) / G_TIME_SPAN_SECOND;
  return (gint) CLAMP (seconds, 0, G_MAXINT);
}

static gint
parse_retry_after (const char *value)
{
  gint seconds = parse_retry_after_unclamped (value);

  return seconds < 0 ? seconds : MIN (seconds, I2A_RETRY_AFTER_MAX);
}

static JsonObject *
parse_body_object (const char *body,
                   gsize       len)
{
  gsize i;

  if (body == NULL || len == 0)
    return NULL;
  for (i = 0; i < len && g_ascii_isspace (body[i]); i++)
    ;
  if (i == len || body[i] != '{')
    return NULL;

  return i2a_json_parse_object (body, len);
}

/* A JSON string or number as text ("435", 435 and 435.0 all give "435"). */
static char *
member_to_string (JsonObject *obj,
                  const char *name)
{
  JsonNode *node;
  GType type;

  if (obj == NULL || (node = json_object_get_member (obj, name)) == NULL
      || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;
  type = json_node_get_value_type (node);
  if (type == G_TYPE_STRING)
    return g_strstrip (g_strdup (json_node_get_string (node)));
  if (type == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
  if (type == G_TYPE_DOUBLE)
    {
      double value = json_node_get_double (node);

      /* Outside int64 the conversion is undefined: no usable code then. */
      if (!(value > -9.2e18 && value < 9.2e18))
        return NULL;
      return g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) value);
    }
  return NULL;
}

static const char *
member_string (JsonObject *obj,
               const char *name)
{
  JsonNode *node;

  if (obj == NULL || (node = json_object_get_member (obj, name)) == NULL
      || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static JsonObject *
member_object (JsonObject *obj,
               const char *name)
{
  JsonNode *node;

  if (obj == NULL || (node = json_object_get_member (obj, name)) == NULL
      || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_node_get_object (node);
}

static gboolean
is_success_code (const char *code)
{
  return code == NULL || *code == '\0'
         || strcmp (code, "0") == 0 || strcmp (code, "200") == 0
         || g_ascii_strcasecmp (code, "ok") == 0 || g_ascii_strcasecmp (code, "success") == 0;
}

/* The iFlow business error in a body, if any: {"status":"435","msg":...},
 * {"error_code":...}, or {"error":{"message":...}} on a 2xx. Returns the
 * code (or NULL when there is none) and sets @message. */
static char *
find_business_code (JsonObject  *obj,
                    const char **message)
{
  JsonObject *error_obj = member_object (obj, "error");
  char *code;

  *message = member_string (obj, "msg");
  if (*message == NULL)
    *message = member_string (obj, "message");
  if (*message == NULL && error_obj != NULL)
    *message = member_string (error_obj, "message");
  if (*message == NULL)
    *message = member_string (obj, "error");

  code = member_to_string (obj, "status");
  if (!is_success_code (code))
    return code;
  g_free (code);

  code = member_to_string (obj, "error_code");
  if (!is_success_code (code))
    return code;
  g_free (code);

  if (error_obj != NULL)
    {
      code = member_to_string (error_obj, "code");
      if (code == NULL || *code == '\0')
        {
          g_free (code);
          code = g_strdup ("502");
        }
      return code;
    }
  if (member_string (obj, "error") != NULL)
    return g_strdup ("502");

  return NULL;
}

static gboolean
mentions_expired_token (const char *message)
{
  g_autofree char *lower = NULL;

  if (message == NULL)
    return FALSE;
  lower = g_ascii_strdown (message, -1);
  return (strstr (lower, "token") != NULL && strstr (lower, "expired") != NULL)
         || strstr (message, "过期") != NULL;
}

static guint
parse_status_code (const char *code)
{
  char *end = NULL;
  guint64 value;

  if (code == NULL || !g_ascii_isdigit (*code))
    return 0;
  value = g_ascii_strtoull (code, &end, 10);
  if (end == NULL || *end != '\0' || value > G_MAXUINT)
    return 0;
  return (guint) value;
}

/* iFlow's business error codes (the body's "status", often inside an
 * HTTP 200), each mapped to an HTTP-style error. */
static I2aApiError *
map_business_error (const char *code,
                    const char *message,
                    GArray     *retry_status_codes)
{
  I2aApiError *err;
  guint status = parse_status_code (code);

  if (message == NULL || *message == '\0')
    message = "unknown error";

  switch (status)
    {
    case 434:
    case 438:
      /* Invalid or banned apiKey: another account may be fine. */
      err = i2a_api_error_new (403, "permission_error", code, "iFlow error %s: %s", code, message);
      err->retryable = TRUE;
      err->account_failure = TRUE;
      return err;

    case 439:
      err = i2a_api_error_new (401, "authentication_error", code, "iFlow error %s: %s", code, message);
      err->retryable = TRUE;
      err->account_failure = TRUE;
      err->token_expired = TRUE;
      return err;

    case 435:
      /* The model, not the account, is the problem. */
      return i2a_api_error_new (400, "invalid_request_error", "model_not_supported",
                                "iFlow error %s: %s", code, message);

    case 429:
    case 449:
    case 8211:
      err = i2a_api_error_new (429, "rate_limit_error", code, "iFlow error %s: %s", code, message);
      err->retryable = TRUE;
      err->account_failure = TRUE;
      return err;

    case 413:
    case 511:
      return i2a_api_error_new (413, "invalid_request_error", code, "iFlow error %s: %s", code, message);

    case 514:
      /* Model-side failure: worth another try, but not the account's fault. */
      err = i2a_api_error_new (502, "api_error", code, "iFlow error %s: %s", code, message);
      err->retryable = status_in_retry_set (502, retry_status_codes);
      return err;

    default:
      break;
    }

  if (mentions_expired_token (message))
    {
      err = i2a_api_error_new (401, "authentication_error", code, "iFlow error %s: %s", code, message);
      err->retryable = TRUE;
      err->account_failure = TRUE;
      err->token_expired = TRUE;
      return err;
    }

  /* Other codes: a real HTTP status is kept, anything else is a 502. */
  if (status < 400 || status > 599)
    status = 502;
  err = i2a_api_error_new (status, NULL, code, "iFlow error %s: %s", code, message);
  if (status_in_retry_set (status, retry_status_codes))
    err->retryable = err->account_failure = TRUE;
  else if (status == 401 || status == 403)
    err->retryable = err->account_failure = TRUE;
  return err;
}

static char *
body_snippet (const char *body,
              gsize       len)
{
  g_autofree char *valid = NULL;
  GString *out;
  const char *p;

  if (body == NULL || len == 0)
    return NULL;
  valid = g_utf8_make_valid (body, MIN (len, BODY_SNIPPET_MAX));
  out = g_string_new (NULL);
  /* One line for logs and the client. */
  for (p = valid; *p; p++)
    g_string_append_c (out, (*p == '\n' || *p == '\r' || *p == '\t') ? ' ' : *p);
  g_strstrip (out->str);
  out->len = strlen (out->str);
  if (len > BODY_SNIPPET_MAX)
    g_string_append (out, "…");
  if (out->len == 0)
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  return g_string_free (out, FALSE);
}

static I2aApiError *
map_http_error (guint       http_status,
                JsonObject *obj,
                const char *body,
                gsize       len,
                GArray     *retry_status_codes)
{
  JsonObject *error_obj = member_object (obj, "error");
  const char *message = NULL;
  const char *type = NULL;
  const char *param = NULL;
  g_autofree char *code = NULL;
  g_autofree char *snippet = NULL;
  guint status = http_status;
  I2aApiError *err;

  if (error_obj != NULL)
    {
      /* OpenAI shape: hand the upstream's words to the client unchanged. */
      message = member_string (error_obj, "message");
      type = member_string (error_obj, "type");
      param = member_string (error_obj, "param");
      code = member_to_string (error_obj, "code");
    }
  if (message == NULL)
    message = member_string (obj, "msg");
  if (message == NULL)
    message = member_string (obj, "message");
  if (message == NULL)
    message = member_string (obj, "error");
  if (message == NULL)
    message = member_string (obj, "detail");

  if (status < 400 || status > 599)
    status = 502;
  if (code == NULL || *code == '\0')
    {
      g_free (code);
      code = g_strdup_printf ("%u", http_status);
    }

  if (message != NULL && *message != '\0')
    err = i2a_api_error_new (status, type, code, "%s", message);
  else if ((snippet = obj ? NULL : body_snippet (body, len)) != NULL)
    err = i2a_api_error_new (status, type, code, "Upstream HTTP %u: %s", http_status, snippet);
  else
    err = i2a_api_error_new (status, type, code, "Upstream HTTP %u", http_status);
  err->param = g_strdup (param);

  if (status_in_retry_set (http_status, retry_status_codes))
    err->retryable = err->account_failure = TRUE;

  switch (http_status)
    {
    case 401:
    case 403:
      /* A bad or expired key: try another account, count it against this one. */
      err->retryable = err->account_failure = TRUE;
      err->token_expired = mentions_expired_token (message);
      break;

    case 400:
      if (mentions_expired_token (message))
        {
          err->retryable = err->account_failure = err->token_expired = TRUE;
          g_free (err->type);
          err->type = g_strdup ("authentication_error");
          err->http_status = 401;
        }
      break;

    default:
      break;
    }

  return err;
}

static gboolean
contains (const char *body,
          gsize       len,
          const char *needle)
{
  return memmem (body, len, needle, strlen (needle)) != NULL;
}

/* Every error a successful answer can carry names one of the members
 * "status", "error_code" or "error" (find_business_code). A body that
 * contains none of these quoted names, and no \u escape that could spell
 * one, cannot be an error: no need to parse the whole completion. */
static gboolean
surely_not_an_error (const char *body,
                     gsize       len)
{
  return !contains (body, len, "\"status\"") && !contains (body, len, "\"error") &&
         !contains (body, len, "\\u");
}

I2aApiError *
i2a_upstream_error_classify (guint       http_status,
                             const char *body,
                             gsize       len,
                             const char *retry_after_header,
                             GArray     *retry_status_codes)
{
  g_autoptr(JsonObject) obj = NULL;
  g_autofree char *business = NULL;
  const char *message = NULL;
  I2aApiError *err = NULL;

  if (http_status >= 200 && http_status < 300 && (body == NULL || surely_not_an_error (body, len)))
    return NULL;
  obj = parse_body_object (body, len);
  if (obj != NULL)
    business = find_business_code (obj, &message);

  if (http_status >= 200 && http_status < 300)
    {
      if (business == NULL)
        return NULL;
      err = map_business_error (business, message, retry_status_codes);
    }
  else if (business != NULL && member_object (obj, "error") == NULL)
    /* A real HTTP error that still carries an iFlow status code: the code
     * is the more precise of the two. */
    err = map_business_error (business, message, retry_status_codes);
  else
    err = map_http_error (http_status, obj, body, len, retry_status_codes);

  err->retry_after = parse_retry_after (retry_after_header);
  return err;
}

I2aApiError *
i2a_upstream_error_from_gerror (const GError *error)
{
  I2aApiError *err;

  g_return_val_if_fail (error != NULL, NULL);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    /* We gave up (client gone, shutdown): nobody's fault, nothing to retry. */
    return i2a_api_error_new (502, "api_error", "cancelled",
                              "Upstream request cancelled: %s", error->message);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    {
      err = i2a_api_error_new (504, "api_error", "upstream_timeout",
                               "Upstream timed out: %s", error->message);
    }
  else
    {
      err = i2a_api_error_new (502, "api_error", "upstream_unreachable",
                               "Upstream connection failed: %s", error->message);
    }
  err->retryable = TRUE;
  err->account_failure = TRUE;
  return err;
}
