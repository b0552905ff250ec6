/**
 * The TS/JS program the analyzer asks for types: a long-lived `ts.LanguageService` with script
 * versions, so an edit re-parses (incrementally) and re-binds only the edited file, while the lib
 * and `@types/node` SourceFiles stay cached in the document registry across programs.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import ts from 'typescript';
import { unchangedEnds } from '../text-change';
import { childCovering } from './nodes';
import type { FileMemory } from './statement-reuse';
import { isTrimmedNodeType, libDir, typeRoots, TS_LIBS, WEB_SHIM_FILE, WEB_SHIM_TEXT } from './libs';

/** A file's text with the range changed since the previous version (for incremental parsing). */
class EditedSnapshot implements ts.IScriptSnapshot {
  constructor(
    readonly text: string,
    private previous: EditedSnapshot | null,
  ) {}
  getText(start: number, end: number): string {
    return this.text.substring(start, end);
  }
  getLength(): number {
    return this.text.length;
  }
  getChangeRange(old: ts.IScriptSnapshot): ts.TextChangeRange | undefined {
    // Only the step from the version right before is known; anything else reparses fully.
    if (old !== this.previous || !this.previous) return undefined;
    return changeRange(this.previous.text, this.text);
  }
  /** Drops the link to the previous text once the registry has used it (bounded memory). */
  release(): void {
    this.previous = null;
  }
}

function changeRange(before: string, after: string): ts.TextChangeRange {
  const { start, tail } = unchangedEnds(before, after);
  return ts.createTextChangeRange(ts.createTextSpan(start, before.length - tail - start), after.length - tail - start);
}

/** A file read from disk (libs, @types, imported workspace modules), kept while its mtime holds. */
interface DiskFile {
  mtimeMs: number;
  snapshot: ts.IScriptSnapshot;
}

/** A long-lived, incrementally updated TS project holding the files the analyzer looks at. */
export class TsProject {
  private readonly texts = new Map<string, { snapshot: EditedSnapshot; version: number }>();
  private readonly disk = new Map<string, DiskFile | null>();
  private readonly service: ts.LanguageService;
  private readonly lib: string | null;
  private readonly roots: string[];
  /** Bumped by every change to any file: a finding's lazy fixes check it before reusing nodes. */
  generation = 0;
  /** The analyzer's memory of each file's last analysis (see statement-reuse.ts). */
  readonly memories = new Map<string, FileMemory>();
  /** Changes per file (kept across removal), to tell a file's own edits from everyone else's. */
  private readonly ownChanges = new Map<string, number>();
  /** Disk files (imported modules) seen to change or vanish. */
  private diskChanges = 0;
  readonly options: ts.CompilerOptions;

  constructor(workspaceRoots: readonly string[] = []) {
    this.lib = libDir();
    this.roots = typeRoots(workspaceRoots);
    this.options = {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      allowJs: true,
      checkJs: false,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      lib: TS_LIBS,
      types: this.roots.length > 0 ? ['node'] : [],
      typeRoots: this.roots,
    };
    const host: ts.LanguageServiceHost = {
      getCompilationSettings: () => this.options,
      getScriptFileNames: () => [WEB_SHIM_FILE, ...this.texts.keys()],
      getScriptVersion: (f) => {
        const own = this.texts.get(f);
        if (own) return String(own.version);
        return String(this.diskFile(f)?.mtimeMs ?? 0);
      },
      getScriptSnapshot: (f) => this.texts.get(f)?.snapshot ?? this.diskFile(f)?.snapshot,
      getCurrentDirectory: () => workspaceRoots[0] ?? process.cwd(),
      getDefaultLibFileName: (o) =>
        this.lib ? join(this.lib, ts.getDefaultLibFileName(o)) : ts.getDefaultLibFilePath(o),
      fileExists: (f) => this.texts.has(f) || f === WEB_SHIM_FILE || existsSync(f),
      readFile: (f) => this.texts.get(f)?.snapshot.text ?? this.readText(f),
      directoryExists: (d) => existsSync(d),
      getDirectories: ts.sys.getDirectories,
      // JSDoc carries types only in JS files; skipping it elsewhere makes lib and big-file parses cheaper.
      jsDocParsingMode: ts.JSDocParsingMode.ParseForTypeInfo,
    };
    this.service = ts.createLanguageService(
      host,
      ts.createDocumentRegistry(ts.sys.useCaseSensitiveFileNames, host.getCurrentDirectory(), host.jsDocParsingMode),
    );
  }

  /** Sets (or updates) a file's text; unchanged text keeps the cached program. */
  setFile(file: string, text: string): void {
    const old = this.texts.get(file);
    if (old && old.snapshot.text === text) return;
    const previous = old ? old.snapshot : null;
    this.texts.set(file, { snapshot: new EditedSnapshot(text, previous), version: (old?.version ?? 0) + 1 });
    this.noteChange(file);
  }

  /** Forgets a file (closed and not part of the workspace scan). */
  removeFile(file: string): void {
    if (this.texts.delete(file)) this.noteChange(file);
    this.memories.delete(file);
  }

  /** Changes to anything but `file` so far: equal stamps mean the rest of the project is as it was. */
  changeStamp(file: string): string {
    return `${this.generation - (this.ownChanges.get(file) ?? 0)}:${this.diskChanges}`;
  }

  private noteChange(file: string): void {
    this.generation++;
    this.ownChanges.set(file, (this.ownChanges.get(file) ?? 0) + 1);
  }

  /** How many files (besides the web shim) the program is built from. */
  fileCount(): number {
    return this.texts.size;
  }

  /** The text the project holds for a file. */
  textOf(file: string): string | undefined {
    return this.texts.get(file)?.snapshot.text;
  }

  /** The version of a file's text (0 when the project doesn't hold it). */
  versionOf(file: string): number {
    return this.texts.get(file)?.version ?? 0;
  }

  /** The current program (rebuilt incrementally by the language service). */
  program(): ts.Program {
    const program = this.service.getProgram();
    if (!program) throw new Error('TypeScript program unavailable');
    // The registry has taken the incremental step: drop the old texts the snapshots linked to.
    for (const entry of this.texts.values()) entry.snapshot.release();
    return program;
  }

  /** Frees the language service. */
  dispose(): void {
    this.service.dispose();
  }

  private isInstalled(f: string): boolean {
    return (
      (this.lib !== null && f.startsWith(this.lib)) ||
      this.roots.some((r) => f.startsWith(r)) ||
      f.includes(`${sep}node_modules${sep}`)
    );
  }

  private readText(f: string): string | undefined {
    if (f === WEB_SHIM_FILE) return WEB_SHIM_TEXT;
    if (isTrimmedNodeType(f, this.roots)) return existsSync(f) ? '' : undefined;
    return existsSync(f) ? readFileSync(f, 'utf8') : undefined;
  }

  /**
   * Disk files are read once and re-read only when their mtime changes (not on every program).
   * Libs and installed packages are taken as fixed for the session: no stat per program either.
   */
  private diskFile(f: string): DiskFile | null {
    const known = this.disk.get(f);
    if (known !== undefined && (f === WEB_SHIM_FILE || this.isInstalled(f))) return known;
    if (f === WEB_SHIM_FILE) {
      const shim = { mtimeMs: 1, snapshot: ts.ScriptSnapshot.fromString(WEB_SHIM_TEXT) };
      this.disk.set(f, shim);
      return shim;
    }
    let mtimeMs: number;
    try {
      mtimeMs = statSync(f).mtimeMs;
    } catch {
      // Gone (or never there): the program treats the file as missing.
      if (this.disk.get(f)) this.diskChanges++;
      this.disk.delete(f);
      return null;
    }
    if (known && known.mtimeMs === mtimeMs) return known;
    if (known) this.diskChanges++;
    const text = this.readText(f);
    const entry = text === undefined ? null : { mtimeMs, snapshot: ts.ScriptSnapshot.fromString(text) };
    this.disk.set(f, entry);
    return entry;
  }
}

/** Number of syntax errors in a TS/JS text: the "parses no worse" measure for rewritten files. */
export function tsSyntaxErrorCount(file: string, text: string): number {
  const bases = syntaxBases.get(file) ?? [];
  for (const base of bases) {
    if (base.text === text) return base.count;
    const delta = regionDelta(base, text);
    if (delta !== null) return base.count + delta;
  }
  // No parsed text this one is a small edit of: count in full, and keep it as a base for the next.
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, false, scriptKindOf(file));
  const count = fullSyntaxErrorCount(file, sf);
  bases.unshift({ file, text, count, sf });
  if (bases.length > 2) bases.pop();
  syntaxBases.delete(file);
  syntaxBases.set(file, bases);
  // A few files at most: the batch fixer verifies one file's fixes after another.
  for (const key of syntaxBases.keys()) {
    if (syntaxBases.size <= 4) break;
    syntaxBases.delete(key);
  }
  return count;
}

/** Options of the one-file program that finds the grammar errors TypeScript reports in JS files. */
const JS_SYNTAX_OPTIONS: ts.CompilerOptions = {
  allowJs: true,
  noLib: true,
  noResolve: true,
  isolatedModules: true,
  noEmit: true,
  allowNonTsExtensions: true,
};

/** A compiler host that knows one parsed file and nothing else. */
function singleFileHost(file: string, sf: ts.SourceFile): ts.CompilerHost {
  return {
    getSourceFile: (f) => (f === file ? sf : undefined),
    writeFile: () => undefined,
    getDefaultLibFileName: () => 'lib.d.ts',
    useCaseSensitiveFileNames: () => true,
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => '',
    getNewLine: () => '\n',
    fileExists: (f) => f === file,
    readFile: () => undefined,
  };
}

/**
 * The syntax errors TypeScript's own transpile reports for a file, without its emit (which took
 * ~85 % of that time, ~64 % of a whole `isoscope lint` run): the parse errors, deduplicated as a
 * program reports them, and in JS files the grammar errors TypeScript reports there (type
 * annotations, `<T>` casts…). Counted alike to `ts.transpileModule` on 1,775 texts (this repo's
 * sources and fixtures, each also cut in half or with a brace or a type added), 7.5× faster.
 */
function fullSyntaxErrorCount(file: string, sf: ts.SourceFile): number {
  const parse = (sf as unknown as { parseDiagnostics?: readonly ts.Diagnostic[] }).parseDiagnostics ?? [];
  const kind = scriptKindOf(file);
  if (kind === ts.ScriptKind.TS || kind === ts.ScriptKind.TSX) return ts.sortAndDeduplicateDiagnostics(parse).length;
  try {
    return ts.createProgram([file], JS_SYNTAX_OPTIONS, singleFileHost(file, sf)).getSyntacticDiagnostics(sf).length;
  } catch {
    // Never seen to throw; the parse errors alone are still a fair measure.
    return ts.sortAndDeduplicateDiagnostics(parse).length;
  }
}

/** A fully counted text, parsed, that other texts of the file are counted as edits of. */
interface SyntaxBase {
  file: string;
  text: string;
  count: number;
  sf: ts.SourceFile;
}

const syntaxBases = new Map<string, SyntaxBase[]>();

/**
 * Verifying each fix of a file used to re-transpile the whole rewritten file (quadratic in the
 * file's size for a file with many findings). A fix edits one statement: when `text` differs from
 * the base only inside one statement of a statement list, the change in the error count is the
 * change in that statement's own count (parsed alone, before and after). Null when the edit is
 * not confined to one statement.
 */
function regionDelta(base: SyntaxBase, text: string): number | null {
  if (Math.abs(text.length - base.text.length) > 64 * 1024) return null;
  const { start, tail } = unchangedEnds(base.text, text);
  const end = base.text.length - tail;
  const statement = innermostStatement(base.sf, start, end);
  if (!statement) return null;
  const from = statement.getStart(base.sf);
  const to = statement.getEnd();
  const growth = text.length - base.text.length;
  const before = base.text.slice(from, to);
  const after = text.slice(from, to + growth);
  return regionErrorCount(base.file, after) - regionErrorCount(base.file, before);
}

/** Parse errors of a statement's text parsed alone (the delta of two of these is what matters). */
function regionErrorCount(file: string, text: string): number {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, false, scriptKindOf(file));
  // parseDiagnostics is internal but long-standing; without it, the full count (same measure).
  const parsed = (sf as unknown as { parseDiagnostics?: readonly unknown[] }).parseDiagnostics;
  return parsed ? parsed.length : fullSyntaxErrorCount(file, sf);
}

/**
 * The innermost statement that is an element of a statement list (file, block, module block,
 * case clause) and contains [start, end) strictly inside its text (an edit at its very start or
 * end could merge it with a neighbour).
 */
function innermostStatement(sf: ts.SourceFile, start: number, end: number): ts.Statement | null {
  let found: ts.Statement | null = null;
  const inside = (n: ts.Node): boolean => n.getStart(sf) < start && end < n.getEnd();
  const lists = (n: ts.Node): ts.NodeArray<ts.Statement> | null => {
    if (ts.isSourceFile(n) || ts.isBlock(n) || ts.isModuleBlock(n)) return n.statements;
    if (ts.isCaseClause(n) || ts.isDefaultClause(n)) return n.statements;
    return null;
  };
  let node: ts.Node = sf;
  for (;;) {
    const child = childCovering(node, start, end);
    if (!child) return found;
    // A statement of this node's statement list (not, say, a case clause's expression).
    const list = lists(node);
    if (list && list.pos <= child.pos && child.end <= list.end && inside(child)) found = child as ts.Statement;
    node = child;
  }
}

function scriptKindOf(file: string): ts.ScriptKind {
  if (/\.tsx$/.test(file)) return ts.ScriptKind.TSX;
  if (/\.(c|m)?ts$/.test(file)) return ts.ScriptKind.TS;
  if (/\.jsx$/.test(file)) return ts.ScriptKind.JSX;
  return ts.ScriptKind.JS;
}
