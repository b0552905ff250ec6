/**
 * Finding `x.postMessage(…)` calls from the text (instead of a full tree walk), and the syntax
 * helpers the fixes share: names that are fresh in a file, and where a statement can be inserted.
 */
import ts from 'typescript';
import { childCovering } from './nodes';

/** `x.postMessage(…)`, or a bare `postMessage(…)` (a web worker posting to its creator). */
export type PostMessageCall = ts.CallExpression & { expression: ts.PropertyAccessExpression | ts.Identifier };

const callsCache = new WeakMap<ts.SourceFile, PostMessageCall[]>();

/** `x.postMessage(…)` calls in document (pre-)order (cached per SourceFile, which is immutable). */
export function postMessageCalls(sf: ts.SourceFile): PostMessageCall[] {
  const cached = callsCache.get(sf);
  if (cached) return cached;
  const calls: PostMessageCall[] = [];
  const seen = new Set<ts.Node>();
  const push = (node: ts.Node): void => {
    if (
      ts.isCallExpression(node) &&
      ((ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'postMessage') ||
        (ts.isIdentifier(node.expression) && node.expression.text === 'postMessage')) &&
      !seen.has(node)
    ) {
      seen.add(node);
      calls.push(node as PostMessageCall);
    }
  };
  if (sf.text.includes('\\u')) {
    // A unicode escape could spell the name: walk everything, as the text search would miss it.
    const visit = (node: ts.Node): void => {
      push(node);
      ts.forEachChild(node, visit);
    };
    visit(sf);
  } else {
    for (let at = sf.text.indexOf('postMessage'); at !== -1; at = sf.text.indexOf('postMessage', at + 1)) {
      const name = innermostAt(sf, at);
      if (name && ts.isIdentifier(name) && name.parent) {
        push(name.parent); // bare postMessage(…)
        if (name.parent.parent) push(name.parent.parent);
      }
    }
  }
  calls.sort((a, b) => a.pos - b.pos || b.end - a.end);
  callsCache.set(sf, calls);
  return calls;
}

/** The innermost node whose range (leading trivia included) covers `offset`. */
function innermostAt(sf: ts.SourceFile, offset: number): ts.Node | null {
  let node: ts.Node = sf;
  for (;;) {
    const child = childCovering(node, offset, offset + 1);
    if (!child) return node === sf ? null : node;
    node = child;
  }
}

const WORD = /[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*/gu;
const wordsCache = new WeakMap<ts.SourceFile, Set<string>>();
const ordinalCache = new WeakMap<ts.SourceFile, Map<ts.Node, number>>();

/** Every identifier-like word of the file (comments and strings too: names to never reuse). */
function wordsOf(sf: ts.SourceFile): Set<string> {
  let words = wordsCache.get(sf);
  if (!words) {
    words = new Set(sf.text.match(WORD) ?? []);
    wordsCache.set(sf, words);
  }
  return words;
}

/** The base name a send's generated variable gets (`tCopy` for `t`, else `payload`). */
export function nameBase(call: ts.CallExpression): string {
  const arg = call.arguments.length === 1 ? call.arguments[0] : null;
  return arg && ts.isIdentifier(arg) ? `${arg.text}Copy` : 'payload';
}

/**
 * A name for the variable a fix declares before `call`: not a word of the file (so it neither
 * redeclares nor shadows anything), and different from the name any other send of the file gets
 * (fixes are built one finding at a time, but `--fix` applies them together). The k-th send with
 * a base takes the k-th free name of the sequence base, base2, base3, …
 */
export function freshName(sf: ts.SourceFile, call: ts.CallExpression): string {
  let ordinals = ordinalCache.get(sf);
  if (!ordinals) {
    ordinals = new Map();
    const counts = new Map<string, number>();
    for (const c of postMessageCalls(sf)) {
      const base = nameBase(c);
      const k = counts.get(base) ?? 0;
      counts.set(base, k + 1);
      ordinals.set(c, k);
    }
    ordinalCache.set(sf, ordinals);
  }
  const base = nameBase(call);
  const words = wordsOf(sf);
  let k = ordinals.get(call) ?? 0;
  for (let i = 1; ; i++) {
    const name = i === 1 ? base : `${base}${i}`;
    if (words.has(name)) continue;
    if (k-- === 0) return name;
  }
}

/** True when a statement sits directly in a statement list (a block, a module, a file). */
function inStatementList(statement: ts.Statement): boolean {
  const p = statement.parent;
  return ts.isBlock(p) || ts.isSourceFile(p) || ts.isModuleBlock(p);
}

/**
 * Edits that run `declaration` right before `statement` (in the same conditions): inserted
 * before it in a statement list, else (the unbraced body of if/else/loops/labels, a case
 * clause) the statement is wrapped in a block with it.
 */
export function declareBefore(
  sf: ts.SourceFile,
  statement: ts.Statement,
  declaration: string,
): { start: number; end: number; newText: string }[] {
  const start = statement.getStart(sf);
  if (inStatementList(statement)) {
    const lineStart = sf.text.lastIndexOf('\n', start - 1) + 1;
    const before = sf.text.slice(lineStart, start);
    // First on its line: a line of its own, same indent; else on the same line.
    const separator = /^[ \t]*$/.test(before) ? `\n${before}` : ' ';
    return [{ start, end: start, newText: `${declaration}${separator}` }];
  }
  return [
    { start, end: start, newText: `{ ${declaration} ` },
    { start: statement.getEnd(), end: statement.getEnd(), newText: ' }' },
  ];
}

/**
 * Expressions that can be evaluated again with the same result and no side effects (names,
 * property chains, literals and operators over them): safe to repeat in a transfer list.
 */
export function isPure(e: ts.Expression): boolean {
  if (
    ts.isIdentifier(e) ||
    ts.isLiteralExpression(e) ||
    e.kind === ts.SyntaxKind.ThisKeyword ||
    e.kind === ts.SyntaxKind.TrueKeyword ||
    e.kind === ts.SyntaxKind.FalseKeyword ||
    e.kind === ts.SyntaxKind.NullKeyword
  )
    return true;
  if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e)) return isPure(e.expression);
  if (ts.isSatisfiesExpression(e) || ts.isTypeOfExpression(e)) return isPure(e.expression);
  if (ts.isPropertyAccessExpression(e)) return isPure(e.expression);
  if (ts.isElementAccessExpression(e)) return isPure(e.expression) && isPure(e.argumentExpression);
  if (ts.isConditionalExpression(e)) return isPure(e.condition) && isPure(e.whenTrue) && isPure(e.whenFalse);
  if (ts.isPrefixUnaryExpression(e))
    return (
      e.operator !== ts.SyntaxKind.PlusPlusToken && e.operator !== ts.SyntaxKind.MinusMinusToken && isPure(e.operand)
    );
  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    const assigns = op >= ts.SyntaxKind.FirstAssignment && op <= ts.SyntaxKind.LastAssignment;
    return !assigns && isPure(e.left) && isPure(e.right);
  }
  return false;
}

/** `e.buffer` for an expression text, parenthesized unless `e` is a member-access operand. */
export function memberOf(e: ts.Expression, text: string, member: string): string {
  const bare =
    ts.isIdentifier(e) ||
    ts.isPropertyAccessExpression(e) ||
    ts.isElementAccessExpression(e) ||
    ts.isCallExpression(e) ||
    ts.isParenthesizedExpression(e) ||
    ts.isNonNullExpression(e) ||
    e.kind === ts.SyntaxKind.ThisKeyword;
  return bare ? `${text}.${member}` : `(${text}).${member}`;
}
