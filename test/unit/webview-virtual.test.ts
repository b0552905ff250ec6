import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LedgerEntry } from '../../protocol';
import { ledgerRowsFor } from '../../webview/ledger-table';
import { displayName, rowTexts } from '../../webview/overview-row';
import { visibleWindow } from '../../webview/overview';
import { downsampleMinMax, ringToPointsInto, SeriesRing, type XY } from '../../webview/series';
import { InspectorStore } from '../../webview/store';
import { sortAndFilter } from '../../webview/sort';
import { FakeModel } from '../helpers/fake-model-stream';

test('the overview window holds about one screenful plus overscan, starting at the scroll offset', () => {
  assert.deepEqual(visibleWindow(256, 0, 1000, 25, 8), { first: 0, count: 56 });
  assert.deepEqual(visibleWindow(256, 2500, 1000, 25, 8), { first: 92, count: 56 });
  assert.deepEqual(visibleWindow(10, 0, 1000, 25, 8), { first: 0, count: 10 });
  assert.deepEqual(visibleWindow(0, 0, 1000, 25, 8), { first: 0, count: 0 });
});

test('the overview window is never empty while there are rows (stale scroll, no viewport yet)', () => {
  // Scrolled far below a list that shrank (filter, clear, re-hydrate): the last rows stay shown.
  const stale = visibleWindow(18, 40_000, 600, 25, 8);
  assert.equal(stale.first + stale.count, 18);
  assert.ok(stale.count > 0);
  // A webview that is not laid out yet reports a 0 px viewport and may sit above the table.
  const unsized = visibleWindow(18, -400, 0, 25, 8);
  assert.deepEqual(unsized, { first: 0, count: 18 });
  // The pool stays bounded however tall the viewport is.
  assert.ok(visibleWindow(4096, 0, 1_000_000, 25, 8).count <= 160);
});

test('a hydrate with only exited isolates lists every one of them in the overview order', () => {
  const m = new FakeModel({ isolates: 18 });
  m.tick();
  for (let i = 0; i < 18; i++) m.exit(i, 0);
  const store = new InspectorStore();
  store.applyHydrate(m.snapshot(), 'vscode');
  const rows = sortAndFilter(store.isolates.values(), 'cpuPercent', 'desc', '');
  assert.equal(rows.length, 18);
  const win = visibleWindow(rows.length, 0, 600, 25);
  assert.equal(win.count, 18);
  for (const iso of rows) assert.match(rowTexts(iso)[2], /^exited/);
});

test('row texts and names: never blank, hostile names kept verbatim', () => {
  assert.equal(displayName({ name: '', id: 'x' }), '(unnamed)');
  assert.equal(displayName({ name: '   ', id: 'x' }), '(unnamed)');
  assert.equal(displayName({ name: '<img src=x onerror=alert(1)>', id: 'x' }), '<img src=x onerror=alert(1)>');
  const m = new FakeModel({ isolates: 2 });
  m.tick();
  m.exit(1, 3);
  const [, worker] = m.snapshot().isolates;
  const texts = rowTexts(worker);
  assert.equal(texts.length, 10);
  assert.equal(texts[0], worker.name);
  assert.equal(texts[2], 'exited (3)');
});

test('ringToPointsInto matches downsampleMinMax and reuses the output objects', () => {
  const ring = new SeriesRing(1000);
  for (let i = 0; i < 900; i++) {
    ring.push({
      atMs: 1000 + i * 250,
      heapUsedBytes: i,
      heapCapacityBytes: 0,
      externalBytes: 0,
      cpuPercent: i % 97 === 0 ? 100 : i % 7,
      queueDepth: 0,
      queueDelayMsP95: 0,
      msgsInPerSec: 0,
      msgsOutPerSec: 0,
      bytesCopiedPerSec: 0,
    });
  }
  const expected = downsampleMinMax(
    ring.length,
    (i) => (ring.timeAt(i) - 1000) / 1000,
    (i) => ring.valueAt('cpuPercent', i),
    300,
  );
  const out: XY[] = [];
  const n = ringToPointsInto(ring, 'cpuPercent', 1000, 300, out);
  assert.equal(n, expected.length);
  assert.deepEqual(out, expected);
  const first = out[0];
  ringToPointsInto(ring, 'cpuPercent', 1000, 300, out);
  assert.equal(out[0], first, 'point objects are reused');
  assert.ok(
    out.some((p) => p.y === 100),
    'spikes survive',
  );
  // Shrinking truncates.
  const small = new SeriesRing(10);
  small.push({ ...{ atMs: 5 }, heapUsedBytes: 1 } as never);
  assert.equal(ringToPointsInto(small, 'heapUsedBytes', 0, 300, out), 1);
  assert.equal(out.length, 1);
});

test('ledger rows for an isolate: newest first, capped', () => {
  const entry = (seq: number, isolateId: string): LedgerEntry => ({
    seq,
    isolateId,
    channelId: 'c',
    atMs: seq,
    bytes: 1,
    typedArrayBytes: 0,
    transferredBytes: 0,
    location: null,
    shape: '',
  });
  const ledger = Array.from({ length: 50 }, (_, i) => entry(i + 1, i % 2 ? 'a' : 'b'));
  const rows = ledgerRowsFor(ledger, 'a', 10);
  assert.equal(rows.length, 10);
  assert.deepEqual(
    rows.map((r) => r.seq),
    [50, 48, 46, 44, 42, 40, 38, 36, 34, 32],
  );
  assert.equal(ledgerRowsFor(ledger, 'zzz').length, 0);
});
