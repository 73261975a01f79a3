// SPDX-License-Identifier: GPL-3.0-or-later
// Copyright 2026 The iflow2api authors
//
// Drives iflow2api with the official OpenAI client library.
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';

const require = createRequire(process.env.NODE_PATH + '/');
const OpenAI = require('openai');
const client = new OpenAI({ baseURL: process.argv[2], apiKey: 'unused', maxRetries: 0 });

const models = await client.models.list();
const ids = models.data.map((m) => m.id);
assert.ok(ids.includes('glm-5'), 'glm-5 listed');
assert.ok(ids.includes('iFlow-ROME-30BA3B'), 'ROME listed');

const done = await client.chat.completions.create({
  model: 'glm-5', messages: [{ role: 'user', content: 'Hello' }],
});
assert.equal(done.choices[0].message.content, 'Hello from fake iFlow');
assert.ok(done.usage.total_tokens > 0);

const stream = await client.chat.completions.create({
  model: 'glm-5', stream: true, stream_options: { include_usage: true },
  messages: [{ role: 'user', content: 'Hello' }],
});
let text = '';
let usage = null;
for await (const chunk of stream) {
  if (chunk.choices.length) text += chunk.choices[0].delta.content ?? '';
  if (chunk.usage) usage = chunk.usage;
}
assert.equal(text, 'token-0token-1token-2token-3');
assert.ok(usage && usage.total_tokens > 0, 'usage in the last chunk');

// Without stream_options.include_usage there is no usage chunk, as with OpenAI.
const plain = await client.chat.completions.create({
  model: 'glm-5', stream: true, messages: [{ role: 'user', content: 'Hello' }],
});
for await (const chunk of plain) {
  assert.ok(!chunk.usage, 'no usage chunk unless asked for');
  assert.ok(chunk.choices.length > 0, 'no empty-choices chunk unless asked for');
}

await assert.rejects(
  client.chat.completions.create({ model: 'glm-5', messages: [{ role: 'user', content: 'fake:business 449 busy' }] }),
  (err) => err instanceof OpenAI.RateLimitError && /busy/.test(err.message));
await assert.rejects(
  client.chat.completions.create({ model: 'glm-5', messages: [] }),
  (err) => err instanceof OpenAI.BadRequestError && /messages/.test(err.message));

console.log('openai SDK end to end: ok');
