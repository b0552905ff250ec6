/**
 * Batch fixing (`isoscope lint --fix`, and the corpus tests): the first confident, verified fix of
 * each finding, without overlapping edits, and never a file that parses worse than before.
 */
import type { AnalysisEngine } from './engine';
import { applyEdits, type FileEdit } from './types';

/** Rewritten texts per file, plus notes for files whose rewrite was withheld or failed. */
export interface FixPlan {
  texts: Map<string, string>;
  notes: { file: string; message: string }[];
}

/** Plans the rewrite of `files` (which must be set in the engine). Writes nothing. */
export function planFixes(engine: AnalysisEngine, files: readonly string[]): FixPlan {
  const notes: FixPlan['notes'] = [];
  const pending = new Map<string, FileEdit[]>();
  const sameInsert = (a: FileEdit, b: FileEdit): boolean =>
    a.start === b.start && a.end === b.end && a.newText === b.newText;
  const overlaps = (e: FileEdit): boolean =>
    (pending.get(e.file) ?? []).some(
      (p) => !sameInsert(e, p) && e.start < Math.max(p.end, p.start + 1) && p.start < Math.max(e.end, e.start + 1),
    );
  for (const file of files) {
    let findings;
    try {
      findings = engine.analyze(file);
    } catch (err) {
      notes.push({ file, message: `analysis failed: ${err instanceof Error ? err.message : String(err)}` });
      continue;
    }
    for (const finding of findings) {
      const fix = finding.fixes.find((f) => f.confident && engine.verifyFix(f) !== null);
      if (!fix || fix.edits.some(overlaps)) continue;
      for (const e of fix.edits) {
        const list = pending.get(e.file) ?? [];
        if (!list.some((p) => sameInsert(p, e))) list.push(e);
        pending.set(e.file, list);
      }
    }
  }
  const texts = new Map<string, string>();
  for (const [file, edits] of pending) {
    const before = engine.textOf(file);
    if (before === undefined) continue;
    const after = applyEdits(before, edits);
    const beforeCount = engine.syntaxErrors(file, before);
    if (engine.syntaxErrors(file, after) > beforeCount) {
      notes.push({ file, message: 'fixes withheld: the combined rewrite would parse worse than the original' });
      continue;
    }
    texts.set(file, after);
  }
  return { texts, notes };
}
