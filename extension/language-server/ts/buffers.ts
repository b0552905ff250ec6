/**
 * What a `postMessage` argument carries, type-aware: the ArrayBuffers (direct, via typed arrays or
 * object fields) it would copy, with where each came from (size, pooled Buffer, view of a bigger
 * buffer).
 */
import ts from 'typescript';
import { evalConstSize } from '../analysis/const-size';
import { memberOf } from './calls';

const TYPED_ARRAYS = new Set([
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
  'DataView',
  'Buffer',
]);

/** One buffer the message would copy. */
export interface BufferRef {
  /** Expression text of the value (`pixels`, `msg.data`). */
  text: string;
  kind: 'array-buffer' | 'typed-array' | 'node-buffer';
  /** What goes into the transfer list (`pixels.buffer`, `ab`). */
  transferText: string;
  /** The variable it is read from, when it is one (for use-after-send and origin checks). */
  root: ts.Identifier | null;
  /** Every variable the value may come from (`a` and `b` for `c ? a : b`): use-after-send checks. */
  roots: ts.Identifier[];
  /** The expression the value is read from (for `x.foo` fields of an object type: `x`). */
  expr: ts.Expression;
  bytes: number | null;
  /** `shared`: backed by a SharedArrayBuffer (shared, not copied; cannot be transferred). */
  origin: 'fresh' | 'pooled' | 'view' | 'unknown' | 'shared';
  /**
   * The type also allows a value that is no buffer (`data?: Uint8Array`, `Uint8Array | null`,
   * `Uint8Array | string`): `x.buffer` in a transfer list would not compile, and throws for those.
   */
  maybeNotBuffer: boolean;
}

/** True when some member of the type is not a buffer (undefined, null, a string, …). */
function mayBeNonBuffer(checker: ts.TypeChecker, type: ts.Type): boolean {
  return type.isUnion() && type.types.some((t) => bufferKind(checker, t) === null);
}

/** Classifies a type as a buffer kind (null when it holds none directly). */
export function bufferKind(checker: ts.TypeChecker, type: ts.Type): BufferRef['kind'] | null {
  const parts = type.isUnion() ? type.types : [type];
  for (const t of parts) {
    const name = (t.getSymbol() ?? t.aliasSymbol)?.getName();
    if (name === 'ArrayBuffer') return 'array-buffer';
    if (name === 'Buffer') return 'node-buffer';
    if (name && TYPED_ARRAYS.has(name)) return 'typed-array';
    if (t.isClassOrInterface() && t.getSymbol()) {
      const base = checker.getBaseTypes(t);
      if (base.some((b) => b.getSymbol()?.getName() === 'Uint8Array')) return 'typed-array';
    }
  }
  return null;
}

/**
 * The buffers a message expression carries (depth 1 into object literals and object types), each
 * value once (`{a: t, b: t}` sends `t` once), without those backed by a SharedArrayBuffer (they
 * are shared, not copied).
 */
export function buffersOf(checker: ts.TypeChecker, expr: ts.Expression): BufferRef[] {
  const seen = new Set<string>();
  return collectBuffers(checker, expr, 0).filter((b) => {
    if (b.origin === 'shared' || seen.has(b.text)) return false;
    seen.add(b.text);
    return true;
  });
}

function collectBuffers(checker: ts.TypeChecker, expr: ts.Expression, depth: number): BufferRef[] {
  const e = skipParens(expr);
  if (ts.isObjectLiteralExpression(e) && depth < 2) {
    return e.properties.flatMap((p) => {
      if (ts.isShorthandPropertyAssignment(p)) return collectBuffers(checker, p.name, depth + 1);
      if (ts.isPropertyAssignment(p) && isSimple(p.initializer))
        return collectBuffers(checker, p.initializer, depth + 1);
      return [];
    });
  }
  if (ts.isArrayLiteralExpression(e) && depth < 2) {
    return e.elements.flatMap((el) => (isSimple(el) ? collectBuffers(checker, el, depth + 1) : []));
  }
  const type = checker.getTypeAtLocation(e);
  const kind = bufferKind(checker, type);
  const text = e.getText();
  if (kind) return [describe(checker, e, text, kind, type)];
  if (depth > 0 || !isSimple(e) || !(type.flags & ts.TypeFlags.Object)) return [];
  const out: BufferRef[] = [];
  for (const prop of checker.getPropertiesOfType(type).slice(0, 50)) {
    const propType = checker.getTypeOfSymbolAtLocation(prop, e);
    const propKind = bufferKind(checker, propType);
    if (propKind) {
      const propText = `${text}.${prop.getName()}`;
      out.push({
        ...describe(checker, e, propText, propKind, propType),
        root: rootIdentifier(e),
        origin: isShared(checker, propType) ? 'shared' : 'unknown',
        bytes: null,
      });
    }
  }
  return out;
}

function describe(
  checker: ts.TypeChecker,
  e: ts.Expression,
  text: string,
  kind: BufferRef['kind'],
  type: ts.Type,
): BufferRef {
  const root = rootIdentifier(e);
  const described =
    backingOrigins(checker, e) ??
    (ts.isIdentifier(e) ? originsOfValues(root && valuesOf(checker, root), kind) : origins(e, kind));
  const { bytes } = described;
  const origin = isShared(checker, type) ? 'shared' : described.origin;
  const transferText = kind === 'array-buffer' ? text : memberOf(e, text, 'buffer');
  const maybeNotBuffer = mayBeNonBuffer(checker, type);
  return { text, kind, transferText, root, roots: valueRoots(e), expr: e, bytes, origin, maybeNotBuffer };
}

/** A typed array typed as backed by a SharedArrayBuffer only (`Uint8Array<SharedArrayBuffer>`). */
function isShared(checker: ts.TypeChecker, type: ts.Type): boolean {
  const parts = type.isUnion() ? type.types : [type];
  return parts.every((t) => {
    if (!(t.flags & ts.TypeFlags.Object) || !((t as ts.ObjectType).objectFlags & ts.ObjectFlags.Reference))
      return false;
    const args = checker.getTypeArguments(t as ts.TypeReference);
    if (args.length !== 1) return false;
    const arg = args[0];
    return !arg.isUnion() && arg.getSymbol()?.getName() === 'SharedArrayBuffer';
  });
}

/** The variables a value may be read from: `a` for `a.b`, `a` and `b` for `c ? a : b` or `a ?? b`. */
function valueRoots(e: ts.Expression): ts.Identifier[] {
  const s = skipParens(e);
  if (ts.isConditionalExpression(s)) return [...valueRoots(s.whenTrue), ...valueRoots(s.whenFalse)];
  if (ts.isBinaryExpression(s)) {
    const op = s.operatorToken.kind;
    if (op === ts.SyntaxKind.CommaToken) return valueRoots(s.right);
    if (
      op === ts.SyntaxKind.QuestionQuestionToken ||
      op === ts.SyntaxKind.BarBarToken ||
      op === ts.SyntaxKind.AmpersandAmpersandToken
    )
      return [...valueRoots(s.left), ...valueRoots(s.right)];
  }
  const root = rootIdentifier(s);
  return root ? [root] : [];
}

/**
 * `a.buffer` where `a` is a variable holding a typed array the code sizes (`new Uint8Array(64)`):
 * that array's size and origin (the buffer of a fresh array is exactly that array's bytes).
 */
function backingOrigins(checker: ts.TypeChecker, e: ts.Expression): Pick<BufferRef, 'bytes' | 'origin'> | null {
  const s = skipParens(e);
  if (!ts.isPropertyAccessExpression(s) || s.name.text !== 'buffer' || !ts.isIdentifier(s.expression)) return null;
  const viewKind = bufferKind(checker, checker.getTypeAtLocation(s.expression));
  if (viewKind === null || viewKind === 'array-buffer') return null;
  const values = valuesOf(checker, s.expression);
  return values ? originsOfValues(values, viewKind) : null;
}

function origins(init: ts.Expression | null, kind: BufferRef['kind']): Pick<BufferRef, 'bytes' | 'origin'> {
  if (!init) return { bytes: null, origin: kind === 'node-buffer' ? 'pooled' : 'unknown' };
  const e = skipParens(init);
  const text = e.getText();
  if (/^new\s+\w+\s*\(\s*new\s+SharedArrayBuffer\b/.test(text)) return { bytes: null, origin: 'shared' };
  if (/\.subarray\s*\(/.test(text) || /^Buffer\.from\s*\(\s*[\w.]+\s*,/.test(text))
    return { bytes: null, origin: 'view' };
  if (ts.isNewExpression(e) && e.arguments && e.arguments.length >= 2) return { bytes: null, origin: 'view' };
  const size = e.getText().match(/^(?:new\s+(\w+)|Buffer\.(alloc|allocUnsafe|allocUnsafeSlow|from))\s*\(\s*([^,)]*)/);
  if (!size) return { bytes: null, origin: kind === 'node-buffer' ? 'pooled' : 'unknown' };
  // The whole first argument (the regex stops at the first ')', inside `(1024 + 1) * 1024`).
  const arg = ts.isNewExpression(e) || ts.isCallExpression(e) ? e.arguments?.[0] : undefined;
  const n = constSize(arg ? arg.getText() : size[3]);
  const perElement = elementBytes(size[1] ?? 'Uint8Array');
  const bytes = n === null ? null : n * perElement;
  if (size[2] === 'from' || (size[2] === 'allocUnsafe' && (bytes === null || bytes < 4096))) {
    // Buffer.from/allocUnsafe below half of Buffer.poolSize (8 KiB) slice a shared pool: untransferable.
    return { bytes, origin: 'pooled' };
  }
  return { bytes, origin: 'fresh' };
}

function elementBytes(ctor: string): number {
  if (/16/.test(ctor)) return 2;
  if (/32/.test(ctor)) return 4;
  if (/64/.test(ctor)) return 8;
  return 1;
}

/** Evaluates `1024 * 1024`, `1 << 20`, `2 ** 20`, `4096` etc.; null when not constant. */
export function constSize(text: string): number | null {
  return evalConstSize(text);
}

const ASSIGNMENT_OPERATORS = new Set([
  ts.SyntaxKind.PlusEqualsToken,
  ts.SyntaxKind.MinusEqualsToken,
  ts.SyntaxKind.AsteriskEqualsToken,
  ts.SyntaxKind.SlashEqualsToken,
  ts.SyntaxKind.BarBarEqualsToken,
  ts.SyntaxKind.AmpersandAmpersandEqualsToken,
  ts.SyntaxKind.QuestionQuestionEqualsToken,
]);

/** What the writes of one file assign, by variable: the values, or 'unknown' for another kind of write. */
type FileWrites = Map<ts.Symbol, ts.Expression[] | 'unknown'>;
const writesCache: FileCache<FileWrites> = new WeakMap();

/** A value computed once per file and program: by checker (symbols belong to one program), then by file. */
export type FileCache<T> = WeakMap<ts.TypeChecker, WeakMap<ts.SourceFile, T>>;

/** `cache`'s value for `file` under `checker`, built by `build` the first time. */
export function perFile<T>(cache: FileCache<T>, checker: ts.TypeChecker, file: ts.SourceFile, build: () => T): T {
  let byFile = cache.get(checker);
  if (!byFile) cache.set(checker, (byFile = new WeakMap()));
  let value = byFile.get(file);
  if (value === undefined) byFile.set(file, (value = build()));
  return value;
}

/**
 * Every value the variable `id` refers to may hold: its initializer and the right-hand side of each
 * plain `x = …` in its file. Null when it has no initializer, or when some write is not a plain
 * assignment (`x ??= …`, `x++`, destructuring, a `for…of` target): its value is then unknown.
 */
export function valuesOf(checker: ts.TypeChecker, id: ts.Identifier): ts.Expression[] | null {
  const symbol = variableSymbol(checker, id);
  const decl = symbol?.valueDeclaration;
  if (!symbol || !decl || !ts.isVariableDeclaration(decl) || !decl.initializer) return null;
  if (ts.isVariableDeclarationList(decl.parent) && decl.parent.flags & ts.NodeFlags.Const) return [decl.initializer];
  const writes = writesOfFile(checker, decl.getSourceFile()).get(symbol);
  if (writes === 'unknown') return null;
  return writes ? [decl.initializer, ...writes] : [decl.initializer];
}

/** The writes of a file, found in one walk (only the written names are resolved to symbols). */
function writesOfFile(checker: ts.TypeChecker, file: ts.SourceFile): FileWrites {
  return perFile(writesCache, checker, file, () => findWrites(checker, file));
}

function findWrites(checker: ts.TypeChecker, file: ts.SourceFile): FileWrites {
  const writes: FileWrites = new Map();
  const note = (target: ts.Expression, value: ts.Expression | 'unknown'): void => {
    const t = skipWrappers(target);
    if (ts.isIdentifier(t)) {
      const symbol = variableSymbol(checker, t);
      if (!symbol) return;
      const known = writes.get(symbol);
      if (value === 'unknown' || known === 'unknown') writes.set(symbol, 'unknown');
      else if (known) known.push(value);
      else writes.set(symbol, [value]);
    } else if (ts.isArrayLiteralExpression(t) || ts.isObjectLiteralExpression(t)) {
      // Destructuring: every name inside is written with a value the analyzer does not follow.
      for (const name of assignedNames(t)) note(name, 'unknown');
    }
  };
  const visit = (n: ts.Node): void => {
    if (ts.isBinaryExpression(n)) {
      const op = n.operatorToken.kind;
      if (op === ts.SyntaxKind.EqualsToken) note(n.left, n.right);
      else if (ASSIGNMENT_OPERATORS.has(op)) note(n.left, 'unknown');
    } else if (
      (ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) &&
      (n.operator === ts.SyntaxKind.PlusPlusToken || n.operator === ts.SyntaxKind.MinusMinusToken)
    ) {
      note(n.operand, 'unknown');
    } else if ((ts.isForOfStatement(n) || ts.isForInStatement(n)) && !ts.isVariableDeclarationList(n.initializer)) {
      note(n.initializer, 'unknown');
    }
    ts.forEachChild(n, visit);
  };
  visit(file);
  return writes;
}

function skipWrappers(e: ts.Expression): ts.Expression {
  let cur = e;
  while (ts.isParenthesizedExpression(cur) || ts.isNonNullExpression(cur) || ts.isAsExpression(cur))
    cur = cur.expression;
  return cur;
}

/** The names a destructuring target writes: `[a, ...b]`, `{ a, b: c, ...d }`, nested, with defaults. */
function assignedNames(target: ts.Expression): ts.Expression[] {
  const t = skipWrappers(target);
  if (ts.isBinaryExpression(t) && t.operatorToken.kind === ts.SyntaxKind.EqualsToken) return assignedNames(t.left);
  if (ts.isSpreadElement(t)) return assignedNames(t.expression);
  if (ts.isArrayLiteralExpression(t)) return t.elements.flatMap(assignedNames);
  if (ts.isObjectLiteralExpression(t)) {
    return t.properties.flatMap((p) => {
      if (ts.isShorthandPropertyAssignment(p)) return [p.name];
      if (ts.isPropertyAssignment(p)) return assignedNames(p.initializer);
      if (ts.isSpreadAssignment(p)) return assignedNames(p.expression);
      return [];
    });
  }
  return [t];
}

/**
 * Size and origin of a variable's buffer over every value it may hold (`valuesOf`): the largest
 * size when all are known, and one origin when they all agree.
 */
function originsOfValues(values: ts.Expression[] | null, kind: BufferRef['kind']): Pick<BufferRef, 'bytes' | 'origin'> {
  if (values === null) return origins(null, kind);
  const each = values.map((v) => origins(v, kind));
  const sizes = each.map((o) => o.bytes);
  const bytes = sizes.every((b): b is number => b !== null) ? Math.max(...sizes) : null;
  const origin = each.every((o) => o.origin === each[0]!.origin) ? each[0]!.origin : 'unknown';
  return { bytes, origin };
}

/** `a` for `a`, `a.b.c`, `(a as T)`. */
export function rootIdentifier(e: ts.Expression): ts.Identifier | null {
  let cur: ts.Expression = e;
  for (;;) {
    cur = skipParens(cur);
    if (ts.isIdentifier(cur)) return cur;
    if (ts.isPropertyAccessExpression(cur) || ts.isElementAccessExpression(cur)) cur = cur.expression;
    else if (ts.isAsExpression(cur) || ts.isNonNullExpression(cur)) cur = cur.expression;
    else return null;
  }
}

/** Identifiers and property chains: safe to repeat in a transfer list. */
function isSimple(e: ts.Expression): boolean {
  const s = skipParens(e);
  return (
    ts.isIdentifier(s) ||
    (ts.isPropertyAccessExpression(s) && isSimple(s.expression)) ||
    s.kind === ts.SyntaxKind.ThisKeyword
  );
}

function skipParens(e: ts.Expression): ts.Expression {
  let cur = e;
  while (ts.isParenthesizedExpression(cur)) cur = cur.expression;
  return cur;
}

/** The variable an identifier names; for `{ x }` shorthand that is the variable, not the property. */
export function variableSymbol(checker: ts.TypeChecker, id: ts.Identifier): ts.Symbol | undefined {
  if (ts.isShorthandPropertyAssignment(id.parent) && id.parent.name === id) {
    return checker.getShorthandAssignmentValueSymbol(id.parent);
  }
  return checker.getSymbolAtLocation(id);
}
