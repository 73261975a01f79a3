/* i2a-usage-window.c
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "i2a-usage-window"

#include "config.h"

#include <stdlib.h>

#include "i2a-usage-window.h"

typedef struct
{
  gint64 time_ms;
  gint64 tokens_total;   /* running total, this event included */
  gint64 requests_total; /* running count, this event included */
} Event;

struct _I2aUsageWindow
{
  GArray *events;        /* Event, oldest first, from index head */
  guint   head;
  gint64  base_requests; /* running totals of the last event compacted away */
  gint64  base_tokens;
};

I2aUsageWindow *
i2a_usage_window_new (void)
{
  I2aUsageWindow *self = g_new0 (I2aUsageWindow, 1);

  self->events = g_array_new (FALSE, FALSE, sizeof (Event));
  return self;
}

void
i2a_usage_window_free (I2aUsageWindow *self)
{
  if (self == NULL)
    return;
  g_array_unref (self->events);
  g_free (self);
}

static Event *
at (I2aUsageWindow *self,
    guint           i)
{
  return &g_array_index (self->events, Event, self->head + i);
}

static guint
count (I2aUsageWindow *self)
{
  return self->events->len - self->head;
}

static void totals_before (I2aUsageWindow *self, guint i, gint64 *requests, gint64 *tokens);

void
i2a_usage_window_add (I2aUsageWindow *self,
                      gint64          time_ms,
                      gint64          tokens)
{
  Event e = { time_ms, MAX (tokens, 0), 1 };
  gint64 r, t;

  if (count (self) > 0)
    {
      Event *last = at (self, count (self) - 1);

      e.time_ms = MAX (e.time_ms, last->time_ms);
      /* Events of the same second share one entry, stamped with the
       * latest time: a busy server keeps at most one entry a second for
       * the days its windows span (not one a request), and an entry
       * leaves a window no earlier than its last request would. */
      if (e.time_ms / 1000 == last->time_ms / 1000)
        {
          last->time_ms = e.time_ms;
          last->tokens_total += e.tokens_total;
          last->requests_total++;
          return;
        }
    }
  totals_before (self, count (self), &r, &t);
  e.tokens_total += t;
  e.requests_total += r;
  g_array_append_val (self->events, e);
}

/* First index with time_ms > @t. */
static guint
first_after (I2aUsageWindow *self,
             gint64          t)
{
  guint lo = 0, hi = count (self);

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (at (self, mid)->time_ms > t)
        hi = mid;
      else
        lo = mid + 1;
    }
  return lo;
}

void
i2a_usage_window_prune (I2aUsageWindow *self,
                        gint64          before_ms)
{
  guint drop = first_after (self, before_ms - 1);

  self->head += drop;
  /* Compact once the dead prefix dominates, so memory stays bounded. */
  if (self->head > 1024 && self->head > self->events->len / 2)
    {
      const Event *last = &g_array_index (self->events, Event, self->head - 1);

      self->base_requests = last->requests_total;
      self->base_tokens = last->tokens_total;
      g_array_remove_range (self->events, 0, self->head);
      self->head = 0;
    }
}

/* Running totals just before live index @i; pruned events still count in
 * the totals, so differences stay right. */
static void
totals_before (I2aUsageWindow *self,
               guint           i,
               gint64         *requests,
               gint64         *tokens)
{
  guint abs = self->head + i;
  const Event *prev = abs > 0 ? &g_array_index (self->events, Event, abs - 1) : NULL;

  *requests = prev ? prev->requests_total : self->base_requests;
  *tokens = prev ? prev->tokens_total : self->base_tokens;
}

void
i2a_usage_window_sum (I2aUsageWindow *self,
                      gint64          now_ms,
                      gint64          window_ms,
                      gint64         *requests,
                      gint64         *tokens)
{
  guint n = count (self);
  guint start = first_after (self, now_ms - window_ms);
  guint end = first_after (self, now_ms);
  gint64 r0, t0, r1, t1;

  if (n == 0 || start >= end)
    {
      *requests = 0;
      *tokens = 0;
      return;
    }
  totals_before (self, start, &r0, &t0);
  totals_before (self, end, &r1, &t1);
  *requests = r1 - r0;
  *tokens = t1 - t0;
}

gint64
i2a_usage_window_free_at (I2aUsageWindow *self,
                          gint64          now_ms,
                          gint64          window_ms,
                          gint64          max_requests,
                          gint64          max_tokens,
                          gint64          extra_requests)
{
  guint start, end, lo, hi;
  gint64 r_start, t_start, r_end, t_end;

  if (max_requests > 0 && extra_requests >= max_requests)
    return G_MAXINT64;
  if (self == NULL || count (self) == 0)
    return 0;
  start = first_after (self, now_ms - window_ms);
  end = first_after (self, now_ms);
  totals_before (self, start, &r_start, &t_start);
  totals_before (self, end, &r_end, &t_end);
  if ((max_requests == 0 || r_end - r_start + extra_requests < max_requests) &&
      (max_tokens == 0 || t_end - t_start < max_tokens))
    return 0;

  /* Smallest k in (start, end]: once events [start, k) have left the
   * window, the rest fits. Event k-1 leaves at its time + window. */
  lo = start + 1;
  hi = end;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      gint64 r_mid, t_mid;
      gboolean fits;

      totals_before (self, mid, &r_mid, &t_mid);
      fits = (max_requests == 0 || r_end - r_mid + extra_requests < max_requests) &&
             (max_tokens == 0 || t_end - t_mid < max_tokens);
      if (fits)
        hi = mid;
      else
        lo = mid + 1;
    }
  return at (self, lo - 1)->time_ms + window_ms;
}

gboolean
i2a_usage_parse_duration (const char *text,
                          gint64     *ms)
{
  char *end = NULL;
  guint64 n;
  gint64 unit;

  if (text == NULL || !g_ascii_isdigit (*text))
    return FALSE;
  n = g_ascii_strtoull (text, &end, 10);
  if (end == NULL || end[0] == '\0' || end[1] != '\0' || n == 0 || n > 100000)
    return FALSE;
  switch (end[0])
    {
    case 's': unit = 1000; break;
    case 'm': unit = 60 * 1000; break;
    case 'h': unit = 3600 * 1000; break;
    case 'd': unit = 24 * 3600 * 1000; break;
    default: return FALSE;
    }
  *ms = (gint64) n * unit;
  return TRUE;
}
