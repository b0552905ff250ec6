/**
 * Spawns the built language server over stdio and speaks LSP to it with vscode-jsonrpc: the
 * same transport VS Code uses. Collects publishDiagnostics per URI and lets tests wait for them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import type { Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';

/** The server bundle (esbuild may name it .cjs or .js). */
export const serverBundle =
  ['dist/language-server.cjs', 'dist/language-server.js']
    .map((p) => join(process.cwd(), p))
    .find((p) => existsSync(p)) ?? join(process.cwd(), 'dist/language-server.cjs');

/** A running server and a client connection to it. */
export interface LspSession {
  connection: MessageConnection;
  child: ChildProcess;
  /** Resolves with the first diagnostics for `uri` that satisfy `accept` (already received ones count). */
  diagnostics(uri: string, accept: (d: Diagnostic[]) => boolean): Promise<Diagnostic[]>;
  close(): Promise<void>;
}

/** Starts the server, sends initialize/initialized for the workspace folder. */
export async function startLsp(
  workspace: string,
  initializationOptions: object = {},
  workspaceCapabilities: object = {},
  /** Node options for the server process (a smaller heap, say). */
  execArgv: readonly string[] = [],
): Promise<LspSession> {
  const child = spawn(process.execPath, [...execArgv, serverBundle, '--stdio'], {
    cwd: process.cwd(),
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const connection = createMessageConnection(
    new StreamMessageReader(child.stdout as NonNullable<typeof child.stdout>),
    new StreamMessageWriter(child.stdin as NonNullable<typeof child.stdin>),
  );
  const latest = new Map<string, Diagnostic[]>();
  const waiters: { uri: string; accept: (d: Diagnostic[]) => boolean; resolve: (d: Diagnostic[]) => void }[] = [];
  connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
    latest.set(p.uri, p.diagnostics);
    for (const w of [...waiters]) {
      if (w.uri === p.uri && w.accept(p.diagnostics)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(p.diagnostics);
      }
    }
  });
  connection.onNotification('window/logMessage', () => undefined);
  connection.onRequest('client/registerCapability', () => null);
  connection.onRequest('workspace/configuration', () => []);
  connection.listen();
  const uri = `file://${workspace}`;
  await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: uri,
    workspaceFolders: [{ uri, name: 'ws' }],
    capabilities: {
      workspace: { workspaceEdit: { documentChanges: true, changeAnnotationSupport: {} }, ...workspaceCapabilities },
    },
    initializationOptions,
  });
  await connection.sendNotification('initialized', {});
  return {
    connection,
    child,
    diagnostics(target, accept) {
      const have = latest.get(target);
      if (have && accept(have)) return Promise.resolve(have);
      return new Promise((resolve, reject) => {
        // A guard against hanging forever, not a timing assertion: generous on a slow machine.
        const timer = setTimeout(() => {
          reject(
            new Error(`no matching diagnostics for ${target}; last: ${JSON.stringify(latest.get(target) ?? null)}`),
          );
        }, 90_000);
        waiters.push({
          uri: target,
          accept,
          resolve: (d) => {
            clearTimeout(timer);
            resolve(d);
          },
        });
      });
    },
    async close() {
      try {
        await connection.sendRequest('shutdown');
        await connection.sendNotification('exit');
      } catch {
        // The server may already be gone; the kill below covers it.
      }
      connection.dispose();
      if (child.exitCode === null && child.pid) process.kill(child.pid);
    },
  };
}
