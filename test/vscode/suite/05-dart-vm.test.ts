/**
 * Connect to Dart VM Service… against the scripted VM-service peer (test/helpers): a real
 * WebSocket server answering from spec-derived and recorded fixtures. It is NOT a Dart VM — there
 * is no Dart SDK on these machines. The peer runs in its own Node process (tsx), killed by pid.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { fixture, isoscope, waitFor } from '../helpers';
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

  it('Clear Exited Isolates also removes a failed Dart VM row', async () => {
    const api = await isoscope();
    await vscode.commands.executeCommand('isoscope.connectDartVm', 'http://127.0.0.1:9/Y2xlYXI=/');
    await waitFor('the failed attachment', () =>
      api.dart.list().find((a) => a.uri.includes('127.0.0.1:9') && a.state === 'failed'),
    );
    await vscode.commands.executeCommand('isoscope.clearExited');
    assert.deepEqual(
      api.dart.list().filter((a) => a.state === 'failed'),
      [],
      'no failed attachment is left',
    );
    assert.equal(
      api.treeProvider.getChildren().filter((n) => n.type === 'dart-attachment' && n.attachment.state === 'failed')
        .length,
      0,
      'the tree has no failed row',
    );
  });
});

describe('Dart package: URIs (fixture .dart_tool/package_config.json, as dart pub get writes it)', () => {
  it('a finding location named by package: URI opens the file the package config maps it to', async () => {
    const api = await isoscope();
    const editor = await api.openLocation({ file: 'package:fixture_app/src/tiles.dart', line: 6, column: 3 });
    assert.ok(editor, 'an editor was opened');
    assert.equal(editor.document.uri.fsPath, fixture(path.join('lib', 'src', 'tiles.dart')));
    assert.equal(editor.selection.active.line, 5);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
