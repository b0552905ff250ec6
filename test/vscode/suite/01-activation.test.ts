/** Activation, commands, the view and the inspector panel, in a real VS Code. */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, fixture, isoscope, waitFor } from '../helpers';

const COMMANDS = [
  'isoscope.showInspector',
  'isoscope.profileNodeProgram',
  'isoscope.connectDartVm',
  'isoscope.toggleTerminalProfiling',
  'isoscope.clearExited',
];

function inspectorTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('isoscope.inspector'));
}

describe('activation', () => {
  // First test of the suite: nothing has activated Isoscope yet.
  it('opening a JS file activates Isoscope on its own (onLanguage) and its lint diagnostics show', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, 'the extension is installed');
    assert.equal(ext.isActive, false, 'nothing activated Isoscope before this test');
    const uri = vscode.Uri.file(fixture('named-workers.js'));
    await vscode.window.showTextDocument(uri, { preview: true });
    await waitFor('the extension to activate (onLanguage:javascript)', () => ext.isActive, 30_000);
    const diagnostic = await waitFor('the static copy-array-buffer diagnostic of the opened file', () =>
      vscode.languages
        .getDiagnostics(uri)
        .find(
          (d) =>
            d.source === 'isoscope' && (typeof d.code === 'object' ? d.code.value : d.code) === 'copy-array-buffer',
        ),
    );
    assert.equal(diagnostic.range.start.line + 1, 10, diagnostic.message);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('activates and registers every Isoscope command', async () => {
    const api = await isoscope();
    assert.ok(api.model, 'the API exposes the model');
    const all = new Set(await vscode.commands.getCommands(true));
    for (const id of COMMANDS) assert.ok(all.has(id), `${id} is registered`);
  });

  it('starts one loopback collector with a token', async () => {
    const api = await isoscope();
    const a = await api.endpoint();
    const b = await api.endpoint();
    assert.match(a.collectorUrl, /^ws:\/\/127\.0\.0\.1:\d+\//);
    assert.ok(a.token.length >= 16, 'a random token');
    assert.deepEqual(b, a, 'later calls share the same collector');
  });

  it('Show Inspector opens the webview panel, once', async () => {
    const api = await isoscope();
    await vscode.commands.executeCommand('isoscope.showInspector');
    await vscode.commands.executeCommand('isoscope.showInspector');
    await waitFor('the inspector tab', () => inspectorTabs().length === 1, 20_000);
    assert.equal(api.inspector.isOpen, true);
    await vscode.window.tabGroups.close(inspectorTabs());
    await waitFor('the panel to close', () => !api.inspector.isOpen, 20_000);
  });

  it('the Isolates tree is empty before anything runs (the welcome view shows)', async () => {
    const api = await isoscope();
    const roots = api.treeProvider.getChildren().filter((n) => n.type === 'session');
    assert.equal(roots.length, api.model.snapshot().sessions.length);
  });
});
