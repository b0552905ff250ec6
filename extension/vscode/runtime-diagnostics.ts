/**
 * Runtime findings (oversized messages seen while the program runs) → editor diagnostics at the
 * original source line. THE one place that decides where they go: to the language server when it
 * runs (it then owns every Isoscope diagnostic, static and runtime, and their code actions), or,
 * when the server cannot start or was left stopped after crashing, to a local DiagnosticCollection
 * (back to the server if it runs again). Never both, so nothing shows twice.
 */
import * as vscode from 'vscode';
import type { Finding, Severity } from '../../protocol';
import type { SourcePaths } from '../language-server/source-paths';
import type { LanguageClientHandle } from './language-client';
import type { Log } from './output';

/** Where runtime findings are published. */
export interface RuntimeFindingsSink {
  /** Which implementation is active (tests and the output channel report it). */
  readonly kind: 'language-server' | 'diagnostic-collection' | 'starting';
  /** Replaces all runtime findings. */
  update(findings: Finding[]): void;
  /** The oversized threshold changed (the server re-judges its static findings). */
  setOversizedBytes(bytes: number): void;
  dispose(): void;
}

/**
 * The fallback: a DiagnosticCollection named "isoscope". Files are named by path, `file:` URL or
 * Dart `package:` URI (resolved through the workspace's package config).
 */
export function createDiagnosticCollectionSink(paths: SourcePaths): RuntimeFindingsSink {
  const collection = vscode.languages.createDiagnosticCollection('isoscope');
  return {
    kind: 'diagnostic-collection',
    update(findings) {
      const byFile = new Map<string, vscode.Diagnostic[]>();
      for (const f of findings) {
        const file = f.location ? paths.toPath(f.location.file) : null;
        if (file === null) continue;
        const list = byFile.get(file) ?? [];
        list.push(toDiagnostic(f));
        byFile.set(file, list);
      }
      collection.clear();
      for (const [file, diagnostics] of byFile) collection.set(vscode.Uri.file(file), diagnostics);
    },
    // Runtime findings arrive already judged by the model; the fallback has no static analysis.
    setOversizedBytes: () => undefined,
    dispose: () => collection.dispose(),
  };
}

/** Routes findings through the language server. */
export function languageServerSink(client: LanguageClientHandle): RuntimeFindingsSink {
  return {
    kind: 'language-server',
    update: (findings) => client.pushRuntimeFindings(findings),
    setOversizedBytes: (bytes) => client.setOversizedBytes(bytes),
    dispose: () => void client.dispose(),
  };
}

/**
 * A sink that buffers the latest findings until `start()` settles on the language server or the
 * fallback, then forwards. Lets activation finish without waiting for the server process.
 */
export class RuntimeDiagnostics implements RuntimeFindingsSink {
  /** The language server, once started (it keeps the latest findings while it restarts). */
  private server: RuntimeFindingsSink | null = null;
  /** The local list, while the server is not there (never started, or left stopped). */
  private fallback: RuntimeFindingsSink | null = null;
  private serverRunning: vscode.Disposable | null = null;
  private latest: Finding[] | null = null;
  private thresholdBytes: number | null = null;
  private disposed = false;
  private log: Log | null = null;

  constructor(private readonly paths: SourcePaths) {}

  get kind(): RuntimeFindingsSink['kind'] {
    return this.fallback?.kind ?? this.server?.kind ?? 'starting';
  }

  /** Starts the language server; falls back to a DiagnosticCollection when it can't. */
  async start(startClient: () => Promise<LanguageClientHandle>, log: Log): Promise<void> {
    this.log = log;
    let client: LanguageClientHandle;
    try {
      client = await startClient();
    } catch (err) {
      log.error('the Isoscope language server did not start; runtime findings go to a local diagnostic list', err);
      if (!this.disposed) this.useFallback();
      return;
    }
    if (this.disposed) return void client.dispose();
    this.server = languageServerSink(client);
    this.serverRunning = client.onDidChangeRunning((running) => (running ? this.useServer() : this.useFallback()));
    log.info(`runtime findings are published through the ${this.server.kind}`);
    // A change made while the server was starting may have missed its initialization options.
    if (this.thresholdBytes !== null) this.server.setOversizedBytes(this.thresholdBytes);
    if (this.latest) this.server.update(this.latest);
    if (!client.isRunning) this.useFallback();
  }

  /** The server is gone for good: its runtime findings show from the local list. */
  private useFallback(): void {
    if (this.fallback || this.disposed) return;
    this.fallback = createDiagnosticCollectionSink(this.paths);
    this.log?.warn('the Isoscope language server is not running; runtime findings go to a local diagnostic list');
    if (this.latest) this.fallback.update(this.latest);
  }

  /** The server runs (again): it publishes the runtime findings, the local list goes. */
  private useServer(): void {
    if (!this.fallback) return;
    this.fallback.dispose();
    this.fallback = null;
    this.log?.info('runtime findings are published through the language-server again');
    if (this.latest) this.server?.update(this.latest);
  }

  update(findings: Finding[]): void {
    this.latest = findings;
    // The server keeps them even while it is down, to send when it runs again.
    this.server?.update(findings);
    this.fallback?.update(findings);
  }

  setOversizedBytes(bytes: number): void {
    this.thresholdBytes = bytes;
    this.server?.setOversizedBytes(bytes);
  }

  dispose(): void {
    this.disposed = true;
    this.serverRunning?.dispose();
    this.fallback?.dispose();
    this.server?.dispose();
  }
}

const severities: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

function toDiagnostic(f: Finding): vscode.Diagnostic {
  const line = Math.max(0, (f.location?.line ?? 1) - 1);
  const column = Math.max(0, (f.location?.column ?? 1) - 1);
  // A zero-width range would be invisible; underline to the end of the line instead.
  const range = new vscode.Range(line, column, line, Number.MAX_SAFE_INTEGER);
  const d = new vscode.Diagnostic(
    range,
    f.suggestion ? `${f.message}\n${f.suggestion}` : f.message,
    severities[f.severity],
  );
  d.source = 'isoscope';
  d.code = f.rule;
  return d;
}
