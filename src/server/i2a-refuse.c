/* i2a-refuse.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-refuse"

#include "config.h"

#include <string.h>

#include "i2a-refuse.h"

/* After the answer, what the client still sends is read and dropped for a
 * moment: closing a socket with unread data resets the connection, and a
 * reset can destroy the answer before the client has read it. */
#define LINGER_SECONDS 2
#define LINGER_BYTES   (4 * 1024 * 1024)

typedef struct
{
  GIOStream    *stream;
  GCancellable *cancellable;
  GBytes       *answer;
  guint         timeout_id;
  gsize         dropped;
  char          scratch[16384];
} Refusal;

static void
refusal_free (Refusal *r)
{
  g_clear_handle_id (&r->timeout_id, g_source_remove);
  g_io_stream_close (r->stream, NULL, NULL);
  g_object_unref (r->stream);
  g_object_unref (r->cancellable);
  g_bytes_unref (r->answer);
  g_free (r);
}

static gboolean
linger_over_cb (gpointer data)
{
  Refusal *r = data;

  r->timeout_id = 0;
  g_cancellable_cancel (r->cancellable);
  return G_SOURCE_REMOVE;
}

static void
dropped_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  Refusal *r = data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);

  if (n <= 0 || (r->dropped += n) >= LINGER_BYTES || g_cancellable_is_cancelled (r->cancellable))
    {
      refusal_free (r);
      return;
    }
  g_input_stream_read_async (g_io_stream_get_input_stream (r->stream), r->scratch, sizeof r->scratch,
                             G_PRIORITY_DEFAULT, r->cancellable, dropped_cb, r);
}

static void
written_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  Refusal *r = data;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL))
    {
      refusal_free (r);
      return;
    }
  if (G_IS_SOCKET_CONNECTION (r->stream))
    g_socket_shutdown (g_socket_connection_get_socket (G_SOCKET_CONNECTION (r->stream)),
                       FALSE, TRUE, NULL);
  g_input_stream_read_async (g_io_stream_get_input_stream (r->stream), r->scratch, sizeof r->scratch,
                             G_PRIORITY_DEFAULT, r->cancellable, dropped_cb, r);
}

static GBytes *
serialize (SoupServerMessage *msg)
{
  SoupMessageHeaders *h = soup_server_message_get_response_headers (msg);
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_response_body (msg));
  guint status = soup_server_message_get_status (msg);
  GString *out = g_string_new (NULL);
  SoupMessageHeadersIter iter;
  const char *name, *value;

  g_string_append_printf (out, "HTTP/1.1 %u %s\r\n", status, soup_status_get_phrase (status));
  soup_message_headers_iter_init (&iter, h);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    {
      if (g_ascii_strcasecmp (name, "Connection") == 0 ||
          g_ascii_strcasecmp (name, "Content-Length") == 0 ||
          g_ascii_strcasecmp (name, "Transfer-Encoding") == 0)
        continue;
      g_string_append_printf (out, "%s: %s\r\n", name, value);
    }
  g_string_append_printf (out, "Connection: close\r\nContent-Length: %" G_GSIZE_FORMAT "\r\n\r\n",
                          g_bytes_get_size (body));
  g_string_append_len (out, g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  return g_string_free_to_bytes (out);
}

void
i2a_refuse_and_close (SoupServerMessage *msg)
{
  g_autoptr(GBytes) answer = serialize (msg);
  GIOStream *stream = soup_server_message_steal_connection (msg);
  Refusal *r;

  if (stream == NULL)
    return;
  r = g_new0 (Refusal, 1);
  r->stream = stream;
  r->cancellable = g_cancellable_new ();
  r->answer = g_bytes_ref (answer);
  r->timeout_id = g_timeout_add_seconds (LINGER_SECONDS, linger_over_cb, r);
  g_output_stream_write_all_async (g_io_stream_get_output_stream (stream),
                                   g_bytes_get_data (r->answer, NULL), g_bytes_get_size (r->answer),
                                   G_PRIORITY_DEFAULT, r->cancellable, written_cb, r);
}
