/* test-usage-window.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The in-memory rolling windows behind quotas and key limits, and the
 * small parsers of the ledger. */
#include "config.h"

#include "i2a-enum.h"
#include "i2a-ledger.h"

static void
test_sum_and_free_at (void)
{
  I2aUsageWindow *w = i2a_usage_window_new ();
  gint64 r, t;

  for (gint64 i = 0; i < 10; i++)
    i2a_usage_window_add (w, 1000 * i, 10);   /* one request a second, 10 tokens */
  i2a_usage_window_sum (w, 9000, 5000, &r, &t);  /* (4000, 9000] */
  g_assert_cmpint (r, ==, 5);
  g_assert_cmpint (t, ==, 50);
  /* 5 in the window: max 6 has room, max 5 frees when 5000 leaves. */
  g_assert_cmpint (i2a_usage_window_free_at (w, 9000, 5000, 6, 0, 0), ==, 0);
  g_assert_cmpint (i2a_usage_window_free_at (w, 9000, 5000, 5, 0, 0), ==, 10000);
  /* Two in flight: below 5 needs three to leave (5000, 6000, 7000). */
  g_assert_cmpint (i2a_usage_window_free_at (w, 9000, 5000, 5, 0, 2), ==, 12000);
  g_assert_cmpint (i2a_usage_window_free_at (w, 9000, 5000, 2, 0, 2), ==, G_MAXINT64);
  /* Tokens: 50 in the window, below 25 once three leave. */
  g_assert_cmpint (i2a_usage_window_free_at (w, 9000, 5000, 0, 25, 0), ==, 12000);

  /* Pruning keeps the sums right. */
  for (gint64 i = 10; i < 5000; i++)
    i2a_usage_window_add (w, 1000 * i, 1);
  i2a_usage_window_prune (w, 4000 * 1000);
  i2a_usage_window_sum (w, 4999 * 1000, 10 * 1000, &r, &t);
  g_assert_cmpint (r, ==, 10);
  g_assert_cmpint (t, ==, 10);
  i2a_usage_window_sum (w, 4999 * 1000, 1000 * 1000, &r, &t);
  g_assert_cmpint (r, ==, 1000);
  i2a_usage_window_free (w);
}

/* A burst within one second shares one entry: the sums stay exact, and
 * the burst leaves a window with its last request, never earlier. */
static void
test_same_second (void)
{
  I2aUsageWindow *w = i2a_usage_window_new ();
  gint64 r, t;

  for (gint64 i = 0; i < 1000; i++)
    i2a_usage_window_add (w, 5000 + i, 2);
  i2a_usage_window_sum (w, 5999, 60000, &r, &t);
  g_assert_cmpint (r, ==, 1000);
  g_assert_cmpint (t, ==, 2000);
  g_assert_cmpint (i2a_usage_window_free_at (w, 5999, 60000, 1000, 0, 0), ==, 65999);
  i2a_usage_window_add (w, 6000, 1);
  i2a_usage_window_sum (w, 6000, 60000, &r, &t);
  g_assert_cmpint (r, ==, 1001);
  g_assert_cmpint (t, ==, 2001);
  /* Once the burst has left, only the later request counts. */
  i2a_usage_window_sum (w, 65999, 60000, &r, &t);
  g_assert_cmpint (r, ==, 1);
  g_assert_cmpint (t, ==, 1);
  i2a_usage_window_free (w);
}

static void
test_parsers (void)
{
  gint64 ms, since;
  I2aUsageBy by;

  g_assert_true (i2a_usage_parse_duration ("5h", &ms));
  g_assert_cmpint (ms, ==, 5 * 3600 * 1000);
  g_assert_true (i2a_usage_parse_duration ("7d", &ms));
  g_assert_true (i2a_usage_parse_duration ("3s", &ms));
  g_assert_cmpint (ms, ==, 3000);
  g_assert_false (i2a_usage_parse_duration ("0h", &ms));
  g_assert_false (i2a_usage_parse_duration ("5", &ms));
  g_assert_false (i2a_usage_parse_duration ("5hours", &ms));
  g_assert_false (i2a_usage_parse_duration ("-5h", &ms));

  g_assert_true (i2a_usage_parse_since ("24h", 100000000, &since));
  g_assert_cmpint (since, ==, 100000000 - 24 * 3600 * 1000);
  g_assert_true (i2a_usage_parse_since ("2026-01-31", 0, &since));
  g_assert_false (i2a_usage_parse_since ("2026-02-31", 0, &since));
  g_assert_false (i2a_usage_parse_since ("yesterday", 0, &since));

  g_assert_true (i2a_enum_from_nick (I2A_TYPE_USAGE_BY, "model", (int *) &by));
  g_assert_cmpint (by, ==, I2A_USAGE_BY_MODEL);
  g_assert_false (i2a_enum_from_nick (I2A_TYPE_USAGE_BY, "colour", (int *) &by));
}

static void
test_usage_read (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  I2aTokenUsage u = { 0 };

  g_assert_true (json_parser_load_from_data (parser,
    "{\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":22,"
    "\"completion_tokens_details\":{\"reasoning_tokens\":3},"
    "\"prompt_tokens_details\":{\"cached_tokens\":4}}}", -1, NULL));
  g_assert_true (i2a_usage_read (json_node_get_object (json_parser_get_root (parser)), &u));
  g_assert_cmpint (u.prompt, ==, 11);
  g_assert_cmpint (u.completion, ==, 22);
  g_assert_cmpint (u.reasoning, ==, 3);
  g_assert_cmpint (u.cached, ==, 4);
  g_assert_true (json_parser_load_from_data (parser, "{\"usage\":null}", -1, NULL));
  g_assert_false (i2a_usage_read (json_node_get_object (json_parser_get_root (parser)), &u));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ledger/window/sum-and-free-at", test_sum_and_free_at);
  g_test_add_func ("/ledger/window/same-second", test_same_second);
  g_test_add_func ("/ledger/parsers", test_parsers);
  g_test_add_func ("/ledger/usage-read", test_usage_read);
  return g_test_run ();
}
