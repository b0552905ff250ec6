/**
 * Finds the receiving side of a send: the `ReceivePort` whose `sendPort` reaches the sending
 * isolate, in the same file or across the workspace, and rewrites its casts to
 * `(msg as TransferableTypedData).materialize().as…()`. When it can't be sure, it says so and
 * lists the candidates instead of guessing.
 */
import type { Node, Tree } from 'web-tree-sitter';
import type { FileEdit } from '../analysis/types';
import { LineIndex } from '../analysis/types';
import type { DartAnalyzeContext, DartFile } from './analyzer';
import { asMethod, DartRefs, freshName, withEol } from './edits';
import { findCalls, positional, indentAt, type DartArg, type DartCall } from './syntax';
import { collectDecls, lookup, type DartDecl } from './decls';
import type { DartValue } from './values';

/** A ReceivePort that may receive the message. */
interface Candidate {
  f: DartFile;
  name: string;
  /** Offset of a use of the port (for lookup + the candidate list). */
  at: number;
  debugName: string | null;
}

/** Edits on the receiving side, and how sure we are. */
export interface ReceiverPlan {
  edits: FileEdit[];
  confident: boolean;
  note: string;
}

/** Plans the receiving-side rewrite for a send through `call` of a value of kind `value`. */
export function planReceiver(
  f: DartFile,
  call: DartCall,
  value: DartValue,
  ctx: DartAnalyzeContext,
  portName: string | null,
): ReceiverPlan {
  const opened: Tree[] = [];
  try {
    let candidates = findCandidates(f, call, ctx, opened);
    if (portName !== null) {
      const named = candidates.filter((c) => c.debugName === portName);
      if (named.length > 0) candidates = named;
    }
    if (candidates.length !== 1) {
      const list = candidates.map((c) => `${c.name} (${c.f.file}:${c.f.lines.position(c.at).line + 1})`);
      return {
        edits: [],
        confident: false,
        note:
          candidates.length === 0
            ? 'The receiving ReceivePort was not found: update the receiver by hand to call materialize() once.'
            : `The receiver is not certain; candidates: ${list.join(', ')}. Update the right one to call materialize() once.`,
      };
    }
    const shared = sharedPort(f, call, candidates[0]);
    return rewriteReceiver(candidates[0], value, shared);
  } finally {
    for (const t of opened) t.delete();
  }
}

function findCandidates(f: DartFile, call: DartCall, ctx: DartAnalyzeContext, opened: Tree[]): Candidate[] {
  const root = /^([A-Za-z_$][\w$]*)/.exec(call.receiverText ?? '')?.[1];
  const decl = root ? lookup(f.decls, root, call.start) : null;
  const entry = decl ? entryFunctionOf(decl.node) : null;
  if (decl && entry) {
    let index: number | null = null;
    if (!decl.parameter) {
      const m = /^([A-Za-z_$][\w$]*)\s*\[\s*(\d+)\s*\]/.exec(decl.initText);
      if (!m) return handshakeCandidates(f, call, ctx, opened);
      index = Number(m[2]);
    }
    const viaSpawn = spawnCandidates(f, entry, index);
    if (viaSpawn.length > 0) return viaSpawn;
    for (const other of otherFiles(f, ctx, opened, `spawn(${entry}`)) {
      const found = spawnCandidates(other, entry, index);
      if (found.length > 0) return found;
    }
    return [];
  }
  return handshakeCandidates(f, call, ctx, opened);
}

/** Name of the top-level function whose parameter `node` is, or whose body declares it. */
function entryFunctionOf(node: Node): string | null {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === 'function_expression') return null;
    if (p.type === 'function_signature' && p.parent?.type === 'program') return nameOf(p);
    if (p.type === 'function_body' && p.parent?.type === 'program') {
      const sig = p.previousNamedSibling;
      return sig?.type === 'function_signature' ? nameOf(sig) : null;
    }
  }
  return null;
}

function nameOf(sig: Node): string | null {
  return sig.namedChildren.find((c) => c?.type === 'identifier')?.text ?? null;
}

/** `Isolate.spawn(entry, rp.sendPort)` or `[rp.sendPort, …][index]` → rp. */
function spawnCandidates(f: DartFile, entry: string, index: number | null): Candidate[] {
  const out: Candidate[] = [];
  for (const msg of spawnIndex(f).get(entry) ?? []) {
    let portExpr = msg.text.trim();
    if (index !== null) {
      const list = msg.node.firstNamedChild;
      const item =
        list?.type === 'list_literal' ? list.namedChildren.filter((c) => c?.type !== 'type_arguments')[index] : null;
      if (!item) continue;
      portExpr = item.text.trim();
    }
    const m = /^([A-Za-z_$][\w$]*)\.sendPort$/.exec(portExpr);
    if (m) out.push(candidate(f, m[1], msg.start));
  }
  return out;
}

const spawnIndexCache = new WeakMap<Tree, Map<string, DartArg[]>>();

/** Message arguments of `Isolate.spawn(entry, msg)` calls by entry name, built once per tree. */
function spawnIndex(f: DartFile): Map<string, DartArg[]> {
  let index = spawnIndexCache.get(f.tree);
  if (index) return index;
  index = new Map();
  for (const spawn of findCalls(f.tree, f.text, ['spawn'])) {
    const [fn, msg] = positional(spawn.args);
    if (!fn || !msg) continue;
    const name = fn.text.trim();
    index.set(name, [...(index.get(name) ?? []), msg]);
  }
  spawnIndexCache.set(f.tree, index);
  return index;
}

/** `mainPort.send(inbox.sendPort)` handshakes: the inbox receives what is sent to that SendPort. */
function handshakeCandidates(f: DartFile, call: DartCall, ctx: DartAnalyzeContext, opened: Tree[]): Candidate[] {
  const sendingFn = enclosingTopLevel(call.nameNode);
  const collect = (g: DartFile): Candidate[] =>
    findCalls(g.tree, g.text, ['send'])
      .map((s) => ({ s, m: /^([A-Za-z_$][\w$]*)\.sendPort$/.exec(positional(s.args)[0]?.text.trim() ?? '') }))
      .filter(({ s, m }) => m !== null && !(g === f && enclosingTopLevel(s.nameNode) === sendingFn))
      .map(({ s, m }) => candidate(g, (m as RegExpExecArray)[1], s.start));
  const local = collect(f);
  if (local.length > 0) return local;
  return [...otherFiles(f, ctx, opened, '.sendPort')].flatMap(collect);
}

function enclosingTopLevel(node: Node): number | null {
  for (let p: Node | null = node; p; p = p.parent) if (p.parent?.type === 'program') return p.startIndex;
  return null;
}

function candidate(f: DartFile, name: string, at: number): Candidate {
  const decl = lookup(f.decls, name, at);
  const debugName = decl ? (/ReceivePort\s*\(\s*['"]([^'"]*)['"]/.exec(decl.initText)?.[1] ?? null) : null;
  return { f, name, at, debugName };
}

/** Parses workspace files that mention `needle` (cheap text filter first). */
function* otherFiles(f: DartFile, ctx: DartAnalyzeContext, opened: Tree[], needle: string): Iterable<DartFile> {
  let parsed = 0;
  for (const src of ctx.workspace()) {
    if (src.file === f.file || !src.text.includes(needle) || parsed >= 200) continue;
    const tree = ctx.parser.parse(src.text);
    if (!tree) continue;
    opened.push(tree);
    parsed++;
    yield { file: src.file, text: src.text, tree, decls: collectDecls(tree, src.text), lines: new LineIndex(src.text) };
  }
}

/**
 * Why other messages than this send may reach the receiver (another send or Isolate.exit on the
 * same port, the port passed on, or the ReceivePort's sendPort handed out more than once), or null
 * when this send is provably the only one.
 */
function sharedPort(f: DartFile, call: DartCall, c: Candidate): string | null {
  const handedOut = [...c.f.text.matchAll(new RegExp(`(?<![\\w$.])${escape(c.name)}\\s*\\.\\s*sendPort\\b`, 'g'))];
  if (handedOut.length > 1) return `${c.name}.sendPort is handed out more than once`;
  const root = /^([A-Za-z_$][\w$]*)/.exec(call.receiverText ?? '')?.[1];
  const decl = root ? lookup(f.decls, root, call.start) : null;
  if (!root || !decl) return `the sending port '${call.receiverText ?? ''}' is not a local declaration`;
  const others = [
    ...findCalls(f.tree, f.text, ['send']).filter(
      (s) =>
        s.start !== call.start &&
        s.receiverText !== null &&
        samePort(f, s.receiverText, s.start, decl) &&
        !castNeverAccepted(positional(s.args)[0]?.text ?? ''),
    ),
    ...findCalls(f.tree, f.text, ['exit']).filter(
      (e) =>
        /(^|\.)Isolate$/.test(e.receiverText ?? '') &&
        samePort(f, positional(e.args)[0]?.text.trim() ?? '', e.start, decl) &&
        !castNeverAccepted(positional(e.args)[1]?.text ?? ''),
    ),
  ];
  if (others.length > 0) {
    const lines = others.map((o) => f.lines.position(o.start).line + 1).sort((a, b) => a - b);
    return `other messages are sent on '${root}' (line ${lines.join(', ')})`;
  }
  // Any use of the port other than `port.send(` / `port?.send(` / an assignment may send more.
  const scope = f.text.slice(decl.scopeStart, Math.min(decl.scopeEnd, f.text.length));
  for (const m of scope.matchAll(new RegExp(`(?<![\\w$.])${escape(root)}(?![\\w$])`, 'g'))) {
    const at = decl.scopeStart + m.index;
    if (at === decl.declStart || lookup(f.decls, root, at) !== decl) continue;
    const after = f.text.slice(at + root.length, at + root.length + 40);
    if (/^\s*(\?\s*)?\.\s*send\s*\(/.test(after) || /^\s*=(?!=)/.test(after)) continue;
    return `the port '${root}' is passed on (line ${f.lines.position(at).line + 1}), so other sends may use it`;
  }
  return null;
}

/**
 * A message the receiver's typed-data cast rejects before and after the rewrite (a string, number,
 * bool, null or SendPort), or one that already arrives as a TransferableTypedData.
 */
function castNeverAccepted(message: string): boolean {
  const m = message.trim();
  return (
    /^(null|true|false|-?\d[\d.eE+-]*|r?'[^']*'|r?"[^"]*"|[A-Za-z_$][\w$]*\s*\.\s*sendPort)$/.test(m) ||
    /^([A-Za-z_$][\w$]*\s*\.\s*)?TransferableTypedData\s*\.\s*fromList\s*\(/.test(m)
  );
}

function samePort(f: DartFile, text: string, at: number, decl: DartDecl): boolean {
  const root = /^([A-Za-z_$][\w$]*)\s*(\?\s*)?$/.exec(text)?.[1];
  return root !== undefined && lookup(f.decls, root, at) === decl;
}

function escape(name: string): string {
  return name.replace(/\$/g, '\\$');
}

/**
 * Rewrites casts and `is` tests of the message in `port.listen((msg) {…})` / `await port.first as T`.
 * When other messages may reach the port (`shared`), only casts of a plain parameter are rewritten,
 * and to a tolerant form that keeps accepting the untransferred messages.
 */
function rewriteReceiver(c: Candidate, value: DartValue, shared: string | null): ReceiverPlan {
  const { f } = c;
  const edits: FileEdit[] = [];
  const refs = new DartRefs(f.file, f.text);
  const ttd = refs.name('dart:isolate', 'TransferableTypedData');
  const method = asMethod(value);
  const types = value.type === 'typed' ? [value.listType] : ['List<int>', 'List'];
  const where = `${c.name} in ${f.file}:${f.lines.position(c.at).line + 1}`;
  let skipped = 0;
  let repeated = 0;
  // `await port.first as T` / `(await port.first) as T`: `first` is a getter, not a call.
  for (const at of firstGetterIndex(f).get(c.name) ?? []) {
    const node = f.tree.rootNode.descendantForIndex(at, at + 5);
    const cast = node ? castAround(node) : null;
    if (cast && types.includes(castType(cast))) {
      if (shared !== null) {
        skipped++;
        continue;
      }
      const operand = cast.namedChildren[0]?.text ?? '';
      edits.push(replace(f, cast, `(${operand} as ${ttd}).materialize().${method}()`));
    }
  }
  const listens = findCalls(f.tree, f.text, ['listen']).filter((l) => l.receiverText === c.name);
  for (const l of listens) {
    const fn = positional(l.args)[0]?.node.firstNamedChild;
    const param = fn?.type === 'function_expression' ? fn.descendantsOfType('formal_parameter')[0] : null;
    const p = param?.namedChildren.find((x) => x?.type === 'identifier')?.text;
    if (!fn || !p) continue;
    const rewritesBefore = edits.length;
    for (const cast of fn.descendantsOfType('type_cast_expression')) {
      if (cast && cast.namedChildren[0]?.text === p && types.includes(castType(cast))) {
        edits.push(
          replace(
            f,
            cast,
            shared === null
              ? `(${p} as ${ttd}).materialize().${method}()`
              : `(${p} is ${ttd} ? ${p}.materialize().${method}() : ${cast.text})`,
          ),
        );
      }
    }
    for (const test of fn.descendantsOfType('type_test_expression')) {
      if (!test || test.namedChildren[0]?.text !== p || !types.includes(castType(test))) continue;
      if (shared !== null) {
        skipped++;
        continue;
      }
      const block = test.nextNamedSibling;
      if (test.parent?.type !== 'if_statement' || block?.type !== 'block') continue;
      const typeNode = test.namedChildren[1];
      if (!typeNode) continue;
      edits.push({
        file: f.file,
        start: typeNode.startIndex,
        end: typeNode.endIndex,
        newText: `is ${ttd}`,
      });
      const local = freshName(f.text, `${p}Data`);
      const indent = indentAt(f.text, block.firstNamedChild?.startIndex ?? block.startIndex + 1);
      edits.push({
        file: f.file,
        start: block.startIndex + 1,
        end: block.startIndex + 1,
        newText: `\n${indent}final ${local} = ${p}.materialize().${method}();`,
      });
      for (const id of block.descendantsOfType('identifier')) {
        if (id?.text === p && id.parent?.type !== 'unconditional_assignable_selector')
          edits.push(replace(f, id, local));
      }
    }
    // Each rewritten cast or test materializes on its own, and a TransferableTypedData can be
    // materialized only once: a second call throws.
    const materializes = edits.slice(rewritesBefore).filter((e) => e.newText.includes('.materialize()')).length;
    if (materializes > 1) repeated++;
  }
  if (repeated > 0) {
    return {
      edits: [],
      confident: false,
      note: `Receiver ${where} found, but its listener reads the message in several casts or type tests, and materialize() may run only once (a second call throws): not rewritten; materialize it once into a local by hand.`,
    };
  }
  if (edits.length === 0 || skipped > 0) {
    return {
      edits: [],
      confident: false,
      note:
        shared !== null && skipped > 0
          ? `Receiver ${where} found, but ${shared}, and its cast or type test can't keep accepting them: not rewritten; convert every message on that port, or make the receiver accept both.`
          : `Receiver ${where} found, but no cast or type test of the message to rewrite: call materialize() once there by hand.`,
    };
  }
  return {
    edits: withEol([...edits, ...refs.edits()], f.file, f.text),
    confident: true,
    note:
      shared === null
        ? `Receiver ${where} updated to materialize() once.`
        : `Receiver ${where} updated to materialize() once when the message is a TransferableTypedData (${shared}; those still arrive as before).`,
  };
}

const firstIndexCache = new WeakMap<Tree, Map<string, number[]>>();

/** Offsets of `first` in every `port.first`, by port name, built once per tree. */
function firstGetterIndex(f: DartFile): Map<string, number[]> {
  let index = firstIndexCache.get(f.tree);
  if (index) return index;
  index = new Map();
  for (const m of f.text.matchAll(/([A-Za-z_$][\w$]*)\s*\.\s*first\b/g)) {
    index.set(m[1], [...(index.get(m[1]) ?? []), m.index + m[0].length - 'first'.length]);
  }
  firstIndexCache.set(f.tree, index);
  return index;
}

function castAround(node: Node): Node | null {
  for (let p = node.parent; p && p.type !== 'expression_statement' && p.type !== 'block'; p = p.parent) {
    if (p.type === 'type_cast_expression') return p;
  }
  return null;
}

function castType(cast: Node): string {
  const t = cast.namedChildren[1];
  return (t?.text ?? '')
    .replace(/^(as|is)\s+/, '')
    .replace(/\?$/, '')
    .trim();
}

function replace(f: DartFile, node: Node, newText: string): FileEdit {
  return { file: f.file, start: node.startIndex, end: node.endIndex, newText };
}
