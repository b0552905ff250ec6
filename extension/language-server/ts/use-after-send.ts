/**
 * Use-after-send for the TS analyzer: can anything read a buffer after `postMessage` transfers
 * (detaches) it? Conservative: anything out of this file's sight counts as a read.
 */
import ts from 'typescript';
import { perFile, variableSymbol, type FileCache } from './buffers';

/**
 * True when the variable can be read after the send: read after the call in its function, or in
 * any other function-like node wherever it sits in the text (a closure or callback written before
 * the send runs later: `setInterval(() => buf[0])`, an event handler, another or exported
 * function), or exported, or the call sits in a loop, or the variable is captured from outside the
 * function that sends it (the function can run again, and the code after its calls can use the
 * variable: both are out of this check's sight).
 */
export function usedAfterSend(
  checker: ts.TypeChecker,
  root: ts.Identifier,
  call: ts.CallExpression,
  seen = new Set<ts.Symbol>(),
): boolean {
  const symbol = variableSymbol(checker, root);
  const decl = symbol?.valueDeclaration;
  if (!symbol || !decl || seen.has(symbol)) return false;
  seen.add(symbol);
  // A parameter holds the caller's object: the caller can read it after the call returns.
  if (ts.isParameter(decl)) return true;
  // Read from another variable (`const b = bufs[i]`, `= a.subarray()`): that one must be unused too.
  const source = ts.isVariableDeclaration(decl) && decl.initializer ? sharedSource(decl.initializer, true) : null;
  if (source && usedAfterSend(checker, source, call, seen)) return true;
  // Aliases and views of it (`const alias = a`, `a.subarray(0, 4)`) see the detached buffer too.
  for (const alias of aliasesOf(checker, symbol, call.getSourceFile())) {
    if (usedAfterSend(checker, alias, call, seen)) return true;
  }
  const scope = deferredScope(call);
  if (!ts.isSourceFile(scope) && !(decl.getSourceFile() === call.getSourceFile() && within(decl, scope))) return true;
  if (isExported(decl)) return true;
  for (let n: ts.Node = call; n !== scope && n.parent; n = n.parent) {
    if (ts.isIterationStatement(n, false) && decl.pos < n.pos) return true;
  }
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isExportSpecifier(n) && checker.getExportSpecifierLocalTargetSymbol(n) === symbol) {
      found = true; // `export { buf }`: other modules can read it after the send
      return;
    }
    // After the call, or in code that runs later than the send wherever it is written.
    if (
      ts.isIdentifier(n) &&
      n.text === root.text &&
      (n.pos >= call.end || deferredScope(n) !== scope || ts.isExportAssignment(n.parent)) &&
      variableSymbol(checker, n) === symbol
    ) {
      found = true;
      return;
    }
    ts.forEachChild(n, visit);
  };
  visit(scope);
  return found;
}

/**
 * The innermost node whose code runs when it is called rather than where it is written: a
 * function-like node or a class field initializer (runs per construction); the file otherwise.
 */
function deferredScope(node: ts.Node): ts.Node {
  let n: ts.Node = node;
  while (n.parent && !ts.isFunctionLike(n) && !ts.isPropertyDeclaration(n) && !ts.isSourceFile(n)) n = n.parent;
  return n;
}

/** A top-level `export const x` / `export let x`: other modules can read it after the send. */
function isExported(decl: ts.Declaration): boolean {
  const statement = ts.isVariableDeclaration(decl) ? decl.parent.parent : undefined;
  return (
    statement !== undefined &&
    ts.isVariableStatement(statement) &&
    (statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) ?? false)
  );
}

function within(node: ts.Node, ancestor: ts.Node): boolean {
  for (let n: ts.Node | undefined = node; n; n = n.parent) if (n === ancestor) return true;
  return false;
}

/**
 * The variable a value shares its buffer with: `a` for `a`, `a.subarray(…)`, `a.buffer`,
 * `new Uint8Array(a.buffer, …)`, `(a as T)`; with `containers`, also `a.b` and `a[i]` (a value
 * taken out of an object or array that still holds it).
 */
function sharedSource(e: ts.Expression, containers: boolean): ts.Identifier | null {
  let cur: ts.Expression = e;
  for (;;) {
    while (ts.isParenthesizedExpression(cur) || ts.isAsExpression(cur) || ts.isNonNullExpression(cur))
      cur = cur.expression;
    if (ts.isIdentifier(cur)) return cur;
    if (
      ts.isCallExpression(cur) &&
      ts.isPropertyAccessExpression(cur.expression) &&
      cur.expression.name.text === 'subarray'
    )
      cur = cur.expression.expression;
    else if (ts.isPropertyAccessExpression(cur) && (containers || cur.name.text === 'buffer')) cur = cur.expression;
    else if (ts.isElementAccessExpression(cur) && containers) cur = cur.expression;
    else if (
      ts.isNewExpression(cur) &&
      cur.arguments?.[0] &&
      ts.isPropertyAccessExpression(cur.arguments[0]) &&
      cur.arguments[0].name.text === 'buffer'
    )
      cur = cur.arguments[0].expression;
    else return null;
  }
}

/** Aliases by the variable they share a buffer with, per checker (symbols belong to one program) and file. */
const aliasCache: FileCache<Map<ts.Symbol, ts.Identifier[]>> = new WeakMap();

/**
 * Names of the variables declared as an alias or a view of `symbol` (`const v = a.subarray(0, 4)`).
 * The file is walked once for all of them: per send, the walk made a big file's first analysis
 * quadratic (5,000 lines with 834 sends: ~8 s).
 */
function aliasesOf(checker: ts.TypeChecker, symbol: ts.Symbol, sf: ts.SourceFile): ts.Identifier[] {
  return perFile(aliasCache, checker, sf, () => findAliases(checker, sf)).get(symbol) ?? [];
}

function findAliases(checker: ts.TypeChecker, sf: ts.SourceFile): Map<ts.Symbol, ts.Identifier[]> {
  const found = new Map<ts.Symbol, ts.Identifier[]>();
  const visit = (n: ts.Node): void => {
    if (ts.isVariableDeclaration(n) && n.initializer && ts.isIdentifier(n.name)) {
      const source = sharedSource(n.initializer, false);
      const of = source && variableSymbol(checker, source);
      if (of) {
        const list = found.get(of);
        if (list) list.push(n.name);
        else found.set(of, [n.name]);
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}
