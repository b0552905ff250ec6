/**
 * The Isoscope language server (stdio): diagnostics for Dart, TS and JS from static analysis of
 * open files and the workspace, plus runtime findings pushed by the extension; code actions are
 * guided refactors that the editor previews before applying.
 */
import {
  createConnection,
  DidChangeWorkspaceFoldersNotification,
  FileChangeType,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type Diagnostic,
  type TextDocumentContentChangeEvent,
  type DidChangeWorkspaceFoldersParams,
  type WorkspaceFolder,
  type WorkspaceFoldersChangeEvent,
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
import { MAX_ANALYZED_FILE_BYTES } from './analyzed-files';
import { LineIndex, type RuntimeHint, type StaticFinding } from './analysis/types';
import { documentPath, fixToCodeAction, runtimeDiagnostic, staticDiagnostic, toUri } from './lsp-convert';
import { RuntimeAnchors, type Edit } from './runtime-anchors';
import { SourcePaths } from './source-paths';
import { unchangedEnds } from './text-change';
import { inScannedFolder, readScanned, scanWorkspace } from './workspace-scan';

/** Files of the workspace scan analyzed in one TS program (as `isoscope lint` batches them). */
const SCAN_BATCH_FILES = 30;
/** Quiet time after the last keystroke before re-analyzing (short: an analysis is cheap now). */
const DEBOUNCE_MS = 30;
const connection = createConnection(ProposedFeatures.all);
/** Where edits of open files carried the runtime findings. */
const anchors = new RuntimeAnchors();
const documents = new TextDocuments({
  create: TextDocument.create,
  update(document, changes, version) {
    followEdits(document, changes);
    return TextDocument.update(document, changes, version);
  },
});
let engine: AnalysisEngine | null = null;
let roots: string[] = [];
/** Whether the client declared workspace folders (then their changes come through the library). */
let clientHasFolders = false;
/** Runtime findings name files by path, file: URL or Dart package: URI. */
const sourcePaths = new SourcePaths(() => roots);
const staticByFile = new Map<string, StaticFinding[]>();
let runtimeByFile = new Map<string, RuntimeFinding[]>();
const timers = new Map<string, NodeJS.Timeout>();
/** Open files over the size limit: not analyzed (runtime findings still show), logged once each. */
const tooLarge = new Set<string>();
const stats: AnalysisStatsResult = {
  filesAnalyzed: 0,
  workspaceScanDone: false,
  lastAnalysisMs: 0,
  runtimeFindings: 0,
  programFiles: 0,
};

connection.onInitialize(async (params) => {
  clientHasFolders = params.capabilities.workspace?.workspaceFolders === true;
  roots = folderPaths(params.workspaceFolders);
  if (roots.length === 0 && params.rootUri) roots = folderPaths([{ uri: params.rootUri, name: 'root' }]);
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
      // Folders added to or removed from the workspace later are scanned or dropped.
      workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
    },
    serverInfo: { name: 'isoscope-language-server', version: '0.1.0' },
  };
});

connection.onInitialized(() => {
  if (clientHasFolders) connection.workspace.onDidChangeWorkspaceFolders((event) => void changeFolders(event));
  void scanAndAnalyze();
});

/**
 * True when the editor holds the file: then its text is the editor's, never the disk's. Checked
 * again after every await that reads the disk, since the file can be opened meanwhile.
 */
function isOpen(file: string): boolean {
  return documents.get(toUri(file)) !== undefined || documents.keys().some((uri) => documentPath(uri) === file);
}

/** Analyzes the workspace (or some of its folders) in the background, yielding between files so edits stay responsive. */
async function scanAndAnalyze(folders: readonly string[] = roots): Promise<void> {
  try {
    const files = await scanWorkspace(folders);
    for (const file of files) {
      if (isOpen(file)) continue;
      const text = await readScanned(file);
      if (text !== null && !isOpen(file)) engine?.setPassiveFile(file, text);
    }
    // In batches: each joins the TS program while it is analyzed, then leaves it (memory stays
    // bounded on a big workspace; see AnalysisEngine.setPassiveFile).
    for (let i = 0; i < files.length; i += SCAN_BATCH_FILES) {
      const batch = files.slice(i, i + SCAN_BATCH_FILES).filter((file) => !isOpen(file));
      const release = engine?.admit(batch);
      try {
        for (const file of batch) {
          if (isOpen(file)) continue;
          analyzeAndPublish(file);
          await new Promise((resolve) => setImmediate(resolve));
        }
      } finally {
        release?.();
      }
    }
  } catch (err) {
    connection.console.error(`isoscope: workspace scan failed: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    stats.workspaceScanDone = true;
  }
}

/** The file's runtime findings where they show now (edits since the run move them). */
function runtimeFindingsOf(file: string): RuntimeFinding[] {
  return (runtimeByFile.get(file) ?? []).map((f) => anchors.place(file, f));
}

/** Carries the runtime findings of an open file along with its content changes, in their order. */
function followEdits(document: TextDocument, changes: readonly TextDocumentContentChangeEvent[]): void {
  const file = documentPath(document.uri);
  const findings = file === null ? undefined : runtimeByFile.get(file);
  if (file === null || !findings || findings.length === 0) return;
  let current = document;
  for (const [i, change] of changes.entries()) {
    let edit: Edit;
    if ('range' in change) {
      edit = { start: change.range.start, end: change.range.end, text: change.text };
    } else {
      // The whole text was sent: the edit is the region between the unchanged ends.
      const before = current.getText();
      const { start, tail } = unchangedEnds(before, change.text);
      edit = {
        start: current.positionAt(start),
        end: current.positionAt(before.length - tail),
        text: change.text.slice(start, change.text.length - tail),
      };
    }
    anchors.edit(file, findings, edit);
    // A later whole-text change needs the text this one produced.
    if (changes.slice(i + 1).some((c) => !('range' in c))) {
      current = TextDocument.update(current, [change], current.version);
    }
  }
}

function hintsFor(file: string): RuntimeHint[] {
  return runtimeFindingsOf(file).flatMap((f) =>
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

/** Whether an open file's text is small enough to analyze; says once when it is not. */
function analyzable(file: string, text: string): boolean {
  // Cheap first: a string of at most a third of the limit in UTF-16 units cannot pass it in UTF-8.
  const bytes = text.length * 3 <= MAX_ANALYZED_FILE_BYTES ? 0 : Buffer.byteLength(text, 'utf8');
  if (bytes <= MAX_ANALYZED_FILE_BYTES) {
    tooLarge.delete(file);
    return true;
  }
  if (!tooLarge.has(file)) {
    tooLarge.add(file);
    connection.console.info(
      `isoscope: ${file} is not analyzed: ${(bytes / 1048576).toFixed(1)} MiB is over the ` +
        `${MAX_ANALYZED_FILE_BYTES / 1048576} MiB limit of static analysis (runtime findings still show)`,
    );
  }
  return false;
}

function analyzeAndPublish(file: string): void {
  if (!engine) return;
  if (tooLarge.has(file)) {
    staticByFile.set(file, []);
    publish(file);
    return;
  }
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
  for (const f of runtimeFindingsOf(file)) {
    const d = runtimeDiagnostic(f, lines);
    if (d) diagnostics.push(d);
  }
  void connection.sendDiagnostics({ uri: toUri(file), diagnostics });
}

function openDocument(file: string): TextDocument | undefined {
  return documents.get(toUri(file)) ?? documents.all().find((d) => documentPath(d.uri) === file);
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
  const file = documentPath(e.document.uri);
  if (file === null || !engine || languageOf(file) === null) return;
  const text = e.document.getText();
  if (analyzable(file, text)) engine.setFile(file, text);
  else engine.removeFile(file);
  schedule(file);
});

documents.onDidClose(async (e) => {
  const file = documentPath(e.document.uri);
  if (file === null || languageOf(file) === null) return;
  // Closed: the size is judged again when it opens (a reopen during the disk read below does so).
  tooLarge.delete(file);
  // A file the workspace scan skips (node_modules, dist, outside the folders) is not followed on
  // disk once closed: its diagnostics go with it instead of staying, never updated.
  if (!inScannedFolder(file, roots)) {
    anchors.reset(file);
    forget(file);
    return;
  }
  const onDisk = await readScanned(file);
  // Reopened while the disk was read (a language mode change closes and opens at once): the
  // editor's text stays.
  if (isOpen(file)) return;
  // Closed without saving: the edits that moved its runtime findings are gone.
  if (onDisk !== e.document.getText()) anchors.reset(file);
  if (onDisk === null) {
    forget(file);
    return;
  }
  engine?.setPassiveFile(file, onDisk);
  schedule(file);
});

// Files that are not open follow the disk: rewritten by git or `isoscope lint --fix`, created,
// deleted. (The client watches the analyzed extensions; open files follow the editor instead.)
connection.onDidChangeWatchedFiles(async ({ changes }) => {
  for (const change of changes) {
    const file = documentPath(change.uri);
    if (file === null || !engine || languageOf(file) === null || isOpen(file)) continue;
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
      engine.setPassiveFile(file, text);
      schedule(file);
    }
  }
});

/** The local paths of workspace folders (a folder whose URI is not a local `file:` one is left out). */
function folderPaths(folders: readonly WorkspaceFolder[] | null | undefined): string[] {
  return (Array.isArray(folders) ? folders : []).flatMap((f: WorkspaceFolder) => {
    const path = typeof f?.uri === 'string' ? documentPath(f.uri) : null;
    return path === null ? [] : [path];
  });
}

/** Scans the folders added to the workspace and drops what only the removed ones held. */
async function changeFolders(event: WorkspaceFoldersChangeEvent | undefined): Promise<void> {
  const removed = new Set(folderPaths(event?.removed));
  const added = folderPaths(event?.added).filter((p) => !roots.includes(p));
  // In place: the source paths (package: URIs) read the same array.
  const kept = roots.filter((r) => !removed.has(r));
  roots.length = 0;
  roots.push(...kept, ...added);
  // Closed files that no folder holds any more lose their diagnostics.
  for (const file of [...staticByFile.keys()]) {
    if (!isOpen(file) && !inScannedFolder(file, roots)) forget(file);
  }
  if (added.length > 0) await scanAndAnalyze(added);
}

// A client that declared workspace folders gets them through the library's feature (which takes
// this notification over when it initializes); any other client's notification lands here.
connection.onNotification(DidChangeWorkspaceFoldersNotification.type, (params: DidChangeWorkspaceFoldersParams) =>
  changeFolders(params?.event),
);

connection.onNotification(RUNTIME_FINDINGS_METHOD, async (params: RuntimeFindingsParams | null | undefined) => {
  const previous = runtimeByFile;
  runtimeByFile = new Map();
  // From the extension, but checked: one malformed entry is skipped, never a crash of the server.
  const findings: unknown[] = Array.isArray(params?.findings) ? params.findings : [];
  for (const f of findings.filter(isRuntimeFinding)) {
    if (!f.location) continue;
    // Dart names files by package: URI; they are resolved through the package config.
    const file = sourcePaths.toPath(f.location.file);
    if (file === null) continue;
    runtimeByFile.set(file, [...(runtimeByFile.get(file) ?? []), f]);
  }
  stats.runtimeFindings = [...runtimeByFile.values()].reduce((a, l) => a + l.length, 0);
  for (const file of new Set([...previous.keys(), ...runtimeByFile.keys()])) {
    anchors.retain(file, runtimeByFile.get(file) ?? []);
    if (engine && engine.textOf(file) === undefined && !isOpen(file)) {
      const text = await readScanned(file);
      if (text !== null && engine.textOf(file) === undefined && !isOpen(file)) engine.setPassiveFile(file, text);
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

/** A runtime finding whose fields the server reads have the right types. */
function isRuntimeFinding(f: unknown): f is RuntimeFinding {
  if (typeof f !== 'object' || f === null) return false;
  const r = f as Record<string, unknown>;
  const loc = r.location as Record<string, unknown> | null | undefined;
  const locationOk =
    loc === null ||
    loc === undefined ||
    (typeof loc === 'object' && typeof loc.file === 'string' && typeof loc.line === 'number');
  return locationOk && typeof r.message === 'string' && typeof r.bytes === 'number' && typeof r.count === 'number';
}

connection.onRequest(ANALYSIS_STATS_METHOD, (): AnalysisStatsResult => ({
  ...stats,
  programFiles: engine?.programFileCount() ?? 0,
}));

connection.onCodeAction((params) => {
  const file = documentPath(params.textDocument.uri);
  if (file === null) return [];
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
