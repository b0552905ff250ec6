/**
 * `isoscope.oversizedMessageBytes` applies without a reload: the model re-judges its runtime
 * findings (diagnostics follow through the language server) and the language server its static
 * ones (`isoscope/settings`), both for the fixture's 256 KiB send at named-workers.js:10.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { fixture, isoscope, waitFor, withSetting } from '../helpers';

const SEND_LINE = 10; // `worker.postMessage(new Uint8Array(256 * 1024));`
const MIB = 1024 * 1024;

function codeOf(d: vscode.Diagnostic): string {
  return typeof d.code === 'object' ? String(d.code.value) : String(d.code);
}

/** Isoscope diagnostics at the send line of named-workers.js, by code. */
function sendLineDiagnostics(uri: vscode.Uri): Map<string, vscode.Diagnostic> {
  const found = new Map<string, vscode.Diagnostic>();
  for (const d of vscode.languages.getDiagnostics(uri))
    if (d.source === 'isoscope' && d.range.start.line + 1 === SEND_LINE) found.set(codeOf(d), d);
  return found;
}

describe('settings apply live', () => {
  it('raising oversizedMessageBytes hides the runtime and static findings of a 256 KiB send; restoring brings them back', async () => {
    const api = await isoscope();
    const uri = vscode.Uri.file(fixture('named-workers.js'));
    // Opened, so the language server analyzes it (static finding), and profiled (runtime finding).
    await vscode.window.showTextDocument(uri, { preview: true });
    const launch = await vscode.commands.executeCommand<{ terminal: vscode.Terminal | null } | null>(
      'isoscope.profileNodeProgram',
      { program: uri.fsPath, in: 'terminal', args: ['threshold'] },
    );
    assert.ok(launch, 'the fixture program started');
    const before = await waitFor('runtime and static diagnostics at the send line', () => {
      const d = sendLineDiagnostics(uri);
      return d.has('oversized-message') && d.has('copy-array-buffer') ? d : undefined;
    });
    assert.match(before.get('oversized-message')!.message, /over the 64 KiB threshold/);

    const restore = await withSetting('oversizedMessageBytes', MIB);
    try {
      await waitFor('the model to take the new threshold', () => api.model.oversizedBytes === MIB);
      const fileFindings = () =>
        api.model
          .snapshot()
          .findings.filter((f) => f.rule === 'oversized-message' && f.location?.file.endsWith('named-workers.js'));
      assert.deepEqual(fileFindings(), [], 'no runtime finding: 256 KiB is under 1 MiB');
      await waitFor('both diagnostics to go without a reload', () => sendLineDiagnostics(uri).size === 0);
    } finally {
      await restore();
    }
    await waitFor('the model to go back to 64 KiB', () => api.model.oversizedBytes === 64 * 1024);
    const after = await waitFor('both diagnostics to come back', () => {
      const d = sendLineDiagnostics(uri);
      return d.has('oversized-message') && d.has('copy-array-buffer') ? d : undefined;
    });
    assert.match(after.get('oversized-message')!.message, /over the 64 KiB threshold/);
    launch.terminal?.dispose();
  });
});
