/* i2a-sse-parser.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-sse-parser.h: incremental text/event-stream parser.
 *
 * Bytes go in as they arrive from the network; one callback per complete
 * event (terminated by a blank line). Accepts LF, CRLF and CR line ends and
 * "data:" with or without the following space. Multiple data lines of one
 * event are joined with "\n" as the SSE spec says. Comment lines (":...")
 * are dropped. Memory is bounded: an event larger than max_event_size makes
 * feed() fail instead of growing without limit.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _I2aSseParser I2aSseParser;

/* @event is NULL when the event had no "event:" field. @data is
 * NUL-terminated and only valid during the call. */
typedef void (*I2aSseEventFunc) (const char *event,
                                 const char *data,
                                 gsize       data_len,
                                 gpointer    user_data);

I2aSseParser *i2a_sse_parser_new      (gsize            max_event_size,
                                       I2aSseEventFunc  func,
                                       gpointer         user_data);
void          i2a_sse_parser_free     (I2aSseParser    *self);
/* FALSE (and @error set) when an event exceeded max_event_size. */
gboolean      i2a_sse_parser_feed     (I2aSseParser    *self,
                                       const char      *buf,
                                       gsize            len,
                                       GError         **error);
/* End of stream: dispatch a final event that lacked its blank line. */
void          i2a_sse_parser_finish   (I2aSseParser    *self);
/* Bytes held for an incomplete event. */
gsize         i2a_sse_parser_pending  (I2aSseParser    *self);
/* TRUE once any byte was fed that was not whitespace: used to tell an
 * SSE stream from a JSON error body on a 200 response. */
gboolean      i2a_sse_parser_saw_data (I2aSseParser    *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (I2aSseParser, i2a_sse_parser_free)

G_END_DECLS
