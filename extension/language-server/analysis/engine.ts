/**
 * The analysis engine shared by the language server and `isoscope lint`: keeps file texts, runs
 * the Dart or TS/JS analyzer by file kind, and withholds any fix whose result would parse worse
 * than the file does now.
 */
import type { Parser } from 'web-tree-sitter';
import type { Bytes } from '../../../protocol';
import { analyzeDart, type DartSource } from '../dart/analyzer';
import { dartErrorCount, loadDartParser, treeErrorCount, type DartWasmPaths } from '../dart/tree-sitter';
import { DartTrees } from '../dart/trees';
import { analyzeTs } from '../ts/analyzer';
import { TsProject, tsSyntaxErrorCount } from '../ts/project';
import { applyEdits, DEFAULT_OVERSIZED_BYTES, type Fix, type RuntimeHint, type StaticFinding } from './types';

/** Which analyzer handles a file, by extension. */
export type FileLanguage = 'dart' | 'ts';

/**
 * Declaration files (`x.d.ts`, `x.d.mts`, `x.d.cts`, `x.d.css.ts`): types only, no sends, and
 * TypeScript refuses to transpile them (it throws), so they are not analyzed.
 */
const DECLARATION_FILE = /\.d(\.[^./\\]+)?\.[mc]?ts$/;

/** The analyzer for a path, or null for files Isoscope doesn't analyze. */
export function languageOf(file: string): FileLanguage | null {
  if (file.endsWith('.dart')) return 'dart';
  if (/\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/.test(file) && !DECLARATION_FILE.test(file)) return 'ts';
  return null;
}

/** Options of {@link AnalysisEngine}. */
export interface EngineOptions {
  workspaceRoots?: readonly string[];
  dartWasm?: DartWasmPaths;
  oversizedBytes?: Bytes;
}

/** Holds texts and analyzers for a set of files (a workspace or a lint run). */
export class AnalysisEngine {
  private readonly texts = new Map<string, string>();
  /** TS/JS files set with {@link setPassiveFile}: in the program only while admitted. */
  private readonly passive = new Set<string>();
  /** Passive files in the program now. */
  private readonly admitted = new Set<string>();
  private readonly ts: TsProject;
  private parser: Parser | null = null;
  private trees: DartTrees | null = null;
  /** Syntax error count of each file's current text (fix verification asks for it once per fix). */
  private readonly errorCounts = new Map<string, { text: string; count: number }>();
  oversizedBytes: Bytes;

  constructor(private readonly options: EngineOptions = {}) {
    this.ts = new TsProject(options.workspaceRoots ?? []);
    this.oversizedBytes = options.oversizedBytes ?? DEFAULT_OVERSIZED_BYTES;
  }

  /** Loads the Dart grammar (wasm); call once before analyzing Dart files. */
  async init(): Promise<void> {
    this.parser = await loadDartParser(this.options.dartWasm);
    this.trees ??= new DartTrees(this.parser);
  }

  /** Sets a file's current text (open editor buffer, or a file lint analyzes): it stays in the TS program. */
  setFile(file: string, text: string): void {
    this.texts.set(file, text);
    this.passive.delete(file);
    this.admitted.delete(file);
    if (languageOf(file) === 'ts') this.ts.setFile(file, text);
  }

  /**
   * Sets the text of a file that is not open (the workspace scan, a closed file, a change on disk).
   * A TS/JS file set this way joins the TypeScript program only while it is analyzed (see
   * {@link admit}): one program over a whole workspace grows to ~60-170 bytes of heap per byte of
   * source, which a big monorepo does not fit. Open files still get its types: imports are read
   * from disk. Dart texts are kept as they are (their analysis looks across Dart files).
   */
  setPassiveFile(file: string, text: string): void {
    this.texts.set(file, text);
    if (languageOf(file) !== 'ts') return;
    this.passive.add(file);
    if (this.admitted.has(file)) this.ts.setFile(file, text);
    else this.ts.removeFile(file);
  }

  /**
   * Puts passive files into the TS program together (one program for a batch of them, rather than
   * one per file) until the returned function is called.
   */
  admit(files: readonly string[]): () => void {
    const added: string[] = [];
    for (const file of files) {
      const text = this.texts.get(file);
      if (!this.passive.has(file) || this.admitted.has(file) || text === undefined) continue;
      this.admitted.add(file);
      this.ts.setFile(file, text);
      added.push(file);
    }
    return () => {
      for (const file of added) {
        // Opened (resident) or forgotten meanwhile: no longer this batch's to take out.
        if (!this.admitted.delete(file) || !this.passive.has(file)) continue;
        this.ts.removeFile(file);
      }
    };
  }

  /** How many TS/JS files the program holds now (open and lint files, and admitted passive ones). */
  programFileCount(): number {
    return this.ts.fileCount();
  }

  /** Forgets a file. */
  removeFile(file: string): void {
    this.texts.delete(file);
    this.passive.delete(file);
    this.admitted.delete(file);
    this.errorCounts.delete(file);
    this.trees?.forget(file);
    this.ts.removeFile(file);
  }

  /** The text the engine holds for a file. */
  textOf(file: string): string | undefined {
    return this.texts.get(file);
  }

  /** Analyzes one file that was set before. Fixes are verified (see {@link verifyFix}). */
  analyze(file: string, runtimeHints: readonly RuntimeHint[] = []): StaticFinding[] {
    const text = this.texts.get(file);
    if (text === undefined) return [];
    const opts = { oversizedBytes: this.oversizedBytes, runtimeHints };
    switch (languageOf(file)) {
      case 'dart':
        return analyzeDart(file, text, {
          parser: this.requireParser(),
          trees: this.requireTrees(),
          opts,
          workspace: () => this.dartSources(),
        });
      case 'ts': {
        if (!this.passive.has(file)) return analyzeTs(this.ts, file, opts);
        const release = this.admit([file]);
        try {
          // A finding's lazy fixes hold its program (nodes, checker): kept for a file that is not
          // open, they would keep every batch's program alive. Such a file gets its fixes once it
          // is opened (code actions are asked for open files only, and opening re-analyzes it).
          return analyzeTs(this.ts, file, opts).map(
            ({ rule, severity, file: at, start, end, message, bytes }): StaticFinding => ({
              rule,
              severity,
              file: at,
              start,
              end,
              message,
              bytes,
              fixes: [],
            }),
          );
        } finally {
          release();
        }
      }
      case null:
        return [];
    }
  }

  /** Syntax errors of a text for the file's language (ERROR/MISSING nodes, or TS syntax diagnostics). */
  syntaxErrors(file: string, text: string): number {
    const known = this.errorCounts.get(file);
    if (known && known.text === text) return known.count;
    const count = this.countSyntaxErrors(file, text);
    // Only the file's current text is remembered: rewritten texts are checked once each.
    if (text === this.texts.get(file)) this.errorCounts.set(file, { text, count });
    return count;
  }

  private countSyntaxErrors(file: string, text: string): number {
    if (languageOf(file) !== 'dart') return tsSyntaxErrorCount(file, text);
    const kept = this.trees?.peek(file, text);
    return kept ? treeErrorCount(kept) : dartErrorCount(this.requireParser(), text);
  }

  /** The fix, or null when any file it edits would parse worse afterwards (the fix is withheld). */
  verifyFix(fix: Fix): Fix | null {
    const files = new Set(fix.edits.map((e) => e.file));
    for (const file of files) {
      const before = this.texts.get(file);
      if (before === undefined) return null;
      const after = applyEdits(
        before,
        fix.edits.filter((e) => e.file === file),
      );
      // The file's own text first: counted in full once, it is the base every fix's rewrite is
      // counted as a one-statement edit of (rewrite first made each fix count its file in full).
      const beforeCount = this.syntaxErrors(file, before);
      if (this.syntaxErrors(file, after) > beforeCount) return null;
    }
    return fix;
  }

  private *dartSources(): Iterable<DartSource> {
    for (const [file, text] of this.texts) if (file.endsWith('.dart')) yield { file, text };
  }

  private requireTrees(): DartTrees {
    if (!this.trees) throw new Error('AnalysisEngine.init() was not awaited before analyzing Dart');
    return this.trees;
  }

  private requireParser(): Parser {
    if (!this.parser) throw new Error('AnalysisEngine.init() was not awaited before analyzing Dart');
    return this.parser;
  }

  /** Frees the TypeScript language service and the kept Dart trees. */
  dispose(): void {
    this.trees?.dispose();
    this.ts.dispose();
  }
}
