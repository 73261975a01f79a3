/* i2a-api-error.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-api-error"

#include "config.h"

#include "i2a-api-error.h"

const char *
i2a_api_error_type_for_status (guint status)
{
  switch (status)
    {
    case 400: case 404: case 405: case 413: case 415: case 422:
      return "invalid_request_error";
    case 401:
      return "authentication_error";
    case 403:
      return "permission_error";
    case 429:
      return "rate_limit_error";
    case 503:
      return "service_unavailable";
    default:
      return status >= 500 ? "api_error" : "invalid_request_error";
    }
}

I2aApiError *
i2a_api_error_new (guint       http_status,
                   const char *type,
                   const char *code,
                   const char *format,
                   ...)
{
  I2aApiError *self = g_new0 (I2aApiError, 1);
  va_list args;

  if (http_status < 400 || http_status > 599)
    http_status = 502;
  self->http_status = http_status;
  self->type = g_strdup (type ? type : i2a_api_error_type_for_status (http_status));
  self->code = g_strdup (code);
  va_start (args, format);
  self->message = g_strdup_vprintf (format, args);
  va_end (args);
  self->retry_after = -1;
  return self;
}

I2aApiError *
i2a_api_error_copy (const I2aApiError *self)
{
  I2aApiError *copy;

  if (self == NULL)
    return NULL;
  copy = g_memdup2 (self, sizeof *self);
  copy->type = g_strdup (self->type);
  copy->code = g_strdup (self->code);
  copy->message = g_strdup (self->message);
  copy->param = g_strdup (self->param);
  return copy;
}

void
i2a_api_error_free (I2aApiError *self)
{
  if (self == NULL)
    return;
  g_free (self->type);
  g_free (self->code);
  g_free (self->message);
  g_free (self->param);
  g_free (self);
}

JsonNode *
i2a_api_error_to_json (const I2aApiError *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, self->message ? self->message : "");
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, self->type);
  json_builder_set_member_name (b, "param");
  if (self->param)
    json_builder_add_string_value (b, self->param);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "code");
  if (self->code)
    json_builder_add_string_value (b, self->code);
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

char *
i2a_api_error_to_string (const I2aApiError *self)
{
  g_autoptr(JsonNode) node = i2a_api_error_to_json (self);

  return json_to_string (node, FALSE);
}
