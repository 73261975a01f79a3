/* i2a-refuse.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-refuse.h: answer a request refused from its headers without reading
 * its body.
 *
 * libsoup reads the whole announced body after the early handlers, even
 * when one of them set a final status: a Content-Length of 2^63 is then
 * read forever, and one larger than what is sent keeps the connection
 * open forever. So the connection is taken from libsoup, the response the
 * handler prepared is written as it is, and the connection closed. */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* @msg has its status, headers and body set (by a door's reply_error). */
void i2a_refuse_and_close (SoupServerMessage *msg);

G_END_DECLS
