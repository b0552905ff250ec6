import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IsolateSeriesPoint } from '../../protocol';
import { downsampleMinMax, ringToPoints, SeriesRing } from '../../webview/series';

function point(atMs: number, v: number): IsolateSeriesPoint {
  return {
    atMs,
    heapUsedBytes: v,
    heapCapacityBytes: v * 2,
    externalBytes: 0,
    cpuPercent: v,
    queueDepth: v,
    queueDelayMsP95: 0,
    msgsInPerSec: 0,
    msgsOutPerSec: 0,
    bytesCopiedPerSec: 0,
  };
}

test('SeriesRing keeps only the newest `capacity` points, oldest first', () => {
  const ring = new SeriesRing(5);
  for (let i = 1; i <= 12; i++) ring.push(point(i * 250, i));
  assert.equal(ring.length, 5);
  assert.equal(ring.overwritten, 7);
  assert.deepEqual(
    Array.from({ length: 5 }, (_, i) => ring.valueAt('cpuPercent', i)),
    [8, 9, 10, 11, 12],
  );
  assert.equal(ring.timeAt(0), 2000);
  assert.equal(ring.last('heapCapacityBytes'), 24);
});

test('SeriesRing ignores points that are not newer (replays after a re-hydrate)', () => {
  const ring = new SeriesRing(10);
  ring.push(point(1000, 1));
  ring.push(point(1000, 2));
  ring.push(point(500, 3));
  assert.equal(ring.length, 1);
  assert.equal(ring.last('cpuPercent'), 1);
});

test('SeriesRing.tail copies the newest values into a fixed buffer', () => {
  const ring = new SeriesRing(100);
  for (let i = 0; i < 10; i++) ring.push(point(i + 1, i));
  const out = new Float32Array(4);
  assert.equal(ring.tail('queueDepth', out), 4);
  assert.deepEqual(Array.from(out), [6, 7, 8, 9]);
  const big = new Float32Array(64);
  assert.equal(ring.tail('queueDepth', big), 10);
});

test('SeriesRing.loadSnapshot takes column arrays and keeps the newest points', () => {
  const ring = new SeriesRing(3);
  const n = 6;
  const col = (f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));
  ring.loadSnapshot({
    atMs: col((i) => 100 * (i + 1)),
    heapUsedBytes: col((i) => i),
    heapCapacityBytes: col(() => 10),
    externalBytes: col(() => 0),
    cpuPercent: col((i) => i * 10),
    queueDepth: col(() => 0),
    queueDelayMsP95: col(() => 0),
    msgsInPerSec: col(() => 0),
    msgsOutPerSec: col(() => 0),
    bytesCopiedPerSec: col(() => 0),
  });
  assert.equal(ring.length, 3);
  assert.equal(ring.timeAt(0), 400);
  assert.equal(ring.last('cpuPercent'), 50);
});

test('downsampleMinMax returns everything when under the limit', () => {
  const pts = downsampleMinMax(
    3,
    (i) => i,
    (i) => i * 2,
    10,
  );
  assert.deepEqual(pts, [
    { x: 0, y: 0 },
    { x: 1, y: 2 },
    { x: 2, y: 4 },
  ]);
});

test('downsampleMinMax caps the point count and keeps a one-sample spike', () => {
  const n = 10_000;
  const ys = Array.from({ length: n }, (_, i) => (i === 7777 ? 1000 : Math.sin(i / 50)));
  const pts = downsampleMinMax(
    n,
    (i) => i,
    (i) => ys[i],
    300,
  );
  assert.ok(pts.length <= 300, `got ${pts.length}`);
  assert.ok(
    pts.some((p) => p.y === 1000 && p.x === 7777),
    'spike kept',
  );
  for (let i = 1; i < pts.length; i++) assert.ok(pts[i].x > pts[i - 1].x, 'x strictly increasing');
  assert.equal(pts[0].x, 0);
});

test('ringToPoints gives x in seconds relative to the origin', () => {
  const ring = new SeriesRing(10);
  ring.push(point(11_000, 1));
  ring.push(point(12_500, 2));
  assert.deepEqual(ringToPoints(ring, 'cpuPercent', 10_000, 100), [
    { x: 1, y: 1 },
    { x: 2.5, y: 2 },
  ]);
});
