import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runApp } from '../../helpers/agent-run';
import { startFrameSink, type FrameSink } from '../../helpers/frame-sink';

const app = join(import.meta.dirname, 'apps', 'transparency.cjs');
let sink: FrameSink;
before(async () => {
  sink = await startFrameSink();
});
after(() => sink.close());
/** Pids of the agent runs, whose records the last test inspects. */
const agentPids: number[] = [];

for (const mode of ['exitcode', 'exit'] as const) {
  test(`same stdout, stderr, exit code, DataCloneErrors and detaching with and without the agent (${mode})`, async () => {
    const plain = await runApp(app, { agent: false, args: [mode] });
    // A hung exit fails here (runApp rejects at the timeout). The exit wait's own bound is not
    // compared in wall time: on a loaded 2-core machine a run took 2.9 s vs 0.9 s without any hang.
    const agent = await runApp(app, { agent: true, sink, args: [mode], timeoutMs: 30_000 });
    agentPids.push(agent.pid);
    assert.equal(plain.code, mode === 'exit' ? 5 : 7);
    assert.equal(agent.code, plain.code);
    assert.equal(agent.stdout, plain.stdout);
    assert.equal(agent.stderr, plain.stderr);
    // The app really exercised what we compare (the assertions above would pass on empty output).
    assert.match(plain.stdout, /function: DOMException DataCloneError code=25/);
    assert.match(plain.stdout, /detached 0 0 0/);
    assert.match(plain.stdout, /via transferred port 0,1,2/);
    assert.match(plain.stdout, /worker exit code 3/);
    assert.match(plain.stdout, /index getter: Error Error code=undefined "first read fails"/);
    assert.match(plain.stdout, /walks ran app code 1 1/);
    assert.match(
      plain.stdout,
      /replaced builtins called \{"now":0,"call":0,"floor":0,"setHas":0,"mapGet":0,"mapSet":0,"arrayIterator":0,"stringify":0,"isView":0,"setAdd":0,"push":0,"weakSetHas":0,"weakSetAdd":0,"latin1Slice":0\}/,
    );
  });
}

test('at exit the agent waits for its exporter only until the final records are out, never to its bound', async () => {
  // Wall time is not compared (see above); what would make the app exit late is the exit hook
  // waiting out its bound, and the agent's debug log says which way the wait ended.
  const run = await runApp(app, { agent: true, sink, args: ['exitcode'], env: { ISOSCOPE_DEBUG: '1' } });
  assert.equal(run.code, 7);
  assert.match(run.stderr, /exit: exporter finished in \d+\.\d ms/);
  assert.doesNotMatch(run.stderr, /did not finish/);
  await sink.waitForBye(run.pid);
});

test('the agent counted the transparency app without rejected frames', async () => {
  assert.equal(agentPids.length, 2, 'both agent runs happened');
  for (const pid of agentPids) await sink.waitForBye(pid);
  assert.deepEqual(sink.rejected, []);
  const records = sink.records();
  const echo = records.find((r) => r.type === 'isolate-start' && r.name === 'echo');
  assert.ok(echo && echo.type === 'isolate-start');
  const exit = records.find((r) => r.type === 'isolate-exit' && r.isolateId === echo.isolateId);
  assert.ok(exit && exit.type === 'isolate-exit');
  assert.equal(exit.exitCode, 3);
  // The port transferred to the worker kept being counted there: 3 sends from the worker's side.
  const viaPort = records.filter(
    (r) => r.type === 'channel' && r.label === 'MessageChannel' && r.fromIsolateId === echo.isolateId,
  );
  assert.ok(
    viaPort.some((r) => r.type === 'channel' && r.sent === 3 && r.delivered === 3),
    JSON.stringify(viaPort),
  );
});
