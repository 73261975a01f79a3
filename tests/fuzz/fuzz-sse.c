/* fuzz-sse.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* fuzz-sse: an upstream event stream through the incremental SSE parser,
 * fed in pieces as the network would deliver them, and every event's
 * payload through the error classification the relay applies to it.
 *
 * Input: byte 0 picks the piece size (1..256) and byte 1 the event size
 * limit (small limits exercise the overflow path); the rest is the
 * stream. The same stream fed whole must give the same events. */
#define G_LOG_DOMAIN "i2a-fuzz"

#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "i2a-sse-parser.h"
#include "i2a-upstream-error.h"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  i2a_fuzz_init ();
  return 0;
}

static void
event_cb (const char *event,
          const char *data,
          gsize       len,
          gpointer    user_data)
{
  GString *log = user_data;
  I2aApiError *error;

  /* A NUL inside the data (never valid in JSON) may cut it short for
   * string functions; what matters is that it is terminated in bounds. */
  if (data == NULL || data[len] != '\0' || strlen (data) > len)
    g_error ("event data is not a NUL-terminated string of the given length");
  g_string_append_printf (log, "%s|%s\n", event ? event : "-", data);

  if (len > 0 && data[0] == '{')
    {
      error = i2a_upstream_error_classify (200, data, len, NULL, NULL);
      if (error && (error->http_status < 400 || error->http_status > 599))
        g_error ("classified an event as HTTP %u", error->http_status);
      g_clear_pointer (&error, i2a_api_error_free);
    }
}

/* Returns FALSE when the parser refused the stream (event too large). */
static gboolean
parse (const guint8 *data,
       size_t        size,
       gsize         piece,
       gsize         max_event,
       GString      *log)
{
  g_autoptr(I2aSseParser) parser = i2a_sse_parser_new (max_event, event_cb, log);

  for (size_t off = 0; off < size; off += piece)
    {
      g_autoptr(GError) error = NULL;

      if (!i2a_sse_parser_feed (parser, (const char *) data + off, MIN (piece, size - off), &error))
        {
          if (error == NULL)
            g_error ("feed failed without an error");
          return FALSE;
        }
      if (max_event && i2a_sse_parser_pending (parser) > max_event)
        g_error ("parser holds %" G_GSIZE_FORMAT " bytes with a limit of %" G_GSIZE_FORMAT,
                 i2a_sse_parser_pending (parser), max_event);
    }
  i2a_sse_parser_finish (parser);
  return TRUE;
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr(GString) pieces = g_string_new (NULL);
  g_autoptr(GString) whole = g_string_new (NULL);
  gsize piece, max_event;
  gboolean ok_pieces, ok_whole;

  if (size < 2)
    return 0;
  piece = 1 + data[0];
  max_event = data[1] < 16 ? 16 * (1 + data[1]) : 0;  /* 0: unlimited */
  data += 2;
  size -= 2;

  ok_pieces = parse (data, size, piece, max_event, pieces);
  ok_whole = parse (data, size, MAX (size, 1), max_event, whole);
  /* Only an unlimited parser is bound to agree: with a limit, where the
   * stream is cut decides how much is held at once. */
  if (max_event == 0 && (ok_pieces != ok_whole || !g_string_equal (pieces, whole)))
    g_error ("pieces of %" G_GSIZE_FORMAT " bytes gave other events than the whole stream", piece);
  return 0;
}
