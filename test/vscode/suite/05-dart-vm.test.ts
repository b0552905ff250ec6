/**
 * Connect to Dart VM Service… against the scripted VM-service peer (test/helpers): a real
 * WebSocket server answering from spec-derived and recorded fixtures. It is NOT a Dart VM — there
 * is no Dart SDK on these machines. The peer runs in its own Node process (tsx), killed by pid.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { isoscope, waitFor } from '../helpers';
import { startScriptedPeer, type ScriptedPeerProcess } from '../scripted-peer';

describe('Dart VM service (scripted peer from spec/recorded fixtures, not a real Dart VM)', () => {
  let peer: ScriptedPeerProcess | null = null;
  after(() => peer?.stop());

  it('Connect to Dart VM Service… attaches to a pasted URI and the isolates show up', async () => {
    const api = await isoscope();
    peer = await startScriptedPeer();
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
