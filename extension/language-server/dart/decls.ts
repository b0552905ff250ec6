/**
 * Declarations of a Dart file (variables, fields, parameters) with the range where each name is
 * visible, and scoped name lookup. Collected in one tree-cursor walk that keeps its own ancestor
 * stack: web-tree-sitter's `node.parent` and `nextSibling` search down from the root each time,
 * which made this quadratic-ish on big files.
 */
import type { Node, Tree, TreeCursor } from 'web-tree-sitter';

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

const DECL_TYPES = new Set([
  'initialized_variable_definition',
  'initialized_identifier',
  'static_final_declaration',
  'formal_parameter',
]);
const SCOPES = new Set(['block', 'class_body', 'program', 'for_statement', 'function_expression_body']);
const SIGNATURES = new Set(['function_signature', 'method_signature', 'constructor_signature']);
const KEYWORDS = /\b(final|late|var|const|static|required|covariant)\b/g;

const declCache = new WeakMap<Tree, DartDecl[]>();

/** Every declaration in the file, in document order, for scoped name lookup (memoized per tree). */
export function collectDecls(tree: Tree, text: string): DartDecl[] {
  const cached = declCache.get(tree);
  if (cached) return cached;
  const decls: DartDecl[] = [];
  // The search for declaration nodes runs inside the wasm module (one call); walking every node
  // from JS costs a cursor marshal per step and was slower.
  const cursor = tree.walk();
  try {
    for (const node of tree.rootNode.descendantsOfType([...DECL_TYPES])) {
      if (!node) continue;
      cursor.reset(node);
      const decl = declAt(cursor, node, text);
      if (decl) decls.push(decl);
    }
  } finally {
    cursor.delete();
  }
  declCache.set(tree, decls);
  return decls;
}

function declAt(cursor: TreeCursor, node: Node, text: string): DartDecl | null {
  const type = node.type;
  const nodeStart = node.startIndex;
  const nodeEnd = node.endIndex;
  let nameStart = -1;
  let nameEnd = -1;
  let eqEnd = -1;
  if (cursor.gotoFirstChild()) {
    do {
      const t = cursor.nodeType;
      if (nameStart < 0 && t === 'identifier' && cursor.nodeIsNamed) {
        nameStart = cursor.startIndex;
        nameEnd = cursor.endIndex;
      } else if (eqEnd < 0 && t === '=') {
        eqEnd = cursor.endIndex;
      }
    } while (cursor.gotoNextSibling());
  }
  if (nameStart < 0) return null;
  let typeText = '';
  let initText = '';
  if (type === 'initialized_variable_definition' || type === 'formal_parameter') {
    typeText = text.slice(nodeStart, nameStart);
    initText = eqEnd >= 0 ? text.slice(eqEnd, nodeEnd) : '';
  } else {
    const list = node.parent;
    const holder = list?.parent;
    if (type === 'initialized_identifier' && list && holder) typeText = text.slice(holder.startIndex, list.startIndex);
    if (type === 'static_final_declaration' && list) typeText = typeBefore(list, text);
    initText = text.slice(nameEnd, nodeEnd).replace(/^\s*=/, '');
  }
  const scope = scopeOf(node, type === 'formal_parameter');
  return {
    name: text.slice(nameStart, nameEnd),
    typeText: typeText.replace(KEYWORDS, '').trim(),
    initText: initText.trim(),
    declStart: nameStart,
    scopeStart: scope.start,
    scopeEnd: scope.end,
    parameter: type === 'formal_parameter',
    node,
  };
}

function typeBefore(list: Node, text: string): string {
  let start = list.startIndex;
  for (let p = list.previousSibling; p && /type|final|const|late/.test(p.type); p = p.previousSibling)
    start = p.startIndex;
  return text.slice(start, list.startIndex);
}

/** A parameter's function, else the closest block-like ancestor, else the whole file. */
function scopeOf(node: Node, parameter: boolean): { start: number; end: number } {
  // Each `.parent` is a search from the root in web-tree-sitter: read the chain once, lazily.
  const chain: Node[] = [];
  const at = (i: number): Node | null => {
    while (chain.length <= i) {
      const next = (chain.length === 0 ? node : chain[chain.length - 1]).parent;
      if (!next) return null;
      chain.push(next);
    }
    return chain[i];
  };
  if (parameter) {
    for (let i = 0, p = at(0); p; p = at(++i)) {
      if (p.type === 'function_expression') return { start: p.startIndex, end: p.endIndex };
      if (SIGNATURES.has(p.type)) {
        const up = at(i + 1);
        const holder = p.type === 'function_signature' && up?.type === 'method_signature' ? up : p;
        const body = holder.nextSibling;
        return { start: holder.startIndex, end: body ? body.endIndex : holder.endIndex };
      }
    }
  }
  for (let i = 0, p = at(0); p; p = at(++i)) if (SCOPES.has(p.type)) return { start: p.startIndex, end: p.endIndex };
  return { start: 0, end: Number.MAX_SAFE_INTEGER };
}

const nameIndexes = new WeakMap<readonly DartDecl[], Map<string, DartDecl[]>>();

function byName(decls: readonly DartDecl[]): Map<string, DartDecl[]> {
  let index = nameIndexes.get(decls);
  if (index) return index;
  index = new Map();
  for (const d of decls) {
    const list = index.get(d.name);
    if (list) list.push(d);
    else index.set(d.name, [d]);
  }
  nameIndexes.set(decls, index);
  return index;
}

/** The declaration a name refers to at an offset (innermost scope, latest before the use). */
export function lookup(decls: readonly DartDecl[], name: string, offset: number): DartDecl | null {
  let best: DartDecl | null = null;
  for (const d of byName(decls).get(name) ?? []) {
    if (offset < d.scopeStart || offset > d.scopeEnd) continue;
    if (!d.parameter && d.declStart > offset && d.scopeStart > 0) continue;
    if (!best || d.scopeStart > best.scopeStart || (d.scopeStart === best.scopeStart && d.declStart > best.declStart)) {
      best = d;
    }
  }
  return best;
}
