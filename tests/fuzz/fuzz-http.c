/* fuzz-http.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* fuzz-http: raw bytes to the real server, as any local program could
 * send them.
 *
 * One process holds the server (I2aServer with its pool, logged in
 * through a settings.json that points at the fake iFlow upstream, which
 * runs in the same main loop). Each input is written to a new loopback
 * connection, the client half-closes, and the harness reads until the
 * server closes or a bound passes, then hangs up. Before the next input
 * every request must have finished: a request that outlives its client
 * is a leak, so it aborts, and so does a growing number of open file
 * descriptors. Timing-dependent by nature (the server is asynchronous),
 * so a crash found here is re-run a few times to confirm it. */
#define G_LOG_DOMAIN "i2a-fuzz"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "fuzz-common.h"
#include "i2a-test-util.h"

/* Bounds per input; an input that hits them is slow, not wrong. */
#define READ_QUIET_MS   400   /* nothing from the server for this long */
#define READ_TOTAL_MS  1500   /* the whole answer */
#define SETTLE_MS      8000   /* the server to finish after the hang-up */
#define MAX_ANSWER     (4 * 1024 * 1024)

static I2aTestProxy *proxy;
static guint fd_baseline;
static guint64 runs;

static void
cleanup (void)
{
  /* Only the temporary HOME matters; the process is exiting. */
  if (proxy)
    i2a_test_rm_rf (proxy->home);
}

static guint
count_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  while (dir && g_dir_read_name (dir))
    n++;
  return n;
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  i2a_fuzz_init ();
  proxy = i2a_test_proxy_new (TRUE);
  /* Short upstream timeouts keep a stuck fake from holding a request
   * longer than the settle bound. */
  i2a_server_set_timeouts (proxy->server, 3, 3, 1);
  atexit (cleanup);
  return 0;
}

static gint64
now_ms (void)
{
  return g_get_monotonic_time () / 1000;
}

static void
spin (void)
{
  /* Everything the server and the fake do happens in these iterations. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static int
connect_server (void)
{
  struct sockaddr_in addr = { 0 };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

  if (fd < 0)
    g_error ("socket: %s", g_strerror (errno));
  addr.sin_family = AF_INET;
  addr.sin_port = htons (i2a_server_get_port (proxy->server));
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (connect (fd, (struct sockaddr *) &addr, sizeof addr) < 0 && errno != EINPROGRESS)
    g_error ("connect: %s", g_strerror (errno));
  return fd;
}

/* Write everything, letting the server run whenever the socket is full. */
static gboolean
send_all (int           fd,
          const guint8 *data,
          size_t        size)
{
  gint64 deadline = now_ms () + READ_TOTAL_MS;
  size_t off = 0;

  while (off < size)
    {
      ssize_t n = send (fd, data + off, size - off, MSG_NOSIGNAL);

      if (n > 0)
        off += n;
      else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        return FALSE;   /* the server refused the rest (e.g. a 413) */
      else
        {
          if (now_ms () > deadline)
            return FALSE;
          g_main_context_iteration (NULL, FALSE);
          g_usleep (100);
        }
    }
  return TRUE;
}

static void
read_answer (int fd)
{
  gint64 start = now_ms (), last = start;
  gsize total = 0;
  char buf[16384];

  while (TRUE)
    {
      ssize_t n = recv (fd, buf, sizeof buf, 0);
      gint64 t = now_ms ();

      if (n == 0)
        return;                       /* the server closed: done */
      if (n > 0)
        {
          total += n;
          last = t;
          if (total > MAX_ANSWER)
            return;
          continue;
        }
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        return;                       /* reset */
      if (t - last > READ_QUIET_MS || t - start > READ_TOTAL_MS)
        return;
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (200);
    }
}

static void
settle (void)
{
  gint64 deadline = now_ms () + SETTLE_MS;

  spin ();
  while (i2a_server_get_active_requests (proxy->server) > 0)
    {
      if (now_ms () > deadline)
        g_error ("%u request(s) still active %d ms after their client hung up",
                 i2a_server_get_active_requests (proxy->server), SETTLE_MS);
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (500);
    }
  spin ();
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  int fd = connect_server ();

  if (send_all (fd, data, size))
    shutdown (fd, SHUT_WR);
  read_answer (fd);
  close (fd);
  settle ();

  /* Connections close asynchronously; compare only now and then, with
   * room for the fake's and the session's pooled sockets. */
  if (++runs % 256 == 0)
    {
      guint fds = count_fds ();

      if (fd_baseline == 0)
        fd_baseline = fds;
      else if (fds > fd_baseline + 64)
        g_error ("open file descriptors grew from %u to %u", fd_baseline, fds);
    }
  return 0;
}
