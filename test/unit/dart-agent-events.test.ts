import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAgentEvent } from '../../extension/core/dart/agent-events';
import { SendAggregator } from '../../extension/core/dart/send-aggregator';
import type { VmEvent } from '../../extension/core/dart/vm-types';
import { IsolateModel } from '../../extension/core/model/model';
import { loadVmFixture } from '../helpers/scripted-vm-service';

type Notify = { params: { streamId: string; event: VmEvent } };
const specEvents = loadVmFixture<Notify[]>('spec/extension-stream.json').map((n) => n.params.event);

test('spec-derived Extension events from isoscope_agent parse into send and isolate events', () => {
  const parsed = specEvents.map(parseAgentEvent);
  assert.equal(parsed[0]?.type, 'isolate');
  if (parsed[0]?.type === 'isolate') {
    assert.equal(parsed[0].isolateId, 'isolates/1002');
    assert.equal(parsed[0].parentIsolateId, 'isolates/1001');
    assert.deepEqual(parsed[0].spawnSite, {
      file: 'file:///app/lib/decoder.dart',
      line: 21,
      column: 25,
      functionName: 'startDecoder',
    });
  }
  assert.equal(parsed[1]?.type, 'send');
  if (parsed[1]?.type === 'send') {
    assert.equal(parsed[1].bytes, 4194328);
    assert.equal(parsed[1].typedDataBytes, 4194304);
    assert.equal(parsed[1].site?.line, 48);
  }
});

test('recorded Flutter Extension events (DevTools memory export) are foreign: not parsed as ours', () => {
  const exported = loadVmFixture<{ samples: { data: { memory_eventInfo: { extensionEvents: unknown } }[] } }>(
    'recorded/devtools_memory_samples.export.json',
  );
  const events = exported.samples.data
    .map((d) => d.memory_eventInfo.extensionEvents)
    .filter((e): e is Record<string, { eventKind: string; data: Record<string, unknown>; timestamp: number }> => !!e)
    .flatMap((e) => Object.values(e));
  assert.ok(events.length > 0);
  for (const e of events) {
    const vmEvent: VmEvent = {
      type: 'Event',
      kind: 'Extension',
      timestamp: e.timestamp,
      isolate: { type: '@Isolate', id: 'isolates/1', number: '1', name: 'main' },
      extensionKind: e.eventKind,
      extensionData: e.data,
    };
    assert.equal(parseAgentEvent(vmEvent), null, e.eventKind);
  }
});

test('malformed isoscope events are rejected, not half-parsed', () => {
  const base = specEvents[1]!;
  assert.equal(parseAgentEvent({ ...base, extensionData: { bytes: -5 } }), null);
  assert.equal(parseAgentEvent({ ...base, extensionData: { bytes: 'many' } }), null);
  assert.equal(parseAgentEvent({ ...base, extensionKind: 'isoscope.future-kind' }), null);
  const { isolate: _omit, ...noIsolate } = base;
  assert.equal(parseAgentEvent(noIsolate as VmEvent), null);
  const hugeShape = parseAgentEvent({ ...base, extensionData: { ...base.extensionData, shape: 'x'.repeat(100_000) } });
  assert.ok(hugeShape?.type === 'send' && hugeShape.shape.length <= 4096);
});

test('spec-derived sends reach the real model as ledger rows, call sites, channels and an oversized finding', async () => {
  const model = new IsolateModel();
  model.openSession({ id: 's', runtime: 'dart', label: 'x', pid: 1, startedAtMs: 0, runtimeVersion: 'Dart' });
  model.ingest('s', {
    type: 'isolate-start',
    isolateId: 'isolates/1002',
    name: 'image-decoder',
    kind: 'worker',
    parentId: null,
    groupId: 'g',
    threadId: 0,
    atMs: 0,
    spawnSite: null,
    scriptPath: null,
  });
  const agg = new SendAggregator();
  for (const e of specEvents) {
    const p = parseAgentEvent(e);
    if (p?.type === 'send') model.ingest('s', agg.add(p));
  }
  for (const r of agg.flush()) model.ingest('s', r);
  assert.equal(agg.flush().length, 0, 'nothing changed since the last flush');
  await model.settled();
  const snap = model.snapshot();
  assert.equal(snap.callSites.length, 1);
  assert.equal(snap.callSites[0]!.sends, 2);
  assert.equal(snap.callSites[0]!.bytesCopied, 2 * 4194328);
  assert.equal(snap.channels[0]!.sent, 2);
  assert.equal(snap.isolates.find((i) => i.id === 'isolates/1002')?.messagesSent, 2);
  assert.ok(snap.ledger.length >= 2);
  const finding = snap.findings.find((f) => f.rule === 'oversized-message');
  assert.ok(finding, 'a 4 MiB copy is an oversized-message finding');
  assert.equal(finding.location?.line, 48);
  model.dispose();
});

test('the send aggregator is bounded and counts what it could not aggregate', () => {
  const agg = new SendAggregator(2);
  const base = parseAgentEvent(specEvents[1]!);
  assert.ok(base?.type === 'send');
  for (let i = 0; i < 5; i++) agg.add({ ...base, port: `p${i}`, site: { ...base.site!, line: i + 1 } });
  assert.equal(agg.flush().length, 4); // 2 channels + 2 sites
  assert.equal(agg.droppedFromAggregates, 6); // 3 channels + 3 sites over the cap
});
