/* ledger-generate.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* bench/ledger-generate: fills a usage database through the real ledger
 * (same schema, same batched writer) with DAYS days of REQUESTS_PER_DAY
 * plausible rows, then prints its size. Not a test.
 *
 *   ledger-generate PATH [DAYS] [REQUESTS_PER_DAY]     (default 365 10000) */
#include "config.h"

#include <stdlib.h>
#include <glib/gstdio.h>

#include "i2a-ledger.h"

static const char *const accounts[] = { "acc1", "acc2", "acc3", "work-iflow", "deepseek", "kimi" };
static const char *const models[] = { "glm-4.6", "qwen3-coder-plus", "kimi-k2-0905", "deepseek-v3.2-chat",
                                      "glm-4.7", "minimax-m2.1", "iFlow-ROME-30BA3B", "kimi-k2-thinking" };
static const char *const keys[] = { "laptop", "ci", "alice", "bob", "key-3f9a0c1b22de" };
static const char *const endpoints[] = { "chat", "chat", "chat", "messages", "responses" };

int
main (int argc, char *argv[])
{
  const char *path = argc > 1 ? argv[1] : NULL;
  guint days = argc > 2 ? (guint) atoi (argv[2]) : 365;
  guint per_day = argc > 3 ? (guint) atoi (argv[3]) : 10000;
  g_autoptr(GError) error = NULL;
  g_autoptr(I2aLedger) ledger = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  gint64 now = g_get_real_time () / 1000;
  gint64 start = now - (gint64) days * 24 * 3600 * 1000;
  GStatBuf st;
  gint64 t0 = g_get_monotonic_time ();

  if (path == NULL)
    {
      g_printerr ("usage: ledger-generate PATH [DAYS] [REQUESTS_PER_DAY]\n");
      return 2;
    }
  g_unlink (path);
  ledger = i2a_ledger_open (path, &error);
  if (ledger == NULL)
    {
      g_printerr ("ledger-generate: %s\n", error->message);
      return 1;
    }
  i2a_ledger_set_retention_days (ledger, 0);
  for (guint d = 0; d < days; d++)
    {
      for (guint i = 0; i < per_day; i++)
        {
          I2aLedgerRow *row = i2a_ledger_row_new ();
          const char *model = models[g_rand_int_range (rand, 0, G_N_ELEMENTS (models))];
          gboolean error_row = g_rand_int_range (rand, 0, 100) < 3;

          row->time_ms = start + (gint64) d * 24 * 3600 * 1000 + (gint64) i * (24 * 3600 * 1000 / per_day);
          row->endpoint = g_strdup (endpoints[g_rand_int_range (rand, 0, G_N_ELEMENTS (endpoints))]);
          row->stream = g_rand_boolean (rand);
          row->client_key = g_strdup (keys[g_rand_int_range (rand, 0, G_N_ELEMENTS (keys))]);
          row->account = g_strdup (accounts[g_rand_int_range (rand, 0, G_N_ELEMENTS (accounts))]);
          row->model_requested = g_strdup (model);
          row->model_sent = g_strdup (model);
          row->status = error_row ? 429 : 200;
          row->error_type = error_row ? g_strdup ("rate_limit_error") : NULL;
          row->prompt_tokens = error_row ? 0 : g_rand_int_range (rand, 200, 60000);
          row->completion_tokens = error_row ? 0 : g_rand_int_range (rand, 10, 4000);
          row->reasoning_tokens = error_row ? 0 : g_rand_int_range (rand, 0, 1500);
          row->cached_tokens = error_row ? 0 : g_rand_int_range (rand, 0, 30000);
          row->ttfb_ms = g_rand_int_range (rand, 200, 5000);
          row->duration_ms = row->ttfb_ms + g_rand_int_range (rand, 0, 60000);
          row->bytes_in = g_rand_int_range (rand, 500, 200000);
          row->bytes_out = g_rand_int_range (rand, 200, 40000);
          i2a_ledger_record (ledger, row);
        }
      /* Bounded memory: let the writer catch up once a day's rows wait. */
      i2a_ledger_flush (ledger);
    }
  i2a_ledger_close (ledger);
  if (g_stat (path, &st) != 0)
    return 1;
  g_print ("%u days x %u requests = %" G_GUINT64_FORMAT " rows: %.1f MB (%.0f bytes a row), written in %.1f s\n",
           days, per_day, (guint64) days * per_day, st.st_size / 1e6,
           (double) st.st_size / ((double) days * per_day), (g_get_monotonic_time () - t0) / 1e6);
  return 0;
}
