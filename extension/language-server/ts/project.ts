/**
 * A TypeScript LanguageService over in-memory file texts, so the TS/JS analyzer is type-aware
 * (`Worker`, `MessagePort`, `Buffer`, typed arrays) and re-checks only what changed after an edit.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ts from 'typescript';

/** Where lib.*.d.ts live: next to the bundle (dist/ts-lib) when shipped, else the typescript package. */
function libDir(): string | null {
  const candidates = [
    process.env.ISOSCOPE_TS_LIB_DIR,
    join(__dirname, 'ts-lib'),
    dirname(ts.getDefaultLibFilePath({})),
    join(process.cwd(), 'node_modules', 'typescript', 'lib'),
  ];
  return candidates.find((d): d is string => !!d && existsSync(join(d, 'lib.es2022.d.ts'))) ?? null;
}

/** `@types` folders that exist (workspace first, then ours), for Node's worker_threads types. */
function typeRoots(workspaceRoots: readonly string[]): string[] {
  const roots = [
    ...workspaceRoots.map((r) => join(r, 'node_modules', '@types')),
    join(__dirname, 'types'),
    join(process.cwd(), 'node_modules', '@types'),
  ];
  return roots.filter((r) => existsSync(join(r, 'node')));
}

/** A long-lived, incrementally updated TS project holding the files the analyzer looks at. */
export class TsProject {
  private readonly texts = new Map<string, { text: string; version: number }>();
  private readonly service: ts.LanguageService;
  readonly options: ts.CompilerOptions;

  constructor(workspaceRoots: readonly string[] = []) {
    const lib = libDir();
    const roots = typeRoots(workspaceRoots);
    this.options = {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      allowJs: true,
      checkJs: false,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
      types: roots.length > 0 ? ['node'] : [],
      typeRoots: roots,
    };
    const host: ts.LanguageServiceHost = {
      getCompilationSettings: () => this.options,
      getScriptFileNames: () => [...this.texts.keys()],
      getScriptVersion: (f) => String(this.texts.get(f)?.version ?? 0),
      getScriptSnapshot: (f) => {
        const own = this.texts.get(f);
        if (own) return ts.ScriptSnapshot.fromString(own.text);
        if (!existsSync(f)) return undefined;
        return ts.ScriptSnapshot.fromString(readFileSync(f, 'utf8'));
      },
      getCurrentDirectory: () => workspaceRoots[0] ?? process.cwd(),
      getDefaultLibFileName: (o) => (lib ? join(lib, ts.getDefaultLibFileName(o)) : ts.getDefaultLibFilePath(o)),
      fileExists: (f) => this.texts.has(f) || existsSync(f),
      readFile: (f) => this.texts.get(f)?.text ?? (existsSync(f) ? readFileSync(f, 'utf8') : undefined),
      directoryExists: (d) => existsSync(d),
      getDirectories: ts.sys.getDirectories,
    };
    this.service = ts.createLanguageService(host, ts.createDocumentRegistry());
  }

  /** Sets (or updates) a file's text; unchanged text keeps the cached program. */
  setFile(file: string, text: string): void {
    const old = this.texts.get(file);
    if (old && old.text === text) return;
    this.texts.set(file, { text, version: (old?.version ?? 0) + 1 });
  }

  /** Forgets a file (closed and not part of the workspace scan). */
  removeFile(file: string): void {
    this.texts.delete(file);
  }

  /** The current program (rebuilt incrementally by the language service). */
  program(): ts.Program {
    const program = this.service.getProgram();
    if (!program) throw new Error('TypeScript program unavailable');
    return program;
  }

  /** Frees the language service. */
  dispose(): void {
    this.service.dispose();
  }
}

/** Number of syntax errors in a TS/JS text: the "parses no worse" measure for rewritten files. */
export function tsSyntaxErrorCount(file: string, text: string): number {
  const out = ts.transpileModule(text, { fileName: file, reportDiagnostics: true, compilerOptions: { allowJs: true } });
  return out.diagnostics?.length ?? 0;
}
