/**
 * Dart-Code session detection: a debug session announces its VM service through the
 * `dart.debuggerUris` custom event, and Isoscope attaches on its own and detaches when the
 * session ends. The session comes from a fixture extension (test/fixtures/vscode-dart-adapter-ext,
 * debug type `isoscope-test-dart`) whose inline adapter sends that event the way Dart-Code does;
 * the VM service it names is the scripted peer (spec/recorded fixtures), NOT a real Dart VM.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { IsoscopeApi } from '../../../extension/vscode/api';
import { isoscope, waitFor } from '../helpers';
import { startScriptedPeer, type ScriptedPeerProcess } from '../scripted-peer';

const DEBUG_TYPE = 'isoscope-test-dart';
const FIXTURE_EXTENSION = 'isoscope-test.vscode-dart-adapter-ext';

/** Resolves with the next debug session of the fixture's type that starts. */
function nextDebugSession(): Promise<vscode.DebugSession> {
  return new Promise((resolve) => {
    const sub = vscode.debug.onDidStartDebugSession((s) => {
      if (s.type !== DEBUG_TYPE) return;
      sub.dispose();
      resolve(s);
    });
  });
}

/** Names of the tree's isolate rows under the session row of `sessionId`. */
function treeIsolateNames(api: IsoscopeApi, sessionId: string): string[] {
  const sessionNode = api.treeProvider.getChildren().find((n) => n.type === 'session' && n.session.id === sessionId);
  if (!sessionNode) return [];
  return api.treeProvider.getChildren(sessionNode).map((n) => String(api.treeProvider.getTreeItem(n).label));
}

describe('Dart debug sessions via dart.debuggerUris (fixture debug adapter + scripted VM-service peer, not a real Dart VM)', () => {
  let peer: ScriptedPeerProcess | null = null;
  after(() => peer?.stop());

  it('attaches when the session announces its VM service, shows its isolates, and detaches when it stops', async () => {
    const api = await isoscope();
    assert.ok(
      vscode.extensions.getExtension(FIXTURE_EXTENSION),
      `${FIXTURE_EXTENSION} must be installed (run-code-server.mjs installs it from test/fixtures)`,
    );
    peer = await startScriptedPeer();
    const started = nextDebugSession();
    const ok = await vscode.debug.startDebugging(undefined, {
      type: DEBUG_TYPE,
      request: 'launch',
      name: 'Flutter app (scripted)',
      vmServiceUri: peer.wsUri,
    });
    assert.equal(ok, true, `a ${DEBUG_TYPE} session started`);
    const session = await started;
    const key = `debug:${session.id}`;

    const attachment = await waitFor('Isoscope to attach to the announced VM service', () =>
      api.dart.list().find((a) => a.key === key && a.state === 'connected' && a.sessionId !== null),
    );
    assert.equal(attachment.uri, peer.wsUri, 'the URI from the dart.debuggerUris event');
    assert.equal(attachment.label, 'Flutter app (scripted)', 'labelled with the debug session name');
    const sessionId = attachment.sessionId!;
    const names = await waitFor('the Dart isolates of the session in the model', () => {
      const found = api.model
        .snapshot()
        .isolates.filter((i) => i.sessionId === sessionId)
        .map((i) => i.name)
        .sort();
      return found.length >= 2 ? found : undefined;
    });
    assert.deepEqual(names, ['image-decoder', 'main'], 'the isolates of the fixture getVM response');
    const modelSession = api.model.snapshot().sessions.find((s) => s.id === sessionId);
    assert.equal(modelSession?.runtime, 'dart');
    assert.equal(modelSession?.endedAtMs, null, 'open while the debug session runs');
    const rows = await waitFor('the isolates in the Isolates tree', () => {
      const r = treeIsolateNames(api, sessionId);
      return r.length >= 2 ? r.sort() : undefined;
    });
    assert.deepEqual(rows, ['image-decoder', 'main']);

    await vscode.debug.stopDebugging(session);
    await waitFor('Isoscope to detach when the debug session ends', () => api.dart.list().every((a) => a.key !== key));
    const closed = await waitFor('the model session to close', () => {
      const s = api.model.snapshot().sessions.find((x) => x.id === sessionId);
      return s && s.endedAtMs !== null ? s : undefined;
    });
    assert.ok(closed.endedAtMs! >= closed.startedAtMs, 'ended after it started');
    const stillRunning = api.model
      .snapshot()
      .isolates.filter((i) => i.sessionId === sessionId && i.state === 'running');
    assert.deepEqual(stillRunning, [], 'its isolates are exited');
  });

  it('a dart.debuggerUris event without a URI is logged, not attached', async () => {
    const api = await isoscope();
    const before = api.dart.list().length;
    const started = nextDebugSession();
    // The fixture adapter sends `{ vmServiceUri: undefined }` when the config has none.
    const ok = await vscode.debug.startDebugging(undefined, {
      type: DEBUG_TYPE,
      request: 'launch',
      name: 'no VM service',
    });
    assert.equal(ok, true);
    const session = await started;
    // Wait until the adapter has certainly answered launch (its threads request returns).
    await session.customRequest('threads');
    assert.equal(api.dart.list().length, before, 'nothing attached');
    assert.equal(
      api.dart.list().some((a) => a.key === `debug:${session.id}`),
      false,
    );
    await vscode.debug.stopDebugging(session);
  });
});
