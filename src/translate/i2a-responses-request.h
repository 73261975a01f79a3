/* i2a-responses-request.h
 *
 * Copyright 2026 The iflow2api authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* i2a-responses-request.h: an OpenAI Responses API request -> a chat
 * completions request. Pure (json-glib only): no libsoup, no main loop.
 *
 * What is mapped: instructions and developer/system messages -> one
 * leading system message; input (a string or items: messages with
 * input_text / input_image / output_text parts, function_call (grouped
 * into one assistant message with tool_calls), function_call_output ->
 * role "tool", custom_tool_call / custom_tool_call_output -> a function
 * call with one string argument "input", reasoning summaries ->
 * reasoning_content of the next assistant message); function and custom
 * tools (custom: one string parameter, the grammar in the description);
 * hosted tools (web_search, namespace, local_shell, file_search…) are
 * dropped; tool_choice, parallel_tool_calls, max_output_tokens,
 * reasoning.effort, text.format, temperature, top_p, stream, and
 * prompt_cache_key (the shared path's sticky-session key). Unknown fields
 * (store, include, client_metadata, metadata…) are accepted and not sent
 * upstream. */
#pragma once

#include <json-glib/json-glib.h>

#include "i2a-api-error.h"

G_BEGIN_DECLS

/* The parameter name the custom (freeform) tools get as functions. */
#define I2A_RESPONSES_CUSTOM_INPUT "input"

/* @request's input as a list of items (a string becomes one user message
 * item), each checked for its shape; a new array, or NULL with a 400 that
 * names the field (param "input[3].content"). */
JsonArray  *i2a_responses_input_items (JsonObject   *request,
                                       I2aApiError **error);

/* The chat request for @request, whose conversation is @items (earlier
 * turns from previous_response_id first, then i2a_responses_input_items ()).
 * NULL with a 400 naming the field: a missing model, a function_call_output
 * whose call_id matches no earlier call, a malformed tool… */
JsonObject *i2a_responses_to_chat     (JsonObject   *request,
                                       JsonArray    *items,
                                       I2aApiError **error);

/* Whether @name is a custom (freeform) tool of @request: its calls go back
 * to the client as custom_tool_call items. */
gboolean    i2a_responses_is_custom_tool (JsonObject *request,
                                          const char *name);

G_END_DECLS
