// End-to-end: the official Node.js clients (openai, @anthropic-ai/sdk)
// pointed at `llmcost route --listen`, which routes to two fake upstreams
// (internal/fakeupstream): a "cloud" one and a "local" one.
//
// Run by e2e/proxy_node_test.go (make test), which starts the fakes and the
// proxy and sets LLMCOST_PROXY_URL, FAKE_CLOUD_URL and FAKE_LOCAL_URL.
// Backends in its policy: cloud-gpt (openai wire), cloud-claude (anthropic
// wire), local (openai wire, source: local); PII goes to local.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';

const proxy = mustEnv('LLMCOST_PROXY_URL');
const cloud = mustEnv('FAKE_CLOUD_URL');
const local = mustEnv('FAKE_LOCAL_URL');
// The client's own key: the proxy must never forward it upstream (the Go
// side asserts the fakes never saw it).
const clientKey = process.env.LLMCOST_CLIENT_KEY ?? 'sk-client-e2e';

function mustEnv(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run this through go test ./e2e (make test)`);
  return v;
}

const openai = new OpenAI({ baseURL: `${proxy}/v1`, apiKey: clientKey, maxRetries: 0 });
const anthropic = new Anthropic({ baseURL: proxy, apiKey: clientKey, maxRetries: 0 });

async function stats(base) {
  const r = await fetch(`${base}/_fake/stats`);
  assert.equal(r.status, 200);
  return r.json();
}

async function seen(base, ...qs) {
  const u = new URL(`${base}/_fake/seen`);
  for (const q of qs) u.searchParams.append('q', q);
  const r = await fetch(u);
  return (await r.json()).seen;
}

// delta runs fn and returns what the upstream at base served meanwhile
// (tests in this file run one after another).
async function delta(base, fn) {
  const before = await stats(base);
  const result = await fn();
  const after = await stats(base);
  return {
    result,
    requests: after.requests - before.requests,
    prompt: after.prompt_tokens - before.prompt_tokens,
    completion: after.completion_tokens - before.completion_tokens,
  };
}

let n = 0;
// A prompt unique to the test, so /_fake/seen can find its body.
const prompt = (what) => `e2e-${process.pid}-${++n} ${what}: say hello to the people of the city`;

test('openai client, non-streaming, usage equals the upstream\'s', async () => {
  const text = prompt('openai non-stream');
  const d = await delta(cloud, () => openai.chat.completions.create({
    model: 'cloud-gpt',
    messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: text }],
  }));
  const r = d.result;
  assert.equal(d.requests, 1);
  assert.equal(r.object, 'chat.completion');
  assert.ok(r.choices[0].message.content.length > 0);
  assert.equal(r.choices[0].finish_reason, 'stop');
  assert.equal(r.usage.prompt_tokens, d.prompt);
  assert.equal(r.usage.completion_tokens, d.completion);
  assert.equal(r.usage.total_tokens, d.prompt + d.completion);
  assert.equal(await seen(cloud, text), 1);
});

test('openai client, streaming with include_usage, usage chunk last and equal to the upstream\'s', async () => {
  const text = prompt('openai stream usage');
  const d = await delta(cloud, async () => {
    const stream = await openai.chat.completions.create({
      model: 'cloud-gpt', stream: true, stream_options: { include_usage: true },
      messages: [{ role: 'user', content: text }],
    });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    return chunks;
  });
  const chunks = d.result;
  const last = chunks.at(-1);
  assert.deepEqual(last.choices, [], 'the usage chunk has no choices');
  assert.equal(last.usage.prompt_tokens, d.prompt);
  assert.equal(last.usage.completion_tokens, d.completion);
  assert.equal(chunks.filter((c) => c.usage).length, 1, 'one usage chunk');
  const content = chunks.flatMap((c) => c.choices).map((ch) => ch.delta?.content ?? '').join('');
  assert.ok(content.length > 0);
  assert.equal(chunks.flatMap((c) => c.choices).filter((ch) => ch.finish_reason === 'stop').length, 1);
});

test('openai client, streaming without include_usage: no usage chunk, but the proxy asked upstream for usage', async () => {
  const text = prompt('openai stream no usage');
  const d = await delta(cloud, async () => {
    const stream = await openai.chat.completions.create({
      model: 'cloud-gpt', stream: true, messages: [{ role: 'user', content: text }],
    });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    return chunks;
  });
  assert.equal(d.requests, 1);
  assert.ok(d.result.length > 1);
  assert.equal(d.result.filter((c) => c.usage).length, 0, 'usage the client did not ask for');
  assert.ok(d.result.every((c) => c.choices.length === 1));
  assert.equal(await seen(cloud, text, '"include_usage":true'), 1, 'the proxy asks the upstream for usage');
});

test('anthropic client, non-streaming, usage equals the upstream\'s', async () => {
  const text = prompt('anthropic non-stream');
  const d = await delta(cloud, () => anthropic.messages.create({
    model: 'cloud-claude', max_tokens: 64, system: 'be brief',
    messages: [{ role: 'user', content: text }],
  }));
  const m = d.result;
  assert.equal(d.requests, 1);
  assert.equal(m.type, 'message');
  assert.equal(m.content[0].type, 'text');
  assert.ok(m.content[0].text.length > 0);
  assert.equal(m.stop_reason, 'end_turn');
  assert.equal(m.usage.input_tokens, d.prompt);
  assert.equal(m.usage.output_tokens, d.completion);
});

test('anthropic client, streaming, usage from the events equals the upstream\'s', async () => {
  const text = prompt('anthropic stream');
  const d = await delta(cloud, async () => {
    const stream = anthropic.messages.stream({
      model: 'cloud-claude', max_tokens: 64, messages: [{ role: 'user', content: text }],
    });
    const types = [];
    stream.on('streamEvent', (e) => types.push(e.type));
    const final = await stream.finalMessage();
    return { final, types };
  });
  const { final, types } = d.result;
  assert.equal(types[0], 'message_start');
  assert.equal(types.at(-1), 'message_stop');
  assert.ok(types.includes('content_block_delta'));
  assert.ok(final.content[0].text.length > 0);
  assert.equal(final.usage.input_tokens, d.prompt);
  assert.equal(final.usage.output_tokens, d.completion);
});

test('a prompt with personal data stays local', async () => {
  const email = `jane.doe.${process.pid}@example.org`;
  const text = `Please mail ${email} the quarterly report`;
  const before = await stats(cloud);
  const d = await delta(local, () => openai.chat.completions.create({
    model: 'auto', messages: [{ role: 'user', content: text }],
  }));
  const after = await stats(cloud);
  assert.equal(d.requests, 1, 'answered by the local upstream');
  assert.equal(d.result.usage.prompt_tokens, d.prompt);
  assert.equal(after.requests, before.requests, 'the cloud upstream got no request');
  assert.equal(await seen(cloud, email), 0, 'the cloud upstream never saw the address');
  assert.equal(await seen(local, email), 1);
});

test('openai client routed to an anthropic backend: translated, usage equals the upstream\'s', async () => {
  const text = prompt('openai to anthropic');
  const d = await delta(cloud, () => openai.chat.completions.create({
    model: 'cloud-claude', max_tokens: 64,
    messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: text }],
  }));
  const r = d.result;
  assert.equal(d.requests, 1);
  assert.equal(r.object, 'chat.completion');
  assert.equal(r.choices[0].finish_reason, 'stop');
  assert.ok(r.choices[0].message.content.length > 0);
  assert.equal(r.usage.prompt_tokens, d.prompt);
  assert.equal(r.usage.completion_tokens, d.completion);
  assert.equal(await seen(cloud, text, '"max_tokens":64'), 1);
});

test('anthropic client routed to an openai backend, streaming: translated events, usage equals the upstream\'s', async () => {
  const text = prompt('anthropic to openai');
  const d = await delta(cloud, async () => {
    const stream = anthropic.messages.stream({
      model: 'cloud-gpt', max_tokens: 64, system: 'be brief', messages: [{ role: 'user', content: text }],
    });
    return stream.finalMessage();
  });
  const m = d.result;
  assert.equal(d.requests, 1);
  assert.equal(m.stop_reason, 'end_turn');
  assert.ok(m.content[0].text.length > 0);
  assert.equal(m.usage.input_tokens, d.prompt);
  assert.equal(m.usage.output_tokens, d.completion);
});

// Tools are relayed unchanged to a backend of the client's own wire, and
// refused (400, nothing sent) across wires. The fake upstream answers a
// request that offers tools with a call of the first one, its arguments
// {"answer": "..."}, and a request carrying the tool's result with text.
const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'the weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};
const anthropicWeatherTool = {
  name: 'get_weather',
  description: 'the weather in a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

test('openai client, a streamed tool call and then its result, relayed unchanged', async () => {
  const text = prompt('openai tools');
  const messages = [{ role: 'user', content: text }];
  const d = await delta(cloud, () => openai.chat.completions.stream({
    model: 'cloud-gpt', tools: [weatherTool], messages, stream_options: { include_usage: true },
  }).finalChatCompletion());
  const c = d.result;
  assert.equal(d.requests, 1);
  assert.equal(c.choices[0].finish_reason, 'tool_calls');
  const call = c.choices[0].message.tool_calls[0];
  assert.equal(call.id, 'call_fakeupstream0001');
  assert.equal(call.function.name, 'get_weather');
  assert.equal(typeof JSON.parse(call.function.arguments).answer, 'string', 'arguments reassembled from the deltas');
  assert.equal(c.usage.prompt_tokens, d.prompt);
  assert.equal(c.usage.completion_tokens, d.completion);

  const result = `sunny, 21 C, ${process.pid}`;
  const d2 = await delta(cloud, () => openai.chat.completions.create({
    model: 'cloud-gpt', tools: [weatherTool],
    messages: [...messages, c.choices[0].message, { role: 'tool', tool_call_id: call.id, content: result }],
  }));
  assert.equal(d2.requests, 1);
  assert.equal(d2.result.choices[0].finish_reason, 'stop');
  assert.ok(d2.result.choices[0].message.content.length > 0);
  assert.equal(d2.result.usage.prompt_tokens, d2.prompt);
  assert.equal(await seen(cloud, result, '"tool_call_id":"call_fakeupstream0001"'), 1, 'the tool result reached the upstream as sent');
});

test('anthropic client, a streamed tool use and then its result, relayed unchanged', async () => {
  const text = prompt('anthropic tools');
  const messages = [{ role: 'user', content: text }];
  const d = await delta(cloud, () => anthropic.messages.stream({
    model: 'cloud-claude', max_tokens: 64, tools: [anthropicWeatherTool], messages,
  }).finalMessage());
  const m = d.result;
  assert.equal(d.requests, 1);
  assert.equal(m.stop_reason, 'tool_use');
  const use = m.content.find((b) => b.type === 'tool_use');
  assert.ok(use, 'a tool_use block');
  assert.equal(use.id, 'toolu_fakeupstream0001');
  assert.equal(use.name, 'get_weather');
  assert.equal(typeof use.input.answer, 'string', 'input reassembled from input_json_delta events');
  assert.equal(m.usage.input_tokens, d.prompt);
  assert.equal(m.usage.output_tokens, d.completion);

  const result = `sunny, 22 C, ${process.pid}`;
  const d2 = await delta(cloud, () => anthropic.messages.create({
    model: 'cloud-claude', max_tokens: 64, tools: [anthropicWeatherTool],
    messages: [...messages, { role: 'assistant', content: m.content },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: result }] }],
  }));
  assert.equal(d2.requests, 1);
  assert.equal(d2.result.stop_reason, 'end_turn');
  assert.ok(d2.result.content[0].text.length > 0);
  assert.equal(d2.result.usage.input_tokens, d2.prompt);
  assert.equal(await seen(cloud, result, '"tool_use_id":"toolu_fakeupstream0001"'), 1, 'the tool result reached the upstream as sent');
});

test('openai client offering tools to an anthropic backend: a 400 naming tools, nothing sent', async () => {
  const before = await stats(cloud);
  await assert.rejects(openai.chat.completions.create({
    model: 'cloud-claude', tools: [weatherTool], messages: [{ role: 'user', content: prompt('tools across wires') }],
  }), (err) => {
    assert.equal(err.status, 400);
    assert.match(err.message, /tools/);
    assert.match(err.message, /cloud-claude/);
    assert.match(err.message, /Nothing was sent/);
    return true;
  });
  const after = await stats(cloud);
  assert.equal(after.requests, before.requests, 'no request reached the upstream');
});
