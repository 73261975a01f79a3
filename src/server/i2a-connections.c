/* i2a-connections.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-connections"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "i2a-api-error.h"
#include "i2a-connections.h"

typedef enum
{
  STATE_HEADERS,  /* reading a request's headers */
  STATE_BODY,     /* reading its body */
  STATE_BUSY,     /* the request is being answered: its own timers apply */
  STATE_IDLE,     /* between requests on a kept-alive connection */
} State;

typedef struct
{
  I2aConnections *owner;     /* NULL once the owner is gone */
  GSocket        *socket;    /* weak: NULL once closed and freed */
  State           state;
  gint64          since;     /* monotonic µs the state began */
  guint           requests;
} Conn;

struct _I2aConnections
{
  GHashTable *conns;        /* Conn * (owned by the socket's qdata) */
  guint       max_connections;
  guint       header_seconds;
  guint       body_seconds;
  guint       keepalive_seconds;
};

static GQuark conn_quark;

static void
conn_release (gpointer data)
{
  Conn *conn = data;

  g_rc_box_release (conn);
}

/* The socket is being finalized (its qdata is freed): the connection is
 * over, whoever closed it. */
static void
conn_socket_gone (gpointer data)
{
  Conn *conn = data;

  if (conn->owner)
    g_hash_table_remove (conn->owner->conns, conn);
  conn->socket = NULL;
  conn->owner = NULL;
  g_rc_box_release (conn);
}

I2aConnections *
i2a_connections_new (void)
{
  I2aConnections *self = g_new0 (I2aConnections, 1);

  if (conn_quark == 0)
    conn_quark = g_quark_from_static_string ("i2a-connection");
  self->conns = g_hash_table_new (NULL, NULL);
  self->max_connections = I2A_DEFAULT_MAX_CONNECTIONS;
  self->header_seconds = I2A_DEFAULT_HEADER_TIMEOUT;
  self->body_seconds = I2A_DEFAULT_BODY_TIMEOUT;
  self->keepalive_seconds = I2A_DEFAULT_KEEPALIVE_TIMEOUT;
  return self;
}

void
i2a_connections_free (I2aConnections *self)
{
  GHashTableIter iter;
  gpointer key;

  if (self == NULL)
    return;
  g_hash_table_iter_init (&iter, self->conns);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    ((Conn *) key)->owner = NULL;
  g_hash_table_unref (self->conns);
  g_free (self);
}

void
i2a_connections_set_limits (I2aConnections *self,
                            guint           max_connections,
                            guint           header_seconds,
                            guint           body_seconds,
                            guint           keepalive_seconds)
{
  self->max_connections = max_connections;
  self->header_seconds = header_seconds;
  self->body_seconds = body_seconds;
  self->keepalive_seconds = keepalive_seconds;
}

void
i2a_connections_get_limits (I2aConnections *self,
                            guint          *max_connections,
                            guint          *header_seconds,
                            guint          *body_seconds,
                            guint          *keepalive_seconds)
{
  *max_connections = self->max_connections;
  *header_seconds = self->header_seconds;
  *body_seconds = self->body_seconds;
  *keepalive_seconds = self->keepalive_seconds;
}

guint
i2a_connections_get_count (I2aConnections *self)
{
  return g_hash_table_size (self->conns);
}

gboolean
i2a_connections_admit (I2aConnections *self,
                       GSocket        *socket)
{
  Conn *conn;

  if (self->max_connections && g_hash_table_size (self->conns) >= self->max_connections)
    return FALSE;
  conn = g_rc_box_new0 (Conn);
  conn->owner = self;
  conn->socket = socket;
  conn->state = STATE_HEADERS;
  conn->since = g_get_monotonic_time ();
  g_hash_table_add (self->conns, conn);
  g_object_set_qdata_full (G_OBJECT (socket), conn_quark, conn, conn_socket_gone);
  return TRUE;
}

void
i2a_connections_refuse (I2aConnections *self,
                        GSocket        *socket)
{
  g_autoptr(I2aApiError) error = i2a_api_error_new (503, "service_unavailable", "too_many_connections",
                                                    "The server has %u open connections, its limit "
                                                    "(server.max_connections): try again shortly",
                                                    self->max_connections);
  g_autoptr(JsonNode) node = i2a_api_error_to_json (error);
  g_autofree char *body = json_to_string (node, FALSE);
  g_autofree char *answer = g_strdup_printf ("HTTP/1.1 503 Service Unavailable\r\n"
                                             "Content-Type: application/json\r\n"
                                             "Content-Length: %zu\r\nRetry-After: 1\r\n"
                                             "Connection: close\r\n\r\n%s", strlen (body), body);

  /* A fresh socket's send buffer takes this small answer at once; if it
   * does not, the client was not going to read it anyway. */
  g_socket_set_blocking (socket, FALSE);
  g_socket_send (socket, answer, strlen (answer), NULL, NULL);
  g_socket_shutdown (socket, FALSE, TRUE, NULL);
  g_socket_close (socket, NULL);
}

static void
set_state (Conn  *conn,
           State  state)
{
  conn->state = state;
  conn->since = g_get_monotonic_time ();
}

static void
got_headers_cb (SoupServerMessage *msg,
                Conn              *conn)
{
  SoupMessageHeaders *h = soup_server_message_get_request_headers (msg);

  set_state (conn, soup_message_headers_get_content_length (h) > 0 ||
                   soup_message_headers_get_encoding (h) == SOUP_ENCODING_CHUNKED ? STATE_BODY : STATE_BUSY);
}

static void
got_body_cb (SoupServerMessage *msg,
             Conn              *conn)
{
  set_state (conn, STATE_BUSY);
}

static void
finished_cb (SoupServerMessage *msg,
             Conn              *conn)
{
  set_state (conn, STATE_IDLE);
}

void
i2a_connections_request_started (I2aConnections    *self,
                                 GSocket           *socket,
                                 SoupServerMessage *msg)
{
  Conn *conn = socket ? g_object_get_qdata (G_OBJECT (socket), conn_quark) : NULL;

  if (conn == NULL)
    return;
  /* The first request's headers are timed from the accept; a later one
   * waits as an idle keep-alive connection until its first byte. */
  if (conn->requests++ > 0)
    set_state (conn, STATE_IDLE);
  g_signal_connect_data (msg, "got-headers", G_CALLBACK (got_headers_cb),
                         g_rc_box_acquire (conn), (GClosureNotify) conn_release, 0);
  g_signal_connect_data (msg, "got-body", G_CALLBACK (got_body_cb),
                         g_rc_box_acquire (conn), (GClosureNotify) conn_release, 0);
  g_signal_connect_data (msg, "finished", G_CALLBACK (finished_cb),
                         g_rc_box_acquire (conn), (GClosureNotify) conn_release, 0);
}

/* What an idle connection's client did: sent a byte (1), hung up (0), or
 * nothing yet (-1). */
static int
peek (GSocket *socket)
{
  char byte;
  GInputVector vec = { &byte, 1 };
  int flags = G_SOCKET_MSG_PEEK;
  g_autoptr(GError) error = NULL;
  gssize n;

  if (!g_socket_condition_check (socket, G_IO_IN | G_IO_HUP | G_IO_ERR))
    return -1;
  n = g_socket_receive_message (socket, NULL, &vec, 1, NULL, NULL, &flags, NULL, &error);
  if (n > 0)
    return 1;
  if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    return -1;
  return 0;
}

static void
drop (Conn       *conn,
      const char *why)
{
  g_debug ("Closing a client connection: %s", why);
  /* libsoup sees the end of the stream and lets the connection go. */
  g_socket_shutdown (conn->socket, TRUE, TRUE, NULL);
}

guint
i2a_connections_sweep (I2aConnections *self,
                       gint64          now)
{
  g_autoptr(GPtrArray) expired = g_ptr_array_new_with_free_func (conn_release);
  g_autoptr(GPtrArray) hung_up = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, self->conns);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      Conn *conn = key;
      gint64 age = (now - conn->since) / G_USEC_PER_SEC;
      guint limit = 0;

      if (conn->socket == NULL || g_socket_is_closed (conn->socket))
        continue;
      if (conn->state == STATE_IDLE)
        {
          int seen = peek (conn->socket);

          if (seen == 1)
            {
              /* The next request has begun. */
              conn->state = STATE_HEADERS;
              conn->since = now;
              continue;
            }
          if (seen == 0)
            {
              /* The client closed its end while idle; libsoup 3.2.3 would
               * keep this socket (and its descriptor) forever. */
              g_ptr_array_add (hung_up, g_object_ref (conn->socket));
              continue;
            }
          limit = self->keepalive_seconds;
        }
      else if (conn->state == STATE_HEADERS)
        limit = self->header_seconds;
      else if (conn->state == STATE_BODY)
        limit = self->body_seconds;
      if (limit && age >= limit)
        g_ptr_array_add (expired, g_rc_box_acquire (conn));
    }

  for (guint i = 0; i < expired->len; i++)
    {
      Conn *conn = expired->pdata[i];

      if (conn->socket)
        drop (conn, conn->state == STATE_IDLE ? "idle keep-alive timeout"
                    : conn->state == STATE_HEADERS ? "request headers timeout" : "request body timeout");
    }
  for (guint i = 0; i < hung_up->len; i++)
    {
      GSocket *socket = hung_up->pdata[i];

      g_debug ("Closing an idle connection the client closed");
      g_socket_shutdown (socket, TRUE, TRUE, NULL);
      g_socket_close (socket, NULL);
      g_hash_table_remove (self->conns, g_object_get_qdata (G_OBJECT (socket), conn_quark));
    }
  return g_hash_table_size (self->conns);
}
