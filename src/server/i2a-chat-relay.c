/* i2a-chat-relay.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The data half of a chat request: the upstream's answer read and relayed
 * to the client as it arrives (SSE events one by one, JSON whole), and the
 * errors found in it. */
#define G_LOG_DOMAIN "i2a-chat-relay"

#include "config.h"

#include <string.h>

#include "i2a-chat-request-private.h"
#include "i2a-http.h"
#include "i2a-upstream-error.h"

/* ---- replying ----------------------------------------------------------- */

void
_i2a_chat_append_chunk (I2aChatRequest *self,
              char           *text,
              gsize           len)
{
  SoupMessageBody *body = soup_server_message_get_response_body (self->msg);

  soup_message_body_append (body, SOUP_MEMORY_TAKE, text, len);
  self->bytes_out += len;
  self->pending_chunks++;
  self->last_write = g_get_monotonic_time ();
  soup_server_message_unpause (self->msg);
}

void
_i2a_chat_commit_stream (I2aChatRequest *self)
{
  SoupMessageHeaders *h = soup_server_message_get_response_headers (self->msg);

  self->committed = TRUE;
  self->first_byte_us = g_get_monotonic_time ();
  /* A written chunk is not needed again: without this libsoup keeps every
   * event of the stream until the response ends. */
  soup_message_body_set_accumulate (soup_server_message_get_response_body (self->msg), FALSE);
  /* From now on every event (or keep-alive) is a write, and a failed write
   * is how libsoup reports the hang-up: one poll source less per stream. */
  _i2a_chat_remove_socket_watch (self);
  i2a_http_prepare_response (self->msg);
  soup_server_message_set_status (self->msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_encoding (h, SOUP_ENCODING_CHUNKED);
  soup_message_headers_replace (h, "Content-Type", "text/event-stream; charset=utf-8");
  soup_message_headers_replace (h, "Cache-Control", "no-cache");
  soup_message_headers_replace (h, "X-Accel-Buffering", "no");
  _i2a_chat_model_add_header (self, h);
}

/* Hands @out (consumed) to the client when it holds anything. */
static void
append_string (I2aChatRequest *self,
               GString        *out)
{
  gsize len = out->len;

  if (len == 0)
    {
      g_string_free (out, TRUE);
      return;
    }
  _i2a_chat_append_chunk (self, g_string_free (out, FALSE), len);
}

static void
complete_stream (I2aChatRequest *self)
{
  self->done = TRUE;
  _i2a_chat_stop_timers (self);
  soup_message_body_complete (soup_server_message_get_response_body (self->msg));
  soup_server_message_unpause (self->msg);
}

/* Failure after the first byte: never a silent clean end, which is what
 * completing the body would look like to the client. */
void
_i2a_chat_end_stream_with_error (I2aChatRequest    *self,
                       const I2aApiError *error)
{
  GString *out = g_string_new (NULL);

  self->door->stream_error (self->reply, error, out);
  append_string (self, out);
  complete_stream (self);
}

void
_i2a_chat_reply_error (I2aChatRequest    *self,
             const I2aApiError *error)
{
  if (self->done || self->client_gone)
    return;
  if (self->error_type == NULL)
    {
      self->error_type = g_strdup (error->code ? error->code : error->type);
      self->error_status = error->http_status;
    }
  if (self->committed)
    {
      _i2a_chat_end_stream_with_error (self, error);
      return;
    }
  self->done = TRUE;
  _i2a_chat_stop_timers (self);
  self->door->reply_error (self->msg, error);
  soup_server_message_unpause (self->msg);
}

/* ---- whole-body responses (errors and non-streaming) -------------------- */

static void
whole_body_complete (I2aChatRequest *self)
{
  SoupMessageHeaders *h = soup_message_get_response_headers (self->upstream);
  guint status = soup_message_get_status (self->upstream);
  I2aApiError *error;

  error = i2a_upstream_error_classify (status, (const char *) self->buffer->data, self->buffer->len,
                                       soup_message_headers_get_one (h, "Retry-After"),
                                       i2a_dispatch_get_retry_status_codes (self->dispatch));
  if (error == NULL && self->stream)
    error = i2a_api_error_new (502, "api_error", "bad_upstream_response",
                               "The upstream answered a streaming request with %s instead of "
                               "an event stream",
                               soup_message_headers_get_content_type (h, NULL) ?: "no content type");
  if (error)
    {
      _i2a_chat_attempt_failed (self, error);
      return;
    }

  /* Non-streaming success: the door's body (the chat door's is the JSON
   * as it came). */
  {
    g_autoptr(GBytes) chat_body = g_byte_array_free_to_bytes (g_steal_pointer (&self->buffer));
    g_autoptr(GBytes) bytes = NULL;
    gsize renamed_len = 0;
    char *renamed = _i2a_chat_model_rename (self, g_bytes_get_data (chat_body, NULL),
                                            g_bytes_get_size (chat_body), &renamed_len);

    /* The ledger records the model that answered; the client sees its own. */
    _i2a_chat_ledger_note_body (self, g_bytes_get_data (chat_body, NULL), g_bytes_get_size (chat_body));
    if (renamed != NULL)
      {
        g_bytes_unref (chat_body);
        chat_body = g_bytes_new_take (renamed, renamed_len);
      }
    bytes = self->door->translate_body (self->reply, chat_body, &error);

    if (bytes == NULL)
      {
        _i2a_chat_attempt_failed (self, error);
        return;
      }

    self->bytes_out += g_bytes_get_size (bytes);
    self->first_byte_us = g_get_monotonic_time ();
    self->done = TRUE;
    _i2a_chat_stop_timers (self);
    _i2a_chat_model_add_header (self, soup_server_message_get_response_headers (self->msg));
    i2a_http_reply_bytes (self->msg, SOUP_STATUS_OK, "application/json", bytes);
    _i2a_chat_drop_attempt (self);
    soup_server_message_unpause (self->msg);
  }
}

static void whole_body_read_cb (GObject      *source,
                                GAsyncResult *result,
                                gpointer      user_data);

/* Reads go straight into the buffer's spare room; with a Content-Length the
 * buffer has the body's size from the start (one read, no copies). */
static void
whole_body_read_next (I2aChatRequest *self)
{
  gsize want = self->body_expected > self->buffer->len ? self->body_expected - self->buffer->len + 1
                                                       : READ_SIZE;

  self->body_filled = self->buffer->len;
  g_byte_array_set_size (self->buffer, self->body_filled + want);
  g_input_stream_read_async (self->body, self->buffer->data + self->body_filled, want,
                             G_PRIORITY_DEFAULT, self->attempt, whole_body_read_cb, g_object_ref (self));
}

static void
whole_body_read_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(I2aChatRequest) self = user_data;
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  /* A read of an attempt that was dropped (failover, timeout). */
  if (self->emitted_done || self->buffer == NULL || G_INPUT_STREAM (source) != self->body)
    return;
  g_byte_array_set_size (self->buffer, self->body_filled + MAX (n, 0));
  if (n < 0)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _i2a_chat_attempt_failed (self, i2a_upstream_error_from_gerror (error));
      return;
    }
  if (n == 0)
    {
      whole_body_complete (self);
      return;
    }
  if (self->buffer->len > MAX_JSON_BODY)
    {
      _i2a_chat_attempt_failed (self, i2a_api_error_new (502, "api_error", "upstream_response_too_large",
                                               "The upstream response exceeded %d MiB",
                                               MAX_JSON_BODY / (1024 * 1024)));
      return;
    }
  _i2a_chat_arm_timer (self, i2a_server_get_idle_timeout (self->server));
  whole_body_read_next (self);
}

/* ---- streaming ---------------------------------------------------------- */

/* A JSON event that is an error rather than a chunk: iFlow's business
 * errors ({"status":"449","msg":...}) or {"error":{...}}. */
static I2aApiError *
classify_event (const char *data,
                gsize       len,
                GArray     *codes)
{
  if (len == 0 || data[0] != '{')
    return NULL;
  if (strstr (data, "\"choices\"") != NULL)
    return NULL;
  if (strstr (data, "\"error\"") == NULL && strstr (data, "\"status\"") == NULL)
    return NULL;
  return i2a_upstream_error_classify (200, data, len, NULL, codes);
}

static void
sse_event_cb (const char *event,
              const char *data,
              gsize       len,
              gpointer    user_data)
{
  I2aChatRequest *self = user_data;
  GString *out;

  if (self->stream_error || self->done)
    return;

  if (g_str_equal (data, "[DONE]"))
    {
      self->saw_done = TRUE;
      if (self->events_sent == 0)
        return;
    }
  else
    {
      I2aApiError *error = classify_event (data, len, i2a_dispatch_get_retry_status_codes (self->dispatch));

      if (error && self->events_sent == 0)
        {
          /* Before the first byte an error event is still an HTTP error. */
          self->stream_error = error;
          return;
        }
      if (error)
        {
          g_clear_pointer (&self->outcome, i2a_api_error_free);
          self->outcome = error;
        }
      if (!self->saw_finish &&
          (strstr (data, "\"finish_reason\":\"") || strstr (data, "\"finish_reason\": \"") ||
           strstr (data, "\"usage\":{") || strstr (data, "\"usage\": {")))
        self->saw_finish = TRUE;
      if (_i2a_chat_ledger_filter_event (self, data, len))
        return;
    }

  out = g_string_sized_new (len + 16);
  if (event && self->door->relay_event_names)
    g_string_append_printf (out, "event: %s\n", event);
  {
    gsize renamed_len = 0;
    g_autofree char *renamed = _i2a_chat_model_rename (self, data, len, &renamed_len);

    if (renamed != NULL)
      self->door->stream_event (self->reply, renamed, renamed_len, out);
    else
      self->door->stream_event (self->reply, data, len, out);
  }
  if (out->len == 0)
    {
      g_string_free (out, TRUE);
      return;
    }
  if (!self->committed)
    _i2a_chat_commit_stream (self);
  self->events_sent++;
  append_string (self, out);
}

static void
stream_eof (I2aChatRequest *self)
{
  i2a_sse_parser_finish (self->parser);
  if (self->stream_error)
    {
      _i2a_chat_attempt_failed (self, g_steal_pointer (&self->stream_error));
      return;
    }
  if (self->events_sent == 0)
    {
      _i2a_chat_attempt_failed (self, i2a_api_error_new (502, "api_error", "empty_upstream_stream",
                                               "The upstream closed the stream without sending any event"));
      return;
    }
  /* libsoup 3.2 reports a connection dropped mid-body as a clean EOF: a
   * stream that ends with neither [DONE] nor a finish_reason/usage was cut
   * off, and the client must be told. */
  if (!self->saw_done && !self->saw_finish)
    {
      I2aApiError *cut = i2a_api_error_new (502, "api_error", "upstream_stream_truncated",
                                            "The upstream stream ended before the response was "
                                            "complete (no finish_reason and no [DONE])");

      /* A dropped connection is the account's (or its server's) fault. */
      cut->account_failure = TRUE;
      _i2a_chat_attempt_failed (self, cut);
      return;
    }
  {
    GString *out = g_string_new (NULL);

    self->door->stream_end (self->reply, out);
    append_string (self, out);
  }
  _i2a_chat_drop_attempt (self);
  complete_stream (self);
}

/* One read's worth of the upstream stream: TRUE to go on reading. */
static gboolean
stream_input (I2aChatRequest *self,
              const char     *data,
              gssize          len,
              GError         *read_error)
{
  g_autoptr(GError) error = NULL;

  if (len < 0)
    {
      if (!g_error_matches (read_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          I2aApiError *err = i2a_upstream_error_from_gerror (read_error);

          /* The upstream broke off mid-stream. */
          g_free (err->message);
          err->message = g_strdup_printf ("The upstream stream failed: %s", read_error->message);
          _i2a_chat_attempt_failed (self, err);
        }
      return FALSE;
    }
  if (len == 0)
    {
      stream_eof (self);
      return FALSE;
    }

  _i2a_chat_arm_timer (self, self->events_sent > 0 ? i2a_server_get_idle_timeout (self->server)
                                   : i2a_server_get_first_byte_timeout (self->server));
  if (!i2a_sse_parser_feed (self->parser, data, len, &error))
    {
      _i2a_chat_attempt_failed (self, i2a_api_error_new (502, "api_error", "bad_upstream_response",
                                               "%s", error->message));
      return FALSE;
    }

  if (self->stream_error && self->events_sent == 0)
    {
      _i2a_chat_attempt_failed (self, g_steal_pointer (&self->stream_error));
      return FALSE;
    }
  /* A JSON error body on a 200 (not SSE at all) has no blank line: it ends
   * at EOF and is classified then. Keep reading. */
  if (self->pending_chunks > PENDING_HIGH)
    {
      self->read_paused = TRUE;
      return FALSE;
    }
  return !self->emitted_done && !self->done && self->parser != NULL;
}

/* The read buffer of a stream starts small and doubles whenever a read
 * fills it: thousands of streams waiting between events each hold a
 * buffer the size of their events, not a fixed 16 KiB. (A pollable source
 * and one shared buffer would hold none, but libsoup 3.2's chunked body
 * stream reports itself readable while a partial chunk header is buffered,
 * which spins.) */
#define READ_SIZE_MIN 512

static void
stream_read_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(I2aChatRequest) self = user_data;
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  if (G_INPUT_STREAM (source) != self->body)
    return;
  self->reading = FALSE;
  if (self->emitted_done || self->parser == NULL || self->done)
    return;
  if (!stream_input (self, self->read_buffer, n, error))
    return;
  if ((gsize) n == self->read_buffer_size && self->read_buffer_size < READ_SIZE)
    {
      self->read_buffer_size *= 2;
      self->read_buffer = g_realloc (self->read_buffer, self->read_buffer_size);
    }
  _i2a_chat_read_next (self);
}

void
_i2a_chat_read_next (I2aChatRequest *self)
{
  if (self->reading || self->body == NULL)
    return;
  if (self->read_buffer == NULL)
    {
      self->read_buffer_size = READ_SIZE_MIN;
      self->read_buffer = g_malloc (self->read_buffer_size);
    }
  self->reading = TRUE;
  g_input_stream_read_async (self->body, self->read_buffer, self->read_buffer_size, G_PRIORITY_DEFAULT,
                             self->attempt, stream_read_cb, g_object_ref (self));
}

void
_i2a_chat_upstream_sent_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(I2aChatRequest) self = user_data;
  g_autoptr(GError) error = NULL;
  GInputStream *body = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  SoupMessageHeaders *h;
  guint status;
  const char *ctype;

  if (self->emitted_done || self->upstream == NULL ||
      soup_session_get_async_result_message (SOUP_SESSION (source), result) != self->upstream)
    {
      g_clear_object (&body);
      return;
    }
  if (body == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _i2a_chat_attempt_failed (self, i2a_upstream_error_from_gerror (error));
      return;
    }

  self->body = body;
  status = soup_message_get_status (self->upstream);
  h = soup_message_get_response_headers (self->upstream);
  ctype = soup_message_headers_get_content_type (h, NULL);

  if (self->stream && SOUP_STATUS_IS_SUCCESSFUL (status) &&
      ctype && g_ascii_strcasecmp (ctype, "text/event-stream") == 0)
    {
      self->parser = i2a_sse_parser_new (MAX_EVENT_SIZE, sse_event_cb, self);
      _i2a_chat_read_next (self);
      return;
    }

  {
    goffset length = soup_message_headers_get_content_length (h);

    /* A length beyond the limit fails at the limit, not at the allocation. */
    self->body_expected = length > 0 ? (gsize) MIN (length, (goffset) MAX_JSON_BODY) : 0;
  }
  self->buffer = g_byte_array_sized_new (self->body_expected + 1);
  whole_body_read_next (self);
}
