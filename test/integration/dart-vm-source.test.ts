// The Dart source against a scripted VM-service peer over a real WebSocket. The peer is NOT a
// Dart VM (no Dart SDK here): it answers from spec-derived fixtures and real recordings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectDartVm } from '../../extension/core/dart';
import { IsolateModel } from '../../extension/core/model/model';
import type { IsolateSnapshot } from '../../protocol';
import { loadVmFixture, startScriptedVmService, type ScriptedVmService } from '../helpers/scripted-vm-service';
import { waitFor } from '../helpers/wait-for';

async function setup(tweak?: (peer: ScriptedVmService) => void, viaHttp = true) {
  const peer = await startScriptedVmService();
  tweak?.(peer);
  const model = new IsolateModel({ changeDelayMs: 10 });
  const handle = await connectDartVm({
    uri: viaHttp ? peer.httpUri : peer.wsUri,
    model,
    baseIntervalMs: 20,
    maxIntervalMs: 100,
  });
  const isolate = (name: string): IsolateSnapshot | undefined =>
    model.snapshot().isolates.find((i) => i.name === name && i.sessionId === handle.sessionId);
  const done = async (): Promise<void> => {
    await handle.dispose();
    model.dispose();
    await peer.close();
  };
  return { peer, model, handle, isolate, done };
}

test('spec-derived VM over a real socket: isolates by debugName with shared group heap, queue depth and ports', async () => {
  const { peer, model, handle, isolate, done } = await setup();
  try {
    assert.equal(handle.status, 'connected');
    await waitFor('two polls', () => peer.count('getStack') >= 4);
    await model.settled();
    const main = isolate('main');
    const decoder = isolate('image-decoder');
    assert.ok(main && decoder);
    assert.equal(main.kind, 'main');
    assert.equal(decoder.kind, 'worker');
    assert.equal(
      model.snapshot().isolates.some((i) => i.name === 'vm-service'),
      false,
      'system isolates hidden',
    );
    // Two isolates in one group share a heap: the group's figure, marked shared, fetched once per poll.
    const group = loadVmFixture<{ heapUsage: number }>('spec/getIsolateGroupMemoryUsage.json');
    assert.equal(decoder.heapUsedBytes, group.heapUsage);
    assert.equal(decoder.heapShared, true);
    assert.equal(peer.count('getMemoryUsage'), 0);
    assert.equal(decoder.queueDepth, 2);
    const ports = model.snapshot().ports.filter((p) => p.isolateId === decoder.id);
    assert.deepEqual(
      ports.map((p) => [p.portId, p.name, p.allocationSite]),
      [
        ['3141592', 'decoder-results', '#0 main (file:///app/bin/main.dart:12:20)'],
        ['2718281', 'N/A', null],
      ],
    );
    // getStack is asked for one frame only: Isoscope reads the queue, not the stack.
    assert.equal(peer.requests.find((r) => r.method === 'getStack')?.params.limit, 1);
    assert.deepEqual(
      peer.requests.filter((r) => r.method === 'streamListen').map((r) => r.params.streamId),
      ['Isolate', 'Extension'],
    );
    const session = model.snapshot().sessions.find((s) => s.id === handle.sessionId);
    assert.equal(session?.runtime, 'dart');
    assert.equal(session?.pid, 4242);
    assert.match(session?.runtimeVersion ?? '', /3\.5\.0.*VM service 4\.16/);
  } finally {
    await done();
  }
});

test('recorded CpuSamples served over the socket become the isolate CPU time (68 × 250 µs = 17 ms)', async () => {
  const recorded = loadVmFixture<Record<string, unknown>>(
    'recorded/devtools_allocation_trace.getAllocationTraces.json',
  );
  const { peer, model, isolate, done } = await setup((p) => p.cpuSamplesByIsolate.set('isolates/1002', recorded));
  try {
    // The peer's timeline clock jumps 20 s per poll; the recording spans 33 s.
    await waitFor('the recorded window to be consumed', async () => {
      await model.settled();
      return (isolate('image-decoder')?.cpuTimeMs ?? 0) >= 17;
    });
    await waitFor('a few more polls', () => peer.count('getCpuSamples', 'isolates/1002') >= 5);
    await model.settled();
    assert.equal(isolate('image-decoder')?.cpuTimeMs, 17, 'no sample counted twice across windows');
    assert.equal(isolate('main')?.cpuTimeMs, 0, 'an isolate with no samples used no CPU');
  } finally {
    await done();
  }
});

test('spec-derived: with the profiler disabled (error 100) CPU time is null, not zero, and is not asked again', async () => {
  const { peer, model, handle, isolate, done } = await setup((p) =>
    p.on('getCpuSamples', () => ({ error: loadVmFixture('spec/error-100-feature-disabled.json') })),
  );
  try {
    await waitFor('three polls', () => peer.count('getStack') >= 6);
    await model.settled();
    assert.equal(isolate('main')?.cpuTimeMs, null);
    assert.equal(handle.stats().profiler, 'disabled');
    assert.equal(peer.count('getCpuSamples'), 1);
    assert.equal(handle.stats().pollErrors, 0);
  } finally {
    await done();
  }
});

test('recorded DevTools memory samples replayed as getMemoryUsage answers drive heap used and its max', async () => {
  const exported = loadVmFixture<{ samples: { data: { used: number; capacity: number; external: number }[] } }>(
    'recorded/devtools_memory_samples.export.json',
  );
  const data = exported.samples.data;
  let i = 0;
  const { peer, model, isolate, done } = await setup((p) => {
    p.removeIsolate('isolates/1002'); // one isolate alone in its group: per-isolate getMemoryUsage
    p.on('getMemoryUsage', () => {
      const s = data[Math.min(i++, data.length - 1)]!;
      return {
        result: { type: 'MemoryUsage', heapUsage: s.used, heapCapacity: s.capacity, externalUsage: s.external },
      };
    });
  });
  try {
    const last = data[data.length - 1]!.used;
    await waitFor('every recorded sample', () => peer.count('getMemoryUsage') >= data.length);
    // The request for the last sample can be answered before its answer reaches the model;
    // the peer keeps answering with the last sample, so the model must arrive at it.
    await waitFor('the last sample in the model', async () => {
      await model.settled();
      return isolate('main')?.heapUsedBytes === last;
    });
    const main = isolate('main');
    assert.equal(main?.heapShared, false);
    assert.equal(main?.heapUsedBytesMax, Math.max(...data.map((d) => d.used)));
    assert.equal(main?.heapUsedBytes, last);
  } finally {
    await done();
  }
});

test('spec-derived pre-3.61 VM (no isolateGroupId): groups come from getIsolateGroup', async () => {
  const { peer, model, isolate, done } = await setup((p) => {
    p.on('getVersion', () => ({ result: { type: 'Version', major: 3, minor: 60 } }));
    for (const e of p.isolates.values()) delete e.ref.isolateGroupId;
  });
  try {
    // The second poll's requests start only after the first poll's answers are all ingested.
    await waitFor('a full poll', () => peer.count('getStack') >= 4);
    await model.settled();
    assert.ok(peer.count('getIsolateGroup') >= 1);
    assert.equal(isolate('main')?.groupId, 'isolateGroups/2001');
    assert.equal(isolate('image-decoder')?.heapShared, true);
  } finally {
    await done();
  }
});

test('spec-derived Extension events from isoscope_agent: spawn site, sends, oversized finding', async () => {
  const { peer, model, handle, isolate, done } = await setup();
  try {
    for (const n of loadVmFixture<{ params: { streamId: string; event: Record<string, unknown> } }[]>(
      'spec/extension-stream.json',
    )) {
      peer.pushEvent(n.params.streamId, n.params.event);
    }
    await waitFor('agent events', () => handle.stats().agentEvents === 3);
    await waitFor('call sites flushed', async () => {
      await model.settled();
      return model.snapshot().callSites.length === 1;
    });
    const decoder = isolate('image-decoder');
    assert.equal(decoder?.spawnSite?.line, 21);
    assert.equal(decoder?.parentId, 'isolates/1001');
    assert.equal(decoder?.messagesSent, 2);
    assert.equal(decoder?.bytesCopiedOut, 2 * 4194328);
    assert.ok(model.snapshot().findings.some((f) => f.rule === 'oversized-message' && f.location?.line === 48));
  } finally {
    await done();
  }
});
