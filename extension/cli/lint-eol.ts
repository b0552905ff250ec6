/**
 * Line endings for `isoscope lint`: the analyzers write `\n` in the text they insert; a file that
 * uses CRLF gets `\r\n` instead, so a fix never leaves it with mixed line endings.
 *
 * The language server doesn't need this: editors apply workspace edits in the document's own
 * line ending (VS Code normalizes inserted text to the model's EOL).
 */
import type { AnalysisEngine } from '../language-server/analysis/engine';
import { lineEndingOf, withLineEnding } from '../language-server/analysis/eol';
import { withLazyFixes, type Fix, type StaticFinding } from '../language-server/analysis/types';

/** The fix with every inserted line break in the line ending of the file it edits. */
export function fixInFileEol(engine: Pick<AnalysisEngine, 'textOf'>, fix: Fix): Fix {
  const eols = new Map<string, '\n' | '\r\n'>();
  const eolOf = (file: string): '\n' | '\r\n' => {
    let eol = eols.get(file);
    if (!eol) eols.set(file, (eol = lineEndingOf(engine.textOf(file) ?? '')));
    return eol;
  };
  if (!fix.edits.some((e) => e.newText.includes('\n') && eolOf(e.file) === '\r\n')) return fix;
  return { ...fix, edits: fix.edits.map((e) => ({ ...e, newText: withLineEnding(e.newText, eolOf(e.file)) })) };
}

/** The finding with its (still lazy) fixes in the files' own line endings. */
function findingInFileEol(engine: AnalysisEngine, finding: StaticFinding, onFix: (fix: Fix) => void): StaticFinding {
  const descriptors: PropertyDescriptorMap = Object.getOwnPropertyDescriptors(finding);
  delete descriptors.fixes; // don't read (and so compute) the original fixes before they're needed
  const copy = Object.defineProperties({}, descriptors) as Omit<StaticFinding, 'fixes'>;
  return withLazyFixes(copy, () =>
    finding.fixes.map((f) => {
      const adapted = fixInFileEol(engine, f);
      onFix(adapted);
      return adapted;
    }),
  );
}

/**
 * The engine as fix planning should see it: the same engine, except that `analyze` returns
 * findings whose fixes insert line breaks in each file's own line ending. `onFix` sees every fix
 * handed out (the caller uses it to learn which files a fix edits together).
 */
export function engineInFileEol(engine: AnalysisEngine, onFix: (fix: Fix) => void = () => {}): AnalysisEngine {
  return new Proxy(engine, {
    get(target, prop) {
      if (prop === 'analyze') {
        return (...args: Parameters<AnalysisEngine['analyze']>): StaticFinding[] =>
          target.analyze(...args).map((f) => findingInFileEol(target, f, onFix));
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
