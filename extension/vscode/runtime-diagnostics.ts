/**
 * Runtime findings (oversized messages seen while the program runs) → editor diagnostics at the
 * original source line. THE one place that decides where they go: to the language server when it
 * runs (it then owns every Isoscope diagnostic, static and runtime, and their code actions), or,
 * only if the server cannot start, to a local DiagnosticCollection. Never both, so nothing shows
 * twice.
 */
import * as vscode from 'vscode';
import type { Finding, Severity } from '../../protocol';
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

/** The fallback: a DiagnosticCollection named "isoscope". */
export function createDiagnosticCollectionSink(): RuntimeFindingsSink {
  const collection = vscode.languages.createDiagnosticCollection('isoscope');
  return {
    kind: 'diagnostic-collection',
    update(findings) {
      const byFile = new Map<string, vscode.Diagnostic[]>();
      for (const f of findings) {
        if (!f.location) continue;
        const list = byFile.get(f.location.file) ?? [];
        list.push(toDiagnostic(f));
        byFile.set(f.location.file, list);
      }
      collection.clear();
      for (const [file, diagnostics] of byFile) collection.set(fileUri(file), diagnostics);
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
  private target: RuntimeFindingsSink | null = null;
  private latest: Finding[] | null = null;
  private thresholdBytes: number | null = null;
  private disposed = false;

  get kind(): RuntimeFindingsSink['kind'] {
    return this.target?.kind ?? 'starting';
  }

  /** Starts the language server; falls back to a DiagnosticCollection when it can't. */
  async start(startClient: () => Promise<LanguageClientHandle>, log: Log): Promise<void> {
    let sink: RuntimeFindingsSink;
    try {
      sink = languageServerSink(await startClient());
    } catch (err) {
      log.error('the Isoscope language server did not start; runtime findings go to a local diagnostic list', err);
      sink = createDiagnosticCollectionSink();
    }
    if (this.disposed) return sink.dispose();
    this.target = sink;
    log.info(`runtime findings are published through the ${sink.kind}`);
    // A change made while the server was starting may have missed its initialization options.
    if (this.thresholdBytes !== null) sink.setOversizedBytes(this.thresholdBytes);
    if (this.latest) sink.update(this.latest);
  }

  update(findings: Finding[]): void {
    this.latest = findings;
    this.target?.update(findings);
  }

  setOversizedBytes(bytes: number): void {
    this.thresholdBytes = bytes;
    this.target?.setOversizedBytes(bytes);
  }

  dispose(): void {
    this.disposed = true;
    this.target?.dispose();
  }
}

function fileUri(file: string): vscode.Uri {
  return file.startsWith('file:') ? vscode.Uri.parse(file) : vscode.Uri.file(file);
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
