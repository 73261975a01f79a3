/* i2a-iflow-rules.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-iflow-rules.h: every body rule the official iFlow CLI applies, in one
 * place: defaults, per-model switches, renames and token limits. Pure
 * functions, so a
 * test can drive them model by model. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Did the client ask for thinking? Thinking is off unless it did. First
 * decisive key wins: thinking (true, .enabled or .type), enable_thinking,
 * chat_template_kwargs.enable_thinking, reasoning_effort ("none" = off),
 * then thinking_mode / reasoning = true; otherwise FALSE. */
gboolean    i2a_iflow_thinking_requested (JsonObject  *request);

/* max_new_tokens from the official per-model table (case-insensitive
 * substring match); 8000 for unknown models. */
gint64      i2a_iflow_max_new_tokens     (const char  *model);

/* Return a new body for the iFlow upstream built from a validated client
 * request (which is not modified): canonical model id and upstream renames
 * (glm-4.6 -> glm-4.6-exp, deepseek-v3.2-chat -> -reasoner when thinking),
 * per-model thinking on/off forms, max_new_tokens (explicit
 * max_completion_tokens, then max_tokens, then the table), per-model
 * sampling overrides, stream / stream_options.include_usage, empty tools and
 * stop dropped, reasoning_effort removed after mapping. */
JsonObject *i2a_iflow_rules_apply        (JsonObject  *request,
                                          gboolean     stream);

G_END_DECLS
