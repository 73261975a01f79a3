/* i2a-token-estimate.h: a local token count without a tokenizer.
 *
 * BPE tokenizers of current models give about one token per short English
 * word, a few characters of a long word, a number of up to three digits,
 * a run of one or two punctuation characters and each CJK character; the
 * estimate counts those pieces. Checked in the test suite against the fake
 * upstream's prompt_tokens and a real BPE tokenizer (within 15 %). */
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
