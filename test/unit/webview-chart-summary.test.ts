import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IsolateSeriesPoint } from '../../protocol';
import { chartSummary, type SummaryLine } from '../../webview/chart-summary';
import { formatBytes, formatPercent } from '../../webview/format';
import { SeriesRing } from '../../webview/series';

function point(atMs: number, cpu: number, heap: number): IsolateSeriesPoint {
  return {
    atMs,
    heapUsedBytes: heap,
    heapCapacityBytes: 0,
    externalBytes: 0,
    cpuPercent: cpu,
    queueDepth: 0,
    queueDelayMsP95: 0,
    msgsInPerSec: 0,
    msgsOutPerSec: 0,
    bytesCopiedPerSec: 0,
  };
}

const LINES: SummaryLine[] = [
  { field: 'cpuPercent', label: 'CPU', format: formatPercent },
  { field: 'heapUsedBytes', label: 'Heap used', format: formatBytes },
];

test('a chart summary names the window, then each line: its newest value, min and max, formatted', () => {
  const ring = new SeriesRing(4);
  // Six points into a ring of four: the extremes of the overwritten points (90 %, 0 B) are not shown.
  const cpu = [90, 5, 40, 12.5, 75, 20];
  cpu.forEach((c, i) => ring.push(point(1000 + i * 250, c, i === 0 ? 0 : (i + 1) * 1024 * 1024)));
  assert.equal(
    chartSummary('Load over time', ring, LINES),
    'Load over time, last 750 ms: CPU 20 % now, min 12.5 %, max 75 %; Heap used 6 MiB now, min 3 MiB, max 6 MiB',
  );
});

test('a legend label ending in its unit (CPU %) is named without it: the values carry the unit', () => {
  const ring = new SeriesRing(4);
  ring.push(point(1000, 3, 0));
  ring.push(point(1250, 12.5, 0));
  const cpu: SummaryLine[] = [{ field: 'cpuPercent', label: 'CPU %', format: formatPercent }];
  assert.equal(
    chartSummary('CPU over time', ring, cpu),
    'CPU over time, last 250 ms: CPU 12.5 % now, min 3 %, max 12.5 %',
  );
});

test('a chart summary with one point or none says so', () => {
  const ring = new SeriesRing(4);
  assert.equal(chartSummary('Load over time', ring, LINES), 'Load over time: no samples yet');
  assert.equal(chartSummary('Load over time', undefined, LINES), 'Load over time: no samples yet');
  ring.push(point(1000, 3, 2048));
  assert.equal(chartSummary('Load over time', ring, LINES), 'Load over time, one sample: CPU 3 %; Heap used 2 KiB');
});
