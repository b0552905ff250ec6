/**
 * What a Dart expression holds, as far as the file tells: typed data (and whether it is a view of
 * a bigger buffer), a `List<int>`, a `TransferableTypedData`, or something else — plus its size in
 * bytes when the code states it (`Uint8List(1 << 20)`).
 */
import type { Node, Tree } from 'web-tree-sitter';
import type { Bytes } from '../../../protocol';

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

/** A variable, field or parameter declaration with the range where its name is visible. */
export interface DartDecl {
  name: string;
  typeText: string;
  initText: string;
  declStart: number;
  scopeStart: number;
  scopeEnd: number;
  /** True for parameters of a function or closure. */
  parameter: boolean;
  node: Node;
}

const DECL_TYPES = [
  'initialized_variable_definition',
  'initialized_identifier',
  'static_final_declaration',
  'formal_parameter',
];
const KEYWORDS = /\b(final|late|var|const|static|required|covariant)\b/g;

/** Every declaration in the file, for scoped name lookup. */
export function collectDecls(tree: Tree, text: string): DartDecl[] {
  const decls: DartDecl[] = [];
  for (const node of tree.rootNode.descendantsOfType(DECL_TYPES)) {
    if (!node) continue;
    const nameNode = node.namedChildren.find((c) => c?.type === 'identifier');
    if (!nameNode) continue;
    let typeText = '';
    let initText = '';
    if (node.type === 'initialized_variable_definition' || node.type === 'formal_parameter') {
      typeText = text.slice(node.startIndex, nameNode.startIndex);
      const eq = node.children.find((c) => c?.type === '=');
      initText = eq ? text.slice(eq.endIndex, node.endIndex) : '';
    } else {
      const list = node.parent;
      const holder = list?.parent;
      if (node.type === 'initialized_identifier' && holder) typeText = text.slice(holder.startIndex, list.startIndex);
      if (node.type === 'static_final_declaration' && list) typeText = typeBefore(list, text);
      initText = text.slice(nameNode.endIndex, node.endIndex).replace(/^\s*=/, '');
    }
    const scope = scopeOf(node);
    decls.push({
      name: nameNode.text,
      typeText: typeText.replace(KEYWORDS, '').trim(),
      initText: initText.trim(),
      declStart: nameNode.startIndex,
      scopeStart: scope.start,
      scopeEnd: scope.end,
      parameter: node.type === 'formal_parameter',
      node,
    });
  }
  return decls;
}

function typeBefore(list: Node, text: string): string {
  let start = list.startIndex;
  for (let p = list.previousSibling; p && /type|final|const|late/.test(p.type); p = p.previousSibling)
    start = p.startIndex;
  return text.slice(start, list.startIndex);
}

function scopeOf(node: Node): { start: number; end: number } {
  if (node.type === 'formal_parameter') {
    for (let p = node.parent; p; p = p.parent) {
      if (p.type === 'function_expression') return { start: p.startIndex, end: p.endIndex };
      if (p.type === 'function_signature' || p.type === 'method_signature' || p.type === 'constructor_signature') {
        const holder = p.type === 'function_signature' && p.parent?.type === 'method_signature' ? p.parent : p;
        const body = holder.nextSibling;
        return { start: holder.startIndex, end: body ? body.endIndex : holder.endIndex };
      }
    }
  }
  for (let p = node.parent; p; p = p.parent) {
    if (['block', 'class_body', 'program', 'for_statement', 'function_expression_body'].includes(p.type)) {
      return { start: p.startIndex, end: p.endIndex };
    }
  }
  return { start: 0, end: Number.MAX_SAFE_INTEGER };
}

/** The declaration a name refers to at an offset (innermost scope, latest before the use). */
export function lookup(decls: readonly DartDecl[], name: string, offset: number): DartDecl | null {
  let best: DartDecl | null = null;
  for (const d of decls) {
    if (d.name !== name || offset < d.scopeStart || offset > d.scopeEnd) continue;
    if (!d.parameter && d.declStart > offset && d.scopeStart > 0) continue;
    if (!best || d.scopeStart > best.scopeStart || (d.scopeStart === best.scopeStart && d.declStart > best.declStart)) {
      best = d;
    }
  }
  return best;
}

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

/** Classifies an initializer or argument expression by its shape. */
export function classifyInitializer(expr: string): DartValue {
  const typedNames = Object.keys(TYPED_DATA_ELEMENT_BYTES).join('|');
  if (/^TransferableTypedData\b/.test(expr) || /\bas\s+TransferableTypedData\s*$/.test(expr)) {
    return { type: 'transferable' };
  }
  let m = new RegExp(`^(${typedNames})\\.(sublistView|view)\\s*\\(`).exec(expr);
  if (m) return { type: 'typed', listType: m[1], bytes: null, view: true };
  m = /\.buffer\s*\.\s*as(\w+?)(List)?\s*\(\s*([^)\s][^)]*)\)\s*$/.exec(expr);
  if (m) return { type: 'typed', listType: m[2] ? `${m[1]}List` : m[1], bytes: null, view: true };
  m = new RegExp(`^(${typedNames})\\s*\\(([^)]*)\\)\\s*$`).exec(expr);
  if (m) return { type: 'typed', listType: m[1], bytes: timesElement(evalSize(m[2]), m[1]), view: false };
  m = new RegExp(`^(${typedNames})\\.fromList\\s*\\(\\s*(?:<[^>]*>)?\\[([^\\]]*)\\]`).exec(expr);
  if (m) return { type: 'typed', listType: m[1], bytes: timesElement(countItems(m[2]), m[1]), view: false };
  m = new RegExp(`^(${typedNames})\\b`).exec(expr);
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

/** Evaluates a constant size expression: integers with `*`, `+`, `<<`; null otherwise. */
export function evalSize(expr: string): number | null {
  const e = expr.trim();
  if (!/^[\d\s*+<()_]+$/.test(e) || e === '') return null;
  const sum = e.split('+').map((term) => {
    const [base, shift] = term.split('<<');
    const product = base
      .replace(/[()]/g, '')
      .split('*')
      .map((f) => Number(f.replace(/_/g, '').trim()));
    const value = product.reduce((a, b) => a * b, 1);
    return shift === undefined ? value : value * 2 ** Number(shift.replace(/[()]/g, '').trim());
  });
  const total = sum.reduce((a, b) => a + b, 0);
  return Number.isFinite(total) ? total : null;
}
