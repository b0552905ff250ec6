/**
 * The Dart guided refactors: wrap in TransferableTypedData (sender + receiver + imports), return
 * the result with Isolate.exit, materialize once. Each says what it saves and when it won't pay.
 */
import type { Node } from 'web-tree-sitter';
import type { FileEdit, Fix } from '../analysis/types';
import { formatBytes, hintAt, savingsSentence } from '../analysis/types';
import type { DartAnalyzeContext, DartFile } from './analyzer';
import { asMethod, DartRefs, freshName, withEol, wrapTransferable } from './edits';
import { planReceiver } from './receivers';
import { enclosingStatement, indentAt, positional, type DartArg, type DartCall } from './syntax';
import type { DartValue } from './values';

const COPY_NOTE =
  'TransferableTypedData.fromList copies once on the sending isolate; the send and materialize() are O(1), so the receiving isolate (often the UI isolate) no longer pays for the copy.';

function savings(f: DartFile, call: DartCall, value: DartValue, ctx: DartAnalyzeContext): string {
  const hint = hintAt(ctx.opts, f.file, f.lines.position(call.start).line + 1);
  const bytes = value.type === 'typed' || value.type === 'int-list' ? value.bytes : null;
  return savingsSentence(bytes, hint, ctx.opts.oversizedBytes);
}

/** `port.send(x)` → `port.send(TransferableTypedData.fromList([x]))` plus the receiving side. */
export function wrapSendFix(
  f: DartFile,
  call: DartCall,
  part: { text: string; start: number; end: number; element: number | string | null },
  value: DartValue,
  ctx: DartAnalyzeContext,
): Fix {
  const hint = hintAt(ctx.opts, f.file, f.lines.position(call.start).line + 1);
  const refs = new DartRefs(f.file, f.text);
  const sender: FileEdit[] = [
    { file: f.file, start: part.start, end: part.end, newText: wrapTransferable(part.text.trim(), value, refs) },
    ...refs.edits(),
  ];
  const receiver =
    part.element === null
      ? planReceiver(f, call, value, ctx, hint?.receivingPortName ?? null)
      : {
          edits: [],
          confident: false,
          note: `The receiver must call materialize() once on ${typeof part.element === 'string' ? `the value at key ${part.element}` : `element ${part.element}`} of the message; not rewritten automatically.`,
        };
  const conversion = value.type === 'int-list' ? ` The List<int> is converted to ${value.convertTo} first.` : '';
  return {
    title: receiver.confident
      ? 'Send as TransferableTypedData (and materialize on the receiver)'
      : 'Send as TransferableTypedData (receiver needs review)',
    description: `${savings(f, call, value, ctx)} ${COPY_NOTE}${conversion} ${receiver.note}`,
    edits: mergeEdits(f, [...sender, ...receiver.edits]),
    confident: receiver.confident,
  };
}

/** `Isolate.spawn(entry, data)` / `compute(entry, data)`: wrap, and materialize at the top of `entry`. */
export function spawnArgFix(
  f: DartFile,
  call: DartCall,
  part: { text: string; start: number; end: number },
  value: DartValue,
  ctx: DartAnalyzeContext,
): Fix[] {
  if (/^compute\s*</.test(f.text.slice(call.start, call.end))) return [];
  const entryName = positional(call.args)[0]?.text.trim() ?? '';
  const entry = findTopLevelFunction(f, entryName);
  const param = entry?.params[0];
  const body = entry?.body.firstNamedChild;
  const refs = new DartRefs(f.file, f.text);
  const sender: FileEdit = {
    file: f.file,
    start: part.start,
    end: part.end,
    newText: wrapTransferable(part.text.trim(), value, refs),
  };
  const ttd = refs.name('dart:isolate', 'TransferableTypedData');
  const imports = refs.edits();
  const shared = entry ? otherUsesOfEntry(f, call, entryName, ctx) : null;
  if (!entry || !param || !body || body.type !== 'block' || shared !== null) {
    const why =
      shared ??
      `The entry function '${entryName}' was not found in this file with a block body: make it call materialize() once on its argument.`;
    return [
      {
        title: 'Pass as TransferableTypedData (entry function needs review)',
        description: `${savings(f, call, value, ctx)} ${COPY_NOTE} ${why}`,
        edits: mergeEdits(f, [sender, ...imports]),
        confident: false,
      },
    ];
  }
  const name = param.namedChildren.find((c) => c?.type === 'identifier')?.text ?? 'data';
  const transfer = freshName(f.text, `${name}Transfer`);
  const indent = indentAt(f.text, body.firstNamedChild?.startIndex ?? body.startIndex) || '  ';
  return [
    {
      title: `Pass as TransferableTypedData and materialize in ${entryName}()`,
      description: `${savings(f, call, value, ctx)} ${COPY_NOTE}`,
      edits: mergeEdits(f, [
        sender,
        {
          file: f.file,
          start: param.startIndex,
          end: param.endIndex,
          newText: `${ttd} ${transfer}`,
        },
        {
          file: f.file,
          start: body.startIndex + 1,
          end: body.startIndex + 1,
          newText: `\n${indent}final ${name} = ${transfer}.materialize().${asMethod(value)}();`,
        },
        ...imports,
      ]),
      confident: true,
    },
  ];
}

/**
 * Why retyping the entry's parameter would break other code, or null when nothing else uses it:
 * explicit type arguments on the spawn (`Isolate.spawn<Uint8List>`), or any other mention of the
 * entry (another spawn, a direct call; in workspace files importing this one for a public name).
 */
function otherUsesOfEntry(f: DartFile, call: DartCall, entryName: string, ctx: DartAnalyzeContext): string | null {
  const review = `Update '${entryName}' by hand to call materialize() once on its argument`;
  if (/^[\w$.\s]*spawn\s*</.test(f.text.slice(call.start, call.end)))
    return `${review}: this spawn names its type argument, which must change too.`;
  const arg = positional(call.args)[0];
  let declared = false;
  for (const id of f.tree.rootNode.descendantsOfType('identifier')) {
    if (!id || id.text !== entryName || (arg && id.startIndex >= arg.start && id.endIndex <= arg.end)) continue;
    if (!declared && id.parent?.type === 'function_signature' && id.parent.parent?.type === 'program') {
      declared = true;
      continue;
    }
    return `${review}: it is also used at line ${f.lines.position(id.startIndex).line + 1}, which still passes or expects the old type.`;
  }
  if (entryName.startsWith('_')) return null;
  const mention = new RegExp(`(?<![\\w$])${entryName.replace(/\$/g, '\\$')}(?![\\w$])`);
  // Other files can use it only if they import this one (by its file name).
  const fileName = f.file.slice(f.file.lastIndexOf('/') + 1);
  for (const src of ctx.workspace()) {
    if (src.file !== f.file && src.text.includes(fileName) && mention.test(src.text))
      return `${review}: ${src.file} imports this file and mentions it too.`;
  }
  return null;
}

function findTopLevelFunction(f: DartFile, name: string): { params: Node[]; body: Node } | null {
  for (const sig of f.tree.rootNode.namedChildren) {
    if (sig?.type !== 'function_signature') continue;
    if (sig.namedChildren.find((c) => c?.type === 'identifier')?.text !== name) continue;
    const body = sig.nextNamedSibling;
    const list = sig.namedChildren.find((c) => c?.type === 'formal_parameter_list');
    if (!body || body.type !== 'function_body' || !list) return null;
    return { params: list.descendantsOfType('formal_parameter').filter((p): p is Node => p !== null), body };
  }
  return null;
}

/**
 * Captured typed data in `Isolate.run(() => …x…)`: pass a TransferableTypedData instead.
 * `ordinal` counts earlier findings of the file for the same name, so their locals differ.
 */
export function runClosureFix(
  f: DartFile,
  call: DartCall,
  closure: Node,
  id: Node,
  value: DartValue,
  ordinal = 0,
): Fix[] {
  const uses = closure.descendantsOfType('identifier').filter((n) => n?.text === id.text);
  const statement = enclosingStatement(call.nameNode);
  if (uses.length !== 1 || !statement || statement.parent?.type !== 'block') return [];
  const indent = indentAt(f.text, statement.startIndex);
  const local = freshName(f.text, `${id.text}Transfer`, ordinal);
  const refs = new DartRefs(f.file, f.text);
  const bytes = value.type === 'typed' || value.type === 'int-list' ? value.bytes : null;
  return [
    {
      title: `Capture a TransferableTypedData instead of '${id.text}'`,
      description: `${bytes === null ? 'Size unknown until run time.' : `Moves the ${formatBytes(bytes)} copy off the new isolate's start-up.`} ${COPY_NOTE} The result already comes back without a copy (Isolate.run uses Isolate.exit).`,
      edits: mergeEdits(f, [
        {
          file: f.file,
          start: statement.startIndex,
          end: statement.startIndex,
          newText: `final ${local} = ${wrapTransferable(id.text, value, refs)};\n${indent}`,
        },
        {
          file: f.file,
          start: id.startIndex,
          end: id.endIndex,
          newText: `${local}.materialize().${asMethod(value)}()`,
        },
        ...refs.edits(),
      ]),
      confident: true,
    },
  ];
}

/**
 * Several `t.materialize()` calls: materialize once before the first and reuse the buffer.
 * `ordinal` counts earlier groups of the file with the same root name, so their locals differ.
 */
export function materializeOnceFix(f: DartFile, group: DartCall[], ordinal = 0): Fix[] {
  const first = enclosingStatement(group[0].nameNode);
  const block = first?.parent;
  if (!first || !block || block.type !== 'block') return [];
  if (!group.every((c) => c.start >= first.startIndex && c.end <= block.endIndex)) return [];
  const root = /([A-Za-z_$][\w$]*)/.exec(group[0].receiverText ?? '')?.[1] ?? 'data';
  const local = freshName(f.text, `${root}Buffer`, ordinal);
  const indent = indentAt(f.text, first.startIndex);
  return [
    {
      title: 'Materialize once and reuse the buffer',
      description:
        'materialize() may be called only once per TransferableTypedData; a second call throws. This keeps the ByteBuffer from the one call.',
      edits: mergeEdits(f, [
        {
          file: f.file,
          start: first.startIndex,
          end: first.startIndex,
          newText: `final ${local} = ${group[0].receiverText}.materialize();\n${indent}`,
        },
        ...group.map((c) => ({ file: f.file, start: c.start, end: c.end, newText: local })),
      ]),
      confident: true,
    },
  ];
}

/** `port.send(result)` as the last statement → `Isolate.exit(port, result)`. */
export function isolateExitFix(f: DartFile, call: DartCall, msg: DartArg): Fix {
  const refs = new DartRefs(f.file, f.text);
  const isolate = refs.name('dart:isolate', 'Isolate');
  return {
    title: 'Return the result with Isolate.exit',
    description:
      'Isolate.exit(port, result) ends this isolate and hands the result to the receiver without copying it. Only for isolates of the same group (Isolate.spawn, not spawnUri); the isolate stops right there.',
    edits: mergeEdits(f, [
      {
        file: f.file,
        start: call.start,
        end: call.end,
        newText: `${isolate}.exit(${call.receiverText}, ${msg.text.trim()})`,
      },
      ...refs.edits(),
    ]),
    confident: true,
  };
}

/**
 * Drops duplicate import inserts (two edits adding the same import at the same place), and writes
 * the line breaks of `f`'s edits in `f`'s style (other files' edits come converted already).
 */
function mergeEdits(f: DartFile, edits: FileEdit[]): FileEdit[] {
  const seen = new Set<string>();
  return withEol(edits, f.file, f.text).filter((e) => {
    const key = `${e.file}:${e.start}:${e.end}:${e.newText}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
