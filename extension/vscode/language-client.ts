/**
 * Starts the Isoscope language server (`dist/language-server.cjs`) with vscode-languageclient and
 * gives the extension one way to push runtime findings to it, so the server owns every Isoscope
 * diagnostic (static and runtime) and its code actions.
 */
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import {
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import type { Log } from './output';
import { RUNTIME_FINDINGS_METHOD, SETTINGS_METHOD, type Finding, type RuntimeFindingsParams } from '../../protocol';

/** What the extension holds on to while the client runs. */
export interface LanguageClientHandle {
  /** Replaces the runtime findings the server shows (original source positions, 1-based). */
  pushRuntimeFindings(findings: Finding[]): void;
  /** Tells the server the oversized threshold changed. */
  setOversizedBytes(bytes: number): void;
  /** Stops the server. */
  dispose(): Promise<void>;
}

/** Starts the client; resolves once the server answered `initialize`. */
export async function startLanguageClient(
  context: vscode.ExtensionContext,
  output: vscode.OutputChannel | Log,
  opts: { oversizedBytes?: number } = {},
): Promise<LanguageClientHandle> {
  const bundled = context.asAbsolutePath('dist/language-server.cjs');
  // esbuild may emit .js for the cjs format; accept either so a build setting can't break startup.
  const module = existsSync(bundled) ? bundled : context.asAbsolutePath('dist/language-server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.stdio },
    debug: { module, transport: TransportKind.stdio, options: { execArgv: ['--nolazy'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: ['dart', 'typescript', 'javascript', 'typescriptreact', 'javascriptreact'].map((language) => ({
      scheme: 'file',
      language,
    })),
    // With the extension's Log (no channel object) the client makes its own "Isoscope" channel.
    ...('appendLine' in output ? { outputChannel: output } : {}),
    initializationOptions: { oversizedBytes: opts.oversizedBytes ?? 64 * 1024 },
  };
  const client = new LanguageClient('isoscope', 'Isoscope', serverOptions, clientOptions);
  await client.start();
  const logError = (what: string, err: unknown): void => {
    const message = `isoscope: ${what}: ${err instanceof Error ? err.message : String(err)}`;
    if ('appendLine' in output) output.appendLine(message);
    else output.error(message);
  };
  let last: Finding[] = [];
  let pending: NodeJS.Timeout | undefined;
  return {
    pushRuntimeFindings(findings) {
      last = findings;
      // The model changes up to ~10×/s; coalesce so the server re-publishes at most every 250 ms.
      if (pending) return;
      pending = setTimeout(() => {
        pending = undefined;
        const params: RuntimeFindingsParams = { findings: last };
        client
          .sendNotification(RUNTIME_FINDINGS_METHOD, params)
          .catch((err: unknown) => logError('runtime findings not delivered', err));
      }, 250);
    },
    setOversizedBytes(bytes) {
      client
        .sendNotification(SETTINGS_METHOD, { oversizedBytes: bytes })
        .catch((err: unknown) => logError('settings not delivered', err));
    },
    async dispose() {
      clearTimeout(pending);
      await client.stop();
    },
  };
}
