// Malformed answers and events from a VM service (a buggy proxy or embedder, a hostile peer), found
// by the ninth session's QA pass. The peer is a scripted WebSocket server answering from
// spec-derived fixtures, NOT a Dart VM (no Dart SDK here); `isoscope connect` is the real CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectDartVm } from '../../extension/core/dart';
import { IsolateModel } from '../../extension/core/model/model';
import type { Report } from '../../protocol';
import { attachScriptedVm } from '../helpers/attach-scripted-vm';
import { loadVmFixture, startScriptedVmService, type ScriptedVmService } from '../helpers/scripted-vm-service';
import { waitFor } from '../helpers/wait-for';

type Json = Record<string, unknown>;

const attached = (tweak: (peer: ScriptedVmService) => void) => attachScriptedVm({ tweak });

/** getVM's isolates without `isolateGroupId`, as before protocol 3.50 (groups come from getIsolateGroup). */
function vmWithoutGroupIds(extraGroups: unknown[] = []): Json {
  const vm = loadVmFixture<Json & { isolates: Json[]; isolateGroups: unknown[] }>('spec/getVM.json');
  const isolates = vm.isolates.map(({ isolateGroupId: _dropped, ...rest }) => rest);
  return { ...vm, isolates, isolateGroups: [...extraGroups, ...vm.isolateGroups] };
}

test('spec-derived: a null row in getPorts or getStack is skipped; memory, CPU, queue and the other rows are kept', async () => {
  const port = loadVmFixture<{ ports: Json[] }>('spec/getPorts.json').ports[0]!;
  const stack = loadVmFixture<{ messages: Json[] }>('spec/getStack.json');
  const { model, handle, peer, logs, done } = await attached((p) => {
    p.on('getPorts', () => ({ result: { type: 'PortList', ports: [null, port, 7] } }));
    p.on('getStack', () => ({ result: { ...stack, messages: [null, ...stack.messages] } }));
  });
  try {
    await waitFor('4 polls', () => peer.count('getVM') >= 4);
    await model.settled();
    const decoder = model
      .snapshot()
      .isolates.find((i) => i.name === 'image-decoder' && i.sessionId === handle.sessionId)!;
    assert.ok(decoder.heapUsedBytes > 0, 'memory kept');
    // The depth counts every entry the VM listed; the rows shown are the readable ones.
    assert.equal(decoder.queueDepth, stack.messages.length + 1);
    assert.equal(model.snapshot().ports.filter((p) => p.isolateId === decoder.id).length, 1, 'the good port row');
    assert.deepEqual(
      logs.filter((l) => /Cannot read properties/.test(l)),
      [],
    );
    assert.equal(handle.stats().pollErrors, 0);
  } finally {
    await done();
  }
});

test('spec-derived: null answers to getVersion or getVM at attach fail with a message naming the call', async () => {
  for (const method of ['getVersion', 'getVM']) {
    const peer = await startScriptedVmService();
    peer.on(method, () => ({ result: null }));
    const model = new IsolateModel();
    try {
      await assert.rejects(
        connectDartVm({ uri: peer.wsUri, model }),
        new RegExp(`answered ${method} with null, not an object`),
      );
    } finally {
      model.dispose();
      await peer.close();
    }
  }
});

test('spec-derived: null isolate groups and group members (protocol 3.50) are skipped; the isolates attach', async () => {
  const { model, handle, peer, done } = await attached((p) => {
    p.on('getVersion', () => ({ result: { type: 'Version', major: 3, minor: 50 } }));
    p.on('getVM', () => ({ result: vmWithoutGroupIds([null, { type: '@IsolateGroup' }]) }));
    p.on('getIsolateGroup', (params) => ({
      result: { type: 'IsolateGroup', id: params.isolateGroupId, isolates: [null, { type: '@Isolate' }] },
    }));
  });
  try {
    await waitFor('2 polls', () => peer.count('getVM') >= 2);
    await model.settled();
    const names = model
      .snapshot()
      .isolates.filter((i) => i.sessionId === handle.sessionId)
      .map((i) => i.name)
      .sort();
    assert.deepEqual(names, ['image-decoder', 'main']);
  } finally {
    await done();
  }
});

test('spec-derived: a CpuSamples answer without samples or sampleCount adds nothing; CPU time stays a number', async () => {
  let calls = 0;
  const { model, handle, peer, done } = await attached((p) =>
    p.on('getCpuSamples', () =>
      calls++ < 4
        ? { result: { type: 'CpuSamples' } }
        : { result: { type: 'CpuSamples', samplePeriod: 1000, maxStackDepth: 1, sampleCount: 5 } },
    ),
  );
  try {
    await waitFor('valid samples after the bad ones', () => peer.count('getCpuSamples') >= 8);
    await model.settled();
    for (const iso of model.snapshot().isolates.filter((i) => i.sessionId === handle.sessionId)) {
      // 5 samples of 1 ms per window once the answers are whole: a positive, finite total.
      assert.ok(
        typeof iso.cpuTimeMs === 'number' && Number.isFinite(iso.cpuTimeMs) && iso.cpuTimeMs > 0,
        `${iso.name}: ${String(iso.cpuTimeMs)}`,
      );
    }
  } finally {
    await done();
  }
});

test('spec-derived: agent events naming isolates the VM never listed are dropped and counted, not made-up isolates', async () => {
  const { model, handle, peer, done } = await attached(() => undefined);
  try {
    await waitFor('attached', () => peer.count('getVM') >= 2);
    const send = (id: string, bytes: number) =>
      peer.pushEvent('Extension', {
        type: 'Event',
        kind: 'Extension',
        isolate: { type: '@Isolate', id },
        extensionKind: 'isoscope.send',
        extensionData: { bytes, port: 'p', site: { file: 'lib/a.dart', line: 3, column: 1 } },
      });
    for (let i = 0; i < 50; i++) send(`isolates/ghost${i}`, 10);
    // A real isolate's events still count; bytes past 2^53 are refused, so sums stay finite.
    send('isolates/1001', 1.5e308);
    send('isolates/1001', 1.5e308);
    send('isolates/1001', 100_000);
    await waitFor('the events', () => handle.stats().unknownIsolateEvents === 50 && handle.stats().agentEvents === 1);
    await waitFor('a poll after them', () => peer.count('getVM') >= 6);
    await model.settled();
    const ids = model.snapshot().isolates.map((i) => i.id);
    assert.equal(ids.filter((id) => id.includes('ghost')).length, 0, ids.join(', '));
    const report = JSON.parse(JSON.stringify(model.toReport())) as Report;
    for (const c of report.channels) assert.equal(typeof c.bytesCopied, 'number', JSON.stringify(c));
    for (const i of report.isolates) assert.equal(typeof i.bytesCopiedOut, 'number', JSON.stringify(i));
  } finally {
    await done();
  }
});
