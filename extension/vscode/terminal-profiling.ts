/**
 * "Profile Node programs in terminals": while the `isoscope.profileTerminals` setting is on, every
 * new integrated terminal gets the agent preload appended to NODE_OPTIONS and the collector's
 * address and token, the way js-debug's auto-attach works, so `node app.js` typed in a terminal
 * is profiled. The values change per window (random port and token), so they are not persisted.
 */
import * as vscode from 'vscode';
import type { IsoscopeRuntime } from './isoscope-runtime';
import { describeError, type Log } from './output';
import { SECTION } from './settings';

/** Keeps `environmentVariableCollection` in line with the setting. */
export class TerminalProfiling {
  private generation = 0;

  constructor(
    private readonly collection: vscode.GlobalEnvironmentVariableCollection,
    private readonly runtime: IsoscopeRuntime,
    private readonly log: Log,
  ) {
    // Values are per window (port, token): a persisted copy would point at a dead collector.
    collection.persistent = false;
  }

  /** Applies the setting; resolves once the collection matches it. */
  async apply(enabled: boolean): Promise<void> {
    const generation = ++this.generation;
    if (!enabled) {
      this.collection.clear();
      this.log.info('terminal profiling off');
      return;
    }
    const vars = await this.runtime.agentVariables();
    if (generation !== this.generation) return; // toggled again while the collector started
    this.collection.clear();
    this.collection.description = 'Isoscope profiles Node.js programs started in this terminal';
    for (const [key, value] of Object.entries(vars)) {
      // Append so the user's own NODE_OPTIONS (and js-debug's auto-attach) keep working.
      if (key === 'NODE_OPTIONS') this.collection.append(key, ` ${value}`);
      else this.collection.replace(key, value);
    }
    this.log.info('terminal profiling on: new terminals load the Isoscope agent');
  }
}

/**
 * `Isoscope: Toggle Profiling in Terminals`: flips `isoscope.profileTerminals` where it takes
 * effect (the workspace settings when they set it, else the user settings; it is a window
 * setting, so folder settings don't apply) and returns the state in force afterwards, which the
 * message states.
 */
export async function toggleTerminalProfiling(): Promise<boolean> {
  const key = 'profileTerminals';
  const config = vscode.workspace.getConfiguration(SECTION);
  const before = config.get<boolean>(key, false);
  const next = !before;
  const inWorkspace = config.inspect<boolean>(key)?.workspaceValue !== undefined;
  const scope = inWorkspace ? 'workspace' : 'user';
  try {
    await config.update(
      key,
      next,
      inWorkspace ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global,
    );
  } catch (err) {
    void vscode.window.showErrorMessage(`Isoscope could not change isoscope.profileTerminals: ${describeError(err)}`);
    return before;
  }
  const now = vscode.workspace.getConfiguration(SECTION).get<boolean>(key, false);
  if (now !== next) {
    void vscode.window.showWarningMessage(
      `Isoscope: terminal profiling stays ${now ? 'on' : 'off'}: the ${scope} setting was changed, ` +
        'but another value of isoscope.profileTerminals takes precedence.',
    );
    return now;
  }
  void vscode.window.setStatusBarMessage(
    `${now ? 'Isoscope: new terminals profile Node programs' : 'Isoscope: terminal profiling off'} (${scope} setting)`,
    4000,
  );
  return now;
}
