// SPDX-License-Identifier: GPL-3.0-or-later
// Copyright 2026 The iflow2api authors
//
// Drives iflow2api's /v1/responses with the official OpenAI client library:
// responses.create (whole and streamed), responses.stream, stored
// responses and previous_response_id, and errors in OpenAI's shape.
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';

const require = createRequire(process.env.NODE_PATH + '/');
const OpenAI = require('openai');
const client = new OpenAI({ baseURL: process.argv[2], apiKey: 'unused', maxRetries: 0 });

const done = await client.responses.create({
  model: 'glm-5', instructions: 'Be brief.', input: 'Hello', max_output_tokens: 100,
});
assert.equal(done.object, 'response');
assert.equal(done.status, 'completed');
assert.equal(done.output_text, 'Hello from fake iFlow');
assert.ok(done.usage.input_tokens > 0 && done.usage.total_tokens > done.usage.input_tokens);

// Stored: retrieve it, and continue from it.
const got = await client.responses.retrieve(done.id);
assert.equal(got.id, done.id);
assert.equal(got.output[0].content[0].text, 'Hello from fake iFlow');
const next = await client.responses.create({ model: 'glm-5', input: 'And again', previous_response_id: done.id });
assert.equal(next.previous_response_id, done.id);
assert.equal(next.status, 'completed');

// responses.create with stream: the raw events, numbered in order.
const raw = await client.responses.create({ model: 'glm-5', input: 'Hello', stream: true });
const types = [];
let seq = -1;
for await (const event of raw) {
  types.push(event.type);
  assert.equal(event.sequence_number, seq + 1);
  seq = event.sequence_number;
}
assert.equal(types[0], 'response.created');
assert.equal(types[1], 'response.in_progress');
assert.equal(types.at(-1), 'response.completed');
assert.ok(types.includes('response.output_text.delta'));

// responses.stream: the SDK's helper accumulates the events itself.
const stream = client.responses.stream({ model: 'glm-5', input: 'fake:reasoning' });
let text = '';
stream.on('response.output_text.delta', (e) => { text += e.delta; });
const final = await stream.finalResponse();
assert.equal(text, 'token-3token-4token-5');
assert.equal(final.output.find((item) => item.type === 'message').content[0].text, text);
assert.equal(final.output[0].type, 'reasoning');
assert.equal(final.output[0].summary[0].text, 'thought-0thought-1thought-2');
assert.ok(final.usage.output_tokens > 0);

// A function tool: the call comes back as a function_call item.
const call = await client.responses.create({
  model: 'glm-5', input: 'fake:tool exec_command {"cmd":"ls"}',
  tools: [{ type: 'function', name: 'exec_command', parameters: { type: 'object', properties: { cmd: { type: 'string' } } } },
          { type: 'web_search' }],
});
const fc = call.output.find((item) => item.type === 'function_call');
assert.equal(fc.name, 'exec_command');
assert.deepEqual(JSON.parse(fc.arguments), { cmd: 'ls' });
const answer = await client.responses.create({
  model: 'glm-5',
  input: [{ role: 'user', content: 'fake:tool exec_command {}' }, fc,
          { type: 'function_call_output', call_id: fc.call_id, output: 'a.txt' }],
});
assert.equal(answer.output_text, 'Tool said: a.txt');

// Bad input: a 400 naming the field.
await assert.rejects(client.responses.create({ model: 'glm-5', input: 42 }),
  (err) => err.status === 400 && err.param === 'input');
await assert.rejects(client.responses.create({ model: 'glm-5', input: 'x', previous_response_id: 'resp_unknown' }),
  (err) => err.status === 400 && err.param === 'previous_response_id');
// An upstream failure after the first byte: response.failed ends the stream.
const failing = await client.responses.create({ model: 'glm-5', input: 'fake:break-after 2', stream: true });
let last = null;
for await (const event of failing) last = event;
assert.equal(last.type, 'response.failed');
assert.equal(last.response.status, 'failed');
assert.ok(last.response.error.message.length > 0);
console.log('ok: openai SDK responses.create / responses.stream');
