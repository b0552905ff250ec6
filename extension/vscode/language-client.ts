/**
 * Starts the Isoscope language server (`dist/language-server.cjs`) with vscode-languageclient and
 * gives the extension one way to push runtime findings to it, so the server owns every Isoscope
 * diagnostic (static and runtime) and its code actions. A crashed server is restarted (a bounded
 * number of times) and gets the current threshold and runtime findings again; when it stays down,
 * `onDidChangeRunning` tells the extension to show runtime findings itself.
 */
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  State,
  TransportKind,
  type ErrorHandler,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { ANALYZED_FILES_GLOB, ANALYZED_LANGUAGE_IDS } from '../language-server/analyzed-files';
import type { ExtensionLog } from './output';
import { RUNTIME_FINDINGS_METHOD, SETTINGS_METHOD, type Finding, type RuntimeFindingsParams } from '../../protocol';

/** Crashes within {@link RESTART_WINDOW_MS} after which the server is left stopped. */
const MAX_RESTARTS = 4;
const RESTART_WINDOW_MS = 3 * 60_000;

/** Error codes of a write to a server process that has exited. */
const DEAD_PIPE_CODES = new Set(['EPIPE', 'ECONNRESET', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_WRITE_AFTER_END']);

function isDeadPipe(error: Error): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return typeof code === 'string' && DEAD_PIPE_CODES.has(code);
}

/** What the extension holds on to while the client runs. */
export interface LanguageClientHandle {
  /** Replaces the runtime findings the server shows (original source positions, 1-based). */
  pushRuntimeFindings(findings: Finding[]): void;
  /** Tells the server the oversized threshold changed. */
  setOversizedBytes(bytes: number): void;
  /** True while the server runs (false while it restarts, and once it was left stopped). */
  readonly isRunning: boolean;
  /** Fires true when the server runs (again), false when it stopped and won't be restarted. */
  readonly onDidChangeRunning: vscode.Event<boolean>;
  /** Stops the server. */
  dispose(): Promise<void>;
}

/** Starts the client; resolves once the server answered `initialize`. */
export async function startLanguageClient(
  context: vscode.ExtensionContext,
  log: ExtensionLog,
  opts: { oversizedBytes?: number } = {},
): Promise<LanguageClientHandle> {
  const bundled = context.asAbsolutePath('dist/language-server.cjs');
  // esbuild may emit .js for the cjs format; accept either so a build setting can't break startup.
  const module = existsSync(bundled) ? bundled : context.asAbsolutePath('dist/language-server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.stdio },
    debug: { module, transport: TransportKind.stdio, options: { execArgv: ['--nolazy'] } },
  };
  let oversizedBytes = opts.oversizedBytes ?? 64 * 1024;
  let last: Finding[] = [];
  let pending: NodeJS.Timeout | undefined;
  let disposing = false;
  let restarting = false;
  const crashes: number[] = [];
  const errorHandler: ErrorHandler = {
    error: (error, _message, count) => ({
      // A write to a server that has just died fails before its closed pipe is seen. Shutting down
      // then (the library's default for the pipe's own error event, which has no count) would skip
      // the restart; the close that follows decides instead. A few other bad messages are
      // survivable; a stream of them means the connection is broken.
      action: isDeadPipe(error) || (count !== undefined && count <= 3) ? ErrorAction.Continue : ErrorAction.Shutdown,
    }),
    closed: () => {
      const now = Date.now();
      crashes.push(now);
      while (crashes.length > 0 && now - crashes[0] > RESTART_WINDOW_MS) crashes.shift();
      if (crashes.length <= MAX_RESTARTS) {
        restarting = true;
        log.warn(
          `the Isoscope language server stopped unexpectedly; restarting it (${crashes.length} of ${MAX_RESTARTS})`,
        );
        return { action: CloseAction.Restart, handled: true };
      }
      const message =
        `The Isoscope language server stopped ${crashes.length} times in 3 minutes and will not be restarted. ` +
        'Runtime findings still show, without static analysis or refactors. Reload the window to start it again.';
      log.error(message);
      return { action: CloseAction.DoNotRestart, message };
    },
  };
  // Files that are not open follow the disk (deleted, rewritten by git or `isoscope lint --fix`).
  const watcher = vscode.workspace.createFileSystemWatcher(ANALYZED_FILES_GLOB);
  const clientOptions: LanguageClientOptions = {
    documentSelector: ANALYZED_LANGUAGE_IDS.map((language) => ({ scheme: 'file', language })),
    // The extension's own channel, so there is one "Isoscope" output, not a second for the client.
    outputChannel: log.channel,
    // Read at every (re)start, so a restarted server gets the threshold in force now.
    initializationOptions: () => ({ oversizedBytes }),
    synchronize: { fileEvents: watcher },
    errorHandler,
  };
  const client = new LanguageClient('isoscope', 'Isoscope', serverOptions, clientOptions);
  const running = new vscode.EventEmitter<boolean>();
  const logError = (what: string, err: unknown): void =>
    log.error(`isoscope: ${what}: ${err instanceof Error ? err.message : String(err)}`);
  const sendFindings = (): void => {
    if (client.state !== State.Running) return; // sent again when it runs (see below)
    const params: RuntimeFindingsParams = { findings: last };
    client
      .sendNotification(RUNTIME_FINDINGS_METHOD, params)
      .catch((err: unknown) => logError('runtime findings not delivered', err));
  };
  const stateListener = client.onDidChangeState((e) => {
    if (e.newState === State.Running) {
      // A restarted server starts empty: it gets the runtime findings of now again (the threshold
      // came with its initialization options).
      if (restarting) sendFindings();
      restarting = false;
      running.fire(true);
    } else if (e.newState === State.Stopped && !disposing && (!restarting || e.oldState === State.Starting)) {
      // Left stopped, or a restart that failed to start: nothing will bring it back.
      restarting = false;
      running.fire(false);
    }
  });
  try {
    await client.start();
  } catch (err) {
    stateListener.dispose();
    watcher.dispose();
    running.dispose();
    throw err;
  }
  return {
    pushRuntimeFindings(findings) {
      last = findings;
      // The model changes up to ~10×/s; coalesce so the server re-publishes at most every 250 ms.
      if (pending) return;
      pending = setTimeout(() => {
        pending = undefined;
        sendFindings();
      }, 250);
    },
    setOversizedBytes(bytes) {
      oversizedBytes = bytes;
      if (client.state !== State.Running) return; // a (re)start reads it from the init options
      client
        .sendNotification(SETTINGS_METHOD, { oversizedBytes: bytes })
        .catch((err: unknown) => logError('settings not delivered', err));
    },
    get isRunning() {
      return client.state === State.Running;
    },
    onDidChangeRunning: running.event,
    async dispose() {
      disposing = true;
      clearTimeout(pending);
      stateListener.dispose();
      running.dispose();
      watcher.dispose();
      if (client.state === State.Stopped) return;
      await client.stop().catch((err: unknown) => logError('stopping the language server failed', err));
    },
  };
}
