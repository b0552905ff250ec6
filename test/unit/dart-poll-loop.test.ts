import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PollLoop } from '../../extension/core/dart/poll-loop';

function until(cond: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const t = setInterval(() => {
      if (cond()) {
        clearInterval(t);
        resolve();
      }
    }, 1);
  });
}

test('the poll loop backs off while nothing changes and snaps back on a change', async () => {
  const intervals: number[] = [];
  let changed = false;
  const loop = new PollLoop(
    async () => ({ changed }),
    { baseIntervalMs: 2, maxIntervalMs: 12, backoff: 2 },
    (err) => assert.fail(String(err)),
  );
  loop.start();
  await until(() => loop.ticks >= 5);
  intervals.push(loop.intervalMs);
  assert.equal(loop.intervalMs, 12, 'capped at maxIntervalMs');
  changed = true;
  const seen = loop.ticks;
  await until(() => loop.ticks > seen);
  assert.equal(loop.intervalMs, 2);
  await loop.stop();
});

test('ticks never overlap, and stop() cancels the loop and waits for the tick in flight', async () => {
  let inFlight = 0;
  let maxInFlight = 0;
  let cancelledSeen = false;
  const loop = new PollLoop(
    async (cancelled) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      if (cancelled()) cancelledSeen = true;
      inFlight--;
      return { changed: true };
    },
    { baseIntervalMs: 0, maxIntervalMs: 0 },
    () => undefined,
  );
  loop.start();
  for (let i = 0; i < 10; i++) loop.poke();
  await until(() => loop.ticks >= 3);
  await new Promise((r) => setTimeout(r, 1));
  await loop.stop();
  const ticks = loop.ticks;
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(maxInFlight, 1);
  assert.equal(inFlight, 0);
  assert.equal(loop.ticks, ticks, 'no tick after stop()');
  assert.ok(cancelledSeen || ticks >= 3);
});

test('a failing tick is reported and the loop keeps going', async () => {
  const errors: unknown[] = [];
  let n = 0;
  const loop = new PollLoop(
    async () => {
      n++;
      if (n === 1) throw new Error('boom');
      return { changed: false };
    },
    { baseIntervalMs: 1, maxIntervalMs: 2 },
    (err) => errors.push(err),
  );
  loop.start();
  await until(() => n >= 3);
  await loop.stop();
  assert.equal(errors.length, 1);
  assert.match(String(errors[0]), /boom/);
});
