/**
 * Runtime findings are measured against a file as the program ran. While the user edits the open
 * file, each finding follows its code, as the editor's own markers do, and a later push of the same
 * finding (the model re-publishes while a program runs) keeps the moved position instead of jumping
 * back to the measured line. Edits discarded by closing the file unsaved put them back.
 */
import type { RuntimeFinding } from '../../protocol';

/** A 0-based position (LSP). */
export interface Position {
  line: number;
  character: number;
}

/** One content change: `range` (0-based, end exclusive) replaced by `text`. */
export interface Edit {
  start: Position;
  end: Position;
  text: string;
}

const LINE_BREAK = /\r\n|\r|\n/;

/**
 * Where `p` is after `edit`: unchanged before the edited range, carried along after it, and at the
 * range's start when its own text was replaced.
 */
export function shiftPosition(p: Position, edit: Edit): Position {
  const { start, end } = edit;
  if (before(p, start)) return p;
  if (before(p, end)) return start;
  const added = edit.text.split(LINE_BREAK);
  const lastLength = added[added.length - 1].length;
  if (p.line === end.line) {
    const line = start.line + added.length - 1;
    const column = (added.length === 1 ? start.character + lastLength : lastLength) + (p.character - end.character);
    return { line, character: column };
  }
  return { line: p.line + added.length - 1 - (end.line - start.line), character: p.character };
}

function before(a: Position, b: Position): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

/** A 1-based line and column, as findings give them. */
interface Spot {
  line: number;
  column: number;
}

/** The current positions of runtime findings in edited files. */
export class RuntimeAnchors {
  /** file → finding key → where it shows now (only findings that moved are kept). */
  private readonly moved = new Map<string, Map<string, Spot>>();

  /** The finding as it shows now: at its measured position, or where edits carried it. */
  place(file: string, f: RuntimeFinding): RuntimeFinding {
    const at = f.location ? this.moved.get(file)?.get(keyOf(f)) : undefined;
    return at && f.location ? { ...f, location: { ...f.location, line: at.line, column: at.column } } : f;
  }

  /** Applies one content change of `file` to the positions of its `findings`, in order of the edits. */
  edit(file: string, findings: readonly RuntimeFinding[], edit: Edit): void {
    for (const f of findings) {
      if (!f.location) continue;
      const now = this.place(file, f).location;
      if (!now) continue;
      const p = shiftPosition({ line: spot(now.line) - 1, character: spot(now.column) - 1 }, edit);
      let map = this.moved.get(file);
      if (!map) this.moved.set(file, (map = new Map()));
      map.set(keyOf(f), { line: p.line + 1, column: p.character + 1 });
    }
  }

  /** Forgets moved positions of findings no longer pushed (a push replaced the set). */
  retain(file: string, findings: readonly RuntimeFinding[]): void {
    const map = this.moved.get(file);
    if (!map) return;
    const keep = new Set(findings.map(keyOf));
    for (const key of map.keys()) if (!keep.has(key)) map.delete(key);
    if (map.size === 0) this.moved.delete(file);
  }

  /** The file's text is back to what was measured (closed unsaved): findings show where measured. */
  reset(file: string): void {
    this.moved.delete(file);
  }
}

/** A line or column as a usable 1-based number (a missing column is the line's start). */
function spot(n: unknown): number {
  return typeof n === 'number' && Number.isFinite(n) && n >= 1 ? Math.floor(n) : 1;
}

/** One finding's identity: a new measurement at another position is a new finding. */
function keyOf(f: RuntimeFinding): string {
  return `${f.id}\u0000${f.location?.line ?? ''}\u0000${f.location?.column ?? ''}`;
}
