/** The terminal toggle: environmentVariableCollection, and a program typed in a real terminal. */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { fixture, isoscope, repoRoot, waitFor, workspaceDir } from '../helpers';

async function setToggle(want: boolean): Promise<void> {
  const api = await isoscope();
  const now = vscode.workspace.getConfiguration('isoscope').get<boolean>('profileTerminals', false);
  if (now !== want) await vscode.commands.executeCommand('isoscope.toggleTerminalProfiling');
  await waitFor(
    'the setting to change',
    () => vscode.workspace.getConfiguration('isoscope').get<boolean>('profileTerminals', false) === want,
  );
  await waitFor(
    'the terminal environment to follow',
    () => (api.terminalEnvironment.get('NODE_OPTIONS') !== undefined) === want,
  );
  await api.terminalEnvironmentSettled();
}

describe('Toggle Profiling in Terminals', () => {
  after(() => setToggle(false));

  it('adds the agent preload and the collector to the terminal environment, and removes them', async () => {
    const api = await isoscope();
    await setToggle(true);
    const nodeOptions = api.terminalEnvironment.get('NODE_OPTIONS');
    assert.ok(nodeOptions, 'NODE_OPTIONS is changed');
    assert.equal(nodeOptions.type, vscode.EnvironmentVariableMutatorType.Append, 'appended, not replaced');
    assert.ok(nodeOptions.value.includes('--require'), nodeOptions.value);
    assert.ok(nodeOptions.value.includes(path.join(repoRoot(), 'dist', 'agent.cjs')), nodeOptions.value);
    const { collectorUrl, token } = await api.endpoint();
    assert.equal(api.terminalEnvironment.get('ISOSCOPE_COLLECTOR')?.value, collectorUrl);
    assert.equal(api.terminalEnvironment.get('ISOSCOPE_TOKEN')?.value, token);
    await setToggle(false);
    assert.equal(api.terminalEnvironment.get('NODE_OPTIONS'), undefined);
    assert.equal(api.terminalEnvironment.get('ISOSCOPE_COLLECTOR'), undefined);
  });

  it('with a workspace setting, the toggle changes that setting (the one in force) and reports the state in force', async () => {
    const api = await isoscope();
    const config = () => vscode.workspace.getConfiguration('isoscope');
    await config().update('profileTerminals', true, vscode.ConfigurationTarget.Workspace);
    try {
      await waitFor('the workspace setting to apply', () => config().get<boolean>('profileTerminals') === true);
      await waitFor('the terminal environment to load the agent', () => !!api.terminalEnvironment.get('NODE_OPTIONS'));
      const off = await vscode.commands.executeCommand<boolean>('isoscope.toggleTerminalProfiling');
      assert.equal(off, false, 'the command reports the state in force');
      assert.equal(config().inspect<boolean>('profileTerminals')?.workspaceValue, false, 'the workspace value changed');
      assert.equal(config().get<boolean>('profileTerminals'), false, 'terminal profiling is off in this window');
      await waitFor('the terminal environment to drop the agent', () => !api.terminalEnvironment.get('NODE_OPTIONS'));
      const on = await vscode.commands.executeCommand<boolean>('isoscope.toggleTerminalProfiling');
      assert.equal(on, true);
      assert.equal(config().inspect<boolean>('profileTerminals')?.workspaceValue, true);
      await waitFor(
        'the terminal environment to load the agent again',
        () => !!api.terminalEnvironment.get('NODE_OPTIONS'),
      );
    } finally {
      await config().update('profileTerminals', undefined, vscode.ConfigurationTarget.Workspace);
      await config().update('profileTerminals', undefined, vscode.ConfigurationTarget.Global);
      await waitFor('the toggle to be off again', () => !api.terminalEnvironment.get('NODE_OPTIONS'));
      await api.terminalEnvironmentSettled();
    }
  });

  it('a node program typed into a new terminal is profiled while the toggle is on', async () => {
    const api = await isoscope();
    await setToggle(true);
    const terminal = vscode.window.createTerminal({ name: 'isoscope-test', cwd: workspaceDir(), shellPath: '/bin/sh' });
    try {
      terminal.sendText(`node ${JSON.stringify(fixture('named-workers.js'))} typed`);
      const names = await waitFor('the typed program’s workers in the model', () => {
        const found = api.model.snapshot().isolates.map((i) => i.name);
        return found.includes('typed-alpha') && found.includes('typed-beta') ? found : undefined;
      });
      assert.ok(names.includes('typed-alpha'));
    } finally {
      terminal.dispose();
    }
  });
});
