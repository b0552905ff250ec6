/**
 * `isoscope lint [--json] [--fix] <paths…>` (contract 5): the language server's analyzers from the
 * command line. Exit 0 when clean, 1 when findings (or unreadable files) remain, 2 for bad usage.
 */
import { writeFileSync } from 'node:fs';
import type { LintFinding, LintOutput } from '../../protocol';
import { AnalysisEngine } from '../language-server/analysis/engine';
import { planFixes } from '../language-server/analysis/fix-plan';
import { LineIndex, type StaticFinding } from '../language-server/analysis/types';
import { collectLintInputs } from './lint-files';
import { UsageError } from './usage';

interface LintArgs {
  json: boolean;
  fix: boolean;
  paths: string[];
}

function parseArgs(args: string[]): LintArgs {
  const parsed: LintArgs = { json: false, fix: false, paths: [] };
  for (const a of args) {
    if (a === '--json') parsed.json = true;
    else if (a === '--fix') parsed.fix = true;
    else if (a.startsWith('-')) throw new UsageError(`lint: unknown option '${a}'`);
    else parsed.paths.push(a);
  }
  if (parsed.paths.length === 0) throw new UsageError('lint: give at least one file or folder to analyze');
  return parsed;
}

/** Runs lint; returns the exit code. */
export async function lintCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  const inputs = collectLintInputs(args.paths);
  const errors: { file: string; message: string }[] = [];
  const engine = new AnalysisEngine({ workspaceRoots: [process.cwd()] });
  try {
    await engine.init();
    const files: string[] = [];
    for (const input of inputs) {
      if (input.type === 'error') errors.push({ file: input.file, message: input.message });
      else {
        engine.setFile(input.file, input.text);
        files.push(input.file);
      }
    }
    if (args.fix) {
      for (const e of applyFixes(engine, files)) errors.push(e);
    }
    const findings: LintFinding[] = [];
    for (const file of files) {
      const text = engine.textOf(file) ?? '';
      const syntax = engine.syntaxErrors(file, text);
      if (syntax > 0)
        errors.push({ file, message: `does not parse cleanly (${syntax} syntax errors); analyzed what parsed` });
      for (const f of safeAnalyze(engine, file, errors)) findings.push(toLintFinding(engine, f));
    }
    const output: LintOutput = { findings, ...(errors.length > 0 ? { errors } : {}) };
    process.stdout.write(args.json ? `${JSON.stringify(output, null, 2)}\n` : humanReport(output, files.length));
    return findings.length > 0 || errors.length > 0 ? 1 : 0;
  } finally {
    engine.dispose();
  }
}

function safeAnalyze(
  engine: AnalysisEngine,
  file: string,
  errors: { file: string; message: string }[],
): StaticFinding[] {
  try {
    return engine.analyze(file);
  } catch (err) {
    errors.push({ file, message: `analysis failed: ${err instanceof Error ? err.message : String(err)}` });
    return [];
  }
}

/** Applies the planned fixes to disk and to the engine; returns notes for withheld files. */
function applyFixes(engine: AnalysisEngine, files: string[]): { file: string; message: string }[] {
  const plan = planFixes(engine, files);
  for (const [file, text] of plan.texts) {
    writeFileSync(file, text);
    engine.setFile(file, text);
  }
  return plan.notes;
}

function toLintFinding(engine: AnalysisEngine, f: StaticFinding): LintFinding {
  const pos = (file: string, offset: number): { line: number; column: number } => {
    const p = new LineIndex(engine.textOf(file) ?? '').position(offset);
    return { line: p.line + 1, column: p.character + 1 };
  };
  const start = pos(f.file, f.start);
  const fix = f.fixes.map((x) => engine.verifyFix(x)).find((x) => x !== null);
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

function humanReport(out: LintOutput, fileCount: number): string {
  const lines = out.findings.map(
    (f) =>
      `${f.file}:${f.line}:${f.column}: ${f.severity} [${f.rule}] ${f.message}${f.fix ? `\n    fix: ${f.fix.title}` : ''}`,
  );
  for (const e of out.errors ?? []) lines.push(`${e.file}: error: ${e.message}`);
  lines.push(
    `${out.findings.length} finding(s) in ${fileCount} file(s)${out.errors?.length ? `, ${out.errors.length} file problem(s)` : ''}`,
  );
  return `${lines.join('\n')}\n`;
}
