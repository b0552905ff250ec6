/**
 * `Isoscope: Profile Node Program…`: runs a JS/TS file under the agent, in a terminal (the program
 * is the terminal's process) or in the debugger (a `node` launch configuration).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { IsoscopeRuntime } from './isoscope-runtime';
import { describeError, type Log } from './output';
import { readSettings, type ProfileTarget } from './settings';

/** The optional argument (tests, keybindings, other extensions): a file, or file plus options. */
export type ProfileNodeArgs = vscode.Uri | { program: vscode.Uri | string; in?: ProfileTarget; args?: string[] };

/** What was started, so callers (tests) can wait on it or close it. */
export interface ProfiledLaunch {
  program: string;
  target: ProfileTarget;
  terminal: vscode.Terminal | null;
}

const scriptLanguages = new Set(['javascript', 'typescript', 'javascriptreact', 'typescriptreact']);
const scriptExtensions = /\.(?:[cm]?js|[cm]?ts|jsx|tsx)$/;
/** Marks configurations we already instrumented, so the debug provider does not add the agent twice. */
export const INSTRUMENTED_FLAG = '__isoscopeAgent';

async function chooseProgram(arg: ProfileNodeArgs | undefined): Promise<vscode.Uri | undefined> {
  if (arg instanceof vscode.Uri) return arg;
  if (arg && typeof arg === 'object' && 'program' in arg)
    return typeof arg.program === 'string' ? vscode.Uri.file(arg.program) : arg.program;
  const active = vscode.window.activeTextEditor?.document;
  if (active && active.uri.scheme === 'file' && scriptLanguages.has(active.languageId)) return active.uri;
  // activeTextEditor can lag behind (or be unset while focus is in the palette or a panel); the
  // active tab still says which file the user is looking at.
  const tab = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (tab instanceof vscode.TabInputText && tab.uri.scheme === 'file' && scriptExtensions.test(tab.uri.path))
    return tab.uri;
  const picked = await vscode.window.showOpenDialog({
    title: 'Profile Node Program',
    openLabel: 'Profile',
    canSelectMany: false,
    filters: { 'JavaScript / TypeScript': ['js', 'mjs', 'cjs', 'ts', 'mts', 'cts'] },
  });
  return picked?.[0];
}

/** Appends to NODE_OPTIONS instead of replacing what the user (or the launch config) set. */
export function mergeNodeOptions(existing: string | undefined, added: string): string {
  return existing && existing.trim() !== '' ? `${existing} ${added}` : added;
}

/** Runs the command; returns what it launched, or null when the user cancelled. */
export async function profileNodeProgram(
  runtime: IsoscopeRuntime,
  log: Log,
  arg?: ProfileNodeArgs,
): Promise<ProfiledLaunch | null> {
  const uri = await chooseProgram(arg);
  if (!uri) return null;
  const program = uri.fsPath;
  const target = (arg && !(arg instanceof vscode.Uri) && arg.in) || readSettings().profileIn;
  const extraArgs = (arg && !(arg instanceof vscode.Uri) && arg.args) || [];
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  const cwd = folder?.uri.fsPath ?? path.dirname(program);
  try {
    const vars = await runtime.agentVariables();
    const env = { ...vars, NODE_OPTIONS: mergeNodeOptions(process.env.NODE_OPTIONS, vars.NODE_OPTIONS ?? '') };
    log.info(`profiling ${program} in the ${target}`);
    if (target === 'terminal') {
      const terminal = vscode.window.createTerminal({
        name: `Isoscope: ${path.basename(program)}`,
        shellPath: 'node',
        shellArgs: [program, ...extraArgs],
        cwd,
        env,
        iconPath: new vscode.ThemeIcon('pulse'),
      });
      terminal.show(true);
      return { program, target, terminal };
    }
    const started = await vscode.debug.startDebugging(folder, {
      type: 'node',
      request: 'launch',
      name: `Isoscope: ${path.basename(program)}`,
      program,
      args: extraArgs,
      cwd,
      env,
      [INSTRUMENTED_FLAG]: true,
    });
    if (!started) throw new Error('the Node debugger did not start (is the JavaScript debugger enabled?)');
    return { program, target, terminal: null };
  } catch (err) {
    log.error(`profiling ${program} failed`, err);
    void vscode.window.showErrorMessage(`Isoscope could not start ${path.basename(program)}: ${describeError(err)}`);
    return null;
  }
}
