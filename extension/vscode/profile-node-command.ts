/**
 * `Isoscope: Profile Node Program…`: runs a JS/TS file under the agent, in a terminal (the program
 * is the terminal's process) or in the debugger (a `node` launch configuration).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { IsoscopeRuntime } from './isoscope-runtime';
import { NodeProgramTerminal, type NodeExit } from './node-program-terminal';
import { describeError, type Log } from './output';
import { readSettings, type ProfileTarget } from './settings';

/** The optional argument (tests, keybindings, other extensions): a file, or file plus options. */
export type ProfileNodeArgs = vscode.Uri | { program: vscode.Uri | string; in?: ProfileTarget; args?: string[] };

/** What was started, so callers (tests) can wait on it or close it. */
export interface ProfiledLaunch {
  program: string;
  target: ProfileTarget;
  terminal: vscode.Terminal | null;
  /** In a terminal: settles when the program ended (the terminal stays open to show its output). */
  exited: Promise<NodeExit> | null;
  /** In a terminal: what the program wrote so far. */
  output: (() => string) | null;
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

/** The extension host's environment without VS Code's own variables (what a terminal would give). */
function programBaseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env))
    if (!key.startsWith('VSCODE_') && key !== 'ELECTRON_RUN_AS_NODE') env[key] = value;
  return env;
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
  const problem = await fs.stat(program).then(
    (s) => (s.isFile() ? null : 'it is not a file'),
    () => 'the file does not exist',
  );
  if (problem) {
    log.warn(`not profiling ${program}: ${problem}`);
    void vscode.window.showErrorMessage(`Isoscope cannot profile ${program}: ${problem}. Pick a JS or TS file to run.`);
    return null;
  }
  const target = (arg && !(arg instanceof vscode.Uri) && arg.in) || readSettings().profileIn;
  const extraArgs = (arg && !(arg instanceof vscode.Uri) && arg.args) || [];
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  const cwd = folder?.uri.fsPath ?? path.dirname(program);
  try {
    const vars = await runtime.agentVariables();
    const env = { ...vars, NODE_OPTIONS: mergeNodeOptions(process.env.NODE_OPTIONS, vars.NODE_OPTIONS ?? '') };
    log.info(`profiling ${program} in the ${target}`);
    if (target === 'terminal') {
      // The program's own process in a pseudoterminal that outlives it, so its output (a crash's
      // stack trace) stays on screen with the exit code.
      const pty = new NodeProgramTerminal({ program, args: extraArgs, cwd, env: { ...programBaseEnv(), ...env } });
      const terminal = vscode.window.createTerminal({
        name: `Isoscope: ${path.basename(program)}`,
        pty,
        iconPath: new vscode.ThemeIcon('pulse'),
      });
      terminal.show(true);
      void pty.exited.then((exit) => {
        if (exit.error !== null) {
          log.error(`${program} did not start: ${exit.error}`);
          void vscode.window.showErrorMessage(
            `Isoscope could not run node for ${path.basename(program)}: ${exit.error}`,
          );
        } else log.info(`${program} exited with ${exit.signal ?? `code ${exit.code}`}`);
      });
      return { program, target, terminal, exited: pty.exited, output: () => pty.output() };
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
    return { program, target, terminal: null, exited: null, output: null };
  } catch (err) {
    log.error(`profiling ${program} failed`, err);
    void vscode.window.showErrorMessage(`Isoscope could not start ${path.basename(program)}: ${describeError(err)}`);
    return null;
  }
}
