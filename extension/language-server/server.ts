/**
 * The Isoscope language server (stdio): diagnostics for Dart, TS and JS from static analysis of
 * open files and the workspace, plus runtime findings pushed by the extension; code actions are
 * guided refactors that the editor previews before applying.
 */
import {
  createConnection,
  FileChangeType,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type Diagnostic,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  ANALYSIS_STATS_METHOD,
  RUNTIME_FINDINGS_METHOD,
  SETTINGS_METHOD,
  type AnalysisStatsResult,
  type IsoscopeSettingsParams,
  type RuntimeFinding,
  type RuntimeFindingsParams,
} from '../../protocol';
import { AnalysisEngine, languageOf } from './analysis/engine';
import { LineIndex, type RuntimeHint, type StaticFinding } from './analysis/types';
import { fixToCodeAction, runtimeDiagnostic, staticDiagnostic, toPath, toUri } from './lsp-convert';
import { SourcePaths } from './source-paths';
import { inScannedFolder, readScanned, scanWorkspace } from './workspace-scan';

/** Quiet time after the last keystroke before re-analyzing (short: an analysis is cheap now). */
const DEBOUNCE_MS = 30;
const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
let engine: AnalysisEngine | null = null;
let roots: string[] = [];
/** Runtime findings name files by path, file: URL or Dart package: URI. */
const sourcePaths = new SourcePaths(() => roots);
const staticByFile = new Map<string, StaticFinding[]>();
let runtimeByFile = new Map<string, RuntimeFinding[]>();
const timers = new Map<string, NodeJS.Timeout>();
const stats: AnalysisStatsResult = {
  filesAnalyzed: 0,
  workspaceScanDone: false,
  lastAnalysisMs: 0,
  runtimeFindings: 0,
};

connection.onInitialize(async (params) => {
  roots = (params.workspaceFolders ?? []).map((f) => toPath(f.uri));
  if (roots.length === 0 && params.rootUri) roots = [toPath(params.rootUri)];
  const init = (params.initializationOptions ?? {}) as { oversizedBytes?: number; dartWasmDir?: string };
  engine = new AnalysisEngine({
    workspaceRoots: roots,
    ...(init.oversizedBytes ? { oversizedBytes: init.oversizedBytes } : {}),
  });
  await engine.init();
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      codeActionProvider: { codeActionKinds: ['quickfix'] },
    },
    serverInfo: { name: 'isoscope-language-server', version: '0.1.0' },
  };
});

connection.onInitialized(() => {
  void scanAndAnalyze();
});

/**
 * True when the editor holds the file: then its text is the editor's, never the disk's. Checked
 * again after every await that reads the disk, since the file can be opened meanwhile.
 */
function isOpen(file: string): boolean {
  return documents.get(toUri(file)) !== undefined || documents.keys().some((uri) => toPath(uri) === file);
}

/** Analyzes the workspace in the background, yielding between files so edits stay responsive. */
async function scanAndAnalyze(): Promise<void> {
  try {
    const files = await scanWorkspace(roots);
    for (const file of files) {
      if (isOpen(file)) continue;
      const text = await readScanned(file);
      if (text !== null && !isOpen(file)) engine?.setFile(file, text);
    }
    for (const file of files) {
      if (isOpen(file)) continue;
      analyzeAndPublish(file);
      await new Promise((resolve) => setImmediate(resolve));
    }
  } catch (err) {
    connection.console.error(`isoscope: workspace scan failed: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    stats.workspaceScanDone = true;
  }
}

function hintsFor(file: string): RuntimeHint[] {
  return (runtimeByFile.get(file) ?? []).flatMap((f) =>
    f.location
      ? [
          {
            file,
            line: f.location.line,
            bytes: f.bytes,
            count: f.count,
            ...(f.receivingPortName ? { receivingPortName: f.receivingPortName } : {}),
          },
        ]
      : [],
  );
}

function analyzeAndPublish(file: string): void {
  if (!engine) return;
  const started = performance.now();
  try {
    staticByFile.set(file, engine.analyze(file, hintsFor(file)));
  } catch (err) {
    // One file's analysis failing must not take the server down; it is logged and left empty.
    connection.console.error(
      `isoscope: analysis of ${file} failed: ${err instanceof Error ? err.message : String(err)}`,
    );
    staticByFile.set(file, []);
  }
  stats.filesAnalyzed++;
  stats.lastAnalysisMs = performance.now() - started;
  publish(file);
}

function lineIndexOf(file: string): LineIndex | null {
  const text = openDocument(file)?.getText() ?? engine?.textOf(file);
  return text === undefined ? null : new LineIndex(text);
}

function publish(file: string): void {
  const lines = lineIndexOf(file);
  if (!lines) return;
  const diagnostics: Diagnostic[] = (staticByFile.get(file) ?? []).map((f) => staticDiagnostic(f, lines));
  for (const f of runtimeByFile.get(file) ?? []) {
    const d = runtimeDiagnostic(f, lines);
    if (d) diagnostics.push(d);
  }
  void connection.sendDiagnostics({ uri: toUri(file), diagnostics });
}

function openDocument(file: string): TextDocument | undefined {
  return documents.get(toUri(file)) ?? documents.all().find((d) => toPath(d.uri) === file);
}

/** Forgets a file that is gone from disk: no analysis, no diagnostics (runtime ones included). */
function forget(file: string): void {
  clearTimeout(timers.get(file));
  timers.delete(file);
  engine?.removeFile(file);
  staticByFile.delete(file);
  void connection.sendDiagnostics({ uri: toUri(file), diagnostics: [] });
}

function schedule(file: string): void {
  clearTimeout(timers.get(file));
  timers.set(
    file,
    setTimeout(() => {
      timers.delete(file);
      analyzeAndPublish(file);
    }, DEBOUNCE_MS),
  );
}

documents.onDidChangeContent((e) => {
  const file = toPath(e.document.uri);
  if (!engine || languageOf(file) === null) return;
  engine.setFile(file, e.document.getText());
  schedule(file);
});

documents.onDidClose(async (e) => {
  const file = toPath(e.document.uri);
  if (languageOf(file) === null) return;
  const onDisk = await readScanned(file);
  // Reopened while the disk was read (a language mode change closes and opens at once): the
  // editor's text stays.
  if (isOpen(file)) return;
  if (onDisk === null) {
    forget(file);
    return;
  }
  engine?.setFile(file, onDisk);
  schedule(file);
});

// Files that are not open follow the disk: rewritten by git or `isoscope lint --fix`, created,
// deleted. (The client watches the analyzed extensions; open files follow the editor instead.)
connection.onDidChangeWatchedFiles(async ({ changes }) => {
  for (const change of changes) {
    const file = toPath(change.uri);
    if (!engine || languageOf(file) === null || isOpen(file)) continue;
    if (change.type === FileChangeType.Deleted) {
      if (engine.textOf(file) !== undefined || staticByFile.has(file)) forget(file);
      continue;
    }
    // New files are analyzed where the start-up scan would have found them (not node_modules…).
    if (engine.textOf(file) === undefined && !inScannedFolder(file, roots)) continue;
    const text = await readScanned(file);
    if (!engine || isOpen(file)) continue;
    if (text === null) forget(file);
    else if (text !== engine.textOf(file)) {
      engine.setFile(file, text);
      schedule(file);
    }
  }
});

connection.onNotification(RUNTIME_FINDINGS_METHOD, async (params: RuntimeFindingsParams) => {
  const previous = runtimeByFile;
  runtimeByFile = new Map();
  for (const f of params.findings ?? []) {
    if (!f.location) continue;
    // Dart names files by package: URI; they are resolved through the package config.
    const file = sourcePaths.toPath(f.location.file);
    if (file === null) continue;
    runtimeByFile.set(file, [...(runtimeByFile.get(file) ?? []), f]);
  }
  stats.runtimeFindings = [...runtimeByFile.values()].reduce((a, l) => a + l.length, 0);
  for (const file of new Set([...previous.keys(), ...runtimeByFile.keys()])) {
    if (engine && engine.textOf(file) === undefined && !isOpen(file)) {
      const text = await readScanned(file);
      if (text !== null && engine.textOf(file) === undefined && !isOpen(file)) engine.setFile(file, text);
    }
    // Re-analyze so code actions word their savings with the runtime bytes.
    analyzeAndPublish(file);
  }
});

connection.onNotification(SETTINGS_METHOD, (params: IsoscopeSettingsParams) => {
  if (!engine || !(params.oversizedBytes > 0)) return;
  engine.oversizedBytes = params.oversizedBytes;
  for (const file of staticByFile.keys()) schedule(file);
});

connection.onRequest(ANALYSIS_STATS_METHOD, (): AnalysisStatsResult => ({ ...stats }));

connection.onCodeAction((params) => {
  const file = toPath(params.textDocument.uri);
  const pending = timers.get(file);
  if (pending) {
    // An edit is waiting for its analysis: run it now so actions match the text the editor shows.
    clearTimeout(pending);
    timers.delete(file);
    analyzeAndPublish(file);
  }
  const lines = lineIndexOf(file);
  if (!engine || !lines) return [];
  const from = lines.offset(params.range.start.line, params.range.start.character);
  const to = lines.offset(params.range.end.line, params.range.end.character);
  const actions = [];
  for (const f of staticByFile.get(file) ?? []) {
    if (f.end < from || f.start > to) continue;
    const diagnostic = staticDiagnostic(f, lines);
    for (const fix of f.fixes) {
      // Withheld when the rewrite would parse worse than the file does now.
      const verified = engine.verifyFix(fix);
      const action = verified
        ? fixToCodeAction(verified, diagnostic, lineIndexOf, (uri) => documents.get(uri)?.version ?? null)
        : null;
      if (action) actions.push(action);
    }
  }
  return actions;
});

connection.onShutdown(() => {
  for (const t of timers.values()) clearTimeout(t);
  engine?.dispose();
});

documents.listen(connection);
connection.listen();
