/**
 * The Isoscope output channel: where silent errors and lifecycle notes go (and nowhere else).
 */
import * as vscode from 'vscode';

/** Namespaced logging into the "Isoscope" output channel. */
export interface Log {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, err?: unknown): void;
}

/** The extension's log and the channel behind it (the language client writes there too). */
export type ExtensionLog = Log & vscode.Disposable & { readonly channel: vscode.LogOutputChannel };

/** Creates the channel (a LogOutputChannel, so levels and timestamps come for free). */
export function createLog(): ExtensionLog {
  const channel = vscode.window.createOutputChannel('Isoscope', { log: true });
  return {
    channel,
    info: (message) => channel.info(message),
    warn: (message) => channel.warn(message),
    error: (message, err) => channel.error(err === undefined ? message : `${message}: ${describeError(err)}`),
    dispose: () => channel.dispose(),
  };
}

/** A one-line description of anything thrown. */
export function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
