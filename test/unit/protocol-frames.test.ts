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

test('byte counts past 2^53 and times a Date cannot hold are refused, so report sums stay finite numbers', () => {
  const batch = (record: Record<string, unknown>) =>
    parseAgentFrame(JSON.stringify({ type: 'batch', seq: 0, droppedRecords: 0, records: [record] }));
  const channelRecord = {
    type: 'channel',
    channelId: 'c',
    fromIsolateId: 'a',
    toIsolateId: 'b',
    label: 'a→b',
    atMs: 1,
    sent: 1,
    delivered: 1,
    depth: 0,
    maxDepth: 1,
    bytesCopied: Number.MAX_SAFE_INTEGER,
    bytesTransferred: 0,
    maxMessageBytes: 10,
    delayMsP50: 0,
    delayMsP95: 0,
    delayMsMax: 0,
  };
  assert.ok(batch(channelRecord).ok, 'the largest exact byte count passes');
  // Two of these summed on one isolate were Infinity, which JSON.stringify writes as null.
  const huge = batch({ ...channelRecord, bytesCopied: 1e308 });
  assert.ok(!huge.ok && huge.reason === 'invalid');
  if (!huge.ok) assert.match(huge.detail, /bytesCopied/);
  const farDelay = batch({ ...channelRecord, delayMsMax: 1e300 });
  assert.ok(!farDelay.ok && farDelay.reason === 'invalid');
  assert.ok(batch({ type: 'isolate-exit', isolateId: '1', atMs: 8.64e15, exitCode: 0 }).ok);
  const past = batch({ type: 'isolate-exit', isolateId: '1', atMs: 8.64e15 + 1, exitCode: 0 });
  assert.ok(!past.ok && past.reason === 'invalid');
  const cpu = batch({
    type: 'sample',
    isolateId: '1',
    atMs: 1,
    heapUsedBytes: 1,
    heapTotalBytes: 1,
    externalBytes: 0,
    arrayBuffersBytes: 0,
    heapShared: false,
    cpuTimeMicros: 1e300,
    queueDepth: 0,
  });
  assert.ok(!cpu.ok && cpu.reason === 'invalid');
});

test('a source-map record passes with a v3 map; other versions and over-long mappings are refused', () => {
  const batch = (map: Record<string, unknown>) =>
    parseAgentFrame(
      JSON.stringify({
        type: 'batch',
        seq: 0,
        droppedRecords: 0,
        records: [{ type: 'source-map', isolateId: '1', file: 'file:///app/main.ts', map }],
      }),
    );
  const ok = { version: 3, sources: ['file:///app/main.ts'], names: [], mappings: ';AAAA' };
  const r = batch(ok);
  assert.ok(r.ok && r.frame.type === 'batch' && r.frame.records[0]!.type === 'source-map');
  assert.ok(batch({ ...ok, sourceRoot: '/app' }).ok);
  for (const bad of [
    { ...ok, version: 2 },
    { ...ok, mappings: 'A'.repeat(FRAME_LIMITS.maxSourceMapChars + 1) },
    { ...ok, sources: [1] },
    { version: 3, sources: [], names: [] },
  ]) {
    const b = batch(bad);
    assert.ok(!b.ok && b.reason === 'invalid', JSON.stringify(bad).slice(0, 80));
  }
});
