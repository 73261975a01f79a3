/* i2a-keepalive.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-keepalive"

#include "config.h"

#include "i2a-keepalive.h"
#include "i2a-prefix-stream.h"

/* More than this already read ahead of the socket (pipelined requests) is
 * not taken back: libsoup keeps the connection to the end instead. */
#define MAX_READ_AHEAD (1024 * 1024)

struct _I2aKeepalive
{
  SoupServer         *soup;
  I2aKeepaliveLookup  lookup;
  gpointer            user_data;
  GHashTable         *conns;      /* GSocket -> Conn */
  gulong              started_id;
};

typedef struct
{
  I2aKeepalive      *keepalive;
  GSocketConnection *connection;
  GSocket           *socket;      /* the connection's */
  GSocketAddress    *local;
  GSocketAddress    *remote;
  SoupServerMessage *msg;         /* request being served; weak */
  gboolean           body_read;
  GIOStream         *taken;       /* libsoup's stream, while it may hold read-ahead bytes */
  GSource           *watch;       /* waiting for the next request */
} Conn;

static void msg_gone_cb (gpointer data, GObject *where_the_msg_was);

/* The message being served, watched: a message can end without "finished"
 * when someone takes its connection (a refusal that answers and closes by
 * itself). */
static void
set_msg (Conn              *conn,
         SoupServerMessage *msg)
{
  if (conn->msg)
    {
      g_signal_handlers_disconnect_by_data (conn->msg, conn);
      g_object_weak_unref (G_OBJECT (conn->msg), msg_gone_cb, conn);
    }
  conn->msg = msg;
  if (msg)
    g_object_weak_ref (G_OBJECT (msg), msg_gone_cb, conn);
}

static void
msg_gone_cb (gpointer  data,
             GObject  *where_the_msg_was)
{
  Conn *conn = data;

  /* Whoever took the connection closes it. */
  conn->msg = NULL;
  g_hash_table_remove (conn->keepalive->conns, conn->socket);
}

static void
conn_free (Conn *conn)
{
  set_msg (conn, NULL);
  if (conn->watch)
    {
      g_source_destroy (conn->watch);
      g_source_unref (conn->watch);
    }
  g_clear_object (&conn->taken);
  g_clear_object (&conn->connection);
  g_clear_object (&conn->local);
  g_clear_object (&conn->remote);
  g_free (conn);
}

/* The end of a connection that libsoup does not have. */
static void
conn_close (Conn *conn)
{
  g_io_stream_close (G_IO_STREAM (conn->connection), NULL, NULL);
  g_hash_table_remove (conn->keepalive->conns, conn->socket);
}

static void
hand_to_soup (Conn      *conn,
              GIOStream *stream)
{
  g_autoptr(GError) error = NULL;

  if (!soup_server_accept_iostream (conn->keepalive->soup, stream, conn->local, conn->remote, &error))
    {
      g_debug ("Dropped a connection: %s", error->message);
      conn_close (conn);
    }
}

static void go_idle (Conn *conn);

/* Everything libsoup had read ahead (and whatever else is there now), with
 * the socket behind it, for libsoup's next round. FALSE when there is
 * nothing: the client closed the connection, or (with *@more) nothing yet. */
static gboolean
take_read_ahead (Conn      *conn,
                 GBytes   **out,
                 gboolean  *more)
{
  GPollableInputStream *in = G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (conn->taken));
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  char buffer[16384];

  *more = FALSE;
  while (bytes->len < MAX_READ_AHEAD)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_pollable_input_stream_read_nonblocking (in, buffer, sizeof buffer, NULL, &error);

      if (n > 0)
        {
          g_byte_array_append (bytes, (const guint8 *) buffer, n);
          continue;
        }
      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        *more = TRUE;
      break;
    }
  if (bytes->len == 0)
    return FALSE;
  *out = g_byte_array_free_to_bytes (g_steal_pointer (&bytes));
  return TRUE;
}

/* Runs at a higher priority than libsoup's own sources, so a closed idle
 * connection is handled here before anything else reads from it. */
static gboolean
ready (Conn *conn)
{

  g_clear_pointer (&conn->watch, g_source_unref);
  if (conn->taken)
    {
      g_autoptr(GBytes) ahead = NULL;
      gboolean more;

      if (!take_read_ahead (conn, &ahead, &more))
        {
          g_clear_object (&conn->taken);
          if (more)
            go_idle (conn);
          else
            conn_close (conn);
          return G_SOURCE_REMOVE;
        }
      g_clear_object (&conn->taken);
      {
        g_autoptr(GIOStream) stream = i2a_prefix_io_stream_new (ahead, G_IO_STREAM (conn->connection));

        hand_to_soup (conn, stream);
      }
      return G_SOURCE_REMOVE;
    }

  {
    char byte;
    GInputVector vec = { &byte, 1 };
    int flags = G_SOCKET_MSG_PEEK;
    g_autoptr(GError) error = NULL;
    gssize n = g_socket_receive_message (conn->socket, NULL, &vec, 1, NULL, NULL, &flags, NULL, &error);

    if (n > 0)
      hand_to_soup (conn, G_IO_STREAM (conn->connection));
    else if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
      go_idle (conn);
    else
      conn_close (conn);
  }
  return G_SOURCE_REMOVE;
}

static gboolean
stream_ready_cb (GObject  *stream,
                 gpointer  user_data)
{
  return ready (user_data);
}

static gboolean
socket_ready_cb (GSocket      *socket,
                 GIOCondition  condition,
                 gpointer      user_data)
{
  return ready (user_data);
}

static void
go_idle (Conn *conn)
{
  if (conn->taken)
    {
      GInputStream *in = g_io_stream_get_input_stream (conn->taken);

      conn->watch = g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (in), NULL);
      g_source_set_callback (conn->watch, (GSourceFunc) (GCallback) stream_ready_cb, conn, NULL);
    }
  else
    {
      conn->watch = g_socket_create_source (conn->socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
      g_source_set_callback (conn->watch, (GSourceFunc) (GCallback) socket_ready_cb, conn, NULL);
    }
  g_source_set_priority (conn->watch, G_PRIORITY_HIGH);
  g_source_attach (conn->watch, NULL);
}

static void
got_body_cb (SoupServerMessage *msg,
             Conn              *conn)
{
  conn->body_read = TRUE;
}

static gboolean
keep (SoupServerMessage *msg)
{
  return soup_server_message_get_http_version (msg) == SOUP_HTTP_1_1 &&
         !soup_message_headers_header_contains (soup_server_message_get_request_headers (msg),
                                                "Connection", "close") &&
         !soup_message_headers_header_contains (soup_server_message_get_response_headers (msg),
                                                "Connection", "close");
}

/* The response is out: take the connection back before libsoup decides
 * what to do with it (it would close it, or keep it and leak it). Not when
 * the request body was never read (a refusal before the body): the unread
 * rest would be taken for the next request. */
static void
wrote_body_cb (SoupServerMessage *msg,
               Conn              *conn)
{
  g_autoptr(GIOStream) taken = NULL;
  GInputStream *in;

  if (!conn->body_read || !keep (msg))
    return;
  set_msg (conn, NULL);
  {
    g_autoptr(SoupServerMessage) hold = g_object_ref (msg);

    taken = soup_server_message_steal_connection (msg);
    /* libsoup finishes a message whose connection was taken without a
     * word: say what it says for every other message, so everyone who
     * waits for the end of a request sees it. */
    g_signal_emit_by_name (msg, "finished");
    g_signal_emit_by_name (conn->keepalive->soup, "request-finished", msg);
  }
  if (taken == NULL)
    {
      g_hash_table_remove (conn->keepalive->conns, conn->socket);
      return;
    }
  in = g_io_stream_get_input_stream (taken);
  /* Bytes libsoup read past this request can only be read through its
   * stream; without any, the connection itself is enough. */
  if (G_IS_POLLABLE_INPUT_STREAM (in) && g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM (in)))
    conn->taken = g_steal_pointer (&taken);
  go_idle (conn);
}

/* libsoup ends the connection after this message. */
static void
finished_cb (SoupServerMessage *msg,
             Conn              *conn)
{
  set_msg (conn, NULL);
  /* libsoup closes what it was given, which for a stream with read-ahead
   * bytes in front is not the socket. */
  g_io_stream_close (G_IO_STREAM (conn->connection), NULL, NULL);
  g_hash_table_remove (conn->keepalive->conns, conn->socket);
}

static void
request_started_cb (SoupServer        *soup,
                    SoupServerMessage *msg,
                    I2aKeepalive      *self)
{
  GSocket *socket = self->lookup (msg, self->user_data);
  Conn *conn = socket ? g_hash_table_lookup (self->conns, socket) : NULL;

  if (conn == NULL)
    return;
  set_msg (conn, msg);
  conn->body_read = FALSE;
  g_signal_connect (msg, "got-body", G_CALLBACK (got_body_cb), conn);
  g_signal_connect (msg, "wrote-body", G_CALLBACK (wrote_body_cb), conn);
  g_signal_connect (msg, "finished", G_CALLBACK (finished_cb), conn);
}

I2aKeepalive *
i2a_keepalive_new (SoupServer         *soup,
                   I2aKeepaliveLookup  lookup,
                   gpointer            user_data)
{
  I2aKeepalive *self = g_new0 (I2aKeepalive, 1);

  self->soup = g_object_ref (soup);
  self->lookup = lookup;
  self->user_data = user_data;
  self->conns = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) conn_free);
  self->started_id = g_signal_connect (soup, "request-started", G_CALLBACK (request_started_cb), self);
  return self;
}

void
i2a_keepalive_free (I2aKeepalive *self)
{
  GHashTableIter iter;
  gpointer value;

  if (self == NULL)
    return;
  g_clear_signal_handler (&self->started_id, self->soup);
  g_hash_table_iter_init (&iter, self->conns);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Conn *conn = value;

      /* Idle ones are ours to close; busy ones libsoup's. */
      if (conn->msg == NULL)
        g_io_stream_close (G_IO_STREAM (conn->connection), NULL, NULL);
    }
  g_hash_table_destroy (self->conns);
  g_object_unref (self->soup);
  g_free (self);
}

void
i2a_keepalive_accept (I2aKeepalive      *self,
                      GSocketConnection *connection,
                      GSocketAddress    *local,
                      GSocketAddress    *remote)
{
  Conn *conn = g_new0 (Conn, 1);

  conn->keepalive = self;
  conn->connection = g_object_ref (connection);
  conn->socket = g_socket_connection_get_socket (connection);
  conn->local = g_object_ref (local);
  conn->remote = g_object_ref (remote);
  g_hash_table_replace (self->conns, conn->socket, conn);
  hand_to_soup (conn, G_IO_STREAM (connection));
}

guint
i2a_keepalive_get_idle (I2aKeepalive *self)
{
  GHashTableIter iter;
  gpointer value;
  guint n = 0;

  g_hash_table_iter_init (&iter, self->conns);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    n += ((Conn *) value)->watch != NULL;
  return n;
}
