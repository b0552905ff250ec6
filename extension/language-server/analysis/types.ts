/**
 * What every analyzer produces: findings with UTF-16 offset ranges and guided fixes. Shared by the
 * language server (turns them into diagnostics + code actions) and `isoscope lint` (JSON, --fix).
 */
import type { Bytes, FindingRule, Severity } from '../../../protocol';

/** Default threshold: below tens of KB a transfer doesn't pay (ARCHITECTURE "What oversized means"). */
export const DEFAULT_OVERSIZED_BYTES: Bytes = 64 * 1024;

/** One replacement in one file; offsets are UTF-16 indexes into that file's current text. */
export interface FileEdit {
  file: string;
  start: number;
  end: number;
  newText: string;
}

/** A guided refactor: always previewed (needs confirmation), never applied blindly by the server. */
export interface Fix {
  title: string;
  /** Shown in the refactor preview: what it changes, what it saves, when it won't pay. */
  description: string;
  edits: FileEdit[];
  /** False when part of the refactor (e.g. the receiving side) could not be found with confidence. */
  confident: boolean;
}

/** A static finding in one file. */
export interface StaticFinding {
  rule: FindingRule;
  severity: Severity;
  file: string;
  start: number;
  end: number;
  message: string;
  /** Bytes one send copies, when known statically or from runtime data. */
  bytes: Bytes | null;
  fixes: Fix[];
}

/**
 * Gives a finding lazily computed fixes: `compute` runs on the first read of `fixes` and its result
 * is kept. Diagnostics never need fixes, only code actions and `--fix` do, so building them while
 * analyzing (receiver search, type printing) would be wasted on every edit.
 */
export function withLazyFixes(finding: Omit<StaticFinding, 'fixes'>, compute: () => Fix[]): StaticFinding {
  let fixes: Fix[] | null = null;
  return Object.defineProperty(finding, 'fixes', {
    enumerable: true,
    configurable: true,
    get: () => (fixes ??= compute()),
  }) as StaticFinding;
}

/** Runtime facts about one send site (from the model's findings), used to word fixes. */
export interface RuntimeHint {
  file: string;
  /** 1-based line of the send. */
  line: number;
  bytes: Bytes;
  count: number;
  receivingPortName?: string;
}

/** Options every analyzer takes. */
export interface AnalyzeOptions {
  oversizedBytes: Bytes;
  runtimeHints: readonly RuntimeHint[];
}

/** Human-readable byte count (KiB/MiB), for messages. */
export function formatBytes(bytes: Bytes): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}

/** Finds the runtime hint for a send at a 1-based line of a file, if the runtime saw it. */
export function hintAt(opts: AnalyzeOptions, file: string, line: number): RuntimeHint | null {
  return opts.runtimeHints.find((h) => h.line === line && sameFile(h.file, file)) ?? null;
}

function sameFile(a: string, b: string): boolean {
  return a === b || a.endsWith('/' + b) || b.endsWith('/' + a);
}

/**
 * The "what it saves / when it won't pay" sentence every fix carries. Uses runtime bytes when the
 * runtime saw the site, the static estimate otherwise.
 */
export function savingsSentence(staticBytes: Bytes | null, hint: RuntimeHint | null, thresholdBytes: Bytes): string {
  const bytes = hint?.bytes ?? staticBytes;
  const source = hint ? `measured at run time (${hint.count} sends)` : 'estimated from the code';
  if (bytes === null) {
    return `Size unknown until run time: this pays only for messages above ${formatBytes(thresholdBytes)}; run under Isoscope to measure.`;
  }
  if (bytes < thresholdBytes) {
    return `Won't pay: ${formatBytes(bytes)} per send (${source}) is below the ${formatBytes(thresholdBytes)} threshold.`;
  }
  const total = hint ? ` (${formatBytes(bytes * hint.count)} over ${hint.count} sends)` : '';
  return `Saves copying ${formatBytes(bytes)} per send${total}, ${source}.`;
}

/**
 * Converts offsets to 0-based line/character and back, for one text. Lines end at `\n`, `\r\n`
 * or a lone `\r` (as editors and the TS scanner count them); a leading byte order mark is not a
 * column (editors don't show it), so line 0 starts after it.
 */
export class LineIndex {
  private readonly starts: number[];
  constructor(readonly text: string) {
    this.starts = [text.charCodeAt(0) === 0xfeff ? 1 : 0];
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) this.starts.push(i + 1);
    }
  }
  /** 0-based line and UTF-16 character of an offset. */
  position(offset: number): { line: number; character: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: Math.max(0, offset - this.starts[lo]) };
  }
  /**
   * Offset of a 0-based line/character. A character past the end of its line means the line's end
   * (as LSP says), not a place on the lines after it; a line past the last means the text's end.
   */
  offset(line: number, character: number): number {
    if (line >= this.starts.length) return this.text.length;
    const start = this.starts[Math.max(0, line)]!;
    let end = line + 1 < this.starts.length ? this.starts[line + 1]! : this.text.length;
    // Back over the line's break: \n, \r\n or a lone \r.
    if (end > start && line + 1 < this.starts.length) {
      end--;
      if (this.text.charCodeAt(end) === 10 && end > start && this.text.charCodeAt(end - 1) === 13) end--;
    }
    return start + Math.min(Math.max(0, character), end - start);
  }
}

/** Applies non-overlapping edits of one file to its text (edits may come in any order). */
export function applyEdits(text: string, edits: readonly FileEdit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}
