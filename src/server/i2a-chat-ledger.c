/* i2a-chat-ledger.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* What a chat request tells the usage ledger: token counts taken from the
 * upstream's usage (the JSON body, or the stream's usage chunk, which is
 * kept from a client that did not ask for it), an estimate when there was
 * none, timings and sizes, and the one row written when the request ends. */
#define G_LOG_DOMAIN "i2a-chat-ledger"

#include "config.h"

#include <string.h>

#include "i2a-chat-request-private.h"
#include "i2a-json.h"

/* Roughly four bytes of text per token for the languages people send. */
#define BYTES_PER_TOKEN 4

gboolean
_i2a_chat_ledger_client_wants_usage (JsonObject *request)
{
  JsonNode *node = json_object_get_member (request, "stream_options");
  JsonObject *options = node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;

  return options && json_object_get_boolean_member_with_default (options, "include_usage", FALSE);
}

static void
take_model (I2aChatRequest *self,
            JsonObject     *object)
{
  const char *model = json_object_get_string_member_with_default (object, "model", NULL);

  if (model && *model && g_strcmp0 (model, self->model_answered) != 0)
    {
      g_free (self->model_answered);
      self->model_answered = g_strdup (model);
    }
}

/* Bytes of the quoted string values of @name in @data (escapes counted
 * as they stand): enough for an estimate, without parsing every event. */
static gsize
string_bytes (const char *data,
              const char *name)
{
  gsize total = 0;
  gsize name_len = strlen (name);

  for (const char *p = strstr (data, name); p; p = strstr (p, name))
    {
      p += name_len;
      while (*p == ' ')
        p++;
      if (*p != '"')
        continue;
      for (p++; *p && *p != '"'; p++)
        {
          if (*p == '\\' && p[1])
            p++;
          total++;
        }
    }
  return total;
}

gboolean
_i2a_chat_ledger_filter_event (I2aChatRequest *self,
                               const char     *data,
                               gsize           len)
{
  g_autoptr(JsonObject) chunk = NULL;
  JsonNode *choices;
  gboolean usage_only;

  self->content_bytes += string_bytes (data, "\"content\":") + string_bytes (data, "\"reasoning_content\":");
  if (strstr (data, "\"usage\"") == NULL)
    return FALSE;
  chunk = i2a_json_parse_object (data, len);
  if (chunk == NULL)
    return FALSE;
  if (i2a_usage_read (chunk, &self->usage))
    self->have_usage = TRUE;
  take_model (self, chunk);
  choices = json_object_get_member (chunk, "choices");
  usage_only = choices == NULL ||
               (JSON_NODE_HOLDS_ARRAY (choices) && json_array_get_length (json_node_get_array (choices)) == 0);
  /* We asked for it on the client's behalf: a chat client that did not
   * ask never sees a usage-only chunk. Other doors turn usage into their
   * own events, so they get it. */
  return usage_only && !self->client_wants_usage && g_str_equal (self->door->name, "chat");
}

void
_i2a_chat_ledger_note_body (I2aChatRequest *self,
                            const char     *data,
                            gsize           len)
{
  const char *model;

  if (i2a_pool_get_ledger (i2a_server_get_pool (self->server)) == NULL)
    return;
  /* Only the usage object is parsed, not the whole answer. */
  if (i2a_usage_scan (data, len, &self->usage))
    self->have_usage = TRUE;
  else
    {
      /* The body is not NUL-terminated. */
      g_autofree char *text = g_strndup (data, len);

      self->content_bytes += string_bytes (text, "\"content\":") + string_bytes (text, "\"reasoning_content\":");
    }
  model = g_strstr_len (data, (gssize) MIN (len, 4096), "\"model\":\"");
  if (model)
    {
      const char *start = model + strlen ("\"model\":\"");
      const char *stop = memchr (start, '"', len - (gsize) (start - data));

      if (stop && stop - start < 256)
        {
          g_free (self->model_answered);
          self->model_answered = g_strndup (start, stop - start);
        }
    }
}

void
_i2a_chat_ledger_record (I2aChatRequest *self)
{
  I2aLedger *ledger = i2a_pool_get_ledger (i2a_server_get_pool (self->server));
  I2aLedgerRow *row;
  gint64 now = g_get_monotonic_time ();

  if (ledger == NULL)
    return;
  row = i2a_ledger_row_new ();
  row->time_ms = g_get_real_time () / 1000;
  row->endpoint = g_strdup (self->door->name);
  row->stream = self->stream;
  row->client_key = g_strdup (i2a_dispatch_get_client_key_id (self->dispatch));
  row->account = g_strdup (self->account_id);
  row->model_requested = g_strdup (self->model);
  row->model_sent = g_strdup (self->model_answered ? self->model_answered : self->model);
  if (self->outcome)
    {
      row->status = self->outcome->http_status;
      row->error_type = g_strdup (self->outcome->code ? self->outcome->code : self->outcome->type);
    }
  else if (self->error_type)
    {
      row->status = self->error_status;
      row->error_type = g_strdup (self->error_type);
    }
  else
    row->status = soup_server_message_get_status (self->msg) ? soup_server_message_get_status (self->msg) : 200;
  if (self->have_usage)
    {
      row->prompt_tokens = self->usage.prompt;
      row->completion_tokens = self->usage.completion;
      row->reasoning_tokens = self->usage.reasoning;
      row->cached_tokens = self->usage.cached;
    }
  else if (self->account_id != NULL &&
           ((self->outcome == NULL && self->error_type == NULL) || self->content_bytes > 0))
    {
      /* An answer (or part of one) without usage: estimate, and say so.
       * A plain upstream error used nothing. */
      row->estimated = TRUE;
      row->prompt_tokens = (gint64) (g_bytes_get_size (self->raw) + BYTES_PER_TOKEN - 1) / BYTES_PER_TOKEN;
      row->completion_tokens = (gint64) (self->content_bytes + BYTES_PER_TOKEN - 1) / BYTES_PER_TOKEN;
    }
  row->duration_ms = (now - self->started_us) / 1000;
  row->ttfb_ms = self->first_byte_us ? (self->first_byte_us - self->started_us) / 1000 : row->duration_ms;
  row->bytes_in = (gint64) g_bytes_get_size (self->raw);
  row->bytes_out = self->bytes_out;
  i2a_ledger_record (ledger, row);
}
