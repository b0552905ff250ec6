/**
 * Small helpers over the tree-sitter-dart tree. The grammar has no call node: `a.b(x)` is the
 * primary `a` followed by sibling `selector`s (`.b`, then `(x)`), so calls are rebuilt here.
 */
import type { Node, Tree } from 'web-tree-sitter';

/** A method or function call rebuilt from sibling selectors. */
export interface DartCall {
  name: string;
  /** The identifier naming the method/function. */
  nameNode: Node;
  /** Receiver text (`rp.sendPort`), or null for a plain function call (`compute(…)`). */
  receiverText: string | null;
  /** Start of the receiver's primary (or of the name for plain calls). */
  receiverStart: number;
  /** The `arguments` node. */
  args: Node;
  start: number;
  end: number;
}

/** One argument: positional (label null) or named. `start/end` cover the value expression. */
export interface DartArg {
  label: string | null;
  text: string;
  start: number;
  end: number;
  node: Node;
}

const callCache = new WeakMap<Tree, Map<string, DartCall[]>>();

/** Finds every call to one of `names` (method calls `x.name(…)` and plain calls `name(…)`). */
export function findCalls(tree: Tree, text: string, names: readonly string[]): DartCall[] {
  // Memoized per tree: fixes ask for the same calls once per finding, and node navigation
  // (parent, descendantForIndex) is the expensive part of web-tree-sitter.
  const key = names.join(',');
  let perTree = callCache.get(tree);
  if (!perTree) callCache.set(tree, (perTree = new Map()));
  const cached = perTree.get(key);
  if (cached) return cached;
  const calls: DartCall[] = [];
  perTree.set(key, calls);
  const pattern = new RegExp(`\\b(${names.join('|')})\\s*(?:<[^>()]*>)?\\s*\\(`, 'g');
  for (const m of text.matchAll(pattern)) {
    const node = tree.rootNode.descendantForIndex(m.index, m.index + m[1].length);
    if (!node || node.type !== 'identifier' || node.text !== m[1]) continue;
    const call = callFromName(node, text);
    if (call) calls.push(call);
  }
  return calls;
}

function callFromName(nameNode: Node, text: string): DartCall | null {
  const parent = nameNode.parent;
  if (!parent) return null;
  if (parent.type === 'unconditional_assignable_selector' || parent.type === 'conditional_assignable_selector') {
    const selector = parent.parent;
    if (!selector || selector.type !== 'selector') return null;
    const argsSel = selector.nextSibling;
    const args = argumentsOf(argsSel);
    if (!args || !argsSel) return null;
    let first: Node = selector;
    for (let prev = selector.previousSibling; prev && prev.isNamed; prev = prev.previousSibling) {
      first = prev;
      if (prev.type !== 'selector') break;
    }
    if (first === selector) return null;
    const receiverText = text.slice(first.startIndex, (selector.previousSibling ?? first).endIndex);
    return {
      name: nameNode.text,
      nameNode,
      receiverText,
      receiverStart: first.startIndex,
      args,
      start: first.startIndex,
      end: argsSel.endIndex,
    };
  }
  const argsSel = nameNode.nextSibling;
  const args = argumentsOf(argsSel);
  if (!args || !argsSel) return null;
  return {
    name: nameNode.text,
    nameNode,
    receiverText: null,
    receiverStart: nameNode.startIndex,
    args,
    start: nameNode.startIndex,
    end: argsSel.endIndex,
  };
}

function argumentsOf(selector: Node | null): Node | null {
  if (!selector || selector.type !== 'selector') return null;
  const part = selector.firstNamedChild;
  if (!part || part.type !== 'argument_part') return null;
  for (const c of part.namedChildren) if (c && c.type === 'arguments') return c;
  return null;
}

const argsCache = new WeakMap<Node, DartArg[]>();

/** The arguments of a call, positional and named, with their value ranges (memoized per node). */
export function callArgs(args: Node): DartArg[] {
  const cached = argsCache.get(args);
  if (cached) return cached;
  const out: DartArg[] = [];
  argsCache.set(args, out);
  for (const child of args.namedChildren) {
    if (!child) continue;
    if (child.type === 'argument') {
      out.push({ label: null, text: child.text, start: child.startIndex, end: child.endIndex, node: child });
    } else if (child.type === 'named_argument') {
      const label = child.namedChildren[0];
      const value = child.namedChildren[1];
      if (!label || !value) continue;
      const start = value.startIndex;
      const name = label.text.replace(/:\s*$/, '');
      out.push({
        label: name,
        text: child.text.slice(start - child.startIndex),
        start,
        end: child.endIndex,
        node: child,
      });
    }
  }
  return out;
}

const positionalCache = new WeakMap<Node, DartArg[]>();

/** Positional arguments only (memoized: several rules ask for the same call's arguments). */
export function positional(args: Node): DartArg[] {
  let list = positionalCache.get(args);
  if (!list) positionalCache.set(args, (list = callArgs(args).filter((a) => a.label === null)));
  return list;
}

/** Closest ancestor of one of the given types. */
export function ancestor(node: Node, types: readonly string[]): Node | null {
  for (let p = node.parent; p; p = p.parent) if (types.includes(p.type)) return p;
  return null;
}

/** The statement that contains a node (a direct child of a block or function body). */
export function enclosingStatement(node: Node): Node | null {
  for (let n: Node | null = node; n; n = n.parent) {
    const parentType = n.parent?.type;
    if (parentType === 'block' || parentType === 'program' || parentType === 'class_body') return n;
  }
  return null;
}

/** Leading whitespace of the line where `offset` is. */
export function indentAt(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))?.[0] ?? '';
}

/** True for a plain identifier expression. */
export function isIdentifier(text: string): boolean {
  return /^[A-Za-z_$][\w$]*$/.test(text.trim());
}
