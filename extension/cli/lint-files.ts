/**
 * Collects and reads the files `isoscope lint` analyzes. Every bad input (missing path, binary,
 * huge, unreadable) becomes a per-file message; other files are unaffected.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { languageOf } from '../language-server/analysis/engine';

/** Files larger than this are reported and skipped (bounded memory, bounded time). */
export const MAX_LINT_FILE_BYTES = 2 * 1024 * 1024;
const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'build', '.dart_tool', 'out', '.vscode-test']);
const MAX_FILES = 20_000;

/** A file to analyze, or why it can't be. */
export type LintInput = { type: 'file'; file: string; text: string } | { type: 'error'; file: string; message: string };

/** Expands paths (files or folders, recursively) into readable source files and per-path errors. */
export function collectLintInputs(paths: readonly string[]): LintInput[] {
  const out: LintInput[] = [];
  for (const p of paths) {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      // stat fails for missing paths and broken links alike: both are "not there" for the user.
      out.push({ type: 'error', file: p, message: 'no such file or directory' });
      continue;
    }
    if (isDir) {
      for (const file of walk(p)) if (out.length < MAX_FILES) out.push(readInput(file));
    } else if (languageOf(p) === null) {
      out.push({
        type: 'error',
        file: p,
        message: 'not a Dart, TypeScript or JavaScript file (.dart, .ts, .tsx, .js, .jsx, .mjs, .cjs)',
      });
    } else {
      out.push(readInput(p));
    }
  }
  return out;
}

function* walk(dir: string): Iterable<string> {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (err) {
    // Unreadable folder: skipped; its files simply aren't analyzed (reported by the caller's count).
    void err;
    return;
  }
  for (const name of names) {
    const full = join(dir, name);
    let isDir = false;
    try {
      isDir = statSync(full).isDirectory();
    } catch {
      // A dangling link inside a folder is not something the user asked for by name: skip it.
      continue;
    }
    if (isDir) {
      if (!SKIP_DIRS.has(name) && !name.startsWith('.')) yield* walk(full);
    } else if (languageOf(full) !== null) {
      yield full;
    }
  }
}

function readInput(file: string): LintInput {
  try {
    const size = statSync(file).size;
    if (size > MAX_LINT_FILE_BYTES) {
      return {
        type: 'error',
        file,
        message: `file too large (${(size / 1048576).toFixed(1)} MiB; the limit is 2 MiB), skipped`,
      };
    }
    const bytes = readFileSync(file);
    if (bytes.subarray(0, 8192).includes(0))
      return { type: 'error', file, message: 'binary file (contains NUL bytes), skipped' };
    return { type: 'file', file, text: bytes.toString('utf8') };
  } catch (err) {
    return { type: 'error', file, message: `cannot read: ${err instanceof Error ? err.message : String(err)}` };
  }
}
