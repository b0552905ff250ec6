import assert from 'node:assert/strict';
import { test } from 'node:test';
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
