/**
 * `isoscope lint [--json] [--fix] <paths…>` (contract 5): the language server's analyzers from the
 * command line. Exit 0 when clean, 1 when findings (or unreadable files) remain, 2 for bad usage.
 */
import { visibleControls, type LintFinding, type LintOutput } from '../../protocol';
import { AnalysisEngine, languageOf } from '../language-server/analysis/engine';
import { planFixes } from '../language-server/analysis/fix-plan';
import { LineIndex, type StaticFinding } from '../language-server/analysis/types';
import type { SourceEncoding } from '../language-server/source-bytes';
import { engineInFileEol, fixInFileEol } from './lint-eol';
import {
  collectLintPaths,
  readInput,
  openUnchanged,
  releaseTarget,
  writeTarget,
  type LintInput,
  type ReadStamp,
  type WriteTarget,
} from './lint-files';
import { UsageError } from './usage';

export const LINT_USAGE = `Usage: isoscope lint [--json] [--fix] [--] <paths…>
  Find oversized-message patterns in Dart, TS and JS files (folders are searched recursively).
  --json     print the findings and file problems as JSON
  --fix      apply the confident refactors, then report what remains
  -h, --help print this help
  --         end of options: the arguments after it are paths, even if they start with '-'
Exit codes: 0 clean, 1 findings or file problems remain, 2 bad usage.
`;

interface LintArgs {
  json: boolean;
  fix: boolean;
  help: boolean;
  paths: string[];
}

function parseArgs(args: string[]): LintArgs {
  const parsed: LintArgs = { json: false, fix: false, help: false, paths: [] };
  let options = true;
  for (const a of args) {
    if (options && a === '--') options = false;
    else if (options && a === '--json') parsed.json = true;
    else if (options && a === '--fix') parsed.fix = true;
    else if (options && (a === '--help' || a === '-h')) parsed.help = true;
    else if (options && a.startsWith('-') && a !== '-') throw new UsageError(`lint: unknown option '${a}'`);
    else if (a === '') throw new UsageError('lint: an empty string was given as a path');
    else parsed.paths.push(a);
  }
  if (parsed.help) return parsed;
  if (parsed.paths.length === 0) throw new UsageError('lint: give at least one file or folder to analyze');
  return parsed;
}

type FileError = { file: string; message: string };

/** What lint read from a file, needed to write a fix back safely. */
interface ReadInfo {
  validUtf8: boolean;
  encoding: SourceEncoding;
  stamp: ReadStamp;
}

/**
 * TS/JS files are analyzed in batches of about this much source, each batch leaving the engine
 * before the next: one TypeScript program over a whole big tree grows to ~60-170 bytes of heap
 * per byte of source (24 MB of source reached Node's 4 GB heap limit). Imports are still read from
 * disk, so a file's findings do not depend on its batch. Dart files stay together: their analysis
 * looks for receivers across the other Dart files.
 */
export const LINT_BATCH_SOURCE_BYTES = 4 * 1024 * 1024;
/** At most this many TS/JS files per batch. */
export const LINT_BATCH_FILES = 30;

/** Runs lint; returns the exit code. */
export async function lintCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  if (args.help) {
    process.stdout.write(LINT_USAGE);
    return 0;
  }
  const paths = collectLintPaths(args.paths);
  // Problems are listed as before batching: path and read problems in the order of the paths,
  // then fix notes, then each analyzed file's own problems in the order of the files.
  const pathErrors: { at: number; error: FileError }[] = [];
  const fixNotes: FileError[] = [];
  const findings = new Map<number, { found: LintFinding[]; errors: FileError[] }>();
  const engine = new AnalysisEngine({ workspaceRoots: [process.cwd()] });
  try {
    await engine.init();
    const runBatch = (batch: { at: number; input: LintInput & { type: 'file' } }[]): void => {
      const read = new Map<string, ReadInfo>();
      for (const { input } of batch) {
        engine.setFile(input.file, input.text);
        read.set(input.file, { validUtf8: input.validUtf8, encoding: input.encoding, stamp: input.stamp });
      }
      const files = batch.map((b) => b.input.file);
      if (args.fix) for (const e of applyFixes(engine, files, read)) fixNotes.push(e);
      for (const { at, input } of batch) {
        const errors: FileError[] = [];
        findings.set(at, { found: safeAnalyze(engine, input.file, errors), errors });
      }
    };
    const readAt = (at: number, file: string): (LintInput & { type: 'file' }) | null => {
      const input = readInput(file);
      if (input.type === 'file') return input;
      pathErrors.push({ at, error: { file: input.file, message: input.message } });
      return null;
    };
    const dart: { at: number; input: LintInput & { type: 'file' } }[] = [];
    let batch: { at: number; input: LintInput & { type: 'file' } }[] = [];
    let batchBytes = 0;
    const flush = (): void => {
      if (batch.length === 0) return;
      runBatch(batch);
      for (const { input } of batch) engine.removeFile(input.file);
      lineIndexes.clear();
      batch = [];
      batchBytes = 0;
    };
    paths.forEach((p, at) => {
      if (p.type === 'error') {
        pathErrors.push({ at, error: { file: p.file, message: p.message } });
        return;
      }
      if (languageOf(p.file) === 'dart') {
        const input = readAt(at, p.file);
        if (input) dart.push({ at, input });
        return;
      }
      if (batch.length > 0 && (batchBytes + p.size > LINT_BATCH_SOURCE_BYTES || batch.length >= LINT_BATCH_FILES)) {
        flush();
      }
      const input = readAt(at, p.file);
      if (!input) return;
      batch.push({ at, input });
      batchBytes += p.size;
    });
    flush();
    if (dart.length > 0) runBatch(dart);
    const order = [...findings.keys()].sort((a, b) => a - b);
    const output: LintOutput = { findings: order.flatMap((at) => findings.get(at)!.found) };
    const errors = [
      ...pathErrors.sort((a, b) => a.at - b.at).map((e) => e.error),
      ...fixNotes,
      ...order.flatMap((at) => findings.get(at)!.errors),
    ];
    if (errors.length > 0) output.errors = errors;
    writeOutput(args.json ? `${JSON.stringify(output, null, 2)}\n` : humanReport(output, findings.size));
    return output.findings.length > 0 || errors.length > 0 ? 1 : 0;
  } finally {
    engine.dispose();
  }
}

/**
 * Writes the report to stdout. A reader that went away (`| head`, `| true`) is not an error worth a
 * stack trace: nothing is left to tell it. Any other failure (a full disk) is said on stderr.
 */
function writeOutput(text: string): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') return;
    process.stderr.write(`isoscope lint: could not write the results: ${err.message}\n`);
    process.exitCode = 1;
  });
  process.stdout.write(text);
}

/** One file's findings; a failure while analyzing it becomes an error of that file only. */
function safeAnalyze(engine: AnalysisEngine, file: string, errors: FileError[]): LintFinding[] {
  try {
    const syntax = engine.syntaxErrors(file, engine.textOf(file) ?? '');
    if (syntax > 0)
      errors.push({ file, message: `does not parse cleanly (${syntax} syntax errors); analyzed what parsed` });
    return engine.analyze(file).map((f) => toLintFinding(engine, f));
  } catch (err) {
    errors.push({ file, message: `analysis failed: ${err instanceof Error ? err.message : String(err)}` });
    return [];
  }
}

/**
 * Applies the planned fixes to disk and to the engine; returns notes for withheld or failed files.
 * A file is written only if it is valid UTF-8 and still holds what was read. A fix that edits
 * several files is written all or nothing: if one of its files can't be written, none is.
 */
function applyFixes(engine: AnalysisEngine, files: string[], read: Map<string, ReadInfo>): FileError[] {
  const together = new FileGroups();
  const plan = planFixes(
    engineInFileEol(engine, (fix) => {
      if (fix.confident) together.join(fix.edits.map((e) => e.file));
    }),
    files,
  );
  const notes: FileError[] = [...plan.notes];
  // First check every file, keeping the checked ones open; then write whole groups.
  const targets = new Map<string, WriteTarget>();
  const failed = new Set<string>();
  for (const file of plan.texts.keys()) {
    const info = read.get(file);
    const target = !info
      ? { error: 'was not read by lint; not fixed' }
      : !info.validUtf8
        ? { error: 'not valid UTF-8; not fixed (writing it back would replace the invalid bytes)' }
        : openUnchanged(file, info.stamp);
    if ('error' in target) {
      notes.push({ file, message: target.error });
      failed.add(file);
    } else targets.set(file, target);
  }
  for (const [file, target] of targets) {
    const blocker = together.membersOf(file).find((f) => failed.has(f));
    if (blocker !== undefined) {
      releaseTarget(target);
      notes.push({ file, message: `not fixed: the same fix also edits ${blocker}, which could not be written` });
      continue;
    }
    const text = plan.texts.get(file) as string;
    try {
      writeTarget(target, text, read.get(file)?.encoding);
      engine.setFile(file, text);
    } catch (err) {
      notes.push({ file, message: `cannot write: ${err instanceof Error ? err.message : String(err)}` });
    }
  }
  return notes;
}

/** Files that must be written together (union-find over the files each fix edits). */
class FileGroups {
  private readonly parent = new Map<string, string>();

  private root(file: string): string {
    let r = file;
    for (let p = this.parent.get(r); p !== undefined && p !== r; p = this.parent.get(r)) r = p;
    this.parent.set(file, r);
    return r;
  }

  join(files: readonly string[]): void {
    const [first, ...rest] = files;
    if (first === undefined) return;
    for (const f of rest) {
      const a = this.root(first);
      const b = this.root(f);
      if (a !== b) this.parent.set(b, a);
    }
  }

  membersOf(file: string): string[] {
    if (!this.parent.has(file)) return [file];
    const r = this.root(file);
    return [...this.parent.keys()].filter((f) => this.root(f) === r);
  }
}

/** One line index per file and text: building one per finding made big files quadratic. */
const lineIndexes = new Map<string, { text: string; index: LineIndex }>();

function lineIndexOf(file: string, text: string): LineIndex {
  const cached = lineIndexes.get(file);
  if (cached !== undefined && cached.text === text) return cached.index;
  const index = new LineIndex(text);
  lineIndexes.set(file, { text, index });
  return index;
}

function toLintFinding(engine: AnalysisEngine, f: StaticFinding): LintFinding {
  const pos = (file: string, offset: number): { line: number; column: number } => {
    const p = lineIndexOf(file, engine.textOf(file) ?? '').position(offset);
    return { line: p.line + 1, column: p.character + 1 };
  };
  const start = pos(f.file, f.start);
  const fix = f.fixes.map((x) => engine.verifyFix(fixInFileEol(engine, x))).find((x) => x !== null);
  return {
    rule: f.rule,
    severity: f.severity,
    file: f.file,
    line: start.line,
    column: start.column,
    message: f.message,
    ...(fix
      ? {
          fix: {
            title: fix.title,
            edits: fix.edits.map((e) => ({
              file: e.file,
              range: { start: pos(e.file, e.start), end: pos(e.file, e.end) },
              newText: e.newText,
            })),
          },
        }
      : {}),
  };
}

/**
 * The report for a terminal. Paths and texts come from the files linted (a cloned repository names
 * its own files): control characters are shown as their code point (⟨U+001B⟩), as `run` and
 * `connect` show names, so a file name can neither restyle the terminal nor split its line in two.
 */
function humanReport(out: LintOutput, fileCount: number): string {
  const v = visibleControls;
  const lines = out.findings.map(
    (f) =>
      `${v(f.file)}:${f.line}:${f.column}: ${f.severity} [${f.rule}] ${v(f.message)}${f.fix ? `\n    fix: ${v(f.fix.title)}` : ''}`,
  );
  for (const e of out.errors ?? []) lines.push(`${v(e.file)}: error: ${v(e.message)}`);
  lines.push(
    `${out.findings.length} finding(s) in ${fileCount} file(s)${out.errors?.length ? `, ${out.errors.length} file problem(s)` : ''}`,
  );
  return `${lines.join('\n')}\n`;
}
