/**
 * The TS/JS guided refactors: add the transfer list, or transfer a copy when the buffer is used
 * after the send (the copy still happens, once, on the sending thread).
 */
import ts from 'typescript';
import type { FileEdit, Fix } from '../analysis/types';
import { variableSymbol, type BufferRef } from './buffers';
import { declareBefore, freshName, isPure } from './calls';

/**
 * `postMessage(x)` → `postMessage(x, [x.buffer])`. A message that can't be evaluated twice
 * (`makeBuf()`, `new Uint8Array(n)`) is first hoisted into a const; several buffers that may be
 * one are deduplicated (a transfer list naming a buffer twice throws a DataCloneError).
 */
export function transferListFix(
  checker: ts.TypeChecker,
  sf: ts.SourceFile,
  call: ts.CallExpression,
  buffers: BufferRef[],
  savings: string,
): Fix[] {
  const msg = call.arguments[0];
  if (buffers.every((b) => isPure(b.expr))) {
    const items = [...new Set(buffers.map((b) => transferItem(checker, sf, msg, b)))];
    const list =
      items.length > 1 && !provablyDistinct(checker, buffers)
        ? `[...new Set([${items.join(', ')}])]`
        : `[${items.join(', ')}]`;
    const detached = [
      ...new Set(buffers.flatMap((b) => (b.roots.length > 0 ? b.roots.map((r) => r.text) : [b.text]))),
    ].join(', ');
    return [
      {
        title: `Transfer instead of copy: add ${list}`,
        description: `${savings} After the send, ${detached} is detached on this thread (byteLength 0).`,
        edits: [{ file: sf.fileName, start: msg.getEnd(), end: msg.getEnd(), newText: `, ${list}` }],
        confident: true,
      },
    ];
  }
  // The message is the buffer itself, computed by the call: hoist it, then transfer it.
  const statement = sendStatement(call);
  if (buffers.length !== 1 || !statement) return [];
  const b = buffers[0];
  const name = freshName(sf, call);
  const cast = b.kind !== 'array-buffer' && !isJs(sf) && mayBeShared(checker, checker.getTypeAtLocation(msg), msg);
  const item = b.kind === 'array-buffer' ? name : `${name}.buffer${cast ? ' as ArrayBuffer' : ''}`;
  const edits: FileEdit[] = [
    ...declareBefore(sf, statement, `const ${name} = ${msg.getText(sf)};`).map((e) => ({ file: sf.fileName, ...e })),
    { file: sf.fileName, start: msg.getStart(sf), end: msg.getEnd(), newText: `${name}, [${item}]` },
  ];
  return [
    {
      title: `Transfer instead of copy: send the result as '${name}' and add [${item}]`,
      description: `${savings} The message is computed once into '${name}', which is transferred.`,
      edits,
      confident: true,
    },
  ];
}

/** `x.buffer`, with `as ArrayBuffer` in TS when the typed array may sit on a SharedArrayBuffer. */
function transferItem(checker: ts.TypeChecker, sf: ts.SourceFile, at: ts.Node, b: BufferRef): string {
  if (b.kind === 'array-buffer' || isJs(sf)) return b.transferText;
  return needsCast(checker, b, at) ? `${b.transferText} as ArrayBuffer` : b.transferText;
}

function needsCast(checker: ts.TypeChecker, b: BufferRef, at: ts.Node): boolean {
  if (!b.root) return mayBeShared(checker, checker.getTypeAtLocation(b.expr), at);
  if (b.text !== b.root.text) return true;
  return mayBeShared(checker, checker.getTypeAtLocation(b.root), at);
}

/** Uint8Array<ArrayBuffer> (from `new Uint8Array(n)`) is fine; plain Uint8Array / Buffer may be shared. */
function mayBeShared(checker: ts.TypeChecker, type: ts.Type, at: ts.Node): boolean {
  const text = checker.typeToString(type, at, ts.TypeFormatFlags.NoTruncation);
  return !/<ArrayBuffer>/.test(text) || /ArrayBufferLike|SharedArrayBuffer/.test(text);
}

/**
 * True when the buffers are different objects for sure: distinct const variables, each holding a
 * fresh `new Uint8Array(n)` / `new ArrayBuffer(n)` (a numeric length, not a buffer to view).
 */
function provablyDistinct(checker: ts.TypeChecker, buffers: BufferRef[]): boolean {
  const symbols = new Set<ts.Symbol>();
  for (const b of buffers) {
    if (!b.root || !ts.isIdentifier(b.expr)) return false;
    const symbol = variableSymbol(checker, b.root);
    const decl = symbol?.valueDeclaration;
    if (!symbol || !decl || symbols.has(symbol) || !ts.isVariableDeclaration(decl) || !decl.initializer) return false;
    if (!(ts.getCombinedNodeFlags(decl) & ts.NodeFlags.Const)) return false;
    const init = decl.initializer;
    if (!ts.isNewExpression(init) || init.arguments?.length !== 1) return false;
    if (!(checker.getTypeAtLocation(init.arguments[0]).flags & ts.TypeFlags.NumberLike)) return false;
    symbols.add(symbol);
  }
  return true;
}

/**
 * The statement a declaration can go before: the send is the whole expression statement, its
 * receiver can be evaluated after the hoisted code with the same result, and no `?.` can skip
 * the message.
 */
function sendStatement(call: ts.CallExpression): ts.ExpressionStatement | null {
  const statement = call.parent;
  if (!ts.isExpressionStatement(statement) || statement.expression !== call) return null;
  if (call.questionDotToken || !ts.isPropertyAccessExpression(call.expression)) return null;
  const callee = call.expression;
  if (callee.questionDotToken || (callee.flags & ts.NodeFlags.OptionalChain) !== 0) return null;
  return isPure(callee.expression) ? statement : null;
}

function isJs(sf: ts.SourceFile): boolean {
  return /\.(c|m)?jsx?$/.test(sf.fileName);
}

/** Used after the send (or pooled / a view): copy into a fresh buffer and transfer the copy. */
export function transferCopyFix(
  checker: ts.TypeChecker,
  sf: ts.SourceFile,
  call: ts.CallExpression,
  buffers: BufferRef[],
  savings: string,
): Fix[] {
  const msg = call.arguments[0];
  const statement = call.parent;
  if (buffers.length !== 1 || !ts.isIdentifier(msg) || !ts.isExpressionStatement(statement)) return [];
  if (statement.expression !== call) return [];
  const b = buffers[0];
  // The buffer must be the message itself: `frame` carrying `frame.pixels` has no slice() to call.
  if (b.text !== msg.text) return [];
  const copy = freshName(sf, call);
  // A DataView has no slice(): copy the bytes it views into a new ArrayBuffer, then view that.
  const isDataView = b.kind === 'typed-array' && isDataViewType(checker, checker.getTypeAtLocation(msg));
  const copyExpr =
    b.kind === 'array-buffer'
      ? `${msg.text}.slice(0)`
      : b.kind === 'node-buffer'
        ? `new Uint8Array(${msg.text})`
        : isDataView
          ? `new DataView(new Uint8Array(${msg.text}.buffer, ${msg.text}.byteOffset, ${msg.text}.byteLength).slice().buffer)`
          : `${msg.text}.slice()`;
  const transfer = b.kind === 'array-buffer' ? copy : `${copy}.buffer`;
  const edits: FileEdit[] = [
    ...declareBefore(sf, statement, `const ${copy} = ${copyExpr};`).map((e) => ({ file: sf.fileName, ...e })),
    { file: sf.fileName, start: msg.getStart(), end: msg.getEnd(), newText: `${copy}, [${transfer}]` },
  ];
  const why =
    b.origin === 'view'
      ? 'copies only the view instead of its whole backing buffer'
      : 'replaces the structured clone (serialize + deserialize) with one copy here';
  return [
    {
      title: `Transfer a copy of '${msg.text}'`,
      description: `The copy still happens: ${copyExpr} runs on this thread, then the copy is transferred; ${msg.text} stays usable. It ${why}. ${savings}`,
      edits,
      confident: true,
    },
  ];
}

function isDataViewType(checker: ts.TypeChecker, type: ts.Type): boolean {
  const t = checker.getNonNullableType(type);
  return (t.isUnion() ? t.types : [t]).some((p) => (p.getSymbol() ?? p.aliasSymbol)?.getName() === 'DataView');
}
