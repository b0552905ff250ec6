import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatTickSeconds } from '../../webview/format';

test('time-axis ticks get the decimals their step needs, so neighbours never read the same', () => {
  const labels = (ticks: number[]) => ticks.map((t) => formatTickSeconds(t, ticks[1] - ticks[0]));
  assert.deepEqual(labels([0, 0.5, 1, 1.5, 2]), ['0.0 s', '0.5 s', '1.0 s', '1.5 s', '2.0 s']);
  assert.deepEqual(labels([30.2, 30.4, 30.6]), ['30.2 s', '30.4 s', '30.6 s']);
  assert.deepEqual(labels([0, 0.25, 0.5]), ['0.00 s', '0.25 s', '0.50 s']);
  assert.deepEqual(labels([0, 10, 20]), ['0 s', '10 s', '20 s']);
  assert.deepEqual(labels([0.1, 0.2, 0.3]), ['0.1 s', '0.2 s', '0.3 s'], 'float noise in the step (0.1) is ignored');
});
