/**
 * `isoscope run` against the QA pass's scenarios, with real processes: signals sent to a process
 * group and to Isoscope alone, a real pseudo-terminal (util-linux `script`, or Python's pty for a
 * hang-up), a stderr reader that goes away, a program without the agent, a busy --port, a detached
 * grandchild, and gates next to a failing program.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Report } from '../../protocol';
import { cliPath, repoRoot, runCli } from '../helpers/run-cli';
import { VtScreen } from '../fixtures/cli-qa/vt-screen';

const fixtures = join(repoRoot, 'test', 'fixtures', 'cli-qa');
const app = (name: string) => join(fixtures, name);
const hasScript = spawnSync('script', ['--version']).status === 0;
const hasPythonPty = spawnSync('python3', ['-c', 'import pty']).status === 0;

interface Started {
  pid: number;
  stdout: () => string;
  stderr: () => string;
  /** Resolves once stdout has matched. */
  waitFor(pattern: RegExp): Promise<void>;
  write(text: string): void;
  ended: Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>;
}

/** Starts `command` with piped stdio; `detached` puts it in a new session (no controlling terminal). */
function start(command: string, args: string[], opts: { detached?: boolean; env?: NodeJS.ProcessEnv } = {}): Started {
  const child = spawn(command, args, {
    cwd: repoRoot,
    env: { ...process.env, ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: opts.detached ?? false,
  });
  let stdout = '';
  let stderr = '';
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    for (const w of [...waiters]) if (w.pattern.test(stdout)) w.resolve();
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>((resolve) =>
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, atMs: Date.now() });
    }),
  );
  return {
    pid: child.pid!,
    stdout: () => stdout,
    stderr: () => stderr,
    waitFor: (pattern) =>
      new Promise<void>((resolve, reject) => {
        if (pattern.test(stdout)) return resolve();
        waiters.push({ pattern, resolve });
        void ended.then(() => reject(new Error(`ended before ${pattern}: ${stdout} ${stderr}`)));
      }),
    write: (text) => child.stdin.write(text),
    ended,
  };
}

/** `isoscope run -- <command>` on a pseudo-terminal of `rows`×`columns` that it leads (util-linux script). */
function startOnTerminal(runArgs: string[], rows = 24, columns = 80): Started {
  const quoted = [process.execPath, cliPath, 'run', ...runArgs].map((a) => `'${a.replace(/'/g, "'\\''")}'`);
  const inner = `stty rows ${rows} cols ${columns}; exec ${quoted.join(' ')}`;
  return start('script', ['-qefc', inner, '/dev/null']);
}

function tempDir(): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'isoscope-cli-qa-'));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * `isoscope run --report … -- node -e program` on a pseudo-terminal that Isoscope leads (no
 * job-control shell), hung up or sent Ctrl-Z once the program printed 'APP ready'
 * (test/fixtures/cli-qa/pty-session.py). Returns what the terminal showed, ending in `STATUS …`.
 */
async function onPtySession(
  mode: 'hangup' | 'suspend',
  program: string,
): Promise<{ screen: string; reportWritten: boolean }> {
  const { dir, done } = tempDir();
  try {
    const report = join(dir, 'r.json');
    const cli = start('python3', [
      app('pty-session.py'),
      mode,
      process.execPath,
      cliPath,
      'run',
      '--report',
      report,
      '--',
      process.execPath,
      '-e',
      program,
    ]);
    await cli.ended;
    return { screen: cli.stdout() + cli.stderr(), reportWritten: existsSync(report) };
  } finally {
    done();
  }
}

/** How many times the program saw `signal`, and Isoscope's exit code, after `send(cli)`. */
async function countDeliveries(cli: Started, signal: string, send: () => void) {
  await cli.waitFor(/APP ready/);
  send();
  const end = await cli.ended;
  const seen = cli.stdout().match(new RegExp(`APP got ${signal} #`, 'g'))?.length ?? 0;
  return `${signal}: seen ${seen}, exit ${end.code ?? end.signal}`;
}

test('a signal sent to the process group of a run without a terminal reaches the program once', async () => {
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];
  const results: string[] = [];
  // One at a time: on a busy machine a signal that arrives twice while the first is still
  // pending is delivered once, which would hide the doubling this looks for.
  for (const signal of signals) {
    // detached: its own session and group, no controlling terminal (like CI, or setsid).
    const cli = start(process.execPath, [cliPath, 'run', '--', process.execPath, app('signal-count.js')], {
      detached: true,
    });
    results.push(await countDeliveries(cli, signal, () => process.kill(-cli.pid, signal)));
  }
  // The program exits with the number of signals it got: 1.
  assert.deepEqual(
    results,
    signals.map((s) => `${s}: seen 1, exit 1`),
  );
});

test('a signal sent to Isoscope alone is relayed to the program once', async () => {
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
  const results = await Promise.all(
    signals.map((signal) => {
      const cli = start(process.execPath, [cliPath, 'run', '--', process.execPath, app('signal-count.js')], {
        detached: true,
      });
      return countDeliveries(cli, signal, () => process.kill(cli.pid, signal));
    }),
  );
  assert.deepEqual(
    results,
    signals.map((s) => `${s}: seen 1, exit 1`),
  );
});

test(
  'Ctrl-C and Ctrl-\\ on a terminal reach the program once, and Isoscope outlives them',
  { skip: !hasScript },
  async () => {
    const { dir, done } = tempDir();
    try {
      const keys = [
        ['\x03', 'SIGINT'],
        ['\x1c', 'SIGQUIT'],
      ] as const;
      const results: string[] = [];
      for (const [key, signal] of keys) {
        const report = join(dir, `${signal}.json`);
        const cli = startOnTerminal(['--report', report, '--', process.execPath, app('signal-count.js')]);
        const result = await countDeliveries(cli, signal, () => cli.write(key));
        results.push(`${result}, report ${existsSync(report) ? 'written' : 'missing'}`);
      }
      assert.deepEqual(
        results,
        keys.map(([, s]) => `${s}: seen 1, exit 1, report written`),
      );
    } finally {
      done();
    }
  },
);

test(
  'a terminal hang-up ends the program, the report is written and Isoscope exits 129 without aborting',
  { skip: !hasPythonPty },
  async () => {
    // (Not the literal text: the start line echoes the command, and pty-session.py waits for it.)
    const run = await onPtySession('hangup', "process.stdout.write('APP ' + 'ready\\n'); setInterval(() => {}, 1000)");
    assert.match(run.screen, /^STATUS 129$/m, run.screen);
    assert.ok(run.reportWritten, 'the report is written');
  },
);

test('a closed stderr (… 2>&1 | head -c 1) does not stop the report or change the exit code', async () => {
  const { dir, done } = tempDir();
  try {
    const report = join(dir, 'r.json');
    const child = spawn(
      process.execPath,
      [cliPath, 'run', '--report', report, '--', process.execPath, '-e', 'setTimeout(() => process.exit(5), 800)'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child.stderr.once('data', () => child.stderr.destroy());
    const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
    assert.equal(code, 5);
    assert.equal((JSON.parse(readFileSync(report, 'utf8')) as Report).isolates.length, 1);
  } finally {
    done();
  }
});

test(
  'the summary starts on a line of its own after output with no newline, and adds no blank line after one',
  { skip: !hasScript },
  async () => {
    const cut = startOnTerminal(['--', process.execPath, app('no-newline.js'), 'RESULT: 42'], 12, 80);
    const whole = startOnTerminal(['--', process.execPath, app('no-newline.js'), 'DONE\n'], 12, 80);
    const [cutEnd, wholeEnd] = await Promise.all([cut.ended, whole.ended]);
    assert.equal(cutEnd.code, 0, cut.stdout());
    assert.equal(wholeEnd.code, 0, whole.stdout());
    for (const [run, last] of [
      [cut, 'RESULT: 42'],
      [whole, 'DONE'],
    ] as const) {
      const screen = new VtScreen(12, 80).write(run.stdout()).text();
      const at = screen.findIndex((l) => l.startsWith(last));
      assert.ok(at >= 0, screen.join('\n'));
      assert.equal(screen[at], last, `the program's last line is left as it wrote it:\n${screen.join('\n')}`);
      assert.match(screen[at + 1] ?? '', /^isoscope: /, `the summary follows on the next line:\n${screen.join('\n')}`);
    }
  },
);

test('the live status on a terminal leaves a prompt and a half-written line intact', { skip: !hasScript }, async () => {
  const prompt = startOnTerminal(['--', process.execPath, app('prompt.js')], 12, 80);
  await prompt.waitFor(/What is your name\? /);
  await new Promise((r) => setTimeout(r, 700)); // the status redraws a few times meanwhile
  prompt.write('bob\r');
  const partial = startOnTerminal(['--', process.execPath, app('partial-line.js')], 12, 80);
  const [promptEnd, partialEnd] = await Promise.all([prompt.ended, partial.ended]);
  assert.equal(promptEnd.code, 0, prompt.stdout());
  assert.equal(partialEnd.code, 0, partial.stdout());
  assert.ok(prompt.stdout().includes('\x1b[1;11r'), 'the status had the bottom row to itself');
  const promptScreen = new VtScreen(12, 80).write(prompt.stdout()).text();
  assert.ok(promptScreen.includes('What is your name? bob'), promptScreen.join('\n'));
  assert.ok(promptScreen.includes('APP hello bob'), promptScreen.join('\n'));
  const partialScreen = new VtScreen(12, 80).write(partial.stdout()).text();
  assert.ok(
    partialScreen.some((l) => l.startsWith('RESULT: 42 (done)')),
    partialScreen.join('\n'),
  );
});

test('when no agent connects, gates fail (exit 3), a warning says why, and the report says so', async () => {
  const { dir, done } = tempDir();
  try {
    const report = join(dir, 'r.json');
    const bigCopy =
      "const { Worker } = require('node:worker_threads'); const w = new Worker(\"require('node:worker_threads').parentPort.once('message', () => process.exit(0))\", { eval: true }); w.postMessage(new Uint8Array(200000));";
    const [gated, plain] = await Promise.all([
      runCli([
        'run',
        '--report',
        report,
        '--max-message-bytes',
        '64KiB',
        '--',
        'env',
        '-u',
        'NODE_OPTIONS',
        process.execPath,
        '-e',
        bigCopy,
      ]),
      runCli(['run', '--', 'sh', '-c', 'exit 4']),
    ]);
    assert.equal(gated.code, 3, gated.stderr);
    assert.match(gated.stderr, /warning: no Node process connected to Isoscope, so nothing was profiled/);
    assert.match(gated.stderr, /gate max-message-bytes: no data \(no Node process was profiled\) — FAILED/);
    const written = JSON.parse(readFileSync(report, 'utf8')) as Report & { warnings?: string[] };
    assert.equal(written.gates?.[0]?.passed, false);
    assert.match(written.warnings?.[0] ?? '', /no Node process connected/);
    assert.equal(plain.code, 4, 'without gates the program’s code is kept');
    assert.match(plain.stderr, /warning: no Node process connected/);
  } finally {
    done();
  }
});

test('a --port in use is a one-line usage error (exit 2) and the program is not run', async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  try {
    const r = await runCli(['run', '--port', String(port), '--', process.execPath, '-e', "console.log('RAN')"]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`^isoscope: port ${port} is in use \\(`, 'm'));
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(r.stdout, '');
  } finally {
    server.close();
  }
});

test('a detached grandchild that outlives the program neither holds the run up nor stretches durationMs', async () => {
  const { dir, done } = tempDir();
  const pidFile = join(dir, 'daemon.pid');
  try {
    const report = join(dir, 'r.json');
    const cli = start(process.execPath, [
      cliPath,
      'run',
      '--report',
      report,
      '--',
      process.execPath,
      app('daemon.js'),
      pidFile,
    ]);
    let exitedLineAtMs = 0;
    const poll = setInterval(() => {
      if (!exitedLineAtMs && /exited with code 0/.test(cli.stderr())) exitedLineAtMs = Date.now();
    }, 10);
    const end = await cli.ended;
    clearInterval(poll);
    assert.equal(end.code, 0, cli.stderr());
    const ranMs = Number(/APP ran (\d+) ms/.exec(cli.stdout())?.[1]);
    const written = JSON.parse(readFileSync(report, 'utf8')) as Report;
    assert.equal(written.isolates.length, 2, 'the grandchild was profiled too');
    assert.ok(end.atMs - exitedLineAtMs < 2000, `Isoscope took ${end.atMs - exitedLineAtMs} ms after the exit`);
    assert.ok(written.durationMs < ranMs + 1000, `durationMs ${written.durationMs} for a ${ranMs} ms program`);
  } finally {
    try {
      process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
    } catch {
      // Already gone, or never started (the assertion above says why).
    }
    done();
  }
});

test("a failed gate keeps a failing program's own exit code (1, 143) and says both", async () => {
  const copyThen = (end: string) =>
    `const { Worker } = require('node:worker_threads'); const w = new Worker("require('node:worker_threads').parentPort.once('message', () => process.exit(0))", { eval: true }); w.postMessage(new Uint8Array(200000)); w.on('exit', () => { ${end} });`;
  const [crashed, killed, fine] = await Promise.all(
    // A program killed by a signal runs no exit hook, so the agent ships only what its periodic
    // samples (every 250 ms) already sent: the killed one waits for a few before it dies.
    [
      'process.exitCode = 1',
      "setTimeout(() => process.kill(process.pid, 'SIGTERM'), 1000)",
      'process.exitCode = 0',
    ].map((end) => runCli(['run', '--max-message-bytes', '64KiB', '--', process.execPath, '-e', copyThen(end)])),
  );
  assert.equal(crashed.code, 1, crashed.stderr);
  assert.match(crashed.stderr, /gate max-message-bytes: .* FAILED/);
  assert.match(crashed.stderr, /a gate failed, and the program's own exit code 1 is kept/);
  assert.equal(killed.code, 143, killed.stderr);
  assert.match(killed.stderr, /killed by SIGTERM/);
  assert.match(killed.stderr, /exit code 143 is kept/);
  assert.equal(fine.code, 3, fine.stderr);
  assert.match(fine.stderr, /a gate failed: exiting with 3/);
});

test('--threshold below 1 byte is a usage error (exit 2) before anything runs', async () => {
  for (const value of ['0', '0.4']) {
    const r = await runCli(['run', '--threshold', value, '--', process.execPath, '-e', "console.log('RAN')"]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--threshold must be at least 1 byte/);
    assert.equal(r.stdout, '');
  }
});

test('a message-size gate sees a lone 1 MiB message between 2,000 small ones on a quiet port (every send sized)', async () => {
  // Without a gate, a port that has sent only small objects for a while is sized by sample (1 in 16).
  const quiet =
    "const { Worker } = require('node:worker_threads'); const w = new Worker(\"let n = 0; require('node:worker_threads').parentPort.on('message', () => { if (++n === 2001) process.exit(0); })\", { eval: true }); for (let i = 0; i < 2000; i++) w.postMessage({ i, status: 'ok' }); w.postMessage({ i: 2000, blob: 'x'.repeat(1 << 20) });";
  const r = await runCli(['run', '--max-message-bytes', '64KiB', '--', process.execPath, '-e', quiet]);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /gate max-message-bytes: 1(\.0)? MiB vs limit 64 KiB — FAILED/);
});

test('the report counts the BroadcastChannel messages each isolate received, as the app counted them', async () => {
  const { dir, done } = tempDir();
  try {
    const report = join(dir, 'r.json');
    const app = join(repoRoot, 'test', 'integration', 'agent', 'apps', 'broadcast.cjs');
    const run = await runCli(['run', '--report', report, '--', process.execPath, app]);
    assert.equal(run.code, 0, run.stderr);
    const line = run.stdout.split('\n').find((l) => l.startsWith('REPORT '));
    assert.ok(line, run.stdout);
    const counted = JSON.parse(line.slice('REPORT '.length)) as {
      receivedBy: Record<'main' | 'w1' | 'w2', Record<string, number>>;
    };
    const written = JSON.parse(readFileSync(report, 'utf8')) as Report;
    for (const who of ['main', 'w1', 'w2'] as const) {
      const isolate = written.isolates.find((i) => (who === 'main' ? i.kind === 'main' : i.name === who));
      assert.ok(isolate, `${who} is in the report`);
      const appReceived = Object.values(counted.receivedBy[who]).reduce((n, k) => n + k, 0);
      // Its worker ↔ parent port carries the app's control messages ('ready', 'go', its report).
      const portMessages = who === 'main' ? 4 : 1;
      assert.equal(isolate.messagesReceived, appReceived + portMessages, `${who} messagesReceived`);
    }
  } finally {
    done();
  }
});

test('installed under a path with a backslash and a double quote, the agent still counts the workers’ messages', async () => {
  const { dir, done } = tempDir();
  try {
    // The CLI hands the agent's path to the program in NODE_OPTIONS, quoted and escaped.
    const install = join(dir, 'odd\\dir "q"');
    mkdirSync(install);
    for (const f of ['cli.cjs', 'agent.cjs', 'agent-exporter.cjs', 'mappings.wasm']) {
      if (existsSync(join(repoRoot, 'dist', f))) copyFileSync(join(repoRoot, 'dist', f), join(install, f));
    }
    const report = join(dir, 'r.json');
    const app =
      "const { Worker } = require('node:worker_threads'); const w = new Worker(\"require('node:worker_threads').parentPort.once('message', (m) => process.exit(m.length === 200000 ? 0 : 1))\", { eval: true }); w.postMessage(new Uint8Array(200000));";
    const run = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [join(install, 'cli.cjs'), 'run', '--report', report, '--', process.execPath, '-e', app],
        {
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.once('error', reject);
      child.once('close', (code) => resolve({ code, stderr }));
    });
    assert.equal(run.code, 0, run.stderr);
    const written = JSON.parse(readFileSync(report, 'utf8')) as Report;
    const main = written.isolates.find((i) => i.kind === 'main');
    assert.equal(written.isolates.length, 2, run.stderr);
    assert.equal(main?.messagesSent, 1, 'the send to the worker is counted');
    assert.equal(written.findings[0]?.rule, 'oversized-message', run.stderr);
  } finally {
    done();
  }
});

test(
  'Ctrl-Z with Isoscope leading the session (no shell to continue it) is ignored: the run ends and the report is written',
  { skip: !hasPythonPty },
  async () => {
    const run = await onPtySession(
      'suspend',
      "process.stdout.write('APP ' + 'ready\\n'); setTimeout(() => console.log('APP done'), 1500)",
    );
    assert.match(run.screen, /^STATUS 0$/m, run.screen);
    assert.match(run.screen, /APP done/);
    assert.ok(run.reportWritten, 'the report was written');
  },
);

test('a program killed by a signal before the agent connected is not blamed on NODE_OPTIONS; a command that cannot start leaves a reason in the report', async () => {
  const { dir, done } = tempDir();
  try {
    const aborted = await runCli(['run', '--', process.execPath, '-e', 'process.abort()']);
    assert.equal(aborted.code, 128 + 6, aborted.stderr);
    assert.match(
      aborted.stderr,
      /warning: no Node process connected to Isoscope before the program was killed by SIGABRT \d+\.\d s in: it may have died before the agent connected/,
    );
    const report = join(dir, 'r.json');
    const missing = await runCli([
      'run',
      '--report',
      report,
      '--max-message-bytes',
      '1k',
      '--',
      'isoscope-no-such-command',
    ]);
    assert.equal(missing.code, 2, missing.stderr);
    const written = JSON.parse(readFileSync(report, 'utf8')) as Report & { warnings?: string[] };
    assert.match(written.warnings?.[0] ?? '', /^the command could not be started: .*ENOENT/);
  } finally {
    done();
  }
});

test(
  '--open says so when the browser launcher fails (xdg-open with no browser exits 3)',
  { skip: process.platform !== 'linux' },
  async () => {
    const { dir, done } = tempDir();
    try {
      writeFileSync(
        join(dir, 'xdg-open'),
        '#!/bin/sh\necho "xdg-open: no method available for opening $1" >&2\nexit 3\n',
        { mode: 0o755 },
      );
      const run = await runCli(
        ['run', '--open', '--no-status', '--', process.execPath, '-e', 'setTimeout(() => {}, 1500)'],
        {
          env: { PATH: `${dir}:${process.env.PATH ?? ''}` },
        },
      );
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /could not open a browser; open http:\/\/127\.0\.0\.1:\d+\/[^/]+\/ yourself/);
    } finally {
      done();
    }
  },
);

test('--report - writes the report to standard output, after the program’s own output', async () => {
  const run = await runCli(['run', '--report', '-', '--', process.execPath, '-e', "console.log('APP said this')"]);
  assert.equal(run.code, 0, run.stderr);
  assert.ok(run.stdout.startsWith('APP said this\n'), run.stdout.slice(0, 200));
  const report = JSON.parse(run.stdout.slice('APP said this\n'.length)) as Report;
  assert.equal(report.isolates.length, 1);
  assert.match(run.stderr, /report written to standard output \(1 isolate, 0 findings\)/);
  assert.ok(!existsSync(join(repoRoot, '-')), 'no file named -');
});

test('--report - to a reader that went away or a full disk: the summary, one line, the report saved elsewhere, exit 1', async () => {
  const saved: string[] = [];
  try {
    // The reader goes away before the report is written (`| true`): EPIPE.
    const gone = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [cliPath, 'run', '--report', '-', '--', process.execPath, '-e', '1'], {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.destroy();
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('close', (code) => resolve({ code, stderr }));
    });
    const full = spawnSync(
      'sh',
      ['-c', 'exec "$0" "$1" run --report - -- "$0" -e 1 > /dev/full', process.execPath, cliPath],
      { cwd: repoRoot, encoding: 'utf8' },
    );
    for (const [run, reason] of [
      [gone, /could not write the report to standard output: write EPIPE/],
      [{ code: full.status, stderr: full.stderr }, /could not write the report to standard output: ENOSPC/],
    ] as const) {
      assert.doesNotMatch(run.stderr, /Unhandled 'error' event| {4}at /, 'no stack trace');
      assert.match(run.stderr, /isoscope: no findings/, 'the summary is printed');
      assert.match(run.stderr, reason);
      const m = /report saved instead to (\S+) \(1 isolate, 0 findings\)/.exec(run.stderr);
      assert.ok(m, run.stderr);
      saved.push(m[1]!);
      assert.equal((JSON.parse(readFileSync(m[1]!, 'utf8')) as Report).isolates.length, 1);
      assert.equal(run.code, 1, run.stderr);
    }
  } finally {
    for (const f of saved) rmSync(f, { force: true });
  }
});
