// How the Dart source degrades when part of the VM service misbehaves: one isolate failing or
// blocked, an RPC the service does not have (Flutter web's DWDS), odd field values, and answers
// too large to take. The peer is a scripted WebSocket server answering from spec-derived
// fixtures, NOT a Dart VM (no Dart SDK here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConnectDartVmOptions } from '../../extension/core/dart';
import { validateToWebviewMessage } from '../../webview/validate';
import { attachScriptedVm } from '../helpers/attach-scripted-vm';
import { loadVmFixture, type ScriptedVmService } from '../helpers/scripted-vm-service';
import { waitFor } from '../helpers/wait-for';

const setup = (tweak?: (peer: ScriptedVmService) => void, extra: Partial<ConnectDartVmOptions> = {}) =>
  attachScriptedVm({ tweak, extra });

const internalError = { code: -32603, message: 'Internal error' };

test('spec-derived: an isolate whose getStack always fails keeps its memory, and the other isolates are still sampled', async () => {
  const { model, handle, isolate, polls, done } = await setup((p) =>
    p.on('getStack', (params) =>
      params.isolateId === 'isolates/1001' ? { error: internalError } : { result: loadVmFixture('spec/getStack.json') },
    ),
  );
  try {
    await polls(6);
    await model.settled();
    const group = loadVmFixture<{ heapUsage: number }>('spec/getIsolateGroupMemoryUsage.json');
    assert.equal(isolate('main')?.heapUsedBytes, group.heapUsage, 'memory fetched before the failure is kept');
    assert.equal(isolate('image-decoder')?.queueDepth, 2, 'the isolate after the failing one is sampled');
    assert.ok(model.snapshot().ports.some((p) => p.isolateId === isolate('image-decoder')?.id));
    assert.ok(handle.stats().pollErrors >= 1, 'the failure is counted');
    assert.equal(handle.status, 'connected');
  } finally {
    await done();
  }
});

test('spec-derived: an isolate that never answers does not stall the poll for everyone', async () => {
  const { peer, model, isolate, done } = await setup(
    (p) => {
      // The blocked isolate comes first in getVM's list, in a group of its own (per-isolate memory).
      const others = [...p.isolates.entries()];
      p.isolates.clear();
      p.addIsolate('isolates/1003', 'blocked-in-ffi', { groupId: 'isolateGroups/2003' });
      for (const [id, e] of others) p.isolates.set(id, e);
      p.on('getMemoryUsage', (params) =>
        params.isolateId === 'isolates/1003'
          ? { noReply: true }
          : { result: loadVmFixture('spec/getMemoryUsage.json') },
      );
    },
    { isolateRequestTimeoutMs: 300 },
  );
  try {
    await waitFor('the first blocked request', () => peer.count('getMemoryUsage', 'isolates/1003') >= 1);
    const polls0 = peer.count('getVM');
    const decoder0 = peer.count('getStack', 'isolates/1002');
    const blocked0 = peer.count('getMemoryUsage', 'isolates/1003');
    await new Promise((r) => setTimeout(r, 2500));
    // The old client waited the full request timeout (10 s) on the blocked isolate every poll.
    assert.ok(peer.count('getVM') - polls0 >= 8, `polls went on (${peer.count('getVM') - polls0} in 2.5 s)`);
    assert.ok(peer.count('getStack', 'isolates/1002') - decoder0 >= 8, 'the other isolates are sampled');
    assert.ok(
      peer.count('getMemoryUsage', 'isolates/1003') - blocked0 <= 4,
      'the blocked isolate is asked again only after a back-off',
    );
    await model.settled();
    assert.equal(isolate('blocked-in-ffi')?.state, 'running', 'a blocked isolate is not an exited one');
    assert.equal(isolate('image-decoder')?.queueDepth, 2);
  } finally {
    await done();
  }
});

test('spec-derived: a VM service lacking an optional RPC (DWDS -32601) or failing it every time still shows memory', async () => {
  const cases: { name: string; method: string; error: Record<string, unknown>; maxCalls: number; cpuNull: boolean }[] =
    [
      {
        name: 'timeline clock not supported on web',
        method: 'getVMTimelineMicros',
        error: { code: -32601, message: 'Method not found', data: { details: 'Not supported on web devices' } },
        maxCalls: 1,
        cpuNull: true,
      },
      {
        name: 'no CPU samples',
        method: 'getCpuSamples',
        error: { code: -32601, message: 'Method not found' },
        maxCalls: 1,
        cpuNull: true,
      },
      {
        name: 'no getStack',
        method: 'getStack',
        error: { code: -32601, message: 'Method not found' },
        maxCalls: 1,
        cpuNull: false,
      },
      {
        name: 'getStack refused unless paused',
        method: 'getStack',
        error: { ...internalError, data: { details: 'Cannot compute stack when application is not paused' } },
        maxCalls: 6, // 3 in a row per isolate
        cpuNull: false,
      },
      {
        name: 'getPorts server error',
        method: 'getPorts',
        error: { code: -32000, message: 'Server error' },
        maxCalls: 6,
        cpuNull: false,
      },
      {
        name: 'group memory server error',
        method: 'getIsolateGroupMemoryUsage',
        error: { code: -32000, message: 'Server error' },
        maxCalls: 3, // one group
        cpuNull: false,
      },
    ];
  for (const c of cases) {
    const { peer, model, handle, isolate, polls, done } = await setup((p) =>
      p.on(c.method, () => ({ error: c.error })),
    );
    try {
      await polls(8);
      const errors = handle.stats().pollErrors;
      await polls(14);
      await model.settled();
      for (const name of ['main', 'image-decoder']) {
        assert.ok((isolate(name)?.heapUsedBytes ?? 0) > 0, `${c.name}: memory of ${name} shown`);
      }
      if (c.cpuNull) assert.equal(isolate('main')?.cpuTimeMs, null, `${c.name}: CPU unavailable, not 0`);
      else assert.notEqual(isolate('main')?.cpuTimeMs, null, `${c.name}: CPU still measured`);
      assert.ok(peer.count(c.method) <= c.maxCalls, `${c.name}: asked ${peer.count(c.method)} times`);
      assert.equal(handle.stats().pollErrors, errors, `${c.name}: no more errors once the RPC is switched off`);
      assert.ok(
        handle.stats().unavailableRpcs.some((r) => r.startsWith(c.method)),
        `${c.name}: listed as unavailable`,
      );
      assert.equal(handle.status, 'connected');
    } finally {
      await done();
    }
  }
});

test('spec-derived: missing or wrong-typed VM fields are coerced at the source, so the inspector never drops an update', async () => {
  const longName = 'L'.repeat(200_000);
  const { peer, model, done } = await setup((p) => {
    p.addIsolate('isolates/1003', 'placeholder', { groupId: 'isolateGroups/2003' });
    p.addIsolate('isolates/1004', 'placeholder', { groupId: 'isolateGroups/2004' });
    p.addIsolate('isolates/1005', longName, { groupId: 'isolateGroups/2005' });
    delete p.isolates.get('isolates/1003')!.ref.name;
    p.isolates.get('isolates/1004')!.ref.name = 12345;
    p.on('getMemoryUsage', () => ({ result: { type: 'MemoryUsage', heapUsage: '100', heapCapacity: -5 } }));
    p.on('getStack', () => ({
      result: { type: 'Stack', frames: [], messages: [{ type: 'Message', name: 7, size: 'big' }, { type: 'Message' }] },
    }));
  });
  try {
    await waitFor('a sample of every isolate', () => peer.count('getPorts') >= 10);
    await model.settled();
    const snapshot = model.snapshot();
    const verdict = validateToWebviewMessage(
      JSON.parse(JSON.stringify({ type: 'hydrate', host: 'browser', snapshot })),
    );
    assert.ok(verdict.ok, verdict.ok ? '' : verdict.reason);
    const names = snapshot.isolates.map((i) => i.name);
    assert.ok(
      names.every((n) => typeof n === 'string' && n.length > 0 && n.length <= 4096),
      JSON.stringify(names.map((n) => String(n).slice(0, 20))),
    );
    assert.ok(names.includes('isolates/1003'), 'a missing name falls back to the isolate id');
    assert.ok(names.includes('12345'), 'a number name becomes its text');
    assert.ok(
      names.some((n) => n.startsWith('LLLL') && n.length === 4096),
      'a 200k-character name is clipped',
    );
    const memoryOnly = snapshot.isolates.find((i) => i.name === 'isolates/1003');
    assert.equal(memoryOnly?.heapUsedBytes, 0, 'a heapUsage that is not a number counts as 0');
    assert.equal(memoryOnly?.heapCapacityBytes, 0, 'a negative capacity counts as 0');
    assert.equal(memoryOnly?.externalBytes, 0, 'a missing externalUsage counts as 0');
    assert.equal(memoryOnly?.queueDepth, 2);
    const report = model.toReport();
    assert.equal(report.isolates.length, 5);
    for (const i of report.isolates) assert.equal(typeof i.name, 'string', 'the report keeps its name key');
  } finally {
    await done();
  }
});

test('spec-derived: a queue deeper than the rows kept shows its full depth', async () => {
  const messages = Array.from({ length: 300 }, (_, i) => ({
    type: 'Message',
    index: i,
    name: `Message ${i}`,
    messageObjectId: `messages/${i}`,
    size: 64,
  }));
  const { peer, model, isolate, done } = await setup((p) =>
    p.on('getStack', () => ({ result: { type: 'Stack', frames: [], messages } })),
  );
  try {
    await waitFor('two polls', () => peer.count('getStack') >= 4);
    await model.settled();
    assert.equal(isolate('main')?.queueDepth, 300);
    assert.equal(isolate('main')?.maxQueueDepth, 300);
  } finally {
    await done();
  }
});

test('spec-derived: a getStack answer over the payload cap (a very deep queue) keeps the session and stops fetching that queue', async () => {
  // Large enough to pass the 256 KiB cap set below (the default cap is 128 MiB: ~400k queued messages).
  const messages = Array.from({ length: 4000 }, (_, i) => ({
    type: 'Message',
    index: i,
    name: `Message ${i}`,
    messageObjectId: `messages/${i}`,
    size: 96,
    handler: { type: '@Function', name: '_handleMessage' },
  }));
  const { peer, model, handle, logs, isolate, done } = await setup(
    (p) =>
      p.on('getStack', (params) =>
        params.isolateId === 'isolates/1001'
          ? { result: { type: 'Stack', frames: [], messages } }
          : { result: loadVmFixture('spec/getStack.json') },
      ),
    { maxPayloadBytes: 256 * 1024 },
  );
  const disconnects: string[] = [];
  handle.onDidDisconnect((r) => disconnects.push(r));
  const session = handle.sessionId;
  try {
    await waitFor('the oversized answer', () => peer.count('getStack', 'isolates/1001') >= 1);
    const decoder0 = peer.count('getStack', 'isolates/1002');
    await waitFor('polling to go on', () => peer.count('getStack', 'isolates/1002') >= decoder0 + 5);
    assert.deepEqual(disconnects, [], 'the session survives');
    assert.equal(handle.status, 'connected');
    assert.equal(handle.sessionId, session, 'same model session: the data gathered so far stays');
    assert.equal(peer.count('getStack', 'isolates/1001'), 1, 'the too-deep queue is not fetched again');
    assert.ok(
      logs.some((l) => /main.*queue.*too (deep|large)|too (deep|large).*main/i.test(l)),
      logs.join('\n'),
    );
    await model.settled();
    assert.equal(isolate('main')?.state, 'running');
    assert.ok((isolate('main')?.heapUsedBytes ?? 0) > 0, 'its memory is still sampled');
    assert.equal(isolate('image-decoder')?.queueDepth, 2);
  } finally {
    await done();
  }
});
