/**
 * Conversions between the analyzers' findings and LSP objects: diagnostics (static and runtime)
 * and code actions whose edits carry change annotations that need confirmation (refactor preview).
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeActionKind,
  DiagnosticSeverity,
  type AnnotatedTextEdit,
  type CodeAction,
  type Diagnostic,
  type TextDocumentEdit,
} from 'vscode-languageserver/node';
import type { RuntimeFinding, Severity } from '../../protocol';
import { lineEndingOf, withLineEnding } from './analysis/eol';
import { LineIndex, type Fix, type StaticFinding } from './analysis/types';

/**
 * The path of an editor document (or workspace folder), or null when it has none the server can
 * analyze (runtime findings, which can also name Dart `package:` URIs, go through `SourcePaths`): a URI of
 * another scheme (`untitled:`, `vscode-notebook-cell:`), or a `file:` URI Node cannot turn into a
 * local path (`file://otherhost/…`, an encoded `/`).
 */
export function documentPath(uri: string): string | null {
  if (!uri.startsWith('file:')) return null;
  try {
    return fileURLToPath(uri);
  } catch {
    return null;
  }
}

/** The `file://` URI of a path. */
export function toUri(path: string): string {
  return pathToFileURL(path).href;
}

function severity(s: Severity): DiagnosticSeverity {
  switch (s) {
    case 'error':
      return DiagnosticSeverity.Error;
    case 'warning':
      return DiagnosticSeverity.Warning;
    case 'info':
      return DiagnosticSeverity.Information;
    case 'hint':
      return DiagnosticSeverity.Hint;
  }
}

/** A static finding as a diagnostic (source "isoscope", code = rule). */
export function staticDiagnostic(f: StaticFinding, lines: LineIndex): Diagnostic {
  return {
    range: { start: lines.position(f.start), end: lines.position(f.end) },
    severity: severity(f.severity),
    source: 'isoscope',
    code: f.rule,
    message: f.message,
  };
}

/** A runtime finding as a diagnostic at its original source position (1-based → 0-based). */
export function runtimeDiagnostic(f: RuntimeFinding, lines: LineIndex): Diagnostic | null {
  if (!f.location) return null;
  // A location without a usable column (or line) points at the line's (or file's) start.
  const at = (n: unknown): number => (typeof n === 'number' && Number.isFinite(n) ? n : 1);
  const line = Math.max(0, at(f.location.line) - 1);
  const start = lines.offset(line, Math.max(0, at(f.location.column) - 1));
  const lineEnd = lines.offset(line + 1, 0);
  const rest = lines.text.slice(start, lineEnd).replace(/\s+$/, '');
  return {
    range: { start: lines.position(start), end: lines.position(start + Math.max(1, rest.length)) },
    severity: severity(f.severity),
    source: 'isoscope',
    code: f.rule,
    message: `${f.message}${f.suggestion ? ` ${f.suggestion}` : ''} (measured at run time: ${f.count} × up to ${f.bytes} bytes)`,
  };
}

/**
 * A fix as a code action: every edit annotated with `needsConfirmation`, so the editor previews it.
 * Inserted line breaks use each edited file's own line ending (the analyzers write `\n`; not every
 * client converts them, and a CRLF file must not end up with mixed endings).
 */
export function fixToCodeAction(
  fix: Fix,
  diagnostic: Diagnostic | null,
  lineIndexOf: (file: string) => LineIndex | null,
  versionOf: (uri: string) => number | null,
): CodeAction | null {
  const annotationId = 'isoscope.refactor';
  const byFile = new Map<string, AnnotatedTextEdit[]>();
  const eols = new Map<string, '\n' | '\r\n'>();
  const eolOf = (uri: string, lines: LineIndex): '\n' | '\r\n' => {
    let eol = eols.get(uri);
    if (!eol) eols.set(uri, (eol = lineEndingOf(lines.text)));
    return eol;
  };
  for (const e of fix.edits) {
    const lines = lineIndexOf(e.file);
    if (!lines) return null;
    const uri = toUri(e.file);
    const list = byFile.get(uri) ?? [];
    list.push({
      range: { start: lines.position(e.start), end: lines.position(e.end) },
      newText: e.newText.includes('\n') ? withLineEnding(e.newText, eolOf(uri, lines)) : e.newText,
      annotationId,
    });
    byFile.set(uri, list);
  }
  const documentChanges: TextDocumentEdit[] = [...byFile].map(([uri, edits]) => ({
    textDocument: { uri, version: versionOf(uri) },
    edits,
  }));
  return {
    title: fix.title,
    kind: CodeActionKind.QuickFix,
    ...(diagnostic ? { diagnostics: [diagnostic] } : {}),
    edit: {
      documentChanges,
      changeAnnotations: {
        [annotationId]: { label: fix.title, needsConfirmation: true, description: fix.description },
      },
    },
  };
}
