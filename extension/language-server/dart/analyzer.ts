/**
 * The Dart analyzer: finds sends that copy typed data, views that send their whole buffer,
 * `materialize()` reachable twice, and last sends that could be `Isolate.exit`.
 */
import type { Node, Parser, Tree } from 'web-tree-sitter';
import type { AnalyzeOptions, Fix, StaticFinding } from '../analysis/types';
import { formatBytes, hintAt, savingsSentence, LineIndex, withLazyFixes } from '../analysis/types';
import { ancestor, findCalls, positional, type DartCall, type DartArg } from './syntax';
import { collectDecls, lookup, type DartDecl } from './decls';
import { classify, type DartValue } from './values';
import { isolateExitFix, materializeOnceFix, runClosureFix, spawnArgFix, wrapSendFix } from './fixes';
import type { DartTrees } from './trees';

/** Another Dart file of the workspace, for resolving receivers across files. */
export interface DartSource {
  file: string;
  text: string;
}

/** Everything the Dart rules need about the file being analyzed. */
export interface DartFile {
  file: string;
  text: string;
  tree: Tree;
  decls: DartDecl[];
  lines: LineIndex;
}

/** Analyzer inputs beyond the file itself. */
export interface DartAnalyzeContext {
  parser: Parser;
  /** Kept trees: unchanged text reuses its tree, an edit reparses incrementally. */
  trees: DartTrees;
  opts: AnalyzeOptions;
  /** Other Dart files of the workspace (read lazily, only when a receiver is not in this file). */
  workspace: () => Iterable<DartSource>;
}

const CALL_NAMES = ['send', 'spawn', 'spawnUri', 'run', 'compute', 'materialize', 'exit'];

/** A finding before its fixes: they are built only when someone reads them (code actions, --fix). */
type Draft = Omit<StaticFinding, 'fixes'> & { fixes: () => Fix[] };

/**
 * Analyzes one Dart file. Never throws on bad input: a file that doesn't parse yields what it can.
 * Fixes are computed on first read, from the kept tree while it is live, else from a fresh parse
 * of the analyzed text (the same findings in the same order, so the index still matches).
 */
export function analyzeDart(file: string, text: string, ctx: DartAnalyzeContext): StaticFinding[] {
  const tree = ctx.trees.treeFor(file, text);
  if (!tree) return [];
  const drafts = findingsOf(dartFile(file, text, tree), ctx);
  return drafts.map(({ fixes, ...finding }, i) =>
    withLazyFixes(finding, () => (ctx.trees.isLive(tree) ? fixes() : rebuiltFixes(file, text, ctx, i))),
  );
}

function dartFile(file: string, text: string, tree: Tree): DartFile {
  return { file, text, tree, decls: collectDecls(tree, text), lines: new LineIndex(text) };
}

function findingsOf(f: DartFile, ctx: DartAnalyzeContext): Draft[] {
  const calls = findCalls(f.tree, f.text, CALL_NAMES);
  return [
    ...sendFindings(f, calls, ctx),
    ...runClosureFindings(f, calls, ctx),
    ...materializeTwice(f, calls),
    ...isolateExitFindings(f, calls, ctx),
  ].sort((a, b) => a.start - b.start);
}

/** The fixes of finding `index` of `text`, when the tree it was found in is gone (edited or evicted). */
function rebuiltFixes(file: string, text: string, ctx: DartAnalyzeContext, index: number): Fix[] {
  const tree = ctx.parser.parse(text);
  if (!tree) return [];
  try {
    return findingsOf(dartFile(file, text, tree), ctx)[index]?.fixes() ?? [];
  } finally {
    tree.delete();
  }
}

/** The message arguments of send-like calls, with how the receiving side gets them. */
function messageArgs(call: DartCall): { arg: DartArg; via: 'send' | 'spawn' | 'compute' }[] {
  const args = positional(call.args);
  if (call.name === 'send' && call.receiverText !== null && args.length === 1) return [{ arg: args[0], via: 'send' }];
  if (call.name === 'spawn' && call.receiverText === 'Isolate' && args[1]) return [{ arg: args[1], via: 'spawn' }];
  if (call.name === 'spawnUri' && call.receiverText === 'Isolate' && args[2]) return [{ arg: args[2], via: 'spawn' }];
  if (call.name === 'compute' && call.receiverText === null && args[1]) return [{ arg: args[1], via: 'compute' }];
  return [];
}

/** Elements of a list/record literal message (each copied), or the message itself. */
function messageParts(arg: DartArg): { text: string; start: number; end: number; element: number | string | null }[] {
  const expr = arg.node.type === 'argument' ? arg.node.firstNamedChild : null;
  // `{'pixels': data}`: each value of the map is sent (keyed by the key's text).
  if (expr && arg.node.namedChildCount === 1 && expr.type === 'set_or_map_literal') {
    return expr.namedChildren.flatMap((c) => {
      const value = c?.type === 'pair' ? c.childForFieldName('value') : null;
      const key = c?.childForFieldName('key');
      return value && key
        ? [{ text: value.text, start: value.startIndex, end: value.endIndex, element: key.text }]
        : [];
    });
  }
  if (expr && arg.node.namedChildCount === 1 && (expr.type === 'list_literal' || expr.type === 'record_literal')) {
    return expr.namedChildren
      .filter((c): c is Node => c !== null && c.type !== 'type_arguments')
      .map((c, i) => ({ text: c.text, start: c.startIndex, end: c.endIndex, element: i }));
  }
  return [{ text: arg.text, start: arg.start, end: arg.end, element: null }];
}

function sendFindings(f: DartFile, calls: DartCall[], ctx: DartAnalyzeContext): Draft[] {
  const out: Draft[] = [];
  const threshold = ctx.opts.oversizedBytes;
  for (const call of calls) {
    for (const { arg, via } of messageArgs(call)) {
      for (const part of messageParts(arg)) {
        const value = classify(part.text, part.start, f.decls);
        const line = f.lines.position(call.start).line + 1;
        const hint = hintAt(ctx.opts, f.file, line);
        const bytes = hint?.bytes ?? knownBytes(value);
        if (value.type === 'typed' && value.view) {
          out.push({
            rule: 'view-sends-whole-buffer',
            severity: 'warning',
            file: f.file,
            start: part.start,
            end: part.end,
            message: `This ${value.listType} is a view: sending it copies its whole backing buffer, not just the view (dart-lang/sdk#50206).`,
            bytes,
            fixes: () => (via === 'send' ? [wrapSendFix(f, call, part, value, ctx)] : []),
          });
          continue;
        }
        if (value.type !== 'typed' && value.type !== 'int-list') continue;
        // Small messages stated in the code don't pay for a transfer: not a finding.
        if (bytes !== null && bytes < threshold) continue;
        const what = value.type === 'typed' ? value.listType : 'List<int>';
        const size = bytes === null ? 'of unknown size' : `of ${formatBytes(bytes)}`;
        const where =
          via === 'send'
            ? 'sent through SendPort.send'
            : via === 'spawn'
              ? 'passed to the new isolate'
              : 'passed to compute';
        const fixes = (): Fix[] =>
          via === 'send'
            ? [wrapSendFix(f, call, part, value, ctx)]
            : part.element === null
              ? spawnArgFix(f, call, part, value, ctx)
              : [];
        out.push({
          rule: 'copy-typed-data',
          severity: bytes === null ? 'info' : 'warning',
          file: f.file,
          start: part.start,
          end: part.end,
          message: `${what} ${size} is ${where} and will be copied. ${savingsSentence(bytes, hint, threshold)}`,
          bytes,
          fixes,
        });
      }
    }
  }
  return out;
}

function knownBytes(value: DartValue): number | null {
  return value.type === 'typed' || value.type === 'int-list' ? value.bytes : null;
}

/** Typed data captured by an `Isolate.run` closure is copied with the closure's context. */
function runClosureFindings(f: DartFile, calls: DartCall[], ctx: DartAnalyzeContext): Draft[] {
  const out: Draft[] = [];
  const perName = new Map<string, number>();
  for (const call of calls) {
    if (call.name !== 'run' || call.receiverText !== 'Isolate') continue;
    const closure = positional(call.args)[0]?.node.firstNamedChild;
    if (!closure || closure.type !== 'function_expression') continue;
    const seen = new Set<string>();
    for (const id of closure.descendantsOfType('identifier')) {
      if (!id || seen.has(id.text)) continue;
      const decl = lookup(f.decls, id.text, id.startIndex);
      if (!decl || decl.node.startIndex >= closure.startIndex) continue;
      const value = classify(id.text, id.startIndex, f.decls);
      if (value.type !== 'typed' && value.type !== 'int-list') continue;
      const hint = hintAt(ctx.opts, f.file, f.lines.position(call.start).line + 1);
      const bytes = hint?.bytes ?? value.bytes;
      if (bytes !== null && bytes < ctx.opts.oversizedBytes) continue;
      seen.add(id.text);
      const ordinal = perName.get(id.text) ?? 0;
      perName.set(id.text, ordinal + 1);
      const what = value.type === 'typed' ? value.listType : 'List<int>';
      out.push({
        rule: 'copy-typed-data',
        severity: bytes === null ? 'info' : 'warning',
        file: f.file,
        start: id.startIndex,
        end: id.endIndex,
        message: `'${id.text}' (${what}) is captured by the Isolate.run closure and copied into the new isolate. ${savingsSentence(bytes, hint, ctx.opts.oversizedBytes)}`,
        bytes,
        fixes: () => runClosureFix(f, call, closure, id, value, ordinal),
      });
    }
  }
  return out;
}

/** `materialize()` may run once per TransferableTypedData: a second call throws. */
function materializeTwice(f: DartFile, calls: DartCall[]): Draft[] {
  const groups = new Map<string, DartCall[]>();
  for (const call of calls) {
    if (call.name !== 'materialize' || call.receiverText === null || positional(call.args).length > 0) continue;
    const root = /^\(?\s*([A-Za-z_$][\w$]*)/.exec(call.receiverText)?.[1];
    if (!root) continue;
    const decl = lookup(f.decls, root, call.start);
    const key = `${decl?.declStart ?? 'global'}:${call.receiverText.replace(/\s+/g, '')}`;
    groups.set(key, [...(groups.get(key) ?? []), call]);
  }
  const out: Draft[] = [];
  const perRoot = new Map<string, number>();
  for (const group of groups.values()) {
    const root = /^\(?\s*([A-Za-z_$][\w$]*)/.exec(group[0].receiverText ?? '')?.[1] ?? '';
    const decl = lookup(f.decls, root, group[0].start);
    const inLoop = group.length === 1 && decl !== null && loopBetween(group[0].nameNode, decl);
    if (group.length < 2 && !inLoop) continue;
    const flagged = inLoop ? group : group.slice(1);
    const ordinal = inLoop ? 0 : (perRoot.get(root) ?? 0);
    if (!inLoop) perRoot.set(root, ordinal + 1);
    for (const call of flagged) {
      out.push({
        rule: 'materialize-twice',
        severity: 'error',
        file: f.file,
        start: call.start,
        end: call.end,
        message: inLoop
          ? `materialize() runs on every loop iteration for the same TransferableTypedData; the second call throws.`
          : `materialize() is reachable twice for '${group[0].receiverText}'; it may be called only once (the second call throws).`,
        bytes: null,
        fixes: () => (inLoop ? [] : materializeOnceFix(f, group, ordinal)),
      });
    }
  }
  return out;
}

function loopBetween(node: Node, decl: DartDecl): boolean {
  const loop = ancestor(node, ['for_statement', 'while_statement', 'do_statement']);
  return loop !== null && loop.startIndex > decl.declStart;
}

/** The last `send` of a one-shot isolate entry point could be `Isolate.exit` (no copy). */
function isolateExitFindings(f: DartFile, calls: DartCall[], ctx: DartAnalyzeContext): Draft[] {
  const out: Draft[] = [];
  for (const call of calls) {
    if (call.name !== 'send' || call.receiverText === null) continue;
    const [msg] = positional(call.args);
    if (!msg || /^(null|true|false|\d+|'[^']*'|"[^"]*")$/.test(msg.text.trim())) continue;
    const statement = call.nameNode.parent?.parent?.parent;
    if (!statement || statement.type !== 'expression_statement' || statement.parent?.type !== 'block') continue;
    const body = statement.parent.parent;
    if (!body || body.type !== 'function_body' || body.parent?.type !== 'program') continue;
    if (!isLastStatement(statement)) continue;
    const bodyText = f.text.slice(body.startIndex, body.endIndex);
    // A long-lived isolate keeps listening, or has work scheduled: Isolate.exit would end it.
    if (LONG_LIVED.test(bodyText)) continue;
    const signature = body.previousNamedSibling;
    const fnName = signature?.namedChildren.find((c) => c?.type === 'identifier')?.text;
    if (!signature || !fnName || !/\bSendPort\b|List|dynamic|Object|\(\s*\w+\s*\)/.test(signature.text)) continue;
    // Isolate.exit ends the calling isolate: only in a function that provably is a spawned entry.
    if (!isSpawnEntryOnly(f, signature, fnName, ctx)) continue;
    const hint = hintAt(ctx.opts, f.file, f.lines.position(call.start).line + 1);
    out.push({
      rule: 'use-isolate-exit',
      severity: 'info',
      file: f.file,
      start: call.start,
      end: call.end,
      message:
        `Last send before ${fnName}() returns: Isolate.exit(${call.receiverText}, …) hands the result over without copying (same isolate group only, not spawnUri). ${hint ? savingsSentence(hint.bytes, hint, ctx.opts.oversizedBytes) : ''}`.trim(),
      bytes: hint?.bytes ?? null,
      fixes: () => [isolateExitFix(f, call, msg)],
    });
  }
  return out;
}

/**
 * Signs of an isolate that keeps running after the last statement: a stream subscription
 * (`listen`, and the stream consumers that subscribe too: `forEach`, `drain`, `pipe`; `forEach`
 * may be a List's, which only costs a suggestion), `await for`, timers, pending futures.
 */
const LONG_LIVED =
  /\.(listen|forEach|drain|pipe)\s*\(|await\s+for\b|\bTimer(\.periodic)?\s*\(|\.then\s*\(|scheduleMicrotask\s*\(|Future\s*\.\s*(delayed|microtask)\s*\(/;

/**
 * True when `fnName` runs only as the entry point of isolates started with `Isolate.spawn(fnName, …)`
 * in this file: every other mention of it (here, and in workspace files for a public name) rules
 * it out, since a direct call would run it, and Isolate.exit, in the caller's isolate. Isolate.run
 * and compute don't count: exiting there would lose their result (the future fails).
 */
function isSpawnEntryOnly(f: DartFile, signature: Node, fnName: string, ctx: DartAnalyzeContext): boolean {
  const spawnArgs = new Set<number>();
  for (const spawn of findCalls(f.tree, f.text, ['spawn'])) {
    if (!/^(?:[A-Za-z_$][\w$]*\s*\.\s*)?Isolate$/.test(spawn.receiverText ?? '')) continue;
    const entry = positional(spawn.args)[0];
    if (entry?.text.trim() === fnName) spawnArgs.add(entry.start);
  }
  if (spawnArgs.size === 0) return false;
  const nameNode = signature.namedChildren.find((c) => c?.type === 'identifier');
  for (const id of f.tree.rootNode.descendantsOfType('identifier')) {
    if (!id || id.text !== fnName || id.startIndex === nameNode?.startIndex) continue;
    if (!spawnArgs.has(id.startIndex)) return false;
  }
  if (fnName.startsWith('_')) return true;
  const mention = new RegExp(`(?<![\\w$])${fnName.replace(/\$/g, '\\$')}(?![\\w$])`, 'g');
  for (const src of ctx.workspace()) {
    if (src.file === f.file || !src.text.includes(fnName)) continue;
    for (const m of src.text.matchAll(mention)) {
      if (!/\bIsolate\s*\.\s*spawn\s*(<[^>()]*>)?\s*\(\s*$/.test(src.text.slice(Math.max(0, m.index - 80), m.index)))
        return false;
    }
  }
  return true;
}

function isLastStatement(statement: Node): boolean {
  for (let n = statement.nextNamedSibling; n; n = n.nextNamedSibling) {
    if (n.type !== 'comment' && !(n.type === 'return_statement' && n.text.replace(/\s/g, '') === 'return;'))
      return false;
  }
  return true;
}
