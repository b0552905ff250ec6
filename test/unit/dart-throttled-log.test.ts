import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ThrottledLog } from '../../extension/core/dart/throttled-log';

test('a repeated message is logged once, then once per window with how many were held back', () => {
  const lines: string[] = [];
  let now = 1_000;
  const log = new ThrottledLog(
    (m) => lines.push(m),
    30_000,
    () => now,
  );
  for (let i = 0; i < 50; i++) {
    log.report('poll', `poll failed: attempt ${i}`);
    now += 100;
  }
  assert.deepEqual(lines, ['poll failed: attempt 0']);
  now += 30_000;
  log.report('poll', 'poll failed: attempt 50');
  assert.deepEqual(lines, ['poll failed: attempt 0', 'poll failed: attempt 50 (and 49 more like it in the last 35 s)']);
  log.report('other', 'another kind');
  assert.equal(lines.length, 3, 'each key has its own window');
});
