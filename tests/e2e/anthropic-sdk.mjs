// SPDX-License-Identifier: GPL-3.0-or-later
// Copyright 2026 The iflow2api authors
//
// Drives iflow2api's Messages front door with the official Anthropic SDK.
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';

const require = createRequire(process.env.NODE_PATH + '/');
const sdk = require('@anthropic-ai/sdk');
const Anthropic = sdk.Anthropic ?? sdk.default ?? sdk;
const [base, key] = process.argv.slice(2);

// x-api-key (apiKey) and Authorization: Bearer (authToken) are both client keys.
const byKey = new Anthropic({ baseURL: base, apiKey: key, maxRetries: 0 });
const byBearer = new Anthropic({ baseURL: base, apiKey: null, authToken: key, maxRetries: 0 });

const done = await byKey.messages.create({
  model: 'glm-4.7', max_tokens: 256, system: 'Be brief.',
  messages: [{ role: 'user', content: 'Hello' }],
});
assert.equal(done.type, 'message');
assert.equal(done.role, 'assistant');
assert.equal(done.content[0].type, 'text');
assert.equal(done.content[0].text, 'Hello from fake iFlow');
assert.equal(done.stop_reason, 'end_turn');
assert.ok(done.usage.input_tokens > 0 && done.usage.output_tokens > 0, 'usage');

// Streaming through the SDK's own accumulator (it throws on a bad order).
const stream = byBearer.messages.stream({
  model: 'glm-4.7', max_tokens: 256,
  messages: [{ role: 'user', content: 'fake:reasoning' }],
});
let text = '';
stream.on('text', (t) => { text += t; });
const final = await stream.finalMessage();
assert.equal(text, 'token-3token-4token-5');
assert.deepEqual(final.content.map((b) => b.type), ['thinking', 'text']);
assert.equal(final.content[0].thinking, 'thought-0thought-1thought-2');
assert.equal(final.stop_reason, 'end_turn');
assert.ok(final.usage.output_tokens > 0, 'usage from message_delta');

// A tool call streamed in odd pieces: the SDK's parsed input is whole.
const toolStream = byKey.messages.stream({
  model: 'glm-4.7', max_tokens: 256,
  tools: [{ name: 'get_weather', description: 'Weather of a city',
            input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }],
  messages: [{ role: 'user', content: 'fake:tool get_weather {"city":"Zürich","days":[1,2]}' }],
});
const toolMsg = await toolStream.finalMessage();
const call = toolMsg.content.find((b) => b.type === 'tool_use');
assert.ok(call, 'a tool_use block');
assert.equal(toolMsg.stop_reason, 'tool_use');
assert.deepEqual(call.input, { city: 'Zürich', days: [1, 2] });

// The agentic second half: the answer is built from the tool's result.
const answer = await byKey.messages.create({
  model: 'glm-4.7', max_tokens: 256,
  messages: [
    { role: 'user', content: 'fake:tool get_weather {"city":"Zürich"}' },
    { role: 'assistant', content: toolMsg.content },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: 'sunny, 21 °C' }] },
  ],
});
assert.equal(answer.content[0].text, 'Tool said: sunny, 21 °C');

// The model list in Anthropic's shape (the SDK sends anthropic-version).
const models = [];
for await (const m of byKey.models.list()) models.push(m);
assert.ok(models.some((m) => m.id === 'glm-4.7'), 'glm-4.7 listed');
assert.ok(models.every((m) => m.type === 'model' && m.display_name && m.created_at), 'Anthropic model shape');

// count_tokens: a local count, tools and system included.
const small = await byKey.messages.countTokens({
  model: 'glm-4.7', messages: [{ role: 'user', content: 'Hi' }],
});
const large = await byKey.messages.countTokens({
  model: 'glm-4.7', system: 'You are a careful assistant.',
  tools: [{ name: 'get_weather', description: 'Weather of a city',
            input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
  messages: [{ role: 'user', content: 'What will the weather be in Zürich tomorrow afternoon?' }],
});
assert.ok(small.input_tokens > 0 && large.input_tokens > small.input_tokens + 20, 'count_tokens counts');

// Errors arrive in Anthropic's shape, typed by the SDK.
await assert.rejects(
  byKey.messages.create({ model: 'glm-4.7', max_tokens: 10,
    messages: [{ role: 'user', content: [{ type: 'hologram' }] }] }),
  (e) => e.status === 400 && e.error?.error?.type === 'invalid_request_error' &&
         e.error.error.message.startsWith('messages.0.content.0.type'));
const stranger = new Anthropic({ baseURL: base, apiKey: 'sk-not-a-client-key', maxRetries: 0 });
await assert.rejects(
  stranger.messages.create({ model: 'glm-4.7', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }),
  (e) => e.status === 401 && e.error?.error?.type === 'authentication_error');
// A failure after the first byte is an error event the SDK throws.
const broken = byKey.messages.stream({ model: 'glm-4.7', max_tokens: 10,
  messages: [{ role: 'user', content: 'fake:break-after 2' }] });
await assert.rejects(broken.finalMessage(), (e) => /api_error|stream ended|upstream/i.test(String(e?.message ?? e)));

// Last: a 429 cools the only account down.
const limited = byKey.messages.stream({ model: 'glm-4.7', max_tokens: 10,
  messages: [{ role: 'user', content: 'fake:retry-after 3' }] });
await assert.rejects(limited.finalMessage(),
  (e) => e.status === 429 && e.error?.error?.type === 'rate_limit_error');
console.log('ok: @anthropic-ai/sdk against /v1/messages');
