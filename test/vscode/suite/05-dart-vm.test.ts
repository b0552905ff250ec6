/**
 * Connect to Dart VM Service… against the scripted VM-service peer (test/helpers): a real
 * WebSocket server answering from spec-derived and recorded fixtures. It is NOT a Dart VM — there
 * is no Dart SDK on these machines. The peer runs in its own Node process (tsx), killed by pid.
 */
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as vscode from 'vscode';
import { isoscope, repoRoot, waitFor } from '../helpers';

const PEER_SCRIPT = `
import('./test/helpers/scripted-vm-service.ts').then(async (m) => {
  const peer = await m.startScriptedVmService();
  process.stdout.write(JSON.stringify({ httpUri: peer.httpUri }) + '\\n');
});`;

/** Starts the peer process and resolves with its http:// VM-service URI. */
function startPeer(): Promise<{ child: ChildProcess; httpUri: string }> {
  // ELECTRON_RUN_AS_NODE: under VS Code desktop the host's execPath is Electron.
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', PEER_SCRIPT], {
    cwd: repoRoot(),
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`the scripted peer did not start: ${err}`)), 60_000);
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (!line) return;
      clearTimeout(timer);
      resolve({ child, httpUri: (JSON.parse(line) as { httpUri: string }).httpUri });
    });
    child.on('exit', (code) => reject(new Error(`the scripted peer exited ${code}: ${err}`)));
  });
}

describe('Dart VM service (scripted peer from spec/recorded fixtures, not a real Dart VM)', () => {
  let peer: { child: ChildProcess; httpUri: string } | null = null;
  after(() => {
    if (peer?.child.pid) process.kill(peer.child.pid, 'SIGKILL');
  });

  it('Connect to Dart VM Service… attaches to a pasted URI and the isolates show up', async () => {
    const api = await isoscope();
    peer = await startPeer();
    await vscode.commands.executeCommand('isoscope.connectDartVm', peer.httpUri);
    const dartIsolates = await waitFor('the Dart isolates in the model', () => {
      const found = api.model.snapshot().isolates.filter((i) => i.runtime === 'dart');
      return found.length >= 2 ? found : undefined;
    });
    const names = dartIsolates.map((i) => i.name).sort();
    assert.deepEqual(names, ['image-decoder', 'main'], 'the isolates of the fixture getVM response');
    const sessions = api.treeProvider.getChildren().filter((n) => n.type === 'session');
    assert.ok(
      sessions.some((n) => n.type === 'session' && n.session.runtime === 'dart'),
      'the tree groups them under a Dart session',
    );
  });

  it('an unreachable VM service is shown as failed with the reason, not thrown at the user', async () => {
    const api = await isoscope();
    // A port nothing listens on: the connection is refused right away.
    await vscode.commands.executeCommand('isoscope.connectDartVm', 'http://127.0.0.1:9/Zm9vYmFy=/');
    const failed = await waitFor('the failed attachment', () =>
      api.dart.list().find((a) => a.uri.includes('127.0.0.1:9') && a.state === 'failed'),
    );
    assert.ok(failed.detail && failed.detail.length > 0, 'it says why');
    const row = api.treeProvider.getChildren().find((n) => n.type === 'dart-attachment');
    assert.ok(row, 'the tree shows the attachment');
    assert.match(String(api.treeProvider.getTreeItem(row).description), /failed/);
    api.dart.detach(failed.key);
  });
});
