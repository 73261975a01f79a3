/* i2a-usage-window.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-usage-window.h: requests and tokens of one account or client key
 * over a rolling time window, answered without touching the database.
 *
 * Events are appended in time order with running totals (the events of
 * one second share an entry, stamped with the latest), so the usage in
 * any window is a difference of two running totals found by binary search,
 * and "when will the window have room again" is a second binary search.
 * Events older than the longest window anyone asks about are dropped by
 * i2a_usage_window_prune (). Pure data: no locking, main thread only. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _I2aUsageWindow I2aUsageWindow;

I2aUsageWindow *i2a_usage_window_new    (void);
void            i2a_usage_window_free   (I2aUsageWindow *self);
/* @time_ms must not go backwards by much; a late event is stored at the
 * newest time already present, which keeps the order. */
void            i2a_usage_window_add    (I2aUsageWindow *self,
                                         gint64          time_ms,
                                         gint64          tokens);
/* Drop events before @before_ms. */
void            i2a_usage_window_prune  (I2aUsageWindow *self,
                                         gint64          before_ms);
/* Requests and tokens in (now - window, now]. */
void            i2a_usage_window_sum    (I2aUsageWindow *self,
                                         gint64          now_ms,
                                         gint64          window_ms,
                                         gint64         *requests,
                                         gint64         *tokens);
/* With @extra_requests in flight on top of the window: when (Unix ms)
 * enough events leave the window that requests < @max_requests and
 * tokens < @max_tokens (0 = no limit of that kind). Returns 0 when there
 * is room now, G_MAXINT64 when the in-flight requests alone fill it. */
gint64          i2a_usage_window_free_at (I2aUsageWindow *self,
                                          gint64          now_ms,
                                          gint64          window_ms,
                                          gint64          max_requests,
                                          gint64          max_tokens,
                                          gint64          extra_requests);

/* "5h", "1d", "7d", "30m", "45s": milliseconds; FALSE when malformed or 0. */
gboolean        i2a_usage_parse_duration (const char    *text,
                                          gint64        *ms);

G_END_DECLS
