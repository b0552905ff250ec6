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

test('failing ticks back off like idle ones instead of retrying at the base interval', async () => {
  let n = 0;
  const loop = new PollLoop(
    async () => {
      n++;
      throw new Error('VM says no');
    },
    { baseIntervalMs: 1, maxIntervalMs: 16, backoff: 2 },
    () => undefined,
  );
  loop.start();
  await until(() => n >= 6);
  await loop.stop();
  assert.equal(loop.intervalMs, 16, 'the interval grew to the cap');
});

test('pokes are coalesced: ticks never start closer than the minimum gap', async () => {
  const starts: number[] = [];
  const loop = new PollLoop(
    async () => {
      starts.push(performance.now());
      return { changed: true };
    },
    { baseIntervalMs: 10_000, maxIntervalMs: 10_000, minGapMs: 50 },
    (err) => assert.fail(String(err)),
  );
  loop.start();
  const poker = setInterval(() => loop.poke(), 1);
  await new Promise((r) => setTimeout(r, 400));
  clearInterval(poker);
  await loop.stop();
  // Old behaviour: one tick per poke (hundreds). Now at most one per 50 ms (+1 for the start).
  assert.ok(starts.length >= 3, `${starts.length} ticks`);
  assert.ok(starts.length <= 10, `${starts.length} ticks`);
  for (let i = 1; i < starts.length; i++)
    assert.ok(starts[i]! - starts[i - 1]! >= 45, `gap ${starts[i]! - starts[i - 1]!}`);
});
