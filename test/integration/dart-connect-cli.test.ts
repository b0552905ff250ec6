// `isoscope connect` (contract 4) as a real child process against the scripted VM-service peer,
// which answers from spec-derived fixtures over a real socket. It is NOT a Dart VM (no SDK here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Report } from '../../protocol';
import { startScriptedVmService } from '../helpers/scripted-vm-service';

// ISOSCOPE_CLI points at another build of the CLI (e.g. one built outside the shared dist/).
const cli = process.env.ISOSCOPE_CLI ?? join(__dirname, '..', '..', 'dist', 'cli.cjs');
const hasPythonPty = spawnSync('python3', ['-c', 'import pty']).status === 0;

interface Run {
  code: Promise<number | null>;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the inspector URL once the CLI printed it. */
  url: Promise<string>;
  kill(signal: NodeJS.Signals): void;
  /** Runs `fn` once, in the stderr data event in which stderr first matches `pattern` (no polling delay). */
  onStderr(pattern: RegExp, fn: () => void): void;
}

function runCli(args: string[]): Run {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let gotUrl: (u: string) => void = () => undefined;
  const url = new Promise<string>((r) => (gotUrl = r));
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    const m = /Isoscope inspector: (http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]+\/)/.exec(out);
    if (m) gotUrl(m[1]!);
  });
  const stderrWatchers: { pattern: RegExp; fn: () => void }[] = [];
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
    for (const w of [...stderrWatchers]) {
      if (!w.pattern.test(err)) continue;
      stderrWatchers.splice(stderrWatchers.indexOf(w), 1);
      w.fn();
    }
  });
  // A hung CLI fails the test instead of hanging the suite.
  const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code = new Promise<number | null>((r) =>
    child.on('exit', (c) => {
      clearTimeout(guard);
      r(c);
    }),
  );
  return {
    code,
    stdout: () => out,
    stderr: () => err,
    url,
    kill: (s) => child.kill(s),
    onStderr: (pattern, fn) => stderrWatchers.push({ pattern, fn }),
  };
}

test('connect: bad usage exits 2 with the usage text', async () => {
  for (const args of [
    ['connect'],
    ['connect', 'not-a-uri'],
    ['connect', 'http://127.0.0.1:1/t=/', '--duration', 'x'],
  ]) {
    const run = runCli(args);
    assert.equal(await run.code, 2, args.join(' '));
    assert.match(run.stderr(), /Usage:/);
  }
});

test('connect: a wrong token is a clear error and exit 1, not a hang (spec-derived peer)', async () => {
  const peer = await startScriptedVmService({ token: 'R1ght=' });
  try {
    const run = runCli(['connect', `http://127.0.0.1:${peer.port}/Wr0ng=/`]);
    assert.equal(await run.code, 1);
    assert.match(run.stderr(), /refused the connection \(HTTP 403\).*auth token/);
    assert.equal(run.stdout(), '', 'no inspector is served for a VM we could not attach to');
  } finally {
    await peer.close();
  }
});

test('connect --duration writes the report with the Dart isolates (spec-derived peer)', async () => {
  const peer = await startScriptedVmService();
  const dir = mkdtempSync(join(tmpdir(), 'isoscope-connect-'));
  try {
    const reportPath = join(dir, 'sub', 'report.json');
    const run = runCli(['connect', peer.wsUri, '--duration', '1.5', '--report', reportPath, '--port', '0']);
    assert.match(await run.url, /^http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{24}\/$/);
    assert.equal(await run.code, 0, run.stderr());
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as Report;
    assert.equal(report.schema, 'isoscope-report/1');
    assert.equal(report.runtime, 'dart');
    assert.deepEqual(report.isolates.map((i) => i.name).sort(), ['image-decoder', 'main']);
    assert.ok(report.isolates.every((i) => i.heapUsedBytesMax > 0));
    assert.ok(report.isolates.some((i) => i.maxQueueDepth === 2));
    assert.match(run.stderr(), /detaching: duration elapsed/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await peer.close();
  }
});

test('connect writes the report when the VM goes away, and on Ctrl-C (spec-derived peer)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'isoscope-connect-'));
  const peer = await startScriptedVmService();
  try {
    const gonePath = join(dir, 'gone.json');
    const run = runCli(['connect', peer.httpUri, '--report', gonePath]);
    await run.url;
    await waitFor(() => peer.count('getStack') >= 2);
    await peer.close();
    assert.equal(await run.code, 0, run.stderr());
    assert.match(run.stderr(), /the VM went away/);
    const gone = JSON.parse(readFileSync(gonePath, 'utf8')) as Report;
    assert.ok(
      gone.isolates.every((i) => i.exitedAtMs !== null),
      'isolates end with the VM',
    );

    const peer2 = await startScriptedVmService();
    const intPath = join(dir, 'int.json');
    const run2 = runCli(['connect', peer2.httpUri, '--report', intPath]);
    await run2.url;
    await waitFor(() => peer2.count('getStack') >= 2);
    run2.kill('SIGINT');
    assert.equal(await run2.code, 0, run2.stderr());
    assert.match(run2.stderr(), /detaching: interrupted/);
    assert.equal((JSON.parse(readFileSync(intPath, 'utf8')) as Report).isolates.length, 2);
    await waitFor(() => peer2.connectionCount === 0);
    await peer2.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('connect: Ctrl-C while the VM has stopped answering detaches promptly and still writes the report (spec-derived peer)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'isoscope-connect-'));
  const peer = await startScriptedVmService();
  try {
    const reportPath = join(dir, 'frozen.json');
    const run = runCli(['connect', peer.httpUri, '--report', reportPath]);
    await run.url;
    await waitFor(() => peer.count('getStack') >= 2);
    peer.freeze();
    const frozenAt = peer.requests.length;
    await waitFor(() => peer.requests.length > frozenAt); // a poll is now waiting for an answer
    const t0 = Date.now();
    run.kill('SIGINT');
    assert.equal(await run.code, 0, run.stderr());
    const tookMs = Date.now() - t0;
    // The old CLI waited out the 10 s request timeout first.
    assert.ok(tookMs < 3000, `exit took ${tookMs} ms`);
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as Report;
    assert.deepEqual(report.isolates.map((i) => i.name).sort(), ['image-decoder', 'main']);
    assert.ok(
      report.isolates.every((i) => i.heapUsedBytesMax > 0),
      'the samples gathered are in the report',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await peer.close();
  }
});

test('connect: a busy --port is a one-line error and exit 2 (as for run), before touching the VM (spec-derived peer)', async () => {
  const peer = await startScriptedVmService();
  const busy = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  const port = (busy.address() as { port: number }).port;
  try {
    const run = runCli(['connect', peer.httpUri, '--port', String(port)]);
    assert.equal(await run.code, 2);
    const lines = run.stderr().trim().split('\n');
    assert.equal(lines.length, 1, run.stderr());
    assert.match(lines[0]!, new RegExp(`port ${port} is (already )?in use`));
    assert.doesNotMatch(run.stderr(), /\n\s+at /, 'no stack trace');
    assert.equal(run.stdout(), '');
    assert.equal(peer.requests.length, 0, 'the VM is not attached for nothing');
  } finally {
    await new Promise<void>((r) => busy.close(() => r()));
    await peer.close();
  }
});

async function waitFor(cond: () => boolean, limitMs = 30_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('connect: names and errors from the VM reach the terminal without escape sequences, each line cut', async () => {
  const peer = await startScriptedVmService();
  peer.isolates.clear();
  peer.addIsolate('isolates/1', 'evil\u001b[31mRED\u001b]0;TITLE\u0007');
  peer.on('getPorts', () => ({ error: { code: 113, message: `boom \u001b[41m${'E'.repeat(200_000)}` } }));
  const dir = mkdtempSync(join(tmpdir(), 'isoscope-dart-qa-'));
  try {
    const run = runCli(['connect', peer.httpUri, '--duration', '1.5', '--report', join(dir, 'r.json')]);
    assert.equal(await run.code, 0, run.stderr().slice(0, 2000));
    const stderr = run.stderr();
    // eslint-disable-next-line no-control-regex -- the point: no control character reaches the terminal
    assert.doesNotMatch(stderr, /[\u0000-\u0008\u000b-\u001f\u007f]/, 'no control characters but line ends');
    assert.match(stderr, /⟨U\+001B⟩/, 'shown as code points');
    for (const line of stderr.split('\n')) assert.ok(line.length < 2200, `a ${line.length}-character line`);
    const report = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as Report;
    assert.equal(
      report.isolates[0]!.name,
      'evil\u001b[31mRED\u001b]0;TITLE\u0007',
      'the report keeps the name as given',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await peer.close();
  }
});

test('connect: a duration past 24.8 days waits (setTimeout would fire at once); an empty --report or --port is bad usage', async () => {
  const peer = await startScriptedVmService();
  const dir = mkdtempSync(join(tmpdir(), 'isoscope-dart-qa-'));
  try {
    for (const args of [
      ['--report', ''],
      ['--port', ''],
      ['--duration', ''],
    ]) {
      const bad = runCli(['connect', peer.httpUri, ...args]);
      assert.equal(await bad.code, 2, `${args.join(' ')}: ${bad.stderr()}`);
    }
    const reportPath = join(dir, 'r.json');
    const run = runCli(['connect', peer.httpUri, '--duration', '2500000', '--report', reportPath]);
    let exited = false;
    void run.code.then(() => (exited = true));
    await waitFor(() => peer.count('getVM') >= 2);
    // Attached and polling for longer than the 1 ms Node would have turned the delay into.
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(exited, false, run.stderr());
    run.kill('SIGINT');
    assert.equal(await run.code, 0, run.stderr());
    assert.match(run.stderr(), /detaching: interrupted/);
    assert.equal((JSON.parse(readFileSync(reportPath, 'utf8')) as Report).runtime, 'dart');
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await peer.close();
  }
});

test('connect: a hang-up (SIGHUP) detaches like Ctrl-C: the report is written and it exits 0, a second SIGHUP meanwhile included (spec-derived peer)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'isoscope-connect-'));
  const peer = await startScriptedVmService();
  try {
    const reportPath = join(dir, 'hup.json');
    const run = runCli(['connect', peer.httpUri, '--report', reportPath]);
    await run.url;
    await waitFor(() => peer.count('getStack') >= 2);
    // The shell passes a hang-up on to its jobs too: a second one can come while detaching. It is
    // sent as soon as 'detaching:' arrives: a poll sent it after the detach was done, when Node
    // was tearing down its signal handlers on the way out (the process then died of it).
    run.onStderr(/detaching:/, () => run.kill('SIGHUP'));
    run.kill('SIGHUP');
    assert.equal(await run.code, 0, run.stderr());
    assert.match(run.stderr(), /detaching: hung up \(SIGHUP\)/);
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as Report;
    assert.deepEqual(report.isolates.map((i) => i.name).sort(), ['image-decoder', 'main']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await peer.close();
  }
});

test(
  'connect on a terminal that hangs up (it leads the session, as under ssh -t) writes the report and exits 0 without aborting (spec-derived peer)',
  { skip: !hasPythonPty },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'isoscope-connect-'));
    const peer = await startScriptedVmService();
    try {
      const reportPath = join(dir, 'pty.json');
      // pty-session.py closes the terminal's master once connect says it attached: the kernel
      // sends SIGHUP, and every later write to the terminal fails with EIO.
      const session = spawn(
        'python3',
        [
          join(__dirname, '..', 'fixtures', 'cli-qa', 'pty-session.py'),
          'hangup',
          process.execPath,
          cli,
          'connect',
          peer.httpUri,
          '--report',
          reportPath,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PTY_READY: 'attached to the Dart VM' } },
      );
      let out = '';
      session.stdout.on('data', (d: Buffer) => (out += d.toString()));
      session.stderr.on('data', (d: Buffer) => (out += d.toString()));
      await new Promise((r) => session.once('close', r));
      assert.match(out, /^STATUS 0$/m, out);
      assert.ok(existsSync(reportPath), 'the report is written');
      const report = JSON.parse(readFileSync(reportPath, 'utf8')) as Report;
      assert.deepEqual(report.isolates.map((i) => i.name).sort(), ['image-decoder', 'main']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await peer.close();
    }
  },
);

test('connect: a stderr that went away (EPIPE, as a hung-up terminal gives EIO) does not stop the report (spec-derived peer)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'isoscope-connect-'));
  const peer = await startScriptedVmService();
  try {
    const reportPath = join(dir, 'closed.json');
    const child = spawn(process.execPath, [cli, 'connect', peer.httpUri, '--report', reportPath], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.resume();
    // The first line read, nobody reads stderr any more: every later line fails to write.
    child.stderr.once('data', () => child.stderr.destroy());
    await waitFor(() => peer.count('getStack') >= 2);
    child.kill('SIGHUP');
    const code = await new Promise<number | null>((r) => child.once('close', (c) => r(c)));
    assert.equal(code, 0);
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as Report;
    assert.deepEqual(report.isolates.map((i) => i.name).sort(), ['image-decoder', 'main']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await peer.close();
  }
});

test('connect --duration: isolates still running at detach have exitedAtMs null, one that exited keeps its time (spec-derived peer)', async () => {
  const peer = await startScriptedVmService();
  const dir = mkdtempSync(join(tmpdir(), 'isoscope-connect-'));
  try {
    const reportPath = join(dir, 'r.json');
    const run = runCli(['connect', peer.httpUri, '--duration', '2.5', '--report', reportPath]);
    await run.url;
    await waitFor(() => peer.count('getStack', 'isolates/1002') >= 1);
    const exitSentAtMs = Date.now();
    peer.removeIsolate('isolates/1002', { announce: true }); // IsolateExit; `main` runs on
    assert.equal(await run.code, 0, run.stderr());
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as Report;
    const byName = new Map(report.isolates.map((i) => [i.name, i]));
    assert.equal(byName.get('main')?.exitedAtMs, null, 'still running when connect detached');
    const exited = byName.get('image-decoder')!.exitedAtMs;
    assert.ok(
      exited !== null && Math.abs(exited - exitSentAtMs) < 1000,
      `exitedAtMs ${exited}: the IsolateExit's time`,
    );
    const endedAtMs = Date.parse(report.startedAt) + report.durationMs;
    assert.ok(endedAtMs - exited > 1000, 'not the detach time');
    assert.equal(
      report.findings.filter((f) => f.rule === 'worker-churn').length,
      0,
      'a detach is no exit: no short-lived isolates are made up',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await peer.close();
  }
});

test('connect prints the summary when it detaches, with or without --report, as run does (spec-derived peer)', async () => {
  const peer = await startScriptedVmService();
  const dir = mkdtempSync(join(tmpdir(), 'isoscope-connect-'));
  try {
    const reportPath = join(dir, 'r.json');
    const [bare, reported] = [
      runCli(['connect', peer.httpUri, '--duration', '1.5']),
      runCli(['connect', peer.httpUri, '--duration', '1.5', '--report', reportPath]),
    ];
    for (const run of [bare, reported]) {
      assert.equal(await run.code, 0, run.stderr());
      const after = run.stderr().split('detaching: duration elapsed\n')[1] ?? '';
      assert.match(
        after,
        /^isoscope: 2 isolates \(1 worker\), .*; deepest queue 2 \((main|image-decoder)\)$/m,
        run.stderr(),
      );
      assert.match(after, /^isoscope: (no findings|\d+ findings?:)$/m, run.stderr());
      // Without the isoscope_agent package the VM service tells nothing of messages.
      assert.match(after, /^isoscope: no message traffic seen: .*isoscope_agent package$/m, run.stderr());
    }
    // With --report the file is written first, and the line saying so comes after the summary (as for run).
    assert.match(reported.stderr(), /deepest queue[^\n]*\n(.*\n)*isoscope: report written to /);
    assert.doesNotMatch(bare.stderr(), /report written/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await peer.close();
  }
});
