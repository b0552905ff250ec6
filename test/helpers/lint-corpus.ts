/**
 * The lint corpus (test/fixtures/lint): each source file with its expected findings
 * (`expected/<name>.findings.json`) and expected fixed output (`expected/<name>.fixed.<ext>`).
 * `node --import tsx test/helpers/lint-corpus.ts --write` regenerates the expectations (review the diff!).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { AnalysisEngine } from '../../extension/language-server/analysis/engine';
import { planFixes } from '../../extension/language-server/analysis/fix-plan';
import { LineIndex } from '../../extension/language-server/analysis/types';

export const CORPUS_DIR = join(process.cwd(), 'test', 'fixtures', 'lint');
export const EXPECTED_DIR = join(CORPUS_DIR, 'expected');

/** One expected finding (1-based positions, like `isoscope lint --json`). */
export interface ExpectedFinding {
  rule: string;
  severity: string;
  line: number;
  column: number;
  fix: string | null;
}

/** Every source file of the corpus (absolute paths). */
export function corpusFiles(): string[] {
  return ['dart', 'ts'].flatMap((d) =>
    readdirSync(join(CORPUS_DIR, d))
      .sort()
      .map((f) => join(CORPUS_DIR, d, f)),
  );
}

/** An engine with the whole corpus loaded. */
export async function corpusEngine(): Promise<AnalysisEngine> {
  const engine = new AnalysisEngine({ workspaceRoots: [process.cwd()] });
  await engine.init();
  for (const f of corpusFiles()) engine.setFile(f, readFileSync(f, 'utf8'));
  return engine;
}

/** What the analyzers find in one file, in the expected-file shape. */
export function actualFindings(engine: AnalysisEngine, file: string): ExpectedFinding[] {
  const lines = new LineIndex(engine.textOf(file) ?? '');
  return engine.analyze(file).map((f) => {
    const p = lines.position(f.start);
    const fix = f.fixes.find((x) => engine.verifyFix(x) !== null);
    return { rule: f.rule, severity: f.severity, line: p.line + 1, column: p.character + 1, fix: fix?.title ?? null };
  });
}

/** Expected file paths for a corpus file. */
export function expectedPaths(file: string): { findings: string; fixed: string } {
  const name = basename(file);
  const ext = name.slice(name.lastIndexOf('.'));
  const stem = name.slice(0, -ext.length);
  return { findings: join(EXPECTED_DIR, `${stem}.findings.json`), fixed: join(EXPECTED_DIR, `${stem}.fixed${ext}`) };
}

async function regenerate(): Promise<void> {
  const engine = await corpusEngine();
  mkdirSync(EXPECTED_DIR, { recursive: true });
  const plan = planFixes(engine, corpusFiles());
  for (const file of corpusFiles()) {
    const paths = expectedPaths(file);
    writeFileSync(paths.findings, `${JSON.stringify(actualFindings(engine, file), null, 2)}\n`);
    const fixed = plan.texts.get(file);
    if (fixed !== undefined) writeFileSync(paths.fixed, fixed);
    else if (existsSync(paths.fixed)) throw new Error(`${paths.fixed} exists but no fix applies any more`);
  }
  engine.dispose();
}

if (process.argv.includes('--write')) void regenerate();
