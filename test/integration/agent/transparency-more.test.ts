/**
 * More transparency checks: apps that probe what the agent must never show (its option handling,
 * its call-site captures, its hooks' builtins, its listeners and its replacements), each run with
 * and without the agent and compared, plus what the agent recorded meanwhile.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { AgentRecord, ChannelRecord, IsolateStartRecord } from '../../../protocol';
import { runApp, type AppRun, type RunOptions } from '../../helpers/agent-run';
import { startFrameSink, type FrameSink } from '../../helpers/frame-sink';

const apps = join(import.meta.dirname, 'apps');
let sink: FrameSink;
before(async () => {
  sink = await startFrameSink();
});
after(() => sink.close());

/** Node's own warnings carry the process id: `(node:1234)`. */
const withoutPid = (text: string): string => text.replace(/\(node:\d+\)/g, '(node:PID)');

/**
 * Runs `app` without and with the agent (exporting to the sink), asserts the same stdout, stderr
 * and exit code, and returns the agent run's records once its `bye` arrived.
 */
async function compare(
  app: string,
  opts: Pick<RunOptions, 'nodeArgs' | 'viaNodeOptions' | 'env'> = {},
): Promise<{ plain: AppRun; records: AgentRecord[] }> {
  const file = join(apps, app);
  const plain = await runApp(file, { ...opts, agent: false });
  const agent = await runApp(file, { ...opts, agent: true, sink, timeoutMs: 30_000 });
  assert.equal(agent.stdout, plain.stdout, `${app}: stdout`);
  assert.equal(withoutPid(agent.stderr), withoutPid(plain.stderr), `${app}: stderr`);
  assert.equal(agent.code, plain.code, `${app}: exit code`);
  await sink.waitForBye(agent.pid);
  const prefix = `${agent.pid}:`;
  const records = sink.records().filter((r) => {
    const id = r.type === 'channel' ? r.channelId : r.isolateId;
    return id.startsWith(prefix);
  });
  return { plain, records };
}

function mainStart(records: AgentRecord[]): IsolateStartRecord {
  const main = records.find((r): r is IsolateStartRecord => r.type === 'isolate-start' && r.kind === 'main');
  assert.ok(main, 'main isolate recorded');
  return main;
}

function workerStart(records: AgentRecord[], name: string): IsolateStartRecord {
  const found = records.filter((r): r is IsolateStartRecord => r.type === 'isolate-start' && r.name === name);
  assert.equal(found.length, 1, `one isolate named ${name}`);
  return found[0]!;
}

/** The last record of each channel sent from `isolateId`. */
function channelsFrom(records: AgentRecord[], isolateId: string): ChannelRecord[] {
  const last = new Map<string, ChannelRecord>();
  for (const r of records) if (r.type === 'channel' && r.fromIsolateId === isolateId) last.set(r.channelId, r);
  return [...last.values()];
}

for (const viaNodeOptions of [false, true]) {
  test(`worker options reach Node as the app gave them: inherited, non-enumerable, private-field getters, proxies, frozen; getters run as often as without the agent (${viaNodeOptions ? 'NODE_OPTIONS' : '--require'})`, async () => {
    const { plain, records } = await compare('qa-worker-options.cjs', { viaNodeOptions });
    // The app really exercised the cases (a broken worker prints `throws`/`error` lines instead).
    assert.doesNotMatch(plain.stdout, / (throws|error) /);
    assert.match(plain.stdout, /class-instance message \{"wd":\{"hi":1\},"argv":\["--no-warnings"\]/);
    assert.match(plain.stdout, /non-enumerable message \{"wd":9,/);
    assert.match(plain.stdout, /getters-execArgv reads \{"execArgv":3,"eval":1,"name":3\}/);
    assert.match(plain.stdout, /proxy traps get:execArgv get:execArgv get:argv get:eval /);
    // Every worker ran with the agent (its worker → parent link was counted from inside), except the
    // one whose env hides NODE_OPTIONS behind a getter when only NODE_OPTIONS carries the preload.
    const workers = records.filter((r): r is IsolateStartRecord => r.type === 'isolate-start' && r.kind === 'worker');
    assert.equal(workers.length, 11);
    const instrumented = workers.filter((w) => channelsFrom(records, w.isolateId).some((c) => c.sent === 1));
    assert.equal(instrumented.length, viaNodeOptions ? 10 : 11);
  });
}

test('BroadcastChannel sends, deliveries and close call none of the builtins the app replaced', async () => {
  const { plain } = await compare('qa-bc-builtins.cjs');
  assert.match(plain.stdout, /received 4 builtins called \{\}/);
});

test('under --frozen-intrinsics the worker and the oversized messages are still recorded', async () => {
  const { plain, records } = await compare('qa-frozen-intrinsics.cjs', { nodeArgs: ['--frozen-intrinsics'] });
  assert.match(plain.stdout, /worker exit 0 frozen Error true/);
  const worker = workerStart(records, 'frozen-worker');
  assert.equal(worker.spawnSite, null, 'no call site: Error cannot be touched');
  const main = mainStart(records);
  assert.equal(worker.parentId, main.isolateId);
  const notable = records.filter((r) => r.type === 'message' && r.isolateId === main.isolateId);
  assert.equal(notable.length, 3);
  assert.ok(records.some((r) => r.type === 'isolate-exit' && r.isolateId === worker.isolateId && r.exitCode === 0));
});

test("call-site captures leave Error's properties alone: no app accessor or prepareStackTrace runs, a deleted one stays deleted", async () => {
  const { plain, records } = await compare('qa-error-props.cjs');
  assert.match(plain.stdout, /accessor calls \{"prepareGet":0,"prepareSet":0,"limitGet":0,"limitSet":0\}/);
  const deleted = plain.stdout.split('\n').find((l) => l.startsWith('deleted '));
  assert.ok(deleted?.includes('"prepareStackTrace"') && !deleted.includes('stackTraceLimit'), deleted);
  // Captures still happen where the properties are plain data (or absent).
  const sites = records.filter((r) => r.type === 'message' && r.callSite?.file.endsWith('qa-error-props.cjs'));
  assert.ok(sites.length >= 6, `call sites of the notable sends: ${sites.length}`);
});

test('shapes of notable messages are described without running length/size/byteLength/constructor/name getters', async () => {
  const { plain, records } = await compare('qa-shape-getters.cjs');
  assert.match(plain.stdout, /calls during sends \[\]/);
  const shapes = records.flatMap((r) => (r.type === 'message' ? [r.shape] : []));
  for (const shape of [
    'Map(2000)',
    'Uint8Array(100000)',
    '{px: Uint8Array(100000), big: string}',
    'ArrayBuffer(100000)',
  ]) {
    assert.ok(shapes.includes(shape), `${shape} in ${JSON.stringify(shapes)}`);
  }
});

test('calibration never serializes a message whose unsampled entries hold a getter', async () => {
  const { plain } = await compare('qa-calibration-getter.cjs');
  assert.match(plain.stdout, /getter calls after array send 1\ngetter calls after object send 2/);
});

test('BroadcastChannel#postMessage() without an argument throws ERR_MISSING_ARGS and is not counted', async () => {
  const { plain, records } = await compare('qa-bc-noargs.cjs');
  assert.match(plain.stdout, /threw ERR_MISSING_ARGS\nreceived \["real"\]/);
  const bc = records.filter(
    (r): r is ChannelRecord => r.type === 'channel' && r.label === "BroadcastChannel 'no-args'",
  );
  assert.ok(bc.length > 0);
  assert.equal(bc[bc.length - 1]!.sent, 1);
});

test("a Worker's overrides, a wrapped EventEmitter.prototype.on and the app's newListener/removeListener listeners never see the agent", async () => {
  const { plain, records } = await compare('qa-worker-events.cjs');
  assert.match(plain.stdout, /exit listeners 0 events \["newListener","removeListener"\]/);
  // Terminated: only the parent can have recorded this exit.
  const worker = workerStart(records, 'events-worker');
  assert.ok(records.some((r) => r.type === 'isolate-exit' && r.isolateId === worker.isolateId && r.exitCode === 1));
});

test('ports in workerData are paired with their channels only when the walk saw workerData as its clone', async () => {
  const { plain, records } = await compare('qa-workerdata-ports.cjs');
  assert.match(plain.stdout, /app counted \{"A":5,"B":3,"C":5,"D":3\}/);
  // Port A came through a getter: no pairing by position, so no channel gets another port's sends.
  const getter = workerStart(records, 'getter-port');
  for (const c of channelsFrom(records, getter.isolateId)) {
    assert.ok(c.label !== 'MessageChannel' || c.sent === c.delivered, JSON.stringify(c));
  }
  const data = workerStart(records, 'data-ports');
  const counted = channelsFrom(records, data.isolateId)
    .filter((c) => c.label === 'MessageChannel')
    .map((c) => [c.sent, c.delivered]);
  assert.deepEqual(
    counted.sort((x, y) => x[0]! - y[0]!),
    [
      [3, 3],
      [5, 5],
    ],
  );
});

test('the replaced classes look like the originals (keys, prototypes, inspect, constructor, no-new errors) and leave no global', async () => {
  const { plain, records } = await compare('qa-visible.cjs');
  assert.match(plain.stdout, /isNative\(MessageChannel\) true/);
  assert.match(plain.stdout, /MessageChannel own names \["length","name","arguments","caller","prototype"\]/);
  assert.match(plain.stdout, /MessageChannel without new TypeError ERR_CONSTRUCT_CALL_REQUIRED/);
  assert.match(plain.stdout, /subclass true true true true true/);
  // The agent's ~51 MB of shared tables are not the app's array buffers.
  const main = mainStart(records);
  const samples = records.filter((r) => r.type === 'sample' && r.isolateId === main.isolateId);
  assert.ok(samples.length > 0);
  for (const s of samples) assert.ok(s.type === 'sample' && s.arrayBuffersBytes < 4 * 1024 * 1024, JSON.stringify(s));
});

test('ports the app let go of are collected with the agent as without it (FinalizationRegistry sees both)', async () => {
  const { plain, records } = await compare('dropped-port.cjs', { nodeArgs: ['--expose-gc'] });
  assert.equal(plain.stdout.trim(), 'REPORT {"finalized":2}');
  const main = mainStart(records);
  // The exchange was counted: the hooks looked the ports up, and still did not keep them.
  assert.ok(
    channelsFrom(records, main.isolateId).some(
      (c) => c.label === 'MessageChannel' && c.sent === 1 && c.delivered === 1,
    ),
    JSON.stringify(channelsFrom(records, main.isolateId)),
  );
});
