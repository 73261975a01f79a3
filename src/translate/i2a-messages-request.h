/* i2a-messages-request.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-messages-request.h: an Anthropic Messages request turned into a chat
 * completions request (pure: JSON in, JSON out).
 *
 * - `system` (string or text blocks) and every `role: "system"` entry of
 *   `messages` become one leading system message, in order, joined by a
 *   blank line; Claude Code's per-request billing-header line is removed so
 *   the text stays the same from turn to turn (upstream prompt caches).
 * - User `tool_result` blocks become `role: "tool"` messages placed right
 *   after the assistant turn that made the calls, before the rest of that
 *   user turn; their images follow in the user message.
 * - Thinking history: `redacted_thinking` is always dropped (only Anthropic
 *   can read it). `thinking` blocks are dropped, except in the assistant
 *   turns after the last user text (the tool loop in progress), where
 *   their text goes upstream as `reasoning_content`, which the models that
 *   interleave thinking with tool calls expect back. Signatures are never
 *   made up: answers carry an empty one.
 * - Server tools (web search and the like, which a chat upstream cannot
 *   run) are dropped; `tool_choice` auto/any/tool/none map to
 *   auto/required/function/none.
 * - `thinking` enabled (budget_tokens) / adaptive -> `reasoning_effort`
 *   (low up to 4096 tokens, medium up to 16384, else high; adaptive takes
 *   `output_config.effort`, "max" as high, medium without it), which the
 *   upstream rules turn into each model's own switch.
 * - Unknown top-level fields are ignored; bad blocks are a 400 naming the
 *   field ("messages.1.content.0.type"). */
#pragma once

#include <json-glib/json-glib.h>

#include "i2a-api-error.h"

G_BEGIN_DECLS

/* Returns the chat request (transfer full) or NULL with @error (a 400). The
 * model name is the client's, unchanged (aliases are the pool's job). */
JsonObject *i2a_messages_request_to_chat (JsonObject   *request,
                                          I2aApiError **error);

/* Only what count_tokens needs: `messages` (and `system`, `tools`) are
 * well-formed. NULL on success. */
I2aApiError *i2a_messages_request_check  (JsonObject   *request);

/* The stop sequences of a Messages request (for telling which one ended
 * the answer), or NULL. Transfer full. */
GStrv       i2a_messages_request_dup_stop_sequences (JsonObject *request);

G_END_DECLS
