import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RELAYED_SIGNALS, runExitCode, signalPlan } from '../../extension/cli/run-command';
import { portProblem } from '../../extension/cli/usage';
import { evaluateGates } from '../../extension/core/report/gates';
import { IsolateModel } from '../../extension/core/model/model';

const relayed = (plan: ReturnType<typeof signalPlan>) => RELAYED_SIGNALS.filter((s) => plan.relays(s));

test('signals: with a terminal the program shares its group and gets only what the terminal does not send it', () => {
  const shell = signalPlan({ controllingTerminal: true, sessionLeader: false }, 'linux');
  assert.equal(shell.ownGroup, false);
  assert.deepEqual(relayed(shell), ['SIGTERM']);
  // Isoscope leading the session (ssh -t, script -c, a terminal running it directly) gets the hang-up alone.
  const leader = signalPlan({ controllingTerminal: true, sessionLeader: true }, 'linux');
  assert.deepEqual(relayed(leader), ['SIGTERM', 'SIGHUP']);
});

test('signals: without a terminal the program gets its own group and every signal is relayed once', () => {
  const ci = signalPlan({ controllingTerminal: false, sessionLeader: false }, 'linux');
  assert.equal(ci.ownGroup, true);
  assert.deepEqual(relayed(ci), [...RELAYED_SIGNALS]);
  const windows = signalPlan({ controllingTerminal: false, sessionLeader: false }, 'win32');
  assert.equal(windows.ownGroup, false, 'a detached child on Windows would get a console of its own');
});

test("exit code: a failing program's own code wins; a 0 becomes 3 for a failed gate, 1 for an unwritten report", () => {
  assert.equal(runExitCode(0, false, true), 0);
  assert.equal(runExitCode(0, true, true), 3);
  assert.equal(runExitCode(0, true, false), 3);
  assert.equal(runExitCode(0, false, false), 1);
  assert.equal(runExitCode(1, true, true), 1);
  assert.equal(runExitCode(143, true, false), 143);
  assert.equal(runExitCode(7, false, false), 7);
});

test('a --port that cannot be listened on gets one line saying what to do; other errors are not its business', () => {
  const inUse = Object.assign(new Error('listen EADDRINUSE: address already in use 127.0.0.1:8080'), {
    code: 'EADDRINUSE',
  });
  assert.equal(
    portProblem(8080, inUse),
    'port 8080 is in use (another program is listening on it); pick another with --port N, or leave --port out for any free port',
  );
  assert.match(portProblem(80, Object.assign(new Error('x'), { code: 'EACCES' })) ?? '', /^port 80 cannot be used/);
  assert.equal(portProblem(8080, new Error('something else')), null);
});

test('gates fail when nothing was profiled, even though the empty report is under every limit', () => {
  const report = new IsolateModel().toReport();
  const limits = { maxMessageBytes: 1024, maxQueueDepth: 10 };
  assert.deepEqual(
    evaluateGates(report, limits).map((g) => g.passed),
    [true, true],
  );
  assert.deepEqual(
    evaluateGates(report, limits, { profiled: false }).map((g) => g.passed),
    [false, false],
  );
});

test('the report ends at the given end time: a session still open then does not stretch durationMs', () => {
  let now = 10_000;
  const model = new IsolateModel({ nowMs: () => now });
  model.openSession({
    id: 'node:1',
    runtime: 'node',
    label: 'main',
    pid: 1,
    startedAtMs: 10_000,
    runtimeVersion: 'v20',
  });
  model.openSession({
    id: 'node:2',
    runtime: 'node',
    label: 'daemon',
    pid: 2,
    startedAtMs: 10_500,
    runtimeVersion: 'v20',
  });
  model.closeSession('node:1', 12_000);
  now = 15_000;
  assert.equal(model.toReport({ endedAtMs: 12_000 }).durationMs, 2_000);
  assert.equal(model.toReport().durationMs, 5_000, 'without an end time, open sessions end now');
});
