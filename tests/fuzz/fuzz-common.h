/* fuzz-common.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* fuzz-common.h: shared set-up for the libFuzzer targets. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* libFuzzer's entry points (each target defines the first, some the second). */
int  LLVMFuzzerTestOneInput (const guint8 *data,
                             size_t        size);
int  LLVMFuzzerInitialize   (int          *argc,
                             char       ***argv);

/* Drops the log lines an input legitimately causes (warnings about a bad
 * file, debug output) so the fuzzer runs at full speed, and aborts on a
 * CRITICAL or an ERROR: a failed precondition is a bug whatever the input.
 * Set I2A_FUZZ_VERBOSE=1 to see every line, and I2A_FUZZ_KNOWN_CRITICAL
 * to a piece of a CRITICAL's text to let a known one pass while its fix
 * is pending. */
void i2a_fuzz_init          (void);

/* A NUL-terminated copy of the input (most parsers want a C string). */
char *i2a_fuzz_strndup      (const guint8 *data,
                             size_t        size);

G_END_DECLS

G_BEGIN_DECLS

/* Aborts when @text contains a run of at least 8 key characters that
 * follows "sk-" and also occurs in the input: a secret from the input
 * leaked into a message. */
void i2a_fuzz_assert_no_secret (const char   *text,
                                const guint8 *data,
                                size_t        size);

/* Every log line since the last reset, one per line (only with
 * i2a_fuzz_capture_logs (TRUE)). */
void        i2a_fuzz_capture_logs (gboolean capture);
const char *i2a_fuzz_logged       (void);
void        i2a_fuzz_reset_logged (void);

G_END_DECLS

G_BEGIN_DECLS

/* A client's request body as every front door reads it: UTF-8, the
 * default document limits, then the parser. NULL when any of them
 * refuses it. */
JsonObject *i2a_fuzz_parse_request (const guint8 *data,
                                    size_t        size);

/* Aborts unless @text (@len bytes, -1 = NUL-terminated) is one JSON value. */
void i2a_fuzz_assert_json         (const char   *text,
                                   gssize        len,
                                   const char   *what);

/* Aborts unless @out is whole SSE events ("event: ...\n" optional, then
 * "data: ...\n" lines, a blank line after each) whose data is JSON or
 * "[DONE]". */
void i2a_fuzz_assert_sse          (const GString *out,
                                   const char    *what);

G_END_DECLS
