import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IsolateModel } from '../../extension/core/model/model';
import type { AgentRecord } from '../../protocol';
import { capMap, InspectorStore, STORE_LIMITS } from '../../webview/store';
import { FakeModel } from '../helpers/fake-model-stream';

test('hydrate then updates: values, series and ledger follow the model', () => {
  const m = new FakeModel({ isolates: 3, ledgerPerTick: 5 });
  for (let i = 0; i < 4; i++) m.tick();
  const store = new InspectorStore();
  store.applyHydrate(m.snapshot(), 'browser');
  assert.equal(store.isolates.size, 3);
  assert.equal(store.series.get('iso-0')?.length, 4);
  assert.equal(store.ledger.length, 20);
  let cursor = m.initialCursor();
  const gen = store.rev.generation;
  m.tick();
  const r = m.updateSince(cursor);
  cursor = r.cursor;
  store.applyUpdate(r.update);
  assert.equal(store.series.get('iso-0')?.length, 5);
  assert.equal(store.ledger.length, 25);
  assert.equal(store.rev.generation, gen, 'updates do not restart incremental views');
  assert.equal(store.latestSampleMs, m.nowMs);
  // The same update applied twice (a replay) does not duplicate ledger rows or points.
  store.applyUpdate(r.update);
  assert.equal(store.ledger.length, 25);
  assert.equal(store.series.get('iso-0')?.length, 5);
});

test('the ledger is capped and counts what the UI evicted', () => {
  const m = new FakeModel({ isolates: 2, ledgerPerTick: 500, ledgerCapacity: 100_000 });
  const store = new InspectorStore();
  store.applyHydrate(m.snapshot(), 'browser');
  let cursor = m.initialCursor();
  for (let i = 0; i < 10; i++) {
    m.tick();
    const r = m.updateSince(cursor);
    cursor = r.cursor;
    store.applyUpdate(r.update);
  }
  assert.equal(store.ledger.length, STORE_LIMITS.ledger);
  assert.equal(store.uiEvicted, 5000 - STORE_LIMITS.ledger);
  assert.equal(store.ledger[store.ledger.length - 1].seq, 5000);
});

test('series stay bounded by the ring capacity over a long stream', () => {
  const m = new FakeModel({ isolates: 2, ledgerPerTick: 0 });
  const store = new InspectorStore(50);
  store.applyHydrate(m.snapshot(), 'browser');
  let cursor = m.initialCursor();
  for (let i = 0; i < 500; i++) {
    m.tick();
    const r = m.updateSince(cursor);
    cursor = r.cursor;
    store.applyUpdate(r.update);
  }
  assert.equal(store.series.get('iso-1')?.length, 50);
});

test('clearExited drops exited isolates and their series locally', () => {
  const m = new FakeModel({ isolates: 3 });
  m.tick();
  m.exit(2, 1);
  const store = new InspectorStore();
  store.applyHydrate(m.snapshot(), 'vscode');
  store.clearExited();
  assert.deepEqual([...store.isolates.keys()], ['iso-0', 'iso-1']);
  assert.equal(store.series.has('iso-2'), false);
});

test('capMap evicts oldest first and can protect entries', () => {
  const map = new Map([
    [1, 'keep'],
    [2, 'x'],
    [3, 'keep'],
    [4, 'y'],
  ]);
  assert.equal(
    capMap(map, 2, (v) => v === 'keep'),
    2,
  );
  assert.deepEqual([...map.keys()], [1, 3]);
});

/** The real model fed agent records, as the collector would; `send()` plays one host update. */
function liveModel() {
  const model = new IsolateModel();
  model.openSession({
    id: 'node:1',
    runtime: 'node',
    label: 'node app.js',
    pid: 1,
    startedAtMs: 1_000,
    runtimeVersion: 'v20.19.0',
  });
  const ingest = (r: AgentRecord) => model.ingest('node:1', r);
  let atMs = 2_000;
  const start = (id: string, kind: 'main' | 'worker' = 'worker') =>
    ingest({
      type: 'isolate-start',
      isolateId: id,
      name: `job-${id}`,
      kind,
      parentId: kind === 'main' ? null : 'main',
      groupId: null,
      threadId: 0,
      atMs: ++atMs,
      spawnSite: null,
      scriptPath: null,
    });
  const exit = (id: string) => ingest({ type: 'isolate-exit', isolateId: id, atMs: ++atMs, exitCode: 0 });
  const channel = (id: string) =>
    ingest({
      type: 'channel',
      channelId: id,
      fromIsolateId: 'main',
      toIsolateId: null,
      label: 'parent → worker',
      atMs: ++atMs,
      sent: 1,
      delivered: 1,
      depth: 0,
      maxDepth: 1,
      bytesCopied: 10,
      bytesTransferred: 0,
      maxMessageBytes: 10,
      delayMsP50: 0,
      delayMsP95: 0,
      delayMsMax: 0,
    });
  const store = new InspectorStore();
  let cursor = model.initialCursor();
  return {
    model,
    store,
    start,
    exit,
    channel,
    hydrate: async () => {
      await model.settled();
      store.applyHydrate(model.snapshot(), 'browser');
      cursor = model.initialCursor();
    },
    /** A main-thread sample (the model changes, as in a live program), then one update. */
    send: async () => {
      ingest({
        type: 'sample',
        isolateId: 'main',
        atMs: ++atMs,
        heapUsedBytes: 5e6,
        heapTotalBytes: 9e6,
        externalBytes: 0,
        arrayBuffersBytes: 0,
        heapShared: false,
        cpuTimeMicros: atMs * 10,
        queueDepth: 0,
      });
      await model.settled();
      const r = model.updateSince(cursor);
      cursor = r.cursor;
      store.applyUpdate(r.update);
      return r.update;
    },
  };
}

const ids = (m: Map<string, unknown>) => [...m.keys()].sort();

test("the UI holds every isolate and channel the model sends at the model's caps, the same set every update", async () => {
  const live = liveModel();
  live.start('main', 'main');
  for (let i = 0; i < 5200; i++) {
    live.start(`w${i}`);
    live.exit(`w${i}`);
  }
  for (let i = 0; i < 20_100; i++) live.channel(`c${i}`);
  await live.hydrate();
  const sent = live.model.snapshot();
  // The model keeps 5,000 isolates and 20,000 channels (it evicted the oldest itself).
  assert.equal(sent.isolates.length, 5000);
  assert.equal(sent.channels.length, 20_000);
  assert.equal(live.store.isolates.size, 5000);
  assert.equal(live.store.channels.size, 20_000);
  for (let i = 0; i < 4; i++) {
    const u = await live.send();
    assert.deepEqual(ids(live.store.isolates), u.isolates.map((x) => x.id).sort(), `isolates after update ${i}`);
    assert.deepEqual(ids(live.store.channels), u.channels.map((x) => x.id).sort(), `channels after update ${i}`);
    assert.equal(live.store.uiEvicted, 0, `nothing evicted by update ${i}`);
  }
  live.model.dispose();
});

test('when the model evicts, the UI drops the same entries once and its counter then holds still', async () => {
  const live = liveModel();
  live.start('main', 'main');
  for (let i = 0; i < 5000; i++) {
    live.start(`w${i}`);
    live.exit(`w${i}`);
  }
  await live.hydrate();
  await live.send();
  assert.equal(live.store.uiEvicted, 0);
  // Ten more workers: the model drops its ten oldest exited ones, so must the UI.
  for (let i = 5000; i < 5010; i++) {
    live.start(`w${i}`);
    live.exit(`w${i}`);
  }
  for (let i = 0; i < 4; i++) {
    const u = await live.send();
    assert.deepEqual(ids(live.store.isolates), u.isolates.map((x) => x.id).sort(), `isolates after update ${i}`);
    assert.equal(live.store.uiEvicted, 10, `evicted count after update ${i}`);
  }
  assert.equal(live.store.isolates.has('w0'), false);
  assert.equal(live.store.isolates.has('main'), true);
  live.model.dispose();
});

test('with every isolate running past the cap, the UI holds exactly what the model sends (main and the newest kept)', async () => {
  const live = liveModel();
  live.start('main', 'main');
  for (let i = 0; i < STORE_LIMITS.isolates + 100; i++) live.start(`w${i}`);
  await live.hydrate();
  for (let i = 0; i < 3; i++) {
    const u = await live.send();
    // The model's cap holds with nothing exited: its oldest running workers went.
    assert.equal(u.isolates.length, STORE_LIMITS.isolates);
    assert.deepEqual(ids(live.store.isolates), u.isolates.map((x) => x.id).sort(), `after update ${i}`);
    assert.equal(live.store.uiEvicted, 0);
  }
  assert.ok(live.store.isolates.has('main') && live.store.isolates.has(`w${STORE_LIMITS.isolates + 99}`));
  assert.equal(live.store.isolates.has('w0'), false);
  live.model.dispose();
});
