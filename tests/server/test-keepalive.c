/* test-keepalive.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Client keep-alive: requests one after the other and pipelined on one
 * connection are all answered, in order; connections the client closes,
 * idle or not, are freed (no CLOSE-WAIT, no descriptor left behind). */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "i2a-test-util.h"

static guint
open_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  while (dir && g_dir_read_name (dir))
    n++;
  return n;
}

typedef struct
{
  I2aTestProxy *proxy;
  GSocket      *socket;   /* the client's, blocking */
  GString      *in;       /* bytes received, not yet taken */
} Client;

static Client *
client_new (I2aTestProxy *p)
{
  Client *c = g_new0 (Client, 1);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) addr = g_inet_socket_address_new (lo, i2a_server_get_port (p->server));
  g_autoptr(GError) error = NULL;

  c->proxy = p;
  c->in = g_string_new (NULL);
  c->socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_set_blocking (c->socket, FALSE);
  /* The server runs in this thread: connect without blocking. */
  g_socket_connect (c->socket, addr, NULL, &error);
  if (error && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PENDING))
    g_clear_error (&error);
  g_assert_no_error (error);
  return c;
}

static void
client_free (Client *c)
{
  if (c->socket)
    g_socket_close (c->socket, NULL);
  g_clear_object (&c->socket);
  g_string_free (c->in, TRUE);
  g_free (c);
}

static void
client_send (Client     *c,
             const char *text)
{
  gsize done = 0, len = strlen (text);

  while (done < len)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_send (c->socket, text + done, len - done, NULL, &error);

      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          g_main_context_iteration (NULL, FALSE);
          continue;
        }
      g_assert_no_error (error);
      done += n;
    }
}

/* One whole response (Content-Length bodies only); NULL when the server
 * closed the connection instead. */
static char *
client_read_response (Client *c)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      const char *end = strstr (c->in->str, "\r\n\r\n");
      char buffer[4096];
      gssize n;

      if (end)
        {
          const char *cl = strstr (c->in->str, "Content-Length: ");
          gsize head = end + 4 - c->in->str;
          gsize body = cl && cl < end ? g_ascii_strtoull (cl + 16, NULL, 10) : 0;

          if (c->in->len >= head + body)
            {
              char *response = g_strndup (c->in->str, head + body);

              g_string_erase (c->in, 0, head + body);
              return response;
            }
        }
      n = g_socket_receive (c->socket, buffer, sizeof buffer, NULL, NULL);
      if (n == 0)
        return NULL;
      if (n > 0)
        g_string_append_len (c->in, buffer, n);
      else
        g_main_context_iteration (NULL, FALSE);
    }
  g_assert_not_reached ();
}

static char *
get_request (const char *path)
{
  return g_strdup_printf ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", path);
}

static char *
chat_request (const char *content)
{
  g_autofree char *body = i2a_test_chat_body ("glm-5", content, FALSE);

  return g_strdup_printf ("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                          strlen (body), body);
}

static void
assert_status (const char *response,
               const char *status_line)
{
  g_assert_nonnull (response);
  g_assert_true (g_str_has_prefix (response, status_line));
  g_assert_null (strstr (response, "Connection: close"));
}

static gboolean
server_idle (gpointer data)
{
  return i2a_server_get_active_requests (data) == 0;
}

static void
settle (void)
{
  for (guint i = 0; i < 50; i++)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      i2a_test_sleep_ms (2);
    }
}

static void
test_sequential (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  Client *c = client_new (p);

  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *chat = chat_request ("hello");
      g_autofree char *health = get_request ("/health");
      g_autofree char *r1 = NULL;
      g_autofree char *r2 = NULL;

      client_send (c, chat);
      r1 = client_read_response (c);
      assert_status (r1, "HTTP/1.1 200");
      g_assert_nonnull (strstr (r1, "chat.completion"));
      client_send (c, health);
      r2 = client_read_response (c);
      assert_status (r2, "HTTP/1.1 200");
      g_assert_nonnull (strstr (r2, "\"version\""));
    }
  /* Ten answers on one connection, five of them from upstream. */
  g_assert_cmpuint (i2a_fake_iflow_get_requests (p->fake)->len, ==, 5);
  client_free (c);
  i2a_test_proxy_free (p);
}

static void
test_pipelined (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  Client *c = client_new (p);
  g_autofree char *chat = chat_request ("first");
  g_autofree char *health = get_request ("/health");
  g_autofree char *models = get_request ("/v1/models");
  g_autofree char *missing = get_request ("/nowhere");
  g_autofree char *mixed = g_strconcat (chat, health, models, missing, chat, NULL);
  g_autofree char *gets = g_strconcat (models, missing, health, NULL);
  const char *mixed_answers[] = { "chat.completion", "\"version\"", "\"object\":\"list\"", "not_found", "chat.completion" };
  const char *get_answers[] = { "\"object\":\"list\"", "not_found", "\"version\"" };

  /* Five requests in one write, twice: every answer comes, in order. */
  for (guint round = 0; round < 2; round++)
    {
      client_send (c, mixed);
      for (guint i = 0; i < G_N_ELEMENTS (mixed_answers); i++)
        {
          g_autofree char *r = client_read_response (c);

          g_assert_nonnull (r);
          g_test_message ("round %u answer %u: %.40s", round, i, r);
          g_assert_nonnull (strstr (r, mixed_answers[i]));
        }
    }
  /* Then requests and the end of the client's side in one go: still all
   * answered before the connection ends. */
  client_send (c, gets);
  g_socket_shutdown (c->socket, FALSE, TRUE, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (get_answers); i++)
    {
      g_autofree char *r = client_read_response (c);

      g_assert_nonnull (r);
      g_assert_nonnull (strstr (r, get_answers[i]));
    }
  g_assert_null (client_read_response (c));
  client_free (c);
  i2a_test_proxy_free (p);
}

/* Many connections, each closed by the client at a different moment: idle
 * after some requests, right after sending one, or before sending any. */
static void
test_closed_by_client (void)
{
  I2aTestProxy *p = i2a_test_proxy_new (TRUE);
  g_autofree char *chat = chat_request ("hello");
  g_autofree char *health = get_request ("/health");
  guint before;

  /* Warm up: pool, sessions and caches allocate their descriptors once. */
  {
    Client *c = client_new (p);
    g_autofree char *r = NULL;

    client_send (c, chat);
    r = client_read_response (c);
    client_free (c);
    settle ();
  }
  before = open_fds ();

  for (guint i = 0; i < 60; i++)
    {
      Client *c = client_new (p);

      for (guint k = 0; k < i % 4; k++)
        {
          g_autofree char *r = NULL;

          client_send (c, k % 2 ? health : chat);
          r = client_read_response (c);
          assert_status (r, "HTTP/1.1 200");
        }
      if (i % 5 == 4)
        client_send (c, chat);   /* and hang up before the answer */
      settle ();
      client_free (c);
    }
  g_assert_true (i2a_test_wait_until (server_idle, p->server, 5000));
  settle ();
  /* Each connection the clients closed is closed here too: nothing in
   * CLOSE-WAIT holds a descriptor. */
  g_assert_cmpuint (open_fds (), <=, before);
  i2a_test_proxy_free (p);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/server/keepalive/sequential", test_sequential);
  g_test_add_func ("/server/keepalive/pipelined", test_pipelined);
  g_test_add_func ("/server/keepalive/closed-by-client", test_closed_by_client);
  return g_test_run ();
}
