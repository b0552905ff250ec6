/**
 * The TS/JS analyzer (type-aware, via the TypeScript compiler API): `postMessage` on a Worker,
 * MessagePort, parentPort or BroadcastChannel that copies ArrayBuffers without a transfer list.
 */
import ts from 'typescript';
import type { AnalyzeOptions, Fix, StaticFinding } from '../analysis/types';
import { formatBytes, hintAt, savingsSentence, withLazyFixes } from '../analysis/types';
import { buffersOf, type BufferRef } from './buffers';
import { postMessageCalls } from './calls';
import { transferCopyFix, transferListFix } from './fixes';
import type { TsProject } from './project';
import { planStatements, type FileMemory, type FindingData } from './statement-reuse';
import { usedAfterSend } from './use-after-send';

const TARGETS = new Set(['Worker', 'MessagePort', 'BroadcastChannel', 'DedicatedWorkerGlobalScope']);

/**
 * A finding whose fixes are built only when read (they print types, which is not cheap), and the
 * variables whose use-after-send check read the whole file (statement reuse must re-check the send
 * when another statement that mentions them changes).
 */
type Draft = Omit<StaticFinding, 'fixes'> & { fixes: () => Fix[]; uses: string[] };

/**
 * Analyzes one TS/JS file of the project (its text must have been set with `project.setFile`).
 * A file that never says `postMessage` costs no program update; otherwise the checker is asked
 * about the call sites only, and only in the statements the last edit can have affected (the
 * findings of the others are reused, moved with their statement).
 */
export function analyzeTs(project: TsProject, file: string, opts: AnalyzeOptions): StaticFinding[] {
  const text = project.textOf(file);
  const remembered = project.memories;
  if (text === undefined || !text.includes('postMessage')) {
    remembered.delete(file);
    return [];
  }
  const program = project.program();
  const sf = program.getSourceFile(file);
  if (!sf) {
    remembered.delete(file);
    return [];
  }
  // Runtime hints are matched by line, and a unicode escape could hide a name from the word scan:
  // such analyses neither reuse nor get reused.
  const key =
    opts.runtimeHints.length > 0 || text.includes('\\u') ? null : `${opts.oversizedBytes}|${project.changeStamp(file)}`;
  const previous = key === null ? undefined : remembered.get(file);
  const { plans, facts } = planStatements(sf, previous && previous.key === key ? previous : null);
  const calls = postMessageCalls(sf);
  const generation = project.generation;
  const version = project.versionOf(file);
  let checker: ts.TypeChecker | null = null;
  const out: StaticFinding[] = [];
  const statements: FileMemory['statements'] = [];
  let next = 0;
  for (const plan of plans) {
    const own: FindingData[] = [];
    const uses = new Set<string>();
    const reuse = plan.reuse;
    if (reuse) {
      for (const u of reuse.uses) uses.add(u);
      while (next < calls.length && calls[next].pos < plan.node.end) next++;
      for (const f of reuse.findings) {
        const moved = { ...f, start: f.start + plan.start - reuse.start, end: f.end + plan.start - reuse.start };
        own.push(moved);
        out.push(withLazyFixes({ ...moved }, () => fixesLater(project, file, opts, moved, version)));
      }
    } else {
      for (; next < calls.length && calls[next].pos < plan.node.end; next++) {
        checker ??= program.getTypeChecker();
        const draft = checkPostMessage(checker, sf, calls[next], calls[next].expression, opts);
        if (!draft) continue;
        const { fixes, uses: names, ...finding } = draft;
        for (const u of names) uses.add(u);
        own.push(finding);
        // Nodes of this program are safe while nothing changed (edits reparse incrementally,
        // which reuses and moves old nodes); after that, the call is checked again.
        out.push(
          withLazyFixes({ ...finding }, () =>
            project.generation === generation ? fixes() : fixesLater(project, file, opts, finding, version),
          ),
        );
      }
    }
    statements.push({ text: plan.text, start: plan.start, findings: own, uses: [...uses] });
  }
  if (key === null) remembered.delete(file);
  else remembered.set(file, { key, statements, facts });
  return out;
}

/** Fixes of a finding whose program is gone: the call is checked again, if the text is the same. */
function fixesLater(project: TsProject, file: string, opts: AnalyzeOptions, f: FindingData, version: number): Fix[] {
  if (project.versionOf(file) !== version) return [];
  const program = project.program();
  const sf = program.getSourceFile(file);
  if (!sf) return [];
  const checker = program.getTypeChecker();
  for (const call of postMessageCalls(sf)) {
    if (call.end < f.start || call.pos > f.end) continue;
    const draft = checkPostMessage(checker, sf, call, call.expression, opts);
    if (draft && draft.rule === f.rule && draft.start === f.start && draft.end === f.end) return draft.fixes();
  }
  return [];
}

/**
 * Which kind of port a receiver is: by type, else by the usual names when types are missing. A
 * bare `postMessage(…)` is a web worker's own global, unless the file declares a postMessage.
 */
function receiverKind(checker: ts.TypeChecker, callee: ts.PropertyAccessExpression | ts.Identifier): string | null {
  if (ts.isIdentifier(callee)) {
    const decls = checker.getSymbolAtLocation(callee)?.declarations ?? [];
    return decls.every((d) => d.getSourceFile().isDeclarationFile) ? 'DedicatedWorkerGlobalScope' : null;
  }
  const receiver = callee.expression;
  if (ts.isIdentifier(receiver) && receiver.text === 'self' && !declaredInCode(checker, receiver))
    return 'DedicatedWorkerGlobalScope';
  const type = checker.getNonNullableType(checker.getTypeAtLocation(receiver));
  for (const t of type.isUnion() || type.isIntersection() ? type.types : [type]) {
    const name = t.getSymbol()?.getName();
    if (name && TARGETS.has(name)) return name;
  }
  if (!(type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown))) return null;
  const text = receiver.getText();
  if (/\bparentPort\b|port\d?$|Port$/.test(text)) return 'MessagePort';
  if (/worker$/i.test(text)) return 'Worker';
  if (/channel$/i.test(text)) return 'BroadcastChannel';
  return null;
}

function checkPostMessage(
  checker: ts.TypeChecker,
  sf: ts.SourceFile,
  call: ts.CallExpression,
  callee: ts.PropertyAccessExpression | ts.Identifier,
  opts: AnalyzeOptions,
): Draft | null {
  // The argument count first: it needs no type checking (a transfer list is already there).
  if (call.arguments.length !== 1) return null;
  const kind = receiverKind(checker, callee);
  if (!kind) return null;
  const msg = call.arguments[0];
  const buffers = buffersOf(checker, msg);
  if (buffers.length === 0) return null;
  const line = sf.getLineAndCharacterOfPosition(call.getStart()).line + 1;
  const hint = hintAt(opts, sf.fileName, line);
  const staticBytes = buffers.every((b) => b.bytes !== null) ? buffers.reduce((a, b) => a + (b.bytes ?? 0), 0) : null;
  const bytes = hint?.bytes ?? staticBytes;
  if (bytes !== null && bytes < opts.oversizedBytes) return null;
  const roots = new Map(buffers.flatMap((b) => b.roots).map((r) => [r.text, r]));
  const usedAfter = [...roots.values()].filter((root) => usedAfterSend(checker, root, call));
  const blockers = blockersOf(kind, buffers, usedAfter);
  const size = bytes === null ? 'of unknown size' : formatBytes(bytes);
  const names = buffers.map((b) => b.text).join(', ');
  const savings = savingsSentence(staticBytes, hint, opts.oversizedBytes);
  const fixes = (): Fix[] =>
    buffers.some((b) => b.maybeNotBuffer)
      ? []
      : blockers.length === 0
        ? transferListFix(checker, sf, call, buffers, savings)
        : kind === 'BroadcastChannel'
          ? []
          : transferCopyFix(checker, sf, call, buffers, savings);
  return {
    rule: 'copy-array-buffer',
    severity: bytes === null ? 'info' : 'warning',
    file: sf.fileName,
    start: msg.getStart(),
    end: msg.getEnd(),
    message:
      `postMessage on ${kind} copies ${names} (${size}) without a transfer list. ` +
      (blockers.length === 0 ? savings : `No transfer suggested: ${blockers.join('; ')}.`),
    bytes,
    fixes,
    uses: [...roots.keys()],
  };
}

function blockersOf(kind: string, buffers: BufferRef[], usedAfter: ts.Identifier[]): string[] {
  const out: string[] = [];
  if (kind === 'BroadcastChannel') out.push('BroadcastChannel cannot transfer, only copy');
  for (const root of usedAfter) out.push(`'${root.text}' is used after the send (a transfer would detach it)`);
  for (const b of buffers) {
    if (b.root === null && isThisMember(b.expr))
      out.push(`'${b.text}' is a field of this object (other methods can read it after the send)`);
    if (b.maybeNotBuffer)
      out.push(
        `'${b.text}' may hold a value that is no buffer (undefined, null, a string): guard it before transferring`,
      );
    if (b.origin === 'pooled') out.push(`'${b.text}' is a pooled Node Buffer (shares an 8 KiB pool; untransferable)`);
    if (b.origin === 'view')
      out.push(
        `'${b.text}' is a view into a bigger buffer (the whole backing buffer is copied; a transfer would detach all of it)`,
      );
  }
  return out;
}

/** `this.x`, `this.x.y`: an object's field, which code outside the sending function can read. */
function isThisMember(e: ts.Expression): boolean {
  let cur = e;
  while (ts.isPropertyAccessExpression(cur) || ts.isElementAccessExpression(cur) || ts.isParenthesizedExpression(cur))
    cur = cur.expression;
  return cur.kind === ts.SyntaxKind.ThisKeyword && cur !== e;
}

/**
 * True when a name has a real declaration (variable, parameter, function, class, import), not just
 * JS assignments to its properties (`self.onmessage = …` makes `self` an expando in a JS file).
 */
function declaredInCode(checker: ts.TypeChecker, id: ts.Identifier): boolean {
  const decls = checker.getSymbolAtLocation(id)?.declarations ?? [];
  return decls.some(
    (d) =>
      !ts.isIdentifier(d) &&
      !ts.isBinaryExpression(d) &&
      !ts.isPropertyAccessExpression(d) &&
      !d.getSourceFile().isDeclarationFile,
  );
}
