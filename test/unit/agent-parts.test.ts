import { test } from 'node:test';
import { relative } from 'node:path';
import assert from 'node:assert/strict';
import { parseAgentFrame, FRAME_LIMITS } from '../../protocol';
import { BroadcastReceiver } from '../../runtime-agent/node/broadcast-hooks';
import { BroadcastTable } from '../../runtime-agent/node/broadcast-table';
import {
  ALWAYS_CAPTURE,
  CAPTURE_ONE_IN,
  CAPTURES_PER_PERIOD,
  captureWeight,
  newCaptureState,
} from '../../runtime-agent/node/call-sites';
import { ChannelRegistry } from '../../runtime-agent/node/channel-registry';
import { DelayHistogram } from '../../runtime-agent/node/delay-histogram';
import { FrameQueue } from '../../runtime-agent/node/exporter-queue';
import { F64, I32, RING_SLOTS, SharedTable } from '../../runtime-agent/node/shared-table';
import { newSizingState, noteSized, QUIET_SENDS, SIZE_EVERY, sizingWeight } from '../../runtime-agent/node/sizing';
import {
  findPorts,
  restoreWorkerEnv,
  withPreload,
  workerName,
  WORKER_ENV_KEY,
} from '../../runtime-agent/node/worker-options';
import { MessageChannel, SHARE_ENV } from 'node:worker_threads';

const record = (i: number) => ({ type: 'isolate-exit', isolateId: `1:${i}`, atMs: i, exitCode: 0 });

test('frame queue packs chunks into valid batch frames under the record limit', () => {
  const q = new FrameQueue();
  for (let c = 0; c < 12; c++) {
    const records = Array.from({ length: 1000 }, (_, i) => record(c * 1000 + i));
    q.add({ count: records.length, json: JSON.stringify(records), dropped: c === 0 ? 7 : 0 });
  }
  const first = parseAgentFrame(q.nextFrame(0) ?? '');
  assert.ok(first.ok && first.frame.type === 'batch');
  assert.equal(first.frame.records.length, FRAME_LIMITS.maxRecordsPerBatch);
  assert.equal(first.frame.droppedRecords, 7);
  const second = parseAgentFrame(q.nextFrame(1) ?? '');
  assert.ok(second.ok && second.frame.type === 'batch' && second.frame.records.length === 2000);
  assert.equal(q.nextFrame(2), null);
});

test('frame queue drops the oldest chunks when over budget and counts them', () => {
  const q = new FrameQueue(10_000);
  const records = Array.from({ length: 50 }, (_, i) => record(i));
  for (let c = 0; c < 20; c++) q.add({ count: 50, json: JSON.stringify(records), dropped: 0 });
  assert.ok(q.queuedChars <= 10_000);
  assert.ok(q.pendingDropped >= 50 * 15);
  const frame = parseAgentFrame(q.nextFrame(0) ?? '');
  assert.ok(frame.ok && frame.frame.type === 'batch' && frame.frame.droppedRecords >= 750);
});

test('delay histogram percentiles are within a bucket of the truth', () => {
  const h = new DelayHistogram();
  for (let i = 1; i <= 1000; i++) h.add(i / 10); // 0.1 .. 100 ms
  const s = h.stats();
  assert.equal(s.count, 1000);
  assert.equal(s.maxMs, 100);
  assert.ok(Math.abs(s.p50Ms - 50) / 50 < 0.12, `p50 ${s.p50Ms}`);
  assert.ok(Math.abs(s.p95Ms - 95) / 95 < 0.12, `p95 ${s.p95Ms}`);
});

test('shared table: depth, FIFO delay matching and the transferred-port mailbox', () => {
  const t = SharedTable.create();
  const slot = t.allocate(3, 0, 0);
  t.timeNext(slot);
  t.noteSend(slot, 10);
  t.noteSend(slot, 11);
  assert.equal(t.depth(slot), 2);
  assert.equal(
    t.noteDelivery(slot, () => 15),
    5,
  );
  assert.equal(t.lastDeliveredSeq, 0);
  assert.equal(
    t.noteDelivery(slot, () => 15),
    4,
  );
  assert.equal(t.depth(slot), 0);
  assert.ok(t.post(slot, 1, 0, 8, 9));
  assert.deepEqual(t.take(slot, 1, 0), { sendSlot: 8, recvSlot: 9 });
  assert.equal(t.take(slot, 1, 0), null);
});

test('shared table: an untimed send is counted but reads no clock at delivery (seq 0 included)', () => {
  const t = SharedTable.create();
  const slot = t.allocate(3, 0, 0);
  t.timeNext(slot);
  t.noteSend(slot, -1);
  t.noteSend(slot, 20);
  let reads = 0;
  const clock = () => (reads++, 26);
  assert.equal(t.noteDelivery(slot, clock), -1);
  assert.equal(reads, 0);
  assert.equal(t.noteDelivery(slot, clock), 6);
  assert.equal(reads, 1);
  assert.equal(t.depth(slot), 0);
});

test('shared table: past the budget only every TIMED_EVERY-th send is timed, and the receiver looks up only those', () => {
  const t = SharedTable.create();
  const slot = t.allocate(3, 0, 0);
  const until = t.timeNext(slot, 4);
  const timed: number[] = [];
  for (let seq = 0; seq < 40; seq++) {
    assert.equal(t.nextSeq(slot), seq);
    const isTimed = SharedTable.isTimed(seq, until);
    if (isTimed) timed.push(seq);
    t.noteSend(slot, isTimed ? seq : -1);
  }
  assert.deepEqual(timed, [0, 1, 2, 3, 16, 32]);
  // Poison the ring entry of an untimed send: the receiver must not even look at it.
  const ring = t.i32[slot * I32.stride + I32.ring] - 1;
  const at = (ring * RING_SLOTS + 5) * 2;
  t.rings[at] = 6; // what a timed seq 5 would have left
  t.rings[at + 1] = 0;
  const delays: number[] = [];
  for (let seq = 0; seq < 40; seq++) delays.push(t.noteDelivery(slot, () => 100));
  assert.deepEqual(
    delays.flatMap((d, seq) => (d >= 0 ? [seq] : [])),
    timed,
  );
  assert.equal(delays[16], 100 - 16);
  // A new period renews the budget from the next send on.
  assert.equal(t.timeNext(slot, 4), 44);
  assert.ok(SharedTable.isTimed(41, 44) && !SharedTable.isTimed(45, 44) && SharedTable.isTimed(48, 44));
});

test('shared table: max depth is exact up to 64 and within 1/64 above, though delivered is read rarely', () => {
  const t = SharedTable.create();
  const small = t.allocate(3, 0, 0);
  for (let i = 0; i < 40; i++) t.noteSend(small, -1);
  for (let i = 0; i < 40; i++) t.noteDelivery(small, () => 0);
  for (let i = 0; i < 10; i++) t.noteSend(small, -1);
  assert.equal(t.i32[small * I32.stride + I32.maxDepth], 40);
  const deep = t.allocate(3, 0, 0);
  // A flood where the receiver drains 1 message for every 3 sent, up to 30 000 in flight.
  let peak = 0;
  for (let i = 0; i < 45000; i++) {
    t.noteSend(deep, -1);
    if (i % 3 === 0) t.noteDelivery(deep, () => 0);
    peak = Math.max(peak, t.depth(deep));
  }
  const max = t.i32[deep * I32.stride + I32.maxDepth];
  assert.ok(max <= peak && max >= peak - peak / 64, `max ${max} vs true peak ${peak}`);
});

test('call-site sampling: first sends always, then 1 in 64 capped per period; weights add up to the sends', () => {
  // A quiet port: every candidate captures, each standing for the sends since the previous one.
  const quiet = newCaptureState();
  const weights: number[] = [];
  for (let i = 0; i < ALWAYS_CAPTURE + 3 * CAPTURE_ONE_IN; i++) {
    const w = captureWeight(quiet, i); // a new period per send: the cap never bites
    if (w > 0) weights.push(w);
  }
  assert.deepEqual(weights, [...Array<number>(ALWAYS_CAPTURE + 1).fill(1), CAPTURE_ONE_IN, CAPTURE_ONE_IN]);

  // A flood within one period: at most the cap after the first few, and the next period's first
  // capture carries every send skipped in between.
  const flood = newCaptureState();
  const total = ALWAYS_CAPTURE + 20 * CAPTURE_ONE_IN;
  let captures = 0;
  let weighed = 0;
  for (let i = 0; i < total; i++) {
    const w = captureWeight(flood, 7);
    if (w > 0) {
      captures++;
      weighed += w;
    }
  }
  assert.equal(captures, ALWAYS_CAPTURE + CAPTURES_PER_PERIOD);
  const next = newCaptureState();
  Object.assign(next, flood);
  let carried = 0;
  for (let i = 0; i < CAPTURE_ONE_IN && carried === 0; i++) carried = captureWeight(next, 8);
  assert.equal(weighed + carried, next.notableSends, 'every notable send is stood for by exactly one capture');
  assert.ok(carried > CAPTURE_ONE_IN, `the carried weight ${carried} covers the skipped candidates`);
});

test('shared table: a send that threw takes its bytes back, and the largest message unless raised since', () => {
  const t = SharedTable.create();
  const slot = t.allocate(3, 0, 1);
  const at = (field: number): number => t.f64[slot * F64.stride + field];
  t.addBytes(slot, 100, 0);
  const before = t.addBytes(slot, 5000, 64);
  assert.equal(before, 100);
  t.undoBytes(slot, 5000, 64, 5000, before);
  assert.deepEqual([at(F64.bytesCopied), at(F64.bytesTransferred), at(F64.maxMessageBytes)], [100, 0, 100]);
  // A send made while the failing one was being copied (an app getter) raised the max: it stays.
  const prior = t.addBytes(slot, 5000, 0);
  t.addBytes(slot, 9000, 0);
  t.undoBytes(slot, 5000, 0, 5000, prior);
  assert.deepEqual([at(F64.bytesCopied), at(F64.maxMessageBytes)], [9100, 9000]);
  // A sampled send counts for several in the bytes copied, but only its own size is the max.
  const sampledPrior = t.addBytes(slot, 16 * 20_000, 0, 20_000);
  assert.equal(at(F64.maxMessageBytes), 20_000);
  t.undoBytes(slot, 16 * 20_000, 0, 20_000, sampledPrior);
  assert.deepEqual([at(F64.bytesCopied), at(F64.maxMessageBytes)], [9100, 9000]);
});

test('sizing: a port sizes every send until it is quiet, then one in SIZE_EVERY, until a big one', () => {
  const s = newSizingState();
  const small = 100;
  const limit = 4096;
  for (let i = 0; i < QUIET_SENDS; i++) {
    assert.equal(sizingWeight(s), 1, `send ${i} before the port is quiet`);
    noteSized(s, small, limit);
  }
  // Quiet: the weights of a run of sends add up to the run (one sized send stands for the rest).
  const weights: number[] = [];
  for (let i = 0; i < 4 * SIZE_EVERY; i++) {
    const w = sizingWeight(s);
    weights.push(w);
    if (w > 0) noteSized(s, small, limit);
  }
  assert.equal(
    weights.reduce((a, w) => a + w, 0),
    4 * SIZE_EVERY,
  );
  assert.equal(weights.filter((w) => w > 0).length, 4);
  // A sized send at the limit ends the quiet: every send is sized again for QUIET_SENDS sends.
  let w = 0;
  while ((w = sizingWeight(s)) === 0);
  noteSized(s, limit, limit);
  for (let i = 0; i < QUIET_SENDS; i++) {
    assert.equal(sizingWeight(s), 1);
    noteSized(s, small, limit);
  }
  assert.equal(w, SIZE_EVERY);
  assert.ok([0, SIZE_EVERY].includes(sizingWeight(s)), 'quiet again');
});

test('worker options: the preload is re-added only when the app would drop it', () => {
  const agent = '/abs/agent.cjs';
  const opts = { name: 'x' };
  assert.equal(withPreload(opts, agent, [], process.env, SHARE_ENV), opts);
  assert.equal(withPreload({ env: SHARE_ENV }, agent, [], process.env, SHARE_ENV)?.execArgv, undefined);
  assert.deepEqual(withPreload({ execArgv: ['--no-warnings'] }, agent, [], process.env, SHARE_ENV)?.execArgv, [
    '--no-warnings',
    '--require',
    agent,
  ]);
  // A custom env: the preload rides in its NODE_OPTIONS, never in an execArgv Node would re-check.
  const viaEnv = withPreload({ env: { A: '1' } }, agent, ['--max-old-space-size=512'], process.env, SHARE_ENV);
  assert.equal(viaEnv?.execArgv, undefined);
  assert.deepEqual(viaEnv?.env, { A: '1', NODE_OPTIONS: `--require "${agent}"`, [WORKER_ENV_KEY]: 'null' });
  const odd = '/a "b"\\c/agent.cjs';
  const withOwn = withPreload({ env: { NODE_OPTIONS: '--no-warnings' } }, odd, [], process.env, SHARE_ENV);
  assert.equal(
    (withOwn?.env as Record<string, string>).NODE_OPTIONS,
    '--no-warnings --require "/a \\"b\\"\\\\c/agent.cjs"',
  );
  // The process's own flags already carry it (relative paths too): the worker inherits them.
  const inherits = { env: { A: '1' } };
  assert.equal(withPreload(inherits, agent, ['-r', relative(process.cwd(), agent)], process.env, SHARE_ENV), inherits);
  // The worker side puts the app's env back exactly.
  const env: Record<string, string | undefined> = { ...(viaEnv?.env as Record<string, string>) };
  restoreWorkerEnv(env);
  assert.deepEqual(env, { A: '1' });
  const env2: Record<string, string | undefined> = { ...(withOwn?.env as Record<string, string>) };
  restoreWorkerEnv(env2);
  assert.deepEqual(env2, { NODE_OPTIONS: '--no-warnings' });
  const already = { execArgv: ['--require', agent] };
  assert.equal(withPreload(already, agent, [], process.env, SHARE_ENV), already);
});

test('worker names: option, else file name, else [eval]', () => {
  assert.equal(workerName('/a/b/job.js', { name: 'pool-1' }).name, 'pool-1');
  assert.equal(workerName('/a/b/job.js', undefined).name, 'job.js');
  assert.equal(workerName(new URL('file:///a/b/w.mjs'), {}).name, 'w.mjs');
  assert.equal(workerName(new URL('data:text/javascript,import "node:fs"; // a/b'), {}).name, '[data URL]');
  assert.equal(workerName('code()', { eval: true }).name, '[eval]');
});

test('ports in workerData are found in the same order on both sides', () => {
  const { port1, port2 } = new MessageChannel();
  const found = findPorts({ a: [1, { p: port2 }], b: port1 }, (v) => v === port1 || v === port2);
  assert.deepEqual(found, [port2, port1]);
  port1.close();
});

test("BroadcastChannel backlogs count in the receiving isolate's queue depth, once per object", () => {
  const table = SharedTable.create();
  const bt = new BroadcastTable(table.buffers.broadcast, 0);
  const registry = new ChannelRegistry(table, 0, 1);
  const name = bt.indexOf('jobs');
  const a = bt.open(name);
  const b = bt.open(name);
  const noDelivery = () => undefined;
  const ra = new BroadcastReceiver(name, a.instance, a.startSeq, "BroadcastChannel 'jobs'", bt, noDelivery);
  const rb = new BroadcastReceiver(name, b.instance, b.startSeq, "BroadcastChannel 'jobs'", bt, noDelivery);
  registry.registerBroadcast({}, ra);
  registry.registerBroadcastHandle({}, ra); // the same object's internal handle: not a second backlog
  registry.registerBroadcast({}, rb);
  for (let i = 0; i < 3; i++) bt.recordSend(name, 5, a.instance, 0);
  bt.recordSend(name, 6, b.instance, 0);
  // A never receives its own three; B owes three deliveries, A one.
  assert.equal(ra.pending(), 1);
  assert.equal(rb.pending(), 3);
  assert.equal(registry.queueDepth(), 4);
  rb.delivered();
  assert.equal(rb.pending(), 2);
  assert.equal(registry.queueDepth(), 3);
  ra.closed = true; // a closed object's queue is dropped by Node
  assert.equal(registry.queueDepth(), 2);
});

test('registry: a counted port carries its end invisibly (no new keys, no proxy traps) until released', () => {
  const table = SharedTable.create();
  const registry = new ChannelRegistry(table, 0, 1);
  const { port1, port2 } = new MessageChannel();
  const keysBefore = Reflect.ownKeys(port1);
  const end = registry.register(port1, table.allocate(3, 0, 0), -1);
  assert.equal(registry.get(port1), end);
  assert.equal(registry.get(port2), undefined, 'an unregistered port');
  assert.deepEqual(Reflect.ownKeys(port1), keysBefore, 'no key the app could list');
  // A frozen port (frozen after registration, or before) is still found.
  const frozen = Object.freeze(new MessageChannel().port1);
  const frozenEnd = registry.register(frozen, table.allocate(3, 0, 0), -1);
  assert.equal(registry.get(frozen), frozenEnd);
  // Odd receivers the hooks may be handed: nothing throws, no trap runs.
  const traps: string[] = [];
  const proxy = new Proxy(
    {},
    Object.fromEntries(
      ['get', 'has', 'getOwnPropertyDescriptor', 'getPrototypeOf', 'ownKeys'].map((t) => [t, () => traps.push(t)]),
    ),
  );
  for (const odd of [proxy, null, undefined, 5, 'port']) assert.equal(registry.get(odd), undefined);
  assert.deepEqual(traps, []);
  registry.release(port1);
  assert.equal(registry.get(port1), undefined, 'released when transferred away');
  registry.register(port1, end.send, -1);
  assert.notEqual(registry.get(port1), undefined, 'registered again');
  port1.close();
  frozen.close();
});

// Appended tests (transparency fixes). Their imports sit here: ES imports are hoisted.
import { NAME_RING, type BroadcastEntry } from '../../runtime-agent/node/broadcast-table';
import { scanForAppCode } from '../../runtime-agent/node/calibration';
import { findPortsExactly, watchOptions, workerGetsPreload } from '../../runtime-agent/node/worker-options';

test('BroadcastChannel close walks at most NAME_RING ring entries, however many messages the name carried', () => {
  const table = SharedTable.create();
  class CountingTable extends BroadcastTable {
    reads = 0;
    override entry(index: number, seq: number, out: BroadcastEntry): boolean {
      this.reads++;
      return super.entry(index, seq, out);
    }
  }
  const bt = new CountingTable(table.buffers.broadcast, 0);
  const name = bt.indexOf('long-lived');
  const sender = bt.open(name);
  const closing = bt.open(name);
  const r = new BroadcastReceiver(name, closing.instance, closing.startSeq, "BroadcastChannel 'x'", bt, () => {});
  for (let i = 0; i < 3 * NAME_RING; i++) bt.recordSend(name, 7, sender.instance, 0);
  let written = 0;
  r.forEachPending(() => written++);
  assert.equal(written, NAME_RING, 'the messages still in the ring are written off');
  assert.ok(bt.reads <= NAME_RING, `ring reads: ${bt.reads}`);
});

test('ports in workerData pair by position only when the walk saw everything the clone will hold', () => {
  const { port1, port2 } = new MessageChannel();
  const isPort = (v: object) => v === port1 || v === port2;
  assert.deepEqual(findPortsExactly({ a: port1, b: [port2] }, isPort), [port1, port2]);
  const getter = {
    get a() {
      throw new Error('the walk ran a getter');
    },
    b: port2,
  };
  assert.equal(findPortsExactly(getter, isPort), null, 'an accessor: the clone holds a data property there');
  assert.deepEqual(findPorts(getter, isPort), [port2]);
  assert.equal(findPortsExactly({ p: new Proxy({}, {}), b: port2 }, isPort), null, 'a proxy');
  assert.equal(findPortsExactly([port1, port2], isPort, 1), null, 'over the port limit');
  port1.close();
});

test('calibration scans every entry for app code before serializing, not just the sampled ones', () => {
  const big = Array.from({ length: 10_000 }, (_, i) => `item-${i}`);
  assert.equal(scanForAppCode(big), false);
  Object.defineProperty(big, 4321, {
    enumerable: true,
    get() {
      throw new Error('the scan ran a getter');
    },
  });
  assert.equal(scanForAppCode(big), true, 'an accessor no sample would reach');
  assert.equal(scanForAppCode({ m: new Map([[1, { deep: new Proxy({}, {}) }]]) }), true, 'a proxy inside a map');
  const holey = [1, 2, 3];
  delete holey[1];
  assert.equal(scanForAppCode(holey), true, 'a hole (V8 would look it up the prototype chain)');
  assert.equal(scanForAppCode({ e: new Error('x') }), true, 'an error (its stack would be formatted)');
  assert.equal(
    scanForAppCode(
      Array.from({ length: 100 }, () => ({ a: 1 })),
      50,
    ),
    true,
    'over its budget',
  );
  assert.equal(scanForAppCode({ a: [1, 'two', new Uint8Array(4)], s: new Set([1]) }), false);
});

test('worker options view: each of Node reads reaches the app object once, with it as receiver, and the agent reads nothing itself', () => {
  const agent = '/abs/agent.cjs';
  const plan = { agentPath: agent, processExecArgv: [], processEnv: process.env, shareEnv: SHARE_ENV };
  const reads: string[] = [];
  class Options {
    #data = 'private';
    get eval() {
      reads.push('eval');
      return true;
    }
    get workerData() {
      reads.push('workerData');
      return this.#data;
    }
    get execArgv() {
      reads.push('execArgv');
      return ['--no-warnings'];
    }
  }
  const app = new Options();
  const { options, seen } = watchOptions(app, plan);
  assert.deepEqual(reads, [], 'nothing read until Node reads');
  const view = options as Record<string, unknown>;
  assert.deepEqual(view.execArgv, ['--no-warnings', '--require', agent]);
  assert.equal(view.eval, true);
  assert.equal(view.workerData, 'private', 'getters run with the app object as `this`');
  assert.deepEqual(reads, ['execArgv', 'eval', 'workerData']);
  assert.equal(seen.eval, true);
  assert.equal(seen.workerData, 'private');
  assert.equal(workerGetsPreload(seen, plan), true);
  // An env whose NODE_OPTIONS is a getter cannot carry the preload: Node gets it untouched.
  const env = Object.defineProperty({ A: '1' }, 'NODE_OPTIONS', { enumerable: true, get: () => '' });
  const withEnv = watchOptions({ env }, plan);
  assert.equal((withEnv.options as { env: unknown }).env, env);
  assert.equal(workerGetsPreload(withEnv.seen, plan), false);
});

test('records JSON: the same text as JSON.stringify, and no app toJSON runs while one is defined', async () => {
  const { recordsJson } = await import('../../runtime-agent/node/record-json');
  const data = [
    { type: 'sample', n: 1.5, neg: -0, big: 1e21, small: 5e-7, nan: NaN, inf: -Infinity, flag: true, off: false },
    { s: 'quote " backslash \\ newline \n tab \t cr \r bs \b ff \f nul \u0000 us \u001f del \u007f' },
    { s: 'emoji 😀 lone high \ud800 x, lone low \udc00 y, reversed \udc00\ud800, line sep \u2028 é' },
    { gone: undefined, fn: () => 1, list: [1, undefined, null, 'x', [], {}], nested: { a: { b: [{ c: 'd' }] } } },
    { 'key "quoted"': 1, ключ: 2, '': 3 },
  ];
  const expected = JSON.stringify(data);
  assert.equal(recordsJson(data), expected, 'fast path');
  let calls = 0;
  for (const proto of [Object.prototype, Array.prototype, String.prototype]) {
    Object.defineProperty(proto, 'toJSON', {
      value() {
        calls++;
        return 'HIJACKED';
      },
      configurable: true,
      writable: true,
    });
  }
  let written: string;
  try {
    written = recordsJson(data);
  } finally {
    for (const proto of [Object.prototype, Array.prototype, String.prototype])
      delete (proto as { toJSON?: unknown }).toJSON;
  }
  assert.equal(calls, 0);
  assert.equal(written, expected);
});
