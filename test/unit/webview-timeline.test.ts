import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IsolateSnapshot } from '../../protocol';
import { axisSpanMs, countShortLived, tickStepMs, timelineRows } from '../../webview/timeline-view';

function iso(id: string, startedAtMs: number, exitedAtMs: number | null, kind: 'main' | 'worker' = 'worker') {
  return {
    id,
    kind,
    state: exitedAtMs === null ? 'running' : 'exited',
    startedAtMs,
    exitedAtMs,
  } as IsolateSnapshot;
}

// A running main thread, started first, and 1,500 short jobs after it (one still running).
const isolates = [
  iso('main', 0, null, 'main'),
  ...Array.from({ length: 1500 }, (_, i) => iso(`job-${i}`, 100 + i * 20, i === 700 ? null : 115 + i * 20)),
];

test('past the row limit the timeline keeps main and running isolates, then the newest exited', () => {
  const rows = timelineRows(isolates, 1000);
  assert.equal(rows.length, 1000);
  const ids = new Set(rows.map((r) => r.id));
  assert.ok(ids.has('main'), 'the main thread');
  assert.ok(ids.has('job-700'), 'a running job that is not among the newest');
  assert.ok(ids.has('job-1499') && ids.has('job-501') && !ids.has('job-500'), 'the 998 newest exited jobs');
  assert.deepEqual(
    rows.map((r) => r.startedAtMs),
    rows.map((r) => r.startedAtMs).sort((a, b) => a - b),
    'drawn in start order',
  );
  assert.equal(timelineRows(isolates.slice(0, 10), 1000).length, 10, 'under the limit: every isolate');
});

test('short-lived isolates are counted over all of them, drawn or not', () => {
  assert.equal(countShortLived(isolates), 1499);
  assert.equal(countShortLived([iso('a', 0, 5000), iso('b', 0, 4999), iso('c', 0, null)]), 1);
});

test('the axis span grows in whole tick steps, so bars move only when it crosses one', () => {
  assert.equal(axisSpanMs(69_000), 70_000);
  assert.equal(axisSpanMs(70_000), 70_000);
  assert.equal(axisSpanMs(1000), 1000);
  for (const span of [999, 1234, 9_750, 61_000, 3_600_001]) {
    const axis = axisSpanMs(span);
    assert.ok(axis >= span && axis - span < tickStepMs(span), `${span} → ${axis}`);
  }
});
