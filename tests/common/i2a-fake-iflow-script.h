/* i2a-fake-iflow-script.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-fake-iflow-script.h: the fake upstream's scripted answers that need
 * more than a fixed chunk (tool calls) and its prompt token count. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* prompt_tokens for @body as a real upstream would report it, within a
 * few percent for English prose: a quarter token per byte of every
 * message's text, tool call and tool definition, plus framing. Written
 * independently of the proxy's own estimate, which tests compare to it. */
gint64     i2a_fake_prompt_tokens (JsonObject *body);

/* "fake:tool NAME ARGS" / "fake:tool-late NAME ARGS": when the
 * conversation's last message is not a tool result, the upstream asks for
 * tool NAME with ARGS (the arguments in 3-byte pieces, or all of them in
 * the last chunk for tool-late); after a tool result it answers
 * "Tool said: <the result>". Returns the SSE data payloads (usage and
 * [DONE] included) for a stream, or one chat completion JSON. */
GPtrArray *i2a_fake_tool_script   (JsonObject *body,
                                   const char *model,
                                   const char *name,
                                   const char *args,
                                   gboolean    late,
                                   gboolean    stream,
                                   gint64      prompt_tokens);

/* The text of the last message that holds a "fake:" line: the scenario
 * may follow other text (Claude Code puts reminders first). */
const char *i2a_fake_find_scenario (JsonObject *body);

G_END_DECLS
