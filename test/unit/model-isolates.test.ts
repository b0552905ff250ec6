import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IsolateModel } from '../../extension/core/model/model';
import { channel, sample, session, start } from '../helpers/records';

function twoIsolates(opts: ConstructorParameters<typeof IsolateModel>[0] = {}) {
  const model = new IsolateModel(opts);
  model.openSession(session());
  model.ingest('node:1', start('0', 'main'));
  model.ingest('node:1', start('1', 'resize-pool-1'));
  return model;
}

test('isolates carry names, parents and heap; CPU % comes from cpuTimeMicros deltas', () => {
  const model = twoIsolates();
  model.ingest('node:1', sample('1', 1000, { cpuTimeMicros: 10_000, heapUsedBytes: 5_000_000 }));
  model.ingest('node:1', sample('1', 1250, { cpuTimeMicros: 135_000, heapUsedBytes: 3_000_000 }));
  const iso = model.snapshot().isolates.find((i) => i.id === '1')!;
  assert.equal(iso.name, 'resize-pool-1');
  assert.equal(iso.parentId, '0');
  assert.equal(iso.cpuTimeMs, 135);
  // 125 ms of CPU in 250 ms of wall time = 50 % of a core.
  assert.equal(iso.cpuPercent, 50);
  assert.equal(iso.heapUsedBytes, 3_000_000);
  assert.equal(iso.heapUsedBytesMax, 5_000_000);
});

test('message rates and copied bytes per second come from channel counter deltas', () => {
  const model = twoIsolates();
  model.ingest('node:1', channel('c1', '0', '1', { sent: 100, delivered: 90, bytesCopied: 1000 }));
  model.ingest('node:1', sample('0', 1000));
  model.ingest('node:1', sample('1', 1000));
  model.ingest('node:1', channel('c1', '0', '1', { sent: 600, delivered: 590, bytesCopied: 51_000, delayMsP95: 7 }));
  model.ingest('node:1', sample('0', 1500));
  model.ingest('node:1', sample('1', 1500));
  const snap = model.snapshot();
  const main = snap.isolates.find((i) => i.id === '0')!;
  const worker = snap.isolates.find((i) => i.id === '1')!;
  assert.equal(main.messagesSent, 600);
  assert.equal(main.bytesCopiedOut, 51_000);
  assert.equal(main.msgsOutPerSec, 1000);
  assert.equal(main.bytesCopiedPerSec, 100_000);
  assert.equal(worker.messagesReceived, 590);
  assert.equal(worker.msgsInPerSec, 1000);
  assert.deepEqual(snap.series['1']!.queueDelayMsP95, [0, 7]);
});

test('broadcast deliveries an isolate reports in its samples add to its messagesReceived and its rate', () => {
  const model = twoIsolates();
  model.ingest('node:1', channel('c1', '0', '1', { sent: 10, delivered: 10 }));
  model.ingest('node:1', sample('1', 1000, { broadcastReceived: 5 }));
  // A broadcast channel has no receiving end: its record adds nothing to the receivers.
  model.ingest('node:1', { ...channel('b1', '0', '1', { sent: 300, delivered: 600 }), toIsolateId: null });
  model.ingest('node:1', sample('1', 1500, { broadcastReceived: 205 }));
  // A sample without the field (the Dart adapter) or an older figure changes nothing.
  model.ingest('node:1', sample('1', 1600));
  model.ingest('node:1', sample('1', 1700, { broadcastReceived: 100 }));
  const worker = model.snapshot().isolates.find((i) => i.id === '1')!;
  assert.equal(worker.messagesReceived, 10 + 205);
  model.ingest('node:1', sample('1', 3000, { broadcastReceived: 305 }));
  const later = model.snapshot().isolates.find((i) => i.id === '1')!;
  assert.equal(later.messagesReceived, 10 + 305);
  // Over the 2 s since the first sample: 300 more received.
  assert.equal(later.msgsInPerSec, 150);
  // Terminated before its next sample: the exit record its parent sent carries the count.
  model.ingest('node:1', { type: 'isolate-exit', isolateId: '1', atMs: 3100, exitCode: 1, broadcastReceived: 340 });
  model.ingest('node:1', sample('1', 3050, { broadcastReceived: 320 })); // an older final sample, late
  assert.equal(model.snapshot().isolates.find((i) => i.id === '1')!.messagesReceived, 10 + 340);
});

test('message rates are steady when channel records land on either side of the receiver’s samples', () => {
  const model = twoIsolates();
  const rates: number[] = [];
  let delivered = 0;
  // One message every 250 ms, reported by the sending thread two at a time, every other sample.
  for (let t = 1000; t <= 6000; t += 250) {
    if ((t / 250) % 2 === 0) {
      delivered += 2;
      model.ingest('node:1', channel('c1', '0', '1', { sent: delivered, delivered }));
    }
    model.ingest('node:1', sample('1', t));
    if (t >= 3000) rates.push(model.snapshot().isolates.find((i) => i.id === '1')!.msgsInPerSec);
  }
  // One sample period's difference would read 0, 8, 0, 8 … messages a second.
  assert.deepEqual(new Set(rates), new Set([4]), JSON.stringify(rates));
});

test('a receiver that stopped sampling (busy in one long turn) takes its queue depth from its channels', () => {
  const model = twoIsolates();
  const depthOf = () => model.snapshot().isolates.find((i) => i.id === '1')!.queueDepth;
  model.ingest('node:1', sample('1', 1000, { queueDepth: 5 }));
  model.ingest('node:1', { ...channel('c1', '0', '1', { sent: 105, delivered: 5, depth: 100 }), atMs: 1500 });
  assert.equal(depthOf(), 5, 'its own sample is recent: it stands');
  model.ingest('node:1', { ...channel('c1', '0', '1', { sent: 305, delivered: 5, depth: 300 }), atMs: 2600 });
  model.ingest('node:1', { ...channel('c9', '0', '1', { sent: 7, delivered: 0, depth: 7 }), atMs: 2700 });
  assert.equal(depthOf(), 307, 'no sample for 1.6 s: the depth its senders report');
  model.ingest('node:1', sample('1', 2800, { queueDepth: 290 }));
  assert.equal(depthOf(), 290, 'sampling again: its own figure');
  // An out-of-order (older) channel record changes nothing.
  model.ingest('node:1', { ...channel('c1', '0', '1', { sent: 200, delivered: 5, depth: 195 }), atMs: 2000 });
  assert.equal(depthOf(), 290);
});

test('queue depth: samples and channel maxDepth both raise maxQueueDepth; Dart queue snapshots set depth', () => {
  const model = twoIsolates();
  model.ingest('node:1', sample('1', 1000, { queueDepth: 40 }));
  model.ingest('node:1', channel('c1', '0', '1', { depth: 3, maxDepth: 900 }));
  model.ingest('node:1', {
    type: 'queue',
    isolateId: '0',
    atMs: 1100,
    messages: [
      { index: 0, name: 'a', sizeBytes: 10, handler: null },
      { index: 1, name: 'b', sizeBytes: 10, handler: null },
    ],
  });
  const snap = model.snapshot();
  assert.equal(snap.isolates.find((i) => i.id === '1')!.maxQueueDepth, 900);
  assert.equal(snap.isolates.find((i) => i.id === '0')!.queueDepth, 2);
});

test('series are bounded ring buffers', () => {
  const model = twoIsolates({ seriesCapacity: 5 });
  for (let i = 0; i < 12; i++) model.ingest('node:1', sample('1', 1000 + i * 250, { queueDepth: i }));
  const s = model.snapshot().series['1']!;
  assert.equal(s.atMs.length, 5);
  assert.deepEqual(s.queueDepth, [7, 8, 9, 10, 11]);
  assert.equal(s.heapUsedBytes.length, 5);
});

test('isolate exit and closeSession mark isolates exited; clearExited forgets them', async () => {
  const model = twoIsolates();
  model.ingest('node:1', { type: 'isolate-exit', isolateId: '1', atMs: 1300, exitCode: 0 });
  let snap = model.snapshot();
  assert.equal(snap.isolates.find((i) => i.id === '1')!.state, 'exited');
  assert.equal(snap.isolates.find((i) => i.id === '0')!.state, 'running');
  model.closeSession('node:1', 2000);
  await model.settled();
  snap = model.snapshot();
  assert.equal(snap.isolates.find((i) => i.id === '0')!.exitedAtMs, 2000);
  assert.equal(snap.sessions[0]!.endedAtMs, 2000);
  model.clearExited();
  snap = model.snapshot();
  assert.equal(snap.isolates.length, 0);
  assert.equal(snap.sessions.length, 0);
});

test('clearExited only tidies the views: a late channel record finds its isolates, and the report keeps them', async () => {
  const model = twoIsolates();
  model.ingest('node:1', channel('up', '1', '0', { sent: 5, delivered: 5, bytesCopied: 500 }));
  model.ingest('node:1', { type: 'isolate-exit', isolateId: '1', atMs: 1300, exitCode: 0 });
  await model.settled();
  model.clearExited();
  assert.deepEqual(
    model.snapshot().isolates.map((i) => i.id),
    ['0'],
  );
  assert.equal(model.snapshot().channels.length, 0);
  // The worker's final channel record arrives after the clear (the agent ships it at exit).
  model.ingest('node:1', channel('up', '1', '0', { sent: 5, delivered: 5, bytesCopied: 500, atMs: 1400 }));
  model.closeSession('node:1', 2000);
  await model.settled();
  const view = model.snapshot();
  assert.deepEqual(
    view.isolates.map((i) => i.id),
    ['0'],
    'no placeholder isolate came back',
  );
  assert.equal(view.isolates[0]!.messagesReceived, 5, 'the late record is not counted twice');
  const report = model.toReport();
  const worker = report.isolates.find((i) => i.id === '1');
  assert.ok(worker, 'the report keeps the cleared worker');
  assert.equal(worker.name, 'resize-pool-1');
  assert.equal(worker.parentId, '0');
  assert.equal(report.isolates.find((i) => i.id === '0')!.messagesReceived, 5);
  assert.equal(report.channels.length, 1);
});

test('an agent that reconnects after its connection dropped brings its isolates back to running', async () => {
  const model = twoIsolates();
  model.ingest('node:1', sample('1', 1000, {}));
  model.ingest('node:1', { type: 'isolate-exit', isolateId: '1', atMs: 1500, exitCode: 0 });
  model.closeSession('node:1', 2000); // dropped, no bye: isolate 0 is marked exited at 2000
  await model.settled();
  assert.equal(model.snapshot().isolates.find((i) => i.id === '0')!.state, 'exited');
  model.openSession(session()); // the same process reconnects and gets the same session id
  model.ingest('node:1', sample('0', 1900, {})); // buffered from before the drop: proves nothing
  model.ingest('node:1', sample('1', 2100, {})); // a late sample of an isolate that really exited
  await model.settled();
  let snap = model.snapshot();
  assert.equal(snap.isolates.find((i) => i.id === '0')!.state, 'exited');
  model.ingest('node:1', sample('0', 2250, {}));
  await model.settled();
  snap = model.snapshot();
  const main = snap.isolates.find((i) => i.id === '0')!;
  assert.equal(main.state, 'running');
  assert.equal(main.exitedAtMs, null);
  assert.equal(snap.isolates.find((i) => i.id === '1')!.state, 'exited', 'its own isolate-exit stands');
  assert.equal(snap.sessions[0]!.endedAtMs, null);
});

test('two processes with the same raw isolate ids keep distinct model ids', () => {
  const model = new IsolateModel();
  model.openSession(session('node:1'));
  model.openSession(session('node:2'));
  model.ingest('node:1', start('0', 'main'));
  model.ingest('node:2', start('0', 'main'));
  model.ingest('node:2', start('1', 'child-worker'));
  const ids = model.snapshot().isolates.map((i) => i.id);
  assert.equal(new Set(ids).size, 3);
  const child = model.snapshot().isolates.find((i) => i.name === 'child-worker')!;
  assert.equal(child.parentId, 'node:2/0');
});

test('ingest for an unknown session throws a clear error', () => {
  const model = new IsolateModel();
  assert.throws(() => model.ingest('nope', start('0', 'main')), /unknown session 'nope'/);
});

test('onDidChange is coalesced: many changes, one notification', async () => {
  const model = new IsolateModel({ changeDelayMs: 20 });
  let calls = 0;
  const fired = new Promise<void>((resolve) =>
    model.onDidChange(() => {
      calls++;
      resolve();
    }),
  );
  // The model's coalescing timer is unref'd (it must not keep a CLI alive), so hold the event
  // loop open while waiting for it; otherwise the test process can end with `fired` pending.
  const keepAlive = setTimeout(() => undefined, 10_000);
  model.openSession(session());
  for (let i = 0; i < 50; i++) model.ingest('node:1', sample('0', 1000 + i));
  await fired;
  await new Promise((r) => setTimeout(r, 60));
  clearTimeout(keepAlive);
  assert.equal(calls, 1);
  model.dispose();
});

test('out-of-order channel records (two threads report one channel): counters never go back, depth is the newest', () => {
  const model = twoIsolates();
  model.ingest(
    'node:1',
    channel('c1', '0', '1', { atMs: 2000, sent: 316, delivered: 316, depth: 0, bytesCopied: 9000 }),
  );
  // An older snapshot of the same channel, from the other end, arrives late.
  model.ingest(
    'node:1',
    channel('c1', '0', '1', { atMs: 1500, sent: 315, delivered: 300, depth: 15, bytesCopied: 8000 }),
  );
  const c = model.snapshot().channels.find((x) => x.label === '0→1')!;
  assert.equal(c.sent, 316);
  assert.equal(c.delivered, 316);
  assert.equal(c.bytesCopied, 9000);
  assert.equal(c.depth, 0);
  assert.equal(c.maxDepth, 0);
  const report = model.toReport();
  assert.equal(report.isolates.find((i) => i.id === '0')!.messagesSent, 316);
});

test('an exited isolate shows no CPU share and no rates, even when its final sample comes after the exit', () => {
  const model = twoIsolates();
  model.ingest('node:1', channel('c1', '1', '0', { sent: 100, delivered: 100, bytesCopied: 1000 }));
  model.ingest('node:1', sample('1', 1000, { cpuTimeMicros: 10_000 }));
  model.ingest('node:1', channel('c1', '1', '0', { sent: 600, delivered: 600, bytesCopied: 51_000 }));
  model.ingest('node:1', sample('1', 1500, { cpuTimeMicros: 260_000 }));
  const busy = model.snapshot().isolates.find((i) => i.id === '1')!;
  assert.equal(busy.cpuPercent, 50);
  assert.equal(busy.msgsOutPerSec, 1000);
  model.ingest('node:1', { type: 'isolate-exit', isolateId: '1', atMs: 1600, exitCode: 0 });
  model.ingest('node:1', sample('1', 1700, { cpuTimeMicros: 300_000 }));
  const done = model.snapshot().isolates.find((i) => i.id === '1')!;
  assert.equal(done.state, 'exited');
  assert.equal(done.cpuPercent, null);
  assert.deepEqual([done.msgsOutPerSec, done.msgsInPerSec, done.bytesCopiedPerSec], [0, 0, 0]);
  assert.equal(done.cpuTimeMs, 300, 'the totals still take the final sample');
  // The same when the isolate ends with its session (no exit record).
  model.ingest('node:1', sample('0', 1000, { cpuTimeMicros: 0 }));
  model.ingest('node:1', sample('0', 1500, { cpuTimeMicros: 250_000 }));
  model.closeSession('node:1', 1800);
  const main = model.snapshot().isolates.find((i) => i.id === '0')!;
  assert.equal(main.state, 'exited');
  assert.equal(main.cpuPercent, null);
});

test('a session start far in the future (a clock far off, or a hostile peer) leaves the report valid', () => {
  const model = new IsolateModel();
  model.openSession({ ...session(), startedAtMs: 1e16 });
  model.ingest('node:1', start('0', 'main'));
  const report = model.toReport({ endedAtMs: Date.now() });
  assert.ok(!Number.isNaN(Date.parse(report.startedAt)), report.startedAt);
  assert.ok(report.durationMs >= 0);
});

test('a port that moves to another isolate takes only what it carries from then on; each holder keeps its own sends', () => {
  const model = twoIsolates();
  model.ingest('node:1', start('2', 'receiver', { parentId: '0' }));
  model.ingest('node:1', channel('p', '0', '2', { sent: 100, delivered: 100, bytesCopied: 1000 }));
  // The port went to worker 1, which sent 50 more on it.
  model.ingest('node:1', channel('p', '1', '2', { sent: 150, delivered: 150, bytesCopied: 1500, atMs: 1200 }));
  const byId = new Map(model.snapshot().isolates.map((i) => [i.id, i]));
  assert.deepEqual(
    [byId.get('0')!.messagesSent, byId.get('1')!.messagesSent, byId.get('2')!.messagesReceived],
    [100, 50, 150],
  );
  assert.deepEqual([byId.get('0')!.bytesCopiedOut, byId.get('1')!.bytesCopiedOut], [1000, 500]);
});

test('a late record for an isolate evicted at the cap does not bring it back as a placeholder that evicts the next one', async () => {
  const model = new IsolateModel();
  model.openSession(session());
  model.ingest('node:1', start('0', 'main'));
  for (let i = 1; i <= 5000; i++) {
    model.ingest('node:1', start(String(i), `job-${i}`, { parentId: '0' }));
    model.ingest('node:1', { type: 'isolate-exit', isolateId: String(i), atMs: 1100, exitCode: 0 });
  }
  await model.settled();
  // 5,001 isolates against a cap of 5,000: the oldest exited one (job-1) went.
  let ids = new Set(model.snapshot().isolates.map((i) => i.id));
  assert.equal(ids.has('1'), false);
  assert.equal(ids.has('2'), true);
  // The agent re-sends the channel records of workers that have exited.
  model.ingest('node:1', channel('c1', '0', '1', { sent: 1, delivered: 1 }));
  model.ingest('node:1', sample('1', 1200));
  await model.settled();
  const isolates = model.snapshot().isolates;
  ids = new Set(isolates.map((i) => i.id));
  assert.equal(ids.has('1'), false, 'no placeholder for the evicted worker');
  assert.equal(isolates.find((i) => i.id === '2')?.name, 'job-2', 'the next oldest keeps its data');
  assert.ok(isolates.length <= 5000);
});

test('a lifetime never ends before it starts: an exit stamped early, or applied before its start', () => {
  const model = new IsolateModel();
  model.openSession(session());
  model.ingest('node:1', start('0', 'main'));
  // Another thread's clock stamped the exit 3 ms before the parent stamped the start.
  model.ingest('node:1', start('1', 'short', { atMs: 2000 }));
  model.ingest('node:1', { type: 'isolate-exit', isolateId: '1', atMs: 1997, exitCode: 0 });
  // An exit that arrived before its start record.
  model.ingest('node:1', { type: 'isolate-exit', isolateId: '2', atMs: 2500, exitCode: 0 });
  model.ingest('node:1', start('2', 'late-start', { atMs: 2600 }));
  const byId = new Map(model.snapshot().isolates.map((i) => [i.id, i]));
  assert.equal(byId.get('1')!.exitedAtMs, 2000);
  assert.equal(byId.get('2')!.startedAtMs, 2600);
  assert.equal(byId.get('2')!.exitedAtMs, 2600);
  const report = model.toReport({ endedAtMs: 3000 });
  for (const i of report.isolates) if (i.exitedAtMs !== null) assert.ok(i.exitedAtMs >= i.startedAtMs, i.name);
});

test('the isolate cap holds when every isolate is running: the oldest running worker goes, main stays', async () => {
  // A peer holding the token could name ids it never started; before, only exited isolates were
  // evicted, so running placeholders grew the model without bound.
  const model = new IsolateModel();
  model.openSession(session());
  model.ingest('node:1', start('0', 'main'));
  for (let i = 1; i <= 5100; i++) model.ingest('node:1', sample(`w${i}`, 1000 + i));
  await model.settled();
  const snap = model.snapshot();
  const ids = new Set(snap.isolates.map((i) => i.id));
  assert.equal(snap.isolates.length, 5000);
  assert.ok(ids.has('0'), 'main is kept');
  assert.ok(ids.has('w5100') && !ids.has('w1') && !ids.has('w101') && ids.has('w102'));
  assert.equal(snap.drops.entitiesEvicted, 101);
  // A late sample of an evicted running worker does not come back and push out another.
  model.ingest('node:1', sample('w1', 9000));
  await model.settled();
  assert.equal(model.snapshot().isolates.length, 5000);
  assert.ok(new Set(model.snapshot().isolates.map((i) => i.id)).has('w102'));
});
