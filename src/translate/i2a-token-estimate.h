/* i2a-token-estimate.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-token-estimate.h: a local token count without a tokenizer.
 *
 * BPE tokenizers of current models give about one token per word of up to
 * eight letters (and per eight letters of a longer one), per number of up
 * to three digits, per run of up to three punctuation characters and per
 * CJK character; the estimate counts those pieces. On a real Claude Code
 * request (system prompt, 21 tools) it is within 7 % of o200k's count, and
 * the test suite holds it to 15 % of the upstream's prompt_tokens. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Tokens of @text (UTF-8, @len bytes or -1 for NUL-terminated). */
gint64 i2a_token_estimate_text (const char *text,
                                gssize      len);

/* Tokens of a chat completions request as an upstream counts its prompt:
 * every message's text, tool calls and tool results with a few tokens of
 * framing each, plus the tool definitions. */
gint64 i2a_token_estimate_chat (JsonObject *chat_request);

G_END_DECLS
