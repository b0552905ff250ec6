import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AGENT_PROTOCOL_VERSION, FRAME_LIMITS, parseAgentFrame } from '../../protocol';

const hello = {
  type: 'hello',
  protocol: AGENT_PROTOCOL_VERSION,
  runtime: 'node',
  pid: 1,
  agentVersion: '0.1.0',
  runtimeVersion: 'v20.0.0',
  capabilities: ['heap', 'from-the-future'],
  startedAtMs: 1,
  notableMessageBytes: 65536,
  cwd: '/',
  argv: [],
};

test('hello frame validates and drops unknown capabilities', () => {
  const r = parseAgentFrame(JSON.stringify(hello));
  assert.ok(r.ok);
  assert.equal(r.frame.type, 'hello');
  if (r.frame.type === 'hello') assert.deepEqual(r.frame.capabilities, ['heap']);
});

test('unknown protocol version is refused', () => {
  const r = parseAgentFrame(JSON.stringify({ ...hello, protocol: 99 }));
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.reason, 'unsupported-version');
});

test('malformed, invalid and oversized frames are refused with a reason', () => {
  const notJson = parseAgentFrame('{nope');
  assert.ok(!notJson.ok && notJson.reason === 'not-json');
  const bad = parseAgentFrame(
    JSON.stringify({ type: 'batch', seq: 0, records: [{ type: 'sample', isolateId: 'x' }], droppedRecords: 0 }),
  );
  assert.ok(!bad.ok && bad.reason === 'invalid');
  if (!bad.ok) assert.match(bad.detail, /records\.0/);
  const huge = parseAgentFrame('x'.repeat(FRAME_LIMITS.maxFrameBytes + 1));
  assert.ok(!huge.ok && huge.reason === 'too-large');
});

test('a valid batch with an exit record passes', () => {
  const r = parseAgentFrame(
    JSON.stringify({
      type: 'batch',
      seq: 3,
      droppedRecords: 0,
      records: [{ type: 'isolate-exit', isolateId: '1:2', atMs: 5, exitCode: 0 }],
    }),
  );
  assert.ok(r.ok);
});

test('bye may say how many channels were not counted; a negative or fractional count is refused', () => {
  const plain = parseAgentFrame(JSON.stringify({ type: 'bye', atMs: 1, exitCode: 0 }));
  assert.ok(plain.ok && plain.frame.type === 'bye' && plain.frame.channelsNotCounted === undefined);
  const counted = parseAgentFrame(JSON.stringify({ type: 'bye', atMs: 1, exitCode: 0, channelsNotCounted: 104 }));
  assert.ok(counted.ok && counted.frame.type === 'bye' && counted.frame.channelsNotCounted === 104);
  for (const bad of [-1, 1.5, 'many']) {
    const r = parseAgentFrame(JSON.stringify({ type: 'bye', atMs: 1, exitCode: 0, channelsNotCounted: bad }));
    assert.ok(!r.ok && r.reason === 'invalid', `channelsNotCounted ${String(bad)}`);
  }
});
