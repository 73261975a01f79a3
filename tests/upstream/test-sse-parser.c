/* test-sse-parser.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "i2a-error.h"
#include "i2a-sse-parser.h"

/* Events are recorded as "event|data" strings ("-" when there is no event
 * name) so a whole stream compares as one strv. */
typedef struct
{
  GPtrArray *events;
} Recorder;

static void
record_cb (const char *event,
           const char *data,
           gsize       data_len,
           gpointer    user_data)
{
  Recorder *rec = user_data;

  g_assert_nonnull (data);
  g_assert_cmpuint (strlen (data), ==, data_len);  /* NUL-terminated, no embedded NUL */
  g_ptr_array_add (rec->events, g_strdup_printf ("%s|%s", event ? event : "-", data));
}

static void
recorder_init (Recorder *rec)
{
  rec->events = g_ptr_array_new_with_free_func (g_free);
}

static void
recorder_clear (Recorder *rec)
{
  g_ptr_array_unref (rec->events);
}

static void
assert_events (Recorder           *rec,
               const char * const *expected)
{
  guint n = g_strv_length ((char **) expected);
  guint i;

  g_assert_cmpuint (rec->events->len, ==, n);
  for (i = 0; i < n; i++)
    g_assert_cmpstr (g_ptr_array_index (rec->events, i), ==, expected[i]);
}

/* Feed @stream in two pieces split at @split, then finish. */
static void
parse_split (const char *stream,
             gsize       split,
             Recorder   *rec)
{
  g_autoptr(I2aSseParser) parser = i2a_sse_parser_new (4096, record_cb, rec);
  g_autoptr(GError) error = NULL;
  gsize len = strlen (stream);

  g_assert_true (i2a_sse_parser_feed (parser, stream, split, &error));
  g_assert_no_error (error);
  g_assert_true (i2a_sse_parser_feed (parser, stream + split, len - split, &error));
  g_assert_no_error (error);
  i2a_sse_parser_finish (parser);
  g_assert_cmpuint (i2a_sse_parser_pending (parser), ==, 0);
}

/* Every split point, and byte-by-byte, gives the same events. */
static void
check_all_splits (const char         *stream,
                  const char * const *expected)
{
  gsize len = strlen (stream);
  gsize split;
  gsize i;

  for (split = 0; split <= len; split++)
    {
      Recorder rec;

      recorder_init (&rec);
      parse_split (stream, split, &rec);
      assert_events (&rec, expected);
      recorder_clear (&rec);
    }

  {
    Recorder rec;
    g_autoptr(I2aSseParser) parser = NULL;

    recorder_init (&rec);
    parser = i2a_sse_parser_new (4096, record_cb, &rec);
    for (i = 0; i < len; i++)
      g_assert_true (i2a_sse_parser_feed (parser, stream + i, 1, NULL));
    i2a_sse_parser_finish (parser);
    assert_events (&rec, expected);
    recorder_clear (&rec);
  }
}

static void
test_line_endings (void)
{
  const char * const expected[] = { "-|{\"a\":1}", "-|{\"b\":2}", "-|[DONE]", NULL };

  check_all_splits ("data: {\"a\":1}\n\ndata: {\"b\":2}\n\ndata: [DONE]\n\n", expected);
  check_all_splits ("data: {\"a\":1}\r\n\r\ndata: {\"b\":2}\r\n\r\ndata: [DONE]\r\n\r\n", expected);
  check_all_splits ("data: {\"a\":1}\r\rdata: {\"b\":2}\r\rdata: [DONE]\r\r", expected);
  /* Mixed in one stream. */
  check_all_splits ("data: {\"a\":1}\r\n\ndata: {\"b\":2}\r\r\ndata: [DONE]\n\r\n", expected);
}

static void
test_no_space (void)
{
  const char * const expected[] = { "-|{\"x\":true}", "-| two spaces", "-|", NULL };

  /* iFlow writes "data:{...}"; only one leading space is part of the syntax. */
  check_all_splits ("data:{\"x\":true}\n\ndata:  two spaces\n\ndata:\n\n", expected);
}

static void
test_multiline_and_fields (void)
{
  const char * const expected[] = { "-|line1\nline2\n", "update|payload", NULL };

  check_all_splits ("data: line1\ndata:line2\ndata\nid: 7\nretry: 100\n\n"
                    "event: update\ndata: payload\n\n", expected);
  /* A CRLF pair ends one line, not two: multi-line events stay whole. */
  check_all_splits ("data: line1\r\ndata:line2\r\ndata\r\nid: 7\r\n\r\n"
                    "event: update\r\ndata: payload\r\n\r\n", expected);
  check_all_splits ("data: line1\rdata:line2\rdata\rid: 7\r\r"
                    "event: update\rdata: payload\r\r", expected);
}

static void
test_comments (void)
{
  const char * const expected[] = { "-|kept", NULL };

  /* Keep-alive comments, an event with only a name, and blank lines alone
   * produce nothing. */
  check_all_splits (": keep-alive\n\n:\n\n\n\nevent: ping\n\n: note\ndata: kept\n: trailing\n\n",
                    expected);
}

static void
test_finish_without_blank_line (void)
{
  const char * const expected[] = { "-|first", "-|last", NULL };
  const char * const expected_cr[] = { "-|only", NULL };

  check_all_splits ("data: first\n\ndata: last", expected);
  check_all_splits ("data: first\n\ndata: last\n", expected);
  check_all_splits ("data: only\r", expected_cr);
}

static void
test_finish_without_data (void)
{
  Recorder rec;
  g_autoptr(I2aSseParser) parser = NULL;

  recorder_init (&rec);
  parser = i2a_sse_parser_new (0, record_cb, &rec);
  g_assert_true (i2a_sse_parser_feed (parser, ": only a comment", 16, NULL));
  i2a_sse_parser_finish (parser);
  g_assert_cmpuint (rec.events->len, ==, 0);
  recorder_clear (&rec);
}

static void
test_oversize (void)
{
  Recorder rec;
  g_autoptr(I2aSseParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *big = g_strnfill (100, 'x');
  gsize i;

  recorder_init (&rec);
  parser = i2a_sse_parser_new (64, record_cb, &rec);

  /* A small event passes. */
  g_assert_true (i2a_sse_parser_feed (parser, "data: ok\n\n", 10, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rec.events->len, ==, 1);

  /* An event that grows past the limit across many data lines and feeds
   * fails, instead of buffering without bound. */
  for (i = 0; i < 20; i++)
    {
      if (!i2a_sse_parser_feed (parser, "data: 0123456789\n", 17, &error))
        break;
    }
  g_assert_error (error, I2A_ERROR, I2A_ERROR_UPSTREAM);
  g_assert_cmpuint (i, <, 10);
  g_assert_cmpuint (rec.events->len, ==, 1);
  g_clear_error (&error);

  /* The parser stays failed. */
  g_assert_false (i2a_sse_parser_feed (parser, "\n", 1, &error));
  g_assert_error (error, I2A_ERROR, I2A_ERROR_UPSTREAM);
  g_clear_error (&error);
  i2a_sse_parser_finish (parser);
  g_assert_cmpuint (rec.events->len, ==, 1);
  i2a_sse_parser_free (g_steal_pointer (&parser));

  /* A single line without terminator, in one feed or byte by byte. */
  parser = i2a_sse_parser_new (64, record_cb, &rec);
  g_assert_false (i2a_sse_parser_feed (parser, big, 100, &error));
  g_assert_error (error, I2A_ERROR, I2A_ERROR_UPSTREAM);
  g_clear_error (&error);
  i2a_sse_parser_free (g_steal_pointer (&parser));

  parser = i2a_sse_parser_new (64, record_cb, &rec);
  for (i = 0; i < 100; i++)
    if (!i2a_sse_parser_feed (parser, big, 1, &error))
      break;
  g_assert_error (error, I2A_ERROR, I2A_ERROR_UPSTREAM);
  g_assert_cmpuint (i, ==, 64);
  g_assert_cmpuint (i2a_sse_parser_pending (parser), <=, 65);
  g_clear_error (&error);

  /* A complete line longer than the limit in one feed. */
  i2a_sse_parser_free (g_steal_pointer (&parser));
  parser = i2a_sse_parser_new (64, record_cb, &rec);
  {
    g_autofree char *line = g_strdup_printf ("data: %s\n\n", big);

    g_assert_false (i2a_sse_parser_feed (parser, line, strlen (line), &error));
    g_assert_error (error, I2A_ERROR, I2A_ERROR_UPSTREAM);
  }
  g_assert_cmpuint (rec.events->len, ==, 1);
  recorder_clear (&rec);
}

static void
test_pending (void)
{
  Recorder rec;
  g_autoptr(I2aSseParser) parser = NULL;

  recorder_init (&rec);
  parser = i2a_sse_parser_new (1024, record_cb, &rec);
  g_assert_cmpuint (i2a_sse_parser_pending (parser), ==, 0);
  g_assert_true (i2a_sse_parser_feed (parser, "data: abc", 9, NULL));
  g_assert_cmpuint (i2a_sse_parser_pending (parser), ==, 9);
  g_assert_true (i2a_sse_parser_feed (parser, "\n", 1, NULL));
  g_assert_cmpuint (i2a_sse_parser_pending (parser), ==, 3);
  g_assert_true (i2a_sse_parser_feed (parser, "\n", 1, NULL));
  g_assert_cmpuint (i2a_sse_parser_pending (parser), ==, 0);
  g_assert_cmpuint (rec.events->len, ==, 1);
  recorder_clear (&rec);
}

static void
test_saw_data (void)
{
  g_autoptr(I2aSseParser) parser = i2a_sse_parser_new (1024, NULL, NULL);

  g_assert_false (i2a_sse_parser_saw_data (parser));
  g_assert_true (i2a_sse_parser_feed (parser, " \r\n\t\n", 5, NULL));
  g_assert_false (i2a_sse_parser_saw_data (parser));
  g_assert_true (i2a_sse_parser_feed (parser, "{", 1, NULL));
  g_assert_true (i2a_sse_parser_saw_data (parser));
  /* Sticky. */
  g_assert_true (i2a_sse_parser_feed (parser, "\n", 1, NULL));
  g_assert_true (i2a_sse_parser_saw_data (parser));
}

static void
test_json_error_body (void)
{
  Recorder rec;
  g_autoptr(I2aSseParser) parser = NULL;
  const char *body = "{\"status\":\"435\",\"msg\":\"Model not support\",\"body\":null}";

  /* A JSON error body on a 200 yields no event but is visible via
   * saw_data, so the caller can classify it instead. */
  recorder_init (&rec);
  parser = i2a_sse_parser_new (1024, record_cb, &rec);
  g_assert_true (i2a_sse_parser_feed (parser, body, strlen (body), NULL));
  i2a_sse_parser_finish (parser);
  g_assert_true (i2a_sse_parser_saw_data (parser));
  g_assert_cmpuint (rec.events->len, ==, 0);
  recorder_clear (&rec);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/upstream/sse/line-endings", test_line_endings);
  g_test_add_func ("/upstream/sse/data-without-space", test_no_space);
  g_test_add_func ("/upstream/sse/multiline-and-fields", test_multiline_and_fields);
  g_test_add_func ("/upstream/sse/comments", test_comments);
  g_test_add_func ("/upstream/sse/finish-without-blank-line", test_finish_without_blank_line);
  g_test_add_func ("/upstream/sse/finish-without-data", test_finish_without_data);
  g_test_add_func ("/upstream/sse/oversize-event", test_oversize);
  g_test_add_func ("/upstream/sse/pending", test_pending);
  g_test_add_func ("/upstream/sse/saw-data", test_saw_data);
  g_test_add_func ("/upstream/sse/json-error-body", test_json_error_body);

  return g_test_run ();
}
