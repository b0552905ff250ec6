/**
 * The language server crashing (killed with SIGKILL, as the OOM killer would): the client starts it
 * again with the threshold in force and the runtime findings of now; when it stopped too often and
 * is left stopped, runtime findings show from the extension's own diagnostic list. Runs last: the
 * server stays stopped afterwards.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { Finding } from '../../../protocol';
import { fixture, isoscope, waitFor, withSetting } from '../helpers';

const SEND_LINE = 10; // named-workers.js: `worker.postMessage(new Uint8Array(256 * 1024));`
const MIB = 1024 * 1024;

/** The language server processes this extension host started. */
function serverPids(): number[] {
  const ps = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' });
  return ps
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter(
      (m): m is RegExpExecArray => m !== null && Number(m[2]) === process.pid && /language-server\.c?js/.test(m[3]),
    )
    .map((m) => Number(m[1]));
}

function codeOf(d: vscode.Diagnostic): string {
  return typeof d.code === 'object' ? String(d.code.value) : String(d.code);
}

function isoscopeCodes(uri: vscode.Uri, line?: number): string[] {
  return vscode.languages
    .getDiagnostics(uri)
    .filter((d) => d.source === 'isoscope' && (line === undefined || d.range.start.line + 1 === line))
    .map(codeOf);
}

/** Kills the running server; resolves with the new server's pid, or null when none comes. */
async function killServer(timeoutMs = 20_000): Promise<number | null> {
  const [old] = await waitFor('a running language server', () => {
    const pids = serverPids();
    return pids.length === 1 ? pids : undefined;
  });
  process.kill(old, 'SIGKILL');
  try {
    return await waitFor('a restarted language server', () => serverPids().find((p) => p !== old), timeoutMs);
  } catch {
    return null;
  }
}

/** Blocks the extension host's thread until `pid` has exited (a zombie: its pipes are closed). */
function blockUntilDead(pid: number): void {
  const nap = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    let state = '';
    try {
      state = /\)\s+(\S)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1] ?? '';
    } catch {
      return; // already reaped
    }
    if (state === 'Z' || state === 'X') return;
    Atomics.wait(nap, 0, 0, 5);
  }
  throw new Error(`process ${pid} did not die within 5 s of SIGKILL`);
}

/** Resolves once the diagnostics of every uri changed (the restarted server published them). */
function republished(uris: vscode.Uri[]): Promise<void> {
  const waiting = new Set(uris.map((u) => u.toString()));
  return new Promise((resolve) => {
    const sub = vscode.languages.onDidChangeDiagnostics((e) => {
      for (const u of e.uris) waiting.delete(u.toString());
      if (waiting.size > 0) return;
      sub.dispose();
      resolve();
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('language server crash recovery (SIGKILL)', () => {
  const named = () => vscode.Uri.file(fixture('named-workers.js'));
  const big = () => vscode.Uri.file(fixture('big-send.js'));

  it('a restarted server uses the threshold in force, not the one the extension started with', async () => {
    await isoscope();
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(big()), { preview: false });
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(named()), { preview: false });
    await waitFor(
      'static diagnostics of both files',
      () =>
        isoscopeCodes(named(), SEND_LINE).includes('copy-array-buffer') &&
        isoscopeCodes(big()).includes('copy-array-buffer'),
    );
    const restore = await withSetting('oversizedMessageBytes', MIB);
    try {
      await waitFor(
        'the 256 KiB send to fall under 1 MiB',
        () => !isoscopeCodes(named(), SEND_LINE).includes('copy-array-buffer'),
      );
      const published = republished([named(), big()]);
      assert.ok(await killServer(), 'the server was restarted');
      await published;
      await sleep(2000);
      assert.ok(isoscopeCodes(big()).includes('copy-array-buffer'), 'the restarted server analyzes the open files');
      assert.deepEqual(
        isoscopeCodes(named(), SEND_LINE),
        [],
        'the restarted server judges the 256 KiB send by the 1 MiB threshold in force',
      );
    } finally {
      await restore();
    }
  });

  it('a restarted server shows the runtime findings again without waiting for the model to change', async () => {
    const api = await isoscope();
    const launch = await vscode.commands.executeCommand<{ terminal: vscode.Terminal | null } | null>(
      'isoscope.profileNodeProgram',
      { program: named().fsPath, in: 'terminal', args: ['recovery'] },
    );
    assert.ok(launch, 'the fixture program started');
    try {
      await waitFor('the runtime finding at the send', () =>
        isoscopeCodes(named(), SEND_LINE).includes('oversized-message'),
      );
      await waitFor('the fixture program to end (the model stops changing)', () => {
        const mine = api.model.snapshot().isolates.filter((i) => i.name.startsWith('recovery-'));
        return mine.length === 2 && mine.every((i) => i.state !== 'running');
      });
      await sleep(1000);
      const published = republished([named()]);
      assert.ok(await killServer(), 'the server was restarted');
      await published;
      await sleep(3000);
      assert.ok(
        isoscopeCodes(named(), SEND_LINE).includes('oversized-message'),
        `the runtime finding is shown again: ${isoscopeCodes(named(), SEND_LINE).join(', ')}`,
      );
    } finally {
      launch.terminal?.dispose();
    }
  });

  it('a server that dies while messages are on their way to it is restarted (the writes fail before the close is seen)', async () => {
    const api = await isoscope();
    const [old] = await waitFor('a running language server', () => {
      const pids = serverPids();
      return pids.length === 1 ? pids : undefined;
    });
    const threshold = vscode.workspace.getConfiguration('isoscope').get<number>('oversizedMessageBytes', 64 * 1024);
    // Kill the server and block until it is dead, then send it five messages in the same turn of the
    // event loop (the threshold in force, unchanged): their writes fail before the client sees the
    // closed pipe, as when a crash meets a busy extension host. Those errors must not end in a
    // shutdown that skips the restart the close brings.
    process.kill(old, 'SIGKILL');
    blockUntilDead(old);
    for (let i = 0; i < 5; i++) api.runtimeDiagnostics.setOversizedBytes(threshold);
    const next = await waitFor('a restarted language server', () => serverPids().find((p) => p !== old), 20_000).catch(
      () => null,
    );
    assert.ok(next, 'the server was restarted');
    await waitFor('the restarted server to run', () => api.runtimeDiagnostics.kind === 'language-server');
  });

  it('a server left stopped after repeated crashes: runtime findings (also package: URIs) show from a local list', async () => {
    const api = await isoscope();
    for (let kills = 0; kills < 8; kills++) {
      // Each kill hits a running server (it re-published the open file), as a crash would.
      const published = republished([named()]);
      if ((await killServer(15_000)) === null) break;
      await published;
    }
    assert.deepEqual(serverPids(), [], 'the client gave up restarting');
    await waitFor(
      'the local diagnostic list to take over',
      () => api.runtimeDiagnostics.kind === 'diagnostic-collection',
    );
    const tiles = vscode.Uri.file(fixture('lib/src/tiles.dart'));
    const dartFinding: Finding = {
      id: 'recovery-dart',
      rule: 'oversized-message',
      severity: 'warning',
      message: 'SendPort.send copied 2.0 MiB.',
      location: { file: 'package:fixture_app/src/tiles.dart', line: 6, column: 3 },
      isolateId: null,
      bytes: 2 * MIB,
      count: 1,
      totalBytes: 2 * MIB,
      suggestion: 'Send a TransferableTypedData.',
    };
    const shown = await waitFor('the runtime findings in the local list', () => {
      // The model's refresh replaces the set when it changes: push ours with the model's each time.
      api.runtimeDiagnostics.update([...api.model.snapshot().findings, dartFinding]);
      const atTiles = vscode.languages.getDiagnostics(tiles).find((d) => codeOf(d) === 'oversized-message');
      const atSend = isoscopeCodes(named(), SEND_LINE).includes('oversized-message');
      return atTiles && atSend ? atTiles : undefined;
    });
    assert.equal(shown.range.start.line, 5);
    assert.equal(shown.source, 'isoscope');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
