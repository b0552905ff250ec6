/**
 * Shared helpers of the extension-host suite: the activated extension's API, polling waits (UI
 * and model state settle a little after commands return), and fixture paths.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { IsoscopeApi } from '../../extension/vscode/api';

export const EXTENSION_ID = 'isoscope.isoscope';

/** The repository root (the extension under development). */
export function repoRoot(): string {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not installed in this VS Code`);
  return ext.extensionPath;
}

/** The fixture workspace folder the suite runs in. */
export function workspaceDir(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the suite must run with test/fixtures/vscode-workspace open');
  return folder.uri.fsPath;
}

/** A file in the fixture workspace. */
export function fixture(name: string): string {
  return path.join(workspaceDir(), name);
}

/** Activates Isoscope (if needed) and returns its API. */
export async function isoscope(): Promise<IsoscopeApi> {
  const ext = vscode.extensions.getExtension<IsoscopeApi>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not installed in this VS Code`);
  return ext.activate();
}

/** Polls `probe` until it returns a value other than undefined/false; fails with `what` on timeout. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    try {
      const v = probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`,
      );
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Sets an isoscope.* user setting and returns a function that restores the old value. */
export async function withSetting(key: string, value: unknown): Promise<() => Promise<void>> {
  const config = vscode.workspace.getConfiguration('isoscope');
  const old = config.inspect(key)?.globalValue;
  await config.update(key, value, vscode.ConfigurationTarget.Global);
  return () => Promise.resolve(config.update(key, old, vscode.ConfigurationTarget.Global));
}
