import assert from 'node:assert/strict';
import { test } from 'node:test';
import { byteAxisTicks, formatBytes, formatTickSeconds } from '../../webview/format';

test('time-axis ticks get the decimals their step needs, so neighbours never read the same', () => {
  const labels = (ticks: number[]) => ticks.map((t) => formatTickSeconds(t, ticks[1] - ticks[0]));
  assert.deepEqual(labels([0, 0.5, 1, 1.5, 2]), ['0.0 s', '0.5 s', '1.0 s', '1.5 s', '2.0 s']);
  assert.deepEqual(labels([30.2, 30.4, 30.6]), ['30.2 s', '30.4 s', '30.6 s']);
  assert.deepEqual(labels([0, 0.25, 0.5]), ['0.00 s', '0.25 s', '0.50 s']);
  assert.deepEqual(labels([0, 10, 20]), ['0 s', '10 s', '20 s']);
  assert.deepEqual(labels([0.1, 0.2, 0.3]), ['0.1 s', '0.2 s', '0.3 s'], 'float noise in the step (0.1) is ignored');
});

test('byte-axis ticks sit at round values in the unit the labels show', () => {
  const mib = 1024 * 1024;
  const labels = (max: number) => byteAxisTicks(max, 4).map((b) => formatBytes(b));
  assert.deepEqual(labels(10_000_000), ['0 B', '4 MiB', '8 MiB', '12 MiB'], 'not 4.77 / 9.54 MiB');
  assert.deepEqual(labels(4_000_000_000), ['0 B', '2 GiB', '4 GiB']);
  assert.deepEqual(labels(6_000), ['0 B', '2 KiB', '4 KiB', '6 KiB'], 'not 1.95 / 3.91 KiB');
  assert.deepEqual(labels(1.5 * mib), ['0 B', '512 KiB', '1 MiB', '1.5 MiB']);
  assert.deepEqual(labels(500_000), ['0 B', '200 KiB', '400 KiB', '600 KiB'], 'not 488 KiB');
  assert.deepEqual(labels(3), ['0 B', '1 B', '2 B', '3 B']);
  assert.deepEqual(byteAxisTicks(0, 4), [0, 1], 'an empty chart still has an axis');
  for (const max of [1, 7, 999, 1023, 1025, 77_777, 3 * mib, 2 ** 40, 2 ** 53]) {
    const ticks = byteAxisTicks(max, 4);
    assert.ok(ticks.length <= 4 && ticks[ticks.length - 1] >= max, `${max}: ${ticks.join(', ')}`);
  }
});
