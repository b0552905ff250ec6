/**
 * The TS/JS guided refactors: add the transfer list, or transfer a copy when the buffer is used
 * after the send (the copy still happens, once, on the sending thread).
 */
import ts from 'typescript';
import type { FileEdit, Fix } from '../analysis/types';
import type { BufferRef } from './buffers';

/** `postMessage(x)` → `postMessage(x, [x.buffer])`. */
export function transferListFix(
  checker: ts.TypeChecker,
  sf: ts.SourceFile,
  call: ts.CallExpression,
  buffers: BufferRef[],
  savings: string,
): Fix {
  const msg = call.arguments[0];
  const list = [...new Set(buffers.map((b) => transferItem(checker, sf, msg, b)))];
  const detached = [...new Set(buffers.map((b) => b.root?.text ?? b.text))].join(', ');
  return {
    title: `Transfer instead of copy: add [${list.join(', ')}]`,
    description: `${savings} After the send, ${detached} is detached on this thread (byteLength 0).`,
    edits: [{ file: sf.fileName, start: msg.getEnd(), end: msg.getEnd(), newText: `, [${list.join(', ')}]` }],
    confident: true,
  };
}

/** `x.buffer`, with `as ArrayBuffer` in TS when the typed array may sit on a SharedArrayBuffer. */
function transferItem(checker: ts.TypeChecker, sf: ts.SourceFile, at: ts.Node, b: BufferRef): string {
  if (b.kind === 'array-buffer' || isJs(sf)) return b.transferText;
  return needsCast(checker, b, at) ? `${b.transferText} as ArrayBuffer` : b.transferText;
}

function needsCast(checker: ts.TypeChecker, b: BufferRef, at: ts.Node): boolean {
  if (!b.root) return true;
  const type = checker.getTypeAtLocation(b.root);
  const text = checker.typeToString(type, at, ts.TypeFormatFlags.NoTruncation);
  // Uint8Array<ArrayBuffer> (from `new Uint8Array(n)`) is fine; plain Uint8Array / Buffer may be shared.
  return !/<ArrayBuffer>/.test(text) || b.text !== b.root.text;
}

function isJs(sf: ts.SourceFile): boolean {
  return /\.(c|m)?jsx?$/.test(sf.fileName);
}

/** Used after the send (or pooled / a view): copy into a fresh buffer and transfer the copy. */
export function transferCopyFix(
  sf: ts.SourceFile,
  call: ts.CallExpression,
  buffers: BufferRef[],
  savings: string,
): Fix[] {
  const msg = call.arguments[0];
  const statement = call.parent;
  if (buffers.length !== 1 || !ts.isIdentifier(msg) || !ts.isExpressionStatement(statement)) return [];
  const b = buffers[0];
  const copy = `${msg.text}Copy`;
  const copyExpr =
    b.kind === 'array-buffer'
      ? `${msg.text}.slice(0)`
      : b.kind === 'node-buffer'
        ? `new Uint8Array(${msg.text})`
        : `${msg.text}.slice()`;
  const lineStart = sf.text.lastIndexOf('\n', statement.getStart()) + 1;
  const indent = /^[ \t]*/.exec(sf.text.slice(lineStart))?.[0] ?? '';
  const transfer = b.kind === 'array-buffer' ? copy : `${copy}.buffer`;
  const edits: FileEdit[] = [
    {
      file: sf.fileName,
      start: statement.getStart(),
      end: statement.getStart(),
      newText: `const ${copy} = ${copyExpr};\n${indent}`,
    },
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
