/**
 * Reuse of a file's last TS analysis, top-level statement by statement. The checker is the costly
 * part of an analysis and a new program gets a new checker, so after an edit only the statements
 * the edit can affect are checked again. What an unchanged statement's findings depend on:
 * its own text, and declarations it names. So a statement is reused when its text is unchanged,
 * its order too, and none of the words it contains is a name that an added, removed or changed
 * statement declares (transitively). A send's use-after-send check also reads the uses of its
 * buffers anywhere in the file (a function declared below can read the buffer later), so a
 * statement is also checked again when an added, removed or changed statement mentions one of
 * those buffer names. Imports, exports-from and augmentations reuse nothing; so does any change
 * to another file of the project.
 */
import ts from 'typescript';
import type { StaticFinding } from '../analysis/types';

/** What a top-level statement can change for the others. */
type Effect =
  | { type: 'declares'; names: string[]; mutable: string[] }
  /** Top-level code (assignments can narrow variables): every word it contains. */
  | { type: 'words' }
  /** Imports, exports-from, `declare global`, namespaces, anonymous default exports. */
  | { type: 'global' };

interface Facts {
  /** Every identifier-like word (comments and strings too: a safe over-approximation of uses). */
  words: Set<string>;
  effect: Effect;
}

/** A finding without its fixes (remembered data must not keep old programs alive). */
export type FindingData = Omit<StaticFinding, 'fixes'>;

interface Remembered {
  text: string;
  start: number;
  findings: FindingData[];
  /** Variables whose use-after-send check read the rest of the file (the sent buffers). */
  uses: string[];
}

/** The last analysis of one file. */
export interface FileMemory {
  /** Threshold and the state of the rest of the project: a different key reuses nothing. */
  key: string;
  statements: Remembered[];
  facts: Map<string, Facts>;
}

/** A statement of the new text, and where its old findings can be reused from (null: check it). */
export interface StatementPlan {
  node: ts.Statement;
  text: string;
  start: number;
  reuse: Remembered | null;
}

const WORD = /[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*/gu;

function factsOf(node: ts.Statement, text: string): Facts {
  return { words: new Set(text.match(WORD) ?? []), effect: effectOf(node) };
}

function effectOf(node: ts.Statement): Effect {
  if (
    ts.isImportDeclaration(node) ||
    ts.isImportEqualsDeclaration(node) ||
    ts.isExportDeclaration(node) ||
    ts.isExportAssignment(node) ||
    ts.isModuleDeclaration(node)
  )
    return { type: 'global' };
  if (
    ts.isFunctionDeclaration(node) ||
    ts.isClassDeclaration(node) ||
    ts.isInterfaceDeclaration(node) ||
    ts.isTypeAliasDeclaration(node) ||
    ts.isEnumDeclaration(node)
  )
    return node.name ? { type: 'declares', names: [node.name.text], mutable: [] } : { type: 'global' };
  if (ts.isVariableStatement(node)) {
    const names: string[] = [];
    const collect = (name: ts.BindingName): void => {
      if (ts.isIdentifier(name)) names.push(name.text);
      else for (const el of name.elements) if (!ts.isOmittedExpression(el)) collect(el.name);
    };
    for (const d of node.declarationList.declarations) collect(d.name);
    const constant = (node.declarationList.flags & ts.NodeFlags.Const) !== 0;
    return { type: 'declares', names, mutable: constant ? [] : names };
  }
  return { type: 'words' };
}

/**
 * Plans which statements of `sf` can reuse `memory` (null: nothing is reused), and returns the
 * facts of every statement for the memory that follows this analysis.
 */
export function planStatements(
  sf: ts.SourceFile,
  memory: FileMemory | null,
): { plans: StatementPlan[]; facts: Map<string, Facts> } {
  const facts = new Map<string, Facts>();
  const plans: StatementPlan[] = sf.statements.map((node) => {
    const text = node.getFullText(sf);
    if (!facts.has(text)) facts.set(text, memory?.facts.get(text) ?? factsOf(node, text));
    return { node, text, start: node.getFullStart(), reuse: null };
  });
  if (!memory) return { plans, facts };
  const pool = new Map<string, { at: number; s: Remembered }[]>();
  memory.statements.forEach((s, at) => pool.set(s.text, [...(pool.get(s.text) ?? []), { at, s }]));
  // Matched old statements must keep their order (top-level flow depends on it).
  let lastAt = -1;
  const used = new Set<number>();
  for (const p of plans) {
    const next = pool.get(p.text)?.[0];
    if (!next || next.at < lastAt) continue;
    pool.get(p.text)?.shift();
    p.reuse = next.s;
    used.add(next.at);
    lastAt = next.at;
  }
  const mutable = new Set<string>();
  for (const f of [...facts.values(), ...memory.facts.values()])
    if (f.effect.type === 'declares') for (const m of f.effect.mutable) mutable.add(m);
  const dirty = new Set<string>();
  let global = false;
  const spread = (f: Facts): void => {
    switch (f.effect.type) {
      case 'global':
        global = true;
        return;
      case 'words':
        for (const w of f.words) dirty.add(w);
        return;
      case 'declares':
        for (const n of f.effect.names) dirty.add(n);
        for (const w of f.words) if (mutable.has(w)) dirty.add(w);
        return;
    }
  };
  // Every word of the statements that were added, removed or changed: a reused send whose buffer
  // one of them mentions may now be used after the send (or no longer).
  const touched = new Set<string>();
  const change = (f: Facts): void => {
    for (const w of f.words) touched.add(w);
    spread(f);
  };
  memory.statements.forEach((s, at) => {
    if (!used.has(at)) change(memory.facts.get(s.text) ?? { words: new Set(), effect: { type: 'global' } });
  });
  for (const p of plans) if (!p.reuse) change(facts.get(p.text) as Facts);
  for (let grew = true; grew && !global;) {
    grew = false;
    for (const p of plans) {
      const f = facts.get(p.text) as Facts;
      if (!p.reuse || !(meets(f.words, dirty) || p.reuse.uses.some((u) => touched.has(u)))) continue;
      p.reuse = null;
      spread(f);
      grew = true;
    }
  }
  if (global) for (const p of plans) p.reuse = null;
  return { plans, facts };
}

function meets(words: Set<string>, dirty: Set<string>): boolean {
  if (dirty.size < words.size) {
    for (const d of dirty) if (words.has(d)) return true;
    return false;
  }
  for (const w of words) if (dirty.has(w)) return true;
  return false;
}
