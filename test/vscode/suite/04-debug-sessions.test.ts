/** The debug configuration provider adds the agent to Node launch configurations (setting on). */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { fixture, isoscope, repoRoot, waitFor, withSetting } from '../helpers';

describe('debug sessions', () => {
  it('leaves node launch configurations alone while profileDebugSessions is off', async () => {
    const api = await isoscope();
    const restore = await withSetting('profileDebugSessions', false);
    try {
      const config = { type: 'node', request: 'launch', name: 'x', program: fixture('named-workers.js') };
      const resolved = await api.debugConfigurationProvider.resolveDebugConfigurationWithSubstitutedVariables(
        undefined,
        { ...config },
      );
      assert.deepEqual(resolved, config);
    } finally {
      await restore();
    }
  });

  it('adds the agent to a node launch configuration and the debugged program shows up', async () => {
    const api = await isoscope();
    const restore = await withSetting('profileDebugSessions', true);
    const folder = vscode.workspace.workspaceFolders?.[0];
    const started = new Promise<vscode.DebugSession>((resolve) => {
      const sub = vscode.debug.onDidStartDebugSession((s) => {
        sub.dispose();
        resolve(s);
      });
    });
    try {
      const ok = await vscode.debug.startDebugging(folder, {
        type: 'node',
        request: 'launch',
        name: 'isoscope fixture',
        program: fixture('named-workers.js'),
        args: ['debugged'],
        env: { NODE_OPTIONS: '--no-warnings' },
      });
      assert.equal(ok, true, 'the Node debugger started');
      const session = await started;
      const env = session.configuration.env as Record<string, string>;
      assert.ok(env.NODE_OPTIONS.startsWith('--no-warnings '), `user NODE_OPTIONS kept: ${env.NODE_OPTIONS}`);
      assert.ok(env.NODE_OPTIONS.includes(path.join(repoRoot(), 'dist', 'agent.cjs')), env.NODE_OPTIONS);
      await waitFor('the debugged program’s workers in the model', () => {
        const names = api.model.snapshot().isolates.map((i) => i.name);
        return names.includes('debugged-alpha') && names.includes('debugged-beta');
      });
    } finally {
      await vscode.debug.stopDebugging();
      await restore();
    }
  });
});
