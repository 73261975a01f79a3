/* i2a-prefix-stream.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-prefix-stream.h: an input stream that yields some bytes already read
 * and then the rest of another stream; pollable when that stream is. Used
 * to hand a connection back to libsoup with the requests it had already
 * read from the socket. Closing either leaves the connection open. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define I2A_TYPE_PREFIX_STREAM (i2a_prefix_stream_get_type ())
G_DECLARE_FINAL_TYPE (I2aPrefixStream, i2a_prefix_stream, I2A, PREFIX_STREAM, GInputStream)

GInputStream *i2a_prefix_stream_new (GBytes       *prefix,
                                     GInputStream *base);

/* @base with @prefix in front of its input. Closing it closes @base;
 * dropping the last reference does not. */
#define I2A_TYPE_PREFIX_IO_STREAM (i2a_prefix_io_stream_get_type ())
G_DECLARE_FINAL_TYPE (I2aPrefixIOStream, i2a_prefix_io_stream, I2A, PREFIX_IO_STREAM, GIOStream)

GIOStream    *i2a_prefix_io_stream_new (GBytes    *prefix,
                                        GIOStream *base);

G_END_DECLS
