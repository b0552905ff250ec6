/**
 * Text-level building blocks shared by the Dart fixes: wrapping, `as…List()` names, imports
 * (including `show`/`hide` combinators and `as` prefixes), fresh local names and line endings.
 */
import { lineEndingOf, withLineEnding } from '../analysis/eol';
import type { FileEdit } from '../analysis/types';
import type { DartValue } from './values';

/** The `ByteBuffer.as…()` method that gives the original typed list back after materialize(). */
export function asMethod(value: DartValue): string {
  if (value.type === 'int-list') return `as${value.convertTo}`;
  if (value.type === 'typed') return value.listType === 'ByteData' ? 'asByteData' : `as${value.listType}`;
  return 'asUint8List';
}

/** `TransferableTypedData.fromList([x])`, converting a List<int> to a typed list first. */
export function wrapTransferable(exprText: string, value: DartValue, refs: DartRefs): string {
  const inner =
    value.type === 'int-list' ? `${refs.name('dart:typed_data', value.convertTo)}.fromList(${exprText})` : exprText;
  return `${refs.name('dart:isolate', 'TransferableTypedData')}.fromList([${inner}])`;
}

/** One `import 'dart:…'` directive and its combinators. */
interface ImportDirective {
  /** Offsets of the whole directive, `import` to `;` included. */
  start: number;
  end: number;
  prefix: string | null;
  show: { names: string[]; start: number; end: number }[];
  hide: { names: string[]; start: number; end: number; clauseStart: number }[];
}

function importsOf(text: string, lib: string): ImportDirective[] {
  const out: ImportDirective[] = [];
  // A byte order mark before the first line must not hide that line's import.
  const pattern = new RegExp(`^\\uFEFF?[ \\t]*import\\s+(['"])${lib.replace(/[.:]/g, '\\$&')}\\1([^;]*);`, 'gm');
  for (const m of text.matchAll(pattern)) {
    const tailStart = m.index + m[0].length - 1 - m[2].length;
    const tail = m[2];
    const start = m.index + (m[0].startsWith('\uFEFF') ? 1 : 0);
    const prefix = /\bas\s+([A-Za-z_$][\w$]*)/.exec(tail)?.[1] ?? null;
    const show: ImportDirective['show'] = [];
    const hide: ImportDirective['hide'] = [];
    for (const c of tail.matchAll(/(\s*)\b(show|hide)\s+([A-Za-z_$][\w$]*(?:\s*,\s*[A-Za-z_$][\w$]*)*)/g)) {
      const listStart = tailStart + c.index + c[0].length - c[3].length;
      const entry = { names: c[3].split(',').map((s) => s.trim()), start: listStart, end: listStart + c[3].length };
      if (c[2] === 'show') show.push(entry);
      else hide.push({ ...entry, clauseStart: tailStart + c.index });
    }
    out.push({ start, end: m.index + m[0].length, prefix, show, hide });
  }
  return out;
}

function allows(d: ImportDirective, name: string): boolean {
  return d.show.every((s) => s.names.includes(name)) && !d.hide.some((h) => h.names.includes(name));
}

/**
 * The names a rewrite introduces from `dart:` libraries, spelled as this file can see them
 * (`iso.TransferableTypedData` under `import 'dart:isolate' as iso;`), and the import edits that
 * make them visible: a missing import is added, a `show` list gains the name, a `hide` loses it.
 */
export class DartRefs {
  private readonly needed = new Map<string, Set<string>>();
  constructor(
    readonly file: string,
    readonly text: string,
  ) {}

  /** The spelling of `name` from `lib` in this file; records that the file must see it. */
  name(lib: string, name: string): string {
    const names = this.needed.get(lib) ?? new Set<string>();
    names.add(name);
    this.needed.set(lib, names);
    const imports = importsOf(this.text, lib);
    const visible = imports.find((d) => d.prefix === null && allows(d, name)) ?? imports.find((d) => allows(d, name));
    const target = visible ?? imports.find((d) => d.prefix === null) ?? imports[0];
    return target?.prefix ? `${target.prefix}.${name}` : name;
  }

  /** The import edits for every name asked for so far. */
  edits(): FileEdit[] {
    const out: FileEdit[] = [];
    const missing: string[] = [];
    for (const [lib, names] of this.needed) {
      const imports = importsOf(this.text, lib);
      if (imports.length === 0) {
        missing.push(lib);
        continue;
      }
      const hidden = [...names].filter((n) => !imports.some((d) => allows(d, n)));
      if (hidden.length === 0) continue;
      // The same directive `name()` chose: unprefixed first.
      const d = imports.find((x) => x.prefix === null) ?? imports[0];
      for (const h of d.hide) {
        const kept = h.names.filter((n) => !hidden.includes(n));
        if (kept.length === h.names.length) continue;
        out.push(
          kept.length === 0
            ? { file: this.file, start: h.clauseStart, end: h.end, newText: '' }
            : { file: this.file, start: h.start, end: h.end, newText: kept.join(', ') },
        );
      }
      for (const s of d.show) {
        const added = hidden.filter((n) => !s.names.includes(n));
        if (added.length > 0) out.push({ file: this.file, start: s.end, end: s.end, newText: `, ${added.join(', ')}` });
      }
    }
    return [...out, ...importEdits(this.file, this.text, missing)];
  }
}

/** True for a `part of` file: it can't have imports of its own (its library's imports apply). */
export function isPartFile(text: string): boolean {
  return /^\uFEFF?[ \t]*part[ \t\r\n]+of\b/m.test(text);
}

/**
 * Edits that add the given `dart:` imports when the file doesn't have them yet. A `part of` file
 * gets none: an import there is a compile error, and the library's imports apply to it.
 */
export function importEdits(file: string, text: string, libs: readonly string[]): FileEdit[] {
  const missing = libs.filter((lib) => importsOf(text, lib).length === 0);
  if (missing.length === 0 || isPartFile(text)) return [];
  const nl = lineEndingOf(text);
  // `\uFEFF?`: a byte order mark before the first directive (it stays first).
  const imports = [...text.matchAll(/^\uFEFF?import\s+[^;]+;[ \t]*(?=\r?$)/gm)];
  const last = imports[imports.length - 1];
  const lines = missing.map((lib) => `import '${lib}';`).join(nl);
  if (last) {
    const at = last.index + last[0].length;
    return [{ file, start: at, end: at, newText: `${nl}${lines}` }];
  }
  const library = /^\uFEFF?library\s+[^;]*;[ \t]*(?=\r?$)/m.exec(text);
  if (library) {
    const at = library.index + library[0].length;
    return [{ file, start: at, end: at, newText: `${nl}${nl}${lines}` }];
  }
  const top = text.startsWith('\uFEFF') ? 1 : 0;
  return [{ file, start: top, end: top, newText: `${lines}${nl}${nl}` }];
}

/** Rewrites bare `\n` in the new text of `file`'s edits to that file's line break. */
export function withEol(edits: FileEdit[], file: string, text: string): FileEdit[] {
  const nl = lineEndingOf(text);
  if (nl === '\n') return edits;
  return edits.map((e) => (e.file === file ? { ...e, newText: withLineEnding(e.newText, nl) } : e));
}

/**
 * A local name based on `base` that no identifier of the file uses yet (`blobTransfer`,
 * `blobTransfer2`, …). `ordinal` picks the n-th free name, so that fixes planned from the same
 * text for the same base in one scope get different names.
 */
export function freshName(text: string, base: string, ordinal = 0): string {
  let seen = 0;
  for (let i = 1; ; i++) {
    const name = i === 1 ? base : `${base}${i}`;
    if (new RegExp(`(?<![\\w$])${name.replace(/\$/g, '\\$')}(?![\\w$])`).test(text)) continue;
    if (seen++ === ordinal) return name;
  }
}
