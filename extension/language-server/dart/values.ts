/**
 * What a Dart expression holds, as far as the file tells: typed data (and whether it is a view of
 * a bigger buffer), a `List<int>`, a `TransferableTypedData`, or something else — plus its size in
 * bytes when the code states it (`Uint8List(1 << 20)`).
 */
import { evalConstSize } from '../analysis/const-size';
import type { Bytes } from '../../../protocol';
import type { Node, Tree } from 'web-tree-sitter';
import { lookup, type DartDecl } from './decls';

/** Bytes per element of each typed-data class (ByteData counted per byte). */
export const TYPED_DATA_ELEMENT_BYTES: Readonly<Record<string, number>> = {
  Uint8List: 1,
  Int8List: 1,
  Uint8ClampedList: 1,
  Uint16List: 2,
  Int16List: 2,
  Uint32List: 4,
  Int32List: 4,
  Float32List: 4,
  Uint64List: 8,
  Int64List: 8,
  Float64List: 8,
  Int32x4List: 16,
  Float32x4List: 16,
  Float64x2List: 16,
  ByteData: 1,
};

/** What an expression holds. */
export type DartValue =
  | { type: 'typed'; listType: string; bytes: Bytes | null; view: boolean }
  | { type: 'int-list'; bytes: Bytes | null; convertTo: 'Uint8List' | 'Int32List' | 'Int64List' }
  | { type: 'transferable' }
  | { type: 'other' };

/** Classifies an expression's text at an offset, following one level of variable declarations. */
export function classify(exprText: string, offset: number, decls: readonly DartDecl[], depth = 0): DartValue {
  const expr = stripParens(exprText.trim());
  if (/^[A-Za-z_$][\w$]*$/.test(expr)) {
    const decl = lookup(decls, expr, offset);
    if (!decl || depth > 3) return { type: 'other' };
    const fromInit = decl.initText ? classify(decl.initText, decl.declStart, decls, depth + 1) : null;
    const fromType = classifyType(decl.typeText, decl.initText);
    const value = fromInit && fromInit.type !== 'other' ? fromInit : fromType;
    const writes = writesOf(decl, decls);
    if (writes === null) return unsized(value);
    // Every value the variable may hold: the largest size, when each is the same kind and sized.
    let merged = value;
    for (const w of writes) {
      const next = classify(w.text, w.start, decls, depth + 1);
      merged = mergeValues(merged, next.type === 'other' ? fromType : next);
    }
    return merged;
  }
  return classifyInitializer(expr);
}

/** `v` without its size: the variable may hold a value of another size. */
function unsized(v: DartValue): DartValue {
  return v.type === 'typed' || v.type === 'int-list' ? { ...v, bytes: null } : v;
}

/** One value standing for two a variable may hold. */
function mergeValues(a: DartValue, b: DartValue): DartValue {
  const most = (x: Bytes | null, y: Bytes | null): Bytes | null => (x === null || y === null ? null : Math.max(x, y));
  if (a.type === 'typed' && b.type === 'typed' && a.listType === b.listType)
    return { type: 'typed', listType: a.listType, bytes: most(a.bytes, b.bytes), view: a.view || b.view };
  if (a.type === 'int-list' && b.type === 'int-list') {
    const convertTo = a.convertTo === b.convertTo ? a.convertTo : 'Int64List';
    return { type: 'int-list', bytes: most(a.bytes, b.bytes), convertTo };
  }
  if (a.type === b.type && a.type !== 'typed' && a.type !== 'int-list') return a;
  return a.type === 'typed' || a.type === 'int-list' ? unsized(a) : a;
}

/** The assignable expressions of a tree (one search in the wasm module per tree). */
const assignablesCache = new WeakMap<Tree, Node[]>();
const writesCache = new WeakMap<DartDecl, { text: string; start: number }[] | null>();

/**
 * The values later assigned to a variable (`x = …` in its scope): their text and offset. Null when
 * it is written some other way (`x ??= …`, `x += …`, `x++`, `++x`), so its value is unknown.
 */
function writesOf(decl: DartDecl, decls: readonly DartDecl[]): { text: string; start: number }[] | null {
  const cached = writesCache.get(decl);
  if (cached !== undefined) return cached;
  const tree = decl.node.tree;
  let assignables = assignablesCache.get(tree);
  if (!assignables) {
    assignables = tree.rootNode.descendantsOfType('assignable_expression').filter((n): n is Node => n !== null);
    assignablesCache.set(tree, assignables);
  }
  const writes: { text: string; start: number }[] = [];
  let result: { text: string; start: number }[] | null = writes;
  for (const a of assignables) {
    if (a.startIndex < decl.scopeStart || a.startIndex > decl.scopeEnd || a.text !== decl.name) continue;
    if (lookup(decls, decl.name, a.startIndex) !== decl) continue;
    // The grammar makes a name assignable only where it is written: `x = …`, `x ??= …`, `x++`, `++x`.
    const parent = a.parent;
    const op =
      parent?.type === 'assignment_expression'
        ? parent.children.find((c) => c !== null && c.startIndex >= a.endIndex)
        : undefined;
    if (!parent || op?.type !== '=') {
      result = null;
      break;
    }
    writes.push({ text: parent.text.slice(op.endIndex - parent.startIndex), start: op.endIndex });
  }
  writesCache.set(decl, result);
  return result;
}

function stripParens(expr: string): string {
  let e = expr;
  while (e.startsWith('(') && e.endsWith(')') && balanced(e.slice(1, -1))) e = e.slice(1, -1).trim();
  return e;
}

function balanced(s: string): boolean {
  let depth = 0;
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

function classifyType(typeText: string, initText: string): DartValue {
  const t = typeText.replace(/\?$/, '').trim();
  if (t in TYPED_DATA_ELEMENT_BYTES) return { type: 'typed', listType: t, bytes: null, view: false };
  if (t === 'TransferableTypedData') return { type: 'transferable' };
  if (/^List<int>$/.test(t)) return intList(initText);
  return { type: 'other' };
}

const TYPED_NAMES = Object.keys(TYPED_DATA_ELEMENT_BYTES).join('|');
// Built once: classifying runs for every message argument of every send.
const TYPED_VIEW = new RegExp(`^(${TYPED_NAMES})\\.(sublistView|view)\\s*\\(`);
// The argument may hold parentheses (`Uint8List((1024 + 1) * 1024)`): evalSize rejects what isn't constant.
const TYPED_NEW = new RegExp(`^(${TYPED_NAMES})\\s*\\(([^;]*)\\)\\s*$`);
const TYPED_FROM_LIST = new RegExp(`^(${TYPED_NAMES})\\.fromList\\s*\\(\\s*(?:<[^>]*>)?\\[([^\\]]*)\\]`);
const TYPED_ANY = new RegExp(`^(${TYPED_NAMES})\\b`);

/** Classifies an initializer or argument expression by its shape. */
export function classifyInitializer(expr: string): DartValue {
  if (/^TransferableTypedData\b/.test(expr) || /\bas\s+TransferableTypedData\s*$/.test(expr)) {
    return { type: 'transferable' };
  }
  let m = TYPED_VIEW.exec(expr);
  if (m) return { type: 'typed', listType: m[1], bytes: null, view: true };
  m = /\.buffer\s*\.\s*as(\w+?)(List)?\s*\(\s*([^)\s][^)]*)\)\s*$/.exec(expr);
  if (m) return { type: 'typed', listType: m[2] ? `${m[1]}List` : m[1], bytes: null, view: true };
  m = TYPED_NEW.exec(expr);
  if (m) return { type: 'typed', listType: m[1], bytes: timesElement(evalSize(m[2]), m[1]), view: false };
  m = TYPED_FROM_LIST.exec(expr);
  if (m) return { type: 'typed', listType: m[1], bytes: timesElement(countItems(m[2]), m[1]), view: false };
  m = TYPED_ANY.exec(expr);
  if (m) return { type: 'typed', listType: m[1], bytes: null, view: false };
  if (/^<int>\s*\[/.test(expr)) return intList(expr);
  if (/^List<int>\.(filled|generate)\s*\(/.test(expr) || /^List\.filled\s*\(\s*[^,]+,\s*-?\d+\s*[,)]/.test(expr)) {
    const n = evalSize(/\(\s*([^,]+),/.exec(expr)?.[1] ?? '');
    return { type: 'int-list', bytes: n === null ? null : n * 8, convertTo: 'Int64List' };
  }
  return { type: 'other' };
}

function intList(init: string): DartValue {
  const lit = /^(?:<int>)?\s*\[([^\]]*)\]\s*$/.exec(init.trim());
  if (!lit) return { type: 'int-list', bytes: null, convertTo: 'Int64List' };
  const items = lit[1]
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const nums = items.map(Number);
  const allNumeric = nums.every((n) => Number.isInteger(n));
  let convertTo: 'Uint8List' | 'Int32List' | 'Int64List' = 'Int64List';
  if (allNumeric && nums.every((n) => n >= 0 && n <= 255)) convertTo = 'Uint8List';
  else if (allNumeric && nums.every((n) => n >= -(2 ** 31) && n < 2 ** 31)) convertTo = 'Int32List';
  // A List<int> is copied element by element as 8-byte Smis/Mints: estimate 8 bytes each.
  return { type: 'int-list', bytes: items.length * 8, convertTo };
}

function timesElement(n: number | null, listType: string): Bytes | null {
  return n === null ? null : n * (TYPED_DATA_ELEMENT_BYTES[listType] ?? 1);
}

function countItems(list: string): number {
  return list.split(',').filter((s) => s.trim()).length;
}

/** Evaluates a constant size expression (`4 << 20`, `(1024 + 1) * 1024`); null otherwise. */
export function evalSize(expr: string): number | null {
  return evalConstSize(expr);
}
