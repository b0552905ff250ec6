import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { AgentRecord, IsolateStartRecord } from '../../../protocol';
import { appReport, runApp } from '../../helpers/agent-run';
import { startFrameSink, type FrameSink } from '../../helpers/frame-sink';

const apps = join(import.meta.dirname, 'apps');
let sink: FrameSink;
before(async () => {
  sink = await startFrameSink();
});
after(() => sink.close());

function starts(records: AgentRecord[]): IsolateStartRecord[] {
  return records.filter((r): r is IsolateStartRecord => r.type === 'isolate-start');
}

function byName(records: AgentRecord[], name: string): IsolateStartRecord {
  const found = starts(records).filter((r) => r.name === name);
  assert.equal(found.length, 1, `exactly one isolate named ${name}; got ${starts(records).map((r) => r.name)}`);
  return found[0];
}

/**
 * No periodic sample during these runs, so each instrumented isolate sends exactly two samples
 * from inside: one at start-up and the final one at its exit. Counting both proves the final
 * sample survives the thread's end, however short its life.
 */
const ONLY_START_AND_EXIT_SAMPLES = { ISOSCOPE_SAMPLE_MS: '600000' };

function samplesOf(records: AgentRecord[], isolateId: string): number {
  return records.filter((r) => r.type === 'sample' && r.isolateId === isolateId).length;
}

function pidOf(records: AgentRecord[]): string {
  const main = starts(records).find((r) => r.kind === 'main');
  assert.ok(main, 'main isolate recorded');
  return main.isolateId;
}

test('CJS app: every kind of worker is recorded with name, parent, start and exit', async () => {
  const before = sink.frames.length;
  const run = await runApp(join(apps, 'lifecycle.cjs'), { agent: true, sink, env: ONLY_START_AND_EXIT_SAMPLES });
  assert.equal(run.code, 0, run.stderr);
  await sink.waitForBye(run.pid);
  assert.deepEqual(sink.rejected, []);
  const records = sink.frames.slice(before).flatMap((f) => (f.type === 'batch' ? f.records : []));
  const mainId = pidOf(records);
  assert.equal(byName(records, 'lifecycle.cjs').kind, 'main');
  const report = appReport<{ workers: number; messages: number }>(run.stdout);

  const expectParent: Record<string, string> = {
    'named-one': mainId,
    'hello-worker.cjs': mainId,
    'nest-parent': mainId,
    'eval-named': mainId,
    '[eval]': mainId,
    'custom-argv': mainId,
    'empty-env': mainId,
  };
  for (let i = 0; i < 5; i++) expectParent[`short-${i}`] = mainId;
  expectParent['nest-child'] = byName(records, 'nest-parent').isolateId;
  assert.equal(Object.keys(expectParent).length, report.workers + 1);

  for (const [name, parentId] of Object.entries(expectParent)) {
    const start = byName(records, name);
    assert.equal(start.kind, 'worker');
    assert.equal(start.parentId, parentId, `${name} parent`);
    const exit = records.find((r) => r.type === 'isolate-exit' && r.isolateId === start.isolateId);
    assert.ok(exit && exit.type === 'isolate-exit', `${name} has an exit record`);
    assert.equal(exit.exitCode, 0, `${name} exit code`);
    assert.ok(exit.atMs >= start.atMs, `${name} exits after it starts`);
    // Samples come only from the agent inside the worker: this proves the preload survived
    // custom execArgv, env: {}, eval and nesting, and that the exit-time sample was delivered.
    assert.equal(samplesOf(records, start.isolateId), 2, `${name} was instrumented from inside (start + exit samples)`);
  }
  assert.equal(byName(records, 'hello-worker.cjs').scriptPath, join(apps, 'hello-worker.cjs'));
  // Workers with their own execArgv still see only what they asked for (+ the preload).
  assert.ok(run.stdout.includes('REPORT'));
});

test('ESM app: named imports get the instrumented Worker and MessageChannel', async () => {
  const before = sink.frames.length;
  const run = await runApp(join(apps, 'lifecycle.mjs'), { agent: true, sink, env: ONLY_START_AND_EXIT_SAMPLES });
  assert.equal(run.code, 0, run.stderr);
  await sink.waitForBye(run.pid);
  const records = sink.frames.slice(before).flatMap((f) => (f.type === 'batch' ? f.records : []));
  const mainId = pidOf(records);
  for (const name of ['esm-named', 'hello-worker.cjs']) {
    const start = byName(records, name);
    assert.equal(start.parentId, mainId);
    assert.ok(records.some((r) => r.type === 'isolate-exit' && r.isolateId === start.isolateId));
    assert.equal(samplesOf(records, start.isolateId), 2, `${name}: start + exit samples`);
  }
  assert.equal(samplesOf(records, mainId), 2, 'main thread: start + exit samples');
  assert.equal(appReport<{ got: number }>(run.stdout).got, 1);
  const sameThread = records.filter(
    (r) => r.type === 'channel' && r.label === 'MessageChannel' && r.fromIsolateId === mainId && r.sent === 1,
  );
  assert.ok(sameThread.length >= 1, 'the MessageChannel send was counted');
  assert.ok(sameThread.some((r) => r.type === 'channel' && r.delivered === 1));
});

test('node -e: the main isolate is named [eval] (as Node names it), not the Node binary', async () => {
  const before = sink.frames.length;
  const code = "new (require('node:worker_threads').Worker)('0', { eval: true, name: 'from-eval' })";
  const run = await runApp('-e', { agent: true, sink, args: [code], env: ONLY_START_AND_EXIT_SAMPLES });
  assert.equal(run.code, 0, run.stderr);
  await sink.waitForBye(run.pid);
  const records = sink.frames.slice(before).flatMap((f) => (f.type === 'batch' ? f.records : []));
  const main = byName(records, '[eval]');
  assert.equal(main.kind, 'main');
  assert.equal(byName(records, 'from-eval').parentId, main.isolateId);
});

test('a worker with its own env, agent in NODE_OPTIONS and a process-wide flag: starts, is instrumented, sees its env', async () => {
  const app = join(apps, 'env-worker.cjs');
  const nodeArgs = ['--max-old-space-size=512'];
  const plain = await runApp(app, { agent: false, nodeArgs });
  assert.equal(plain.code, 0, plain.stderr);
  const before = sink.frames.length;
  const run = await runApp(app, {
    agent: true,
    viaNodeOptions: true,
    sink,
    nodeArgs,
    env: ONLY_START_AND_EXIT_SAMPLES,
  });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, plain.stdout);
  assert.deepEqual(appReport(run.stdout), { env: ['A'], nodeOptions: null });
  await sink.waitForBye(run.pid);
  const records = sink.frames.slice(before).flatMap((f) => (f.type === 'batch' ? f.records : []));
  const worker = byName(records, 'env-worker');
  assert.equal(samplesOf(records, worker.isolateId), 2, 'the agent ran inside the worker (start + exit samples)');
});

test('a worker terminated right after an oversized send still reports it (ledger record and call site)', async () => {
  const before = sink.frames.length;
  const run = await runApp(join(apps, 'terminated-sender.cjs'), {
    agent: true,
    sink,
    env: ONLY_START_AND_EXIT_SAMPLES,
  });
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(appReport(run.stdout), { bytes: 80_000 });
  await sink.waitForBye(run.pid);
  const records = sink.frames.slice(before).flatMap((f) => (f.type === 'batch' ? f.records : []));
  const calc = byName(records, 'calc');
  const sent = records.filter((r) => r.type === 'message' && r.isolateId === calc.isolateId);
  assert.equal(sent.length, 1, "the worker's one oversized send reached the collector");
  assert.ok(sent[0]!.type === 'message' && sent[0]!.bytes >= 80_000);
  const site = records.find((r) => r.type === 'call-site' && r.isolateId === calc.isolateId);
  assert.ok(site, 'its call site too');
});

test('messages a closed port discarded no longer count as queued (final sample and channel depth 0)', async () => {
  const before = sink.frames.length;
  const run = await runApp(join(apps, 'closed-queue.cjs'), { agent: true, sink, env: ONLY_START_AND_EXIT_SAMPLES });
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(appReport(run.stdout), { queued: 1000 });
  await sink.waitForBye(run.pid);
  const records = sink.frames.slice(before).flatMap((f) => (f.type === 'batch' ? f.records : []));
  const main = pidOf(records);
  const samples = records.filter((r) => r.type === 'sample' && r.isolateId === main);
  const last = samples.at(-1);
  assert.ok(last && last.type === 'sample');
  assert.equal(last.queueDepth, 0);
  const channel = records.filter((r) => r.type === 'channel' && r.label === 'MessageChannel' && r.sent === 1000).at(-1);
  assert.ok(channel && channel.type === 'channel', 'the channel was counted');
  assert.equal(channel.delivered, 0);
  assert.equal(channel.depth, 0);
});

test('a port the agent cannot pair in the worker (a getter in workerData) leaves no phantom queue in the parent', async () => {
  const before = sink.frames.length;
  const run = await runApp(join(apps, 'getter-port-sends.cjs'), {
    agent: true,
    sink,
    env: ONLY_START_AND_EXIT_SAMPLES,
  });
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(appReport(run.stdout), { received: 50 });
  await sink.waitForBye(run.pid);
  const records = sink.frames.slice(before).flatMap((f) => (f.type === 'batch' ? f.records : []));
  const channels = records.filter((r) => r.type === 'channel' && r.label === 'MessageChannel');
  assert.ok(channels.length > 0, 'the parent counted its end of the channel');
  for (const c of channels) assert.ok(c.type === 'channel' && c.depth === 0, JSON.stringify(c));
  const main = pidOf(records);
  const last = records.filter((r) => r.type === 'sample' && r.isolateId === main).at(-1);
  assert.ok(last && last.type === 'sample');
  assert.equal(last.queueDepth, 0);
});

test('a port that moves to a worker right after a delivery keeps its channel: the messages waiting for the worker count as queued', async () => {
  const before = sink.frames.length;
  const run = await runApp(join(apps, 'recent-delivery.cjs'), { agent: true, sink });
  assert.equal(run.code, 0, run.stderr);
  const app = appReport<{ queued: number; received: number }>(run.stdout);
  assert.equal(app.received, app.queued);
  await sink.waitForBye(run.pid);
  const records = sink.frames.slice(before).flatMap((f) => (f.type === 'batch' ? f.records : []));
  // The port1 → port2 channel: 'first' plus the queued messages; while the worker was busy, they waited.
  const channel = records.filter(
    (r) => r.type === 'channel' && r.label === 'MessageChannel' && r.sent === app.queued + 1,
  );
  assert.ok(channel.length > 0, JSON.stringify(records.filter((r) => r.type === 'channel')));
  const deepest = Math.max(...channel.map((r) => (r.type === 'channel' ? r.depth : 0)));
  assert.equal(deepest, app.queued);
});
