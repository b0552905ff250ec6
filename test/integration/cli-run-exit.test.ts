import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { Report, ToWebviewMessage } from '../../protocol';
import { cliPath, repoRoot, runCli } from '../helpers/run-cli';

/** A tiny app that copies one 200 KB buffer to a worker, prints, and exits with `code`. */
const APP = `
const { Worker } = require('node:worker_threads');
const w = new Worker("require('node:worker_threads').parentPort.once('message', () => process.exit(0))", { eval: true, name: 'sink' });
w.postMessage(new Uint8Array(200000));
w.on('exit', () => { process.stdout.write('app-out line 1\\napp-out line 2\\n'); process.exitCode = Number(process.argv[2] ?? 0); });
`;

function withApp<T>(fn: (dir: string, app: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'isoscope-cli-exit-'));
  const app = join(dir, 'app.js');
  writeFileSync(app, APP);
  return fn(dir, app).finally(() => rmSync(dir, { recursive: true, force: true }));
}

test('the child exit code is propagated and its stdout is byte-identical to a run without Isoscope', () =>
  withApp(async (dir, app) => {
    const report = join(dir, 'r.json');
    const r = await runCli(['run', '--report', report, '--', process.execPath, app, '7']);
    const plain = spawnSync(process.execPath, [app, '7'], { encoding: 'utf8' });
    assert.equal(plain.status, 7);
    assert.equal(r.code, 7, r.stderr);
    assert.equal(r.stdout, plain.stdout);
    assert.equal(r.stdout, 'app-out line 1\napp-out line 2\n');
    assert.equal(JSON.parse(readFileSync(report, 'utf8')).isolates.length, 2);
  }));

test('a failing --max-message-bytes gate exits 3 and is recorded in the report', () =>
  withApp(async (dir, app) => {
    const report = join(dir, 'r.json');
    const r = await runCli(['run', '--report', report, '--max-message-bytes', '64KiB', '--', process.execPath, app]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /gate max-message-bytes: .* FAILED/);
    const gates = (JSON.parse(readFileSync(report, 'utf8')) as Report).gates!;
    assert.equal(gates[0]!.name, 'max-message-bytes');
    assert.equal(gates[0]!.passed, false);
    assert.ok(gates[0]!.actual >= 200_000);
    const ok = await runCli(['run', '--max-message-bytes', '1048576', '--', process.execPath, app]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stderr, /gate max-message-bytes: .* passed/);
  }));

test('a program killed by a signal exits 128+n', async () => {
  const r = await runCli(['run', '--', process.execPath, '-e', "process.kill(process.pid, 'SIGTERM')"]);
  assert.equal(r.code, 143, r.stderr);
  assert.match(r.stderr, /killed by SIGTERM/);
});

test('bad usage exits 2 with a clear message', async () => {
  const cases: [string[], RegExp][] = [
    [['run', 'node', 'app.js'], /needs '--' before the command/],
    [['run', '--'], /missing the command after '--'/],
    [['run', '--bogus', '--', 'node'], /Unknown option '--bogus'/],
    [['run', '--port', 'eighty', '--', 'node'], /--port takes a whole number/],
    [['run', '--max-message-bytes', 'lots', '--', 'node'], /--max-message-bytes takes a size/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stdout, '');
  }
});

test('a command that does not exist exits 2 with a clear message', async () => {
  const r = await runCli(['run', '--', 'isoscope-no-such-command-xyz', '--flag']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /command not found: 'isoscope-no-such-command-xyz'/);
});

/** A flood app: the parent posts a burst the worker drains slowly, so its queue gets deep. */
const FLOOD_APP = `
const { Worker } = require('node:worker_threads');
const w = new Worker("const { parentPort } = require('node:worker_threads'); let n = 0; parentPort.on('message', () => { const t = Date.now(); while (Date.now() - t < 1) {} if (++n === 300) process.exit(0); });", { eval: true, name: 'slow-sink' });
for (let i = 0; i < 300; i++) w.postMessage(i);
`;

test('a failing --max-queue-depth gate exits 3; a generous one passes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'isoscope-cli-queue-'));
  try {
    const app = join(dir, 'flood.js');
    writeFileSync(app, FLOOD_APP);
    const report = join(dir, 'r.json');
    const r = await runCli(['run', '--report', report, '--max-queue-depth', '50', '--', process.execPath, app]);
    assert.equal(r.code, 3, r.stderr);
    const gate = (JSON.parse(readFileSync(report, 'utf8')) as Report).gates!.find((g) => g.name === 'max-queue-depth')!;
    assert.equal(gate.passed, false);
    assert.ok(gate.actual > 50 && gate.actual <= 300, `depth ${gate.actual}`);
    const ok = await runCli(['run', '--max-queue-depth', '1000', '--', process.execPath, app]);
    assert.equal(ok.code, 0, ok.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--open hands the inspector URL to the system browser opener', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'isoscope-cli-open-'));
  try {
    // A stand-in for xdg-open on PATH records what it was asked to open (no browser needed).
    const opened = join(dir, 'opened.txt');
    writeFileSync(join(dir, 'xdg-open'), `#!/bin/sh\nprintf '%s' "$1" > '${opened}'\n`, { mode: 0o755 });
    const r = await runCli(['run', '--open', '--', process.execPath, '-e', 'setTimeout(() => {}, 300)'], {
      env: { PATH: `${dir}:${process.env.PATH ?? ''}` },
    });
    assert.equal(r.code, 0, r.stderr);
    const url = /inspector at (http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{24}\/)/.exec(r.stderr)?.[1];
    assert.ok(url, r.stderr);
    assert.equal(readFileSync(opened, 'utf8'), url);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('channels past the agent table are reported as not counted, in the report and the summary', () =>
  withApp(async (dir) => {
    const report = join(dir, 'r.json');
    const app = join(repoRoot, 'test', 'integration', 'agent', 'apps', 'many-channels.cjs');
    const r = await runCli(['run', '--report', report, '--', process.execPath, app, '2100']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /"received":2100/);
    const written = JSON.parse(readFileSync(report, 'utf8')) as Report;
    // 2,100 channels take 4,200 one-way slots; the main thread's link to nothing else uses none.
    assert.equal(written.drops?.channelsNotCounted, 4200 - 4096);
    assert.match(r.stderr, /not counted: 104 one-way channels past the agent's table of 4,096 per process/);
  }));

/** Runs `isoscope run -- command` with a page connected to its inspector; the messages the page got. */
function pageOfRun(command: string[]): Promise<{ code: number | null; messages: ToWebviewMessage[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, 'run', '--no-status', '--', ...command], {
      cwd: repoRoot,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const messages: ToWebviewMessage[] = [];
    let stderr = '';
    let pageClosed: Promise<void> | null = null;
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      const url = /inspector at http:\/\/127\.0\.0\.1:(\d+)(\/[A-Za-z0-9_-]+\/)/.exec(stderr);
      if (url === null || pageClosed !== null) return;
      const ws = new WebSocket(`ws://127.0.0.1:${url[1]}${url[2]}ws`, {
        headers: { Origin: `http://127.0.0.1:${url[1]}` },
      });
      ws.on('message', (data) => messages.push(JSON.parse(String(data)) as ToWebviewMessage));
      ws.on('error', reject);
      pageClosed = new Promise((ok) => ws.on('close', () => ok()));
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      if (pageClosed === null) reject(new Error(`no inspector URL: ${stderr}`));
      else void pageClosed.then(() => resolve({ code, messages }));
    });
  });
}

test('an open inspector page is told that the run ended, and how, before the server stops', async () => {
  const node = await pageOfRun([process.execPath, '-e', 'setTimeout(() => {}, 1500)']);
  assert.equal(node.code, 0);
  assert.equal(node.messages[0]?.type, 'hydrate');
  const status = node.messages.filter((m) => m.type === 'status');
  assert.equal(status.length, 1, JSON.stringify(status));
  assert.equal(status[0]!.type === 'status' && status[0]!.level, 'info');
  assert.match(
    status[0]!.type === 'status' ? status[0]!.text : '',
    /^The run ended: .* exited with code 0 after \d+\.\d s\. This is the final data/,
  );
  // A command that is not a Node program: the page says nothing was profiled, not "waiting".
  const sleep = await pageOfRun(['sleep', '1']);
  const warn = sleep.messages.find((m) => m.type === 'status');
  assert.ok(
    warn && warn.type === 'status' && warn.level === 'warning',
    JSON.stringify(sleep.messages.map((m) => m.type)),
  );
  assert.match(warn.text, /no Node process connected to Isoscope/);
});
