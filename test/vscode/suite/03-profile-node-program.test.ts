/** `Isoscope: Profile Node Program…` with the fixture program: tree, exited state, diagnostics. */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { IsoscopeApi } from '../../../extension/vscode/api';
import type { IsolateTreeNode } from '../../../extension/vscode/isolate-tree';
import { fixture, isoscope, waitFor } from '../helpers';

/** Isolate rows under session rows, as the view renders them. */
function treeIsolates(api: IsoscopeApi): { label: string; item: vscode.TreeItem }[] {
  const rows: { label: string; item: vscode.TreeItem }[] = [];
  for (const session of api.treeProvider.getChildren()) {
    for (const child of api.treeProvider.getChildren(session) as IsolateTreeNode[]) {
      const item = api.treeProvider.getTreeItem(child);
      rows.push({ label: String(item.label), item });
    }
  }
  return rows;
}

describe('Profile Node Program (fixture program)', () => {
  it('runs the file under the agent and the Isolates tree shows its named workers', async () => {
    const api = await isoscope();
    const launch = await vscode.commands.executeCommand<{ terminal: vscode.Terminal | null } | null>(
      'isoscope.profileNodeProgram',
      { program: fixture('named-workers.js'), in: 'terminal', args: ['profiled'] },
    );
    assert.ok(launch?.terminal, 'a terminal was started');
    const rows = await waitFor('both workers in the tree', () => {
      const r = treeIsolates(api);
      return r.some((x) => x.label === 'profiled-alpha') && r.some((x) => x.label === 'profiled-beta') ? r : undefined;
    });
    const alpha = rows.find((x) => x.label === 'profiled-alpha')!;
    assert.match(String(alpha.item.description), /heap .+ · queue \d+/, 'description shows heap and queue');
    assert.match(String(alpha.item.tooltip), /profiled-alpha \(worker, node\)/);
    assert.equal(alpha.item.command?.command, 'isoscope.showInspector', 'selecting opens the inspector');
  });

  it('an oversized send shows as an isoscope diagnostic at its line', async () => {
    await isoscope();
    const uri = vscode.Uri.file(fixture('named-workers.js'));
    const diagnostic = await waitFor('a runtime oversized-message diagnostic', () =>
      vscode.languages.getDiagnostics(uri).find((d) => d.source === 'isoscope' && codeOf(d) === 'oversized-message'),
    );
    // Line 10 (1-based) of named-workers.js: `worker.postMessage(new Uint8Array(256 * 1024));`
    assert.equal(diagnostic.range.start.line + 1, 10, diagnostic.message);
  });

  it('exited workers stay in the tree, dimmed, until Clear Exited', async () => {
    const api = await isoscope();
    const exited = await waitFor('the workers to exit', () => {
      const r = treeIsolates(api).filter((x) => x.label.startsWith('profiled-'));
      return r.length === 2 && r.every((x) => String(x.item.description).startsWith('exited')) ? r : undefined;
    });
    for (const row of exited) assert.equal(row.item.resourceUri?.scheme, 'isoscope-isolate', 'dimmed by decoration');
    await vscode.commands.executeCommand('isoscope.clearExited');
    await waitFor('Clear Exited to remove them', () =>
      treeIsolates(api).every((x) => !x.label.startsWith('profiled-')),
    );
  });
});

/** What the command returns for a terminal launch (see ProfiledLaunch). */
interface TerminalLaunch {
  terminal: vscode.Terminal | null;
  exited?: Promise<{ code: number | null; signal: string | null; error: string | null }> | null;
  output?: (() => string) | null;
}

describe('Profile Node Program (output after the program ends)', () => {
  it('a program that crashes keeps its terminal open, with its output and exit code', async () => {
    await isoscope();
    const launch = await vscode.commands.executeCommand<TerminalLaunch | null>('isoscope.profileNodeProgram', {
      program: fixture('crash.js'),
      in: 'terminal',
    });
    assert.ok(launch?.terminal, 'a terminal was started');
    const terminal = launch.terminal;
    try {
      const closed = new Promise<'closed'>((resolve) => {
        const sub = vscode.window.onDidCloseTerminal((t) => {
          if (t !== terminal) return;
          sub.dispose();
          resolve('closed');
        });
      });
      const outcome = await Promise.race([
        launch.exited ?? closed,
        closed,
        new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 60_000)),
      ]);
      assert.notEqual(outcome, 'closed', 'the terminal closed with the program: its output is lost');
      assert.notEqual(outcome, 'timeout', 'the program did not end');
      assert.equal(typeof outcome === 'object' && outcome.code, 1, JSON.stringify(outcome));
      // Still there a moment later, showing what the program printed and how it ended.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      assert.ok(vscode.window.terminals.includes(terminal), 'the terminal is still open');
      assert.equal(terminal.exitStatus, undefined, 'the terminal has not exited');
      const output = launch.output?.() ?? '';
      assert.match(output, /crash fixture: about to fail/);
      assert.match(output, /Error: boom from the crash fixture/);
      assert.match(output, /exited with code 1/);
    } finally {
      terminal.dispose();
    }
  });

  it('a program path that does not exist is refused before anything starts', async () => {
    await isoscope();
    const before = vscode.window.terminals.length;
    const launch = await vscode.commands.executeCommand<TerminalLaunch | null>('isoscope.profileNodeProgram', {
      program: fixture('no-such-program.js'),
      in: 'terminal',
    });
    assert.equal(launch, null, 'nothing was launched');
    assert.equal(vscode.window.terminals.length, before, 'no terminal was opened');
  });
});

function codeOf(d: vscode.Diagnostic): string {
  return typeof d.code === 'object' ? String(d.code.value) : String(d.code);
}
