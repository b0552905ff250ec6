/**
 * What a Dart expression holds, as far as the file tells: typed data (and whether it is a view of
 * a bigger buffer), a `List<int>`, a `TransferableTypedData`, or something else — plus its size in
 * bytes when the code states it (`Uint8List(1 << 20)`).
 */
import { evalConstSize } from '../analysis/const-size';
import type { Bytes } from '../../../protocol';
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
    if (fromInit && fromInit.type !== 'other') return fromInit;
    return fromType;
  }
  return classifyInitializer(expr);
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
