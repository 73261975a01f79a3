/* i2a-sse-parser.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-sse-parser"

#include "config.h"

#include <string.h>

#include "i2a-error.h"
#include "i2a-sse-parser.h"

struct _I2aSseParser
{
  gsize            max_event_size;
  I2aSseEventFunc  func;
  gpointer         user_data;

  GString         *line;       /* current line, without its terminator */
  GString         *data;       /* data lines of the current event */
  GString         *event;      /* last "event:" value of the current event */
  guint            has_data : 1;
  guint            has_event : 1;
  guint            skip_lf : 1;    /* previous line ended with CR: a LF right after belongs to it */
  guint            saw_data : 1;
  guint            failed : 1;
};

I2aSseParser *
i2a_sse_parser_new (gsize           max_event_size,
                    I2aSseEventFunc func,
                    gpointer        user_data)
{
  I2aSseParser *self = g_new0 (I2aSseParser, 1);

  /* 0 means "no limit"; callers that read from the network always set one. */
  self->max_event_size = max_event_size ? max_event_size : G_MAXSIZE;
  self->func = func;
  self->user_data = user_data;
  self->line = g_string_new (NULL);
  self->data = g_string_new (NULL);
  self->event = g_string_new (NULL);
  return self;
}

void
i2a_sse_parser_free (I2aSseParser *self)
{
  if (self == NULL)
    return;
  g_string_free (self->line, TRUE);
  g_string_free (self->data, TRUE);
  g_string_free (self->event, TRUE);
  g_free (self);
}

static void
reset_event (I2aSseParser *self)
{
  g_string_truncate (self->data, 0);
  g_string_truncate (self->event, 0);
  self->has_data = FALSE;
  self->has_event = FALSE;
}

static void
dispatch (I2aSseParser *self)
{
  /* As in the SSE spec, an event without any data line is not dispatched. */
  if (self->has_data && self->func != NULL)
    self->func (self->has_event && self->event->len > 0 ? self->event->str : NULL,
                self->data->str, self->data->len, self->user_data);
  reset_event (self);
}

static void
process_line (I2aSseParser *self,
              const char   *line,
              gsize         len)
{
  const char *colon;
  const char *value;
  gsize name_len;
  gsize value_len;

  if (len == 0)
    {
      dispatch (self);
      return;
    }
  if (line[0] == ':')
    return;  /* comment / keep-alive */

  colon = memchr (line, ':', len);
  if (colon != NULL)
    {
      name_len = colon - line;
      value = colon + 1;
      value_len = len - name_len - 1;
      /* iFlow sometimes writes "data:{...}": the space is optional. */
      if (value_len > 0 && value[0] == ' ')
        {
          value++;
          value_len--;
        }
    }
  else
    {
      name_len = len;
      value = line + len;
      value_len = 0;
    }

  if (name_len == 4 && memcmp (line, "data", 4) == 0)
    {
      if (self->has_data)
        g_string_append_c (self->data, '\n');
      g_string_append_len (self->data, value, value_len);
      self->has_data = TRUE;
    }
  else if (name_len == 5 && memcmp (line, "event", 5) == 0)
    {
      g_string_truncate (self->event, 0);
      g_string_append_len (self->event, value, value_len);
      self->has_event = TRUE;
    }
  /* "id", "retry" and unknown fields carry nothing we use. */
}

static gboolean
check_size (I2aSseParser  *self,
            GError       **error)
{
  if (self->line->len + self->data->len + self->event->len <= self->max_event_size)
    return TRUE;

  self->failed = TRUE;
  g_set_error (error, I2A_ERROR, I2A_ERROR_UPSTREAM,
               "Upstream event stream: event larger than %" G_GSIZE_FORMAT " bytes",
               self->max_event_size);
  return FALSE;
}

gboolean
i2a_sse_parser_feed (I2aSseParser  *self,
                     const char    *buf,
                     gsize          len,
                     GError       **error)
{
  const char *p = buf;
  const char *end = buf + len;
  gsize i;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (buf != NULL || len == 0, FALSE);

  if (self->failed)
    {
      g_set_error_literal (error, I2A_ERROR, I2A_ERROR_UPSTREAM,
                           "Upstream event stream: parser already failed");
      return FALSE;
    }

  if (!self->saw_data)
    {
      for (i = 0; i < len; i++)
        if (!g_ascii_isspace (buf[i]))
          {
            self->saw_data = TRUE;
            break;
          }
    }

  while (p < end)
    {
      const char *eol;

      if (self->skip_lf)
        {
          self->skip_lf = FALSE;
          if (*p == '\n')
            {
              p++;
              continue;
            }
        }

      for (eol = p; eol < end && *eol != '\n' && *eol != '\r'; eol++)
        ;

      if (eol == end)
        {
          /* Incomplete line: keep it, but never more than the limit. */
          g_string_append_len (self->line, p, end - p);
          return check_size (self, error);
        }

      if (self->line->len > 0)
        {
          g_string_append_len (self->line, p, eol - p);
          if (!check_size (self, error))
            return FALSE;
          process_line (self, self->line->str, self->line->len);
          g_string_truncate (self->line, 0);
        }
      else
        {
          if ((gsize) (eol - p) > self->max_event_size)
            {
              g_string_append_len (self->line, p, eol - p);
              return check_size (self, error);
            }
          process_line (self, p, eol - p);
        }

      if (!check_size (self, error))
        return FALSE;

      self->skip_lf = (*eol == '\r');
      p = eol + 1;
    }

  return TRUE;
}

void
i2a_sse_parser_finish (I2aSseParser *self)
{
  g_return_if_fail (self != NULL);

  if (self->failed)
    return;
  if (self->line->len > 0)
    {
      process_line (self, self->line->str, self->line->len);
      g_string_truncate (self->line, 0);
    }
  dispatch (self);
  self->skip_lf = FALSE;
}

gsize
i2a_sse_parser_pending (I2aSseParser *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->line->len + self->data->len + self->event->len;
}

gboolean
i2a_sse_parser_saw_data (I2aSseParser *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->saw_data;
}
