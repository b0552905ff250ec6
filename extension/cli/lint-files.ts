/**
 * Collects, reads and writes back the files `isoscope lint` analyzes. Every bad input (missing
 * path, special file, binary, huge, unreadable, unwritable) becomes a per-file message; other files
 * are unaffected.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  constants,
  fstatSync,
  ftruncateSync,
  openSync,
  readdirSync,
  readSync,
  statSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { join } from 'node:path';
import { languageOf } from '../language-server/analysis/engine';
import { MAX_ANALYZED_FILE_BYTES } from '../language-server/analyzed-files';
import { decodeSource, encodeSource, type SourceEncoding } from '../language-server/source-bytes';

/** Files larger than this are reported and skipped (bounded memory, bounded time). */
export const MAX_LINT_FILE_BYTES = MAX_ANALYZED_FILE_BYTES;
const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'build', '.dart_tool', 'out', '.vscode-test']);
const MAX_FILES = 20_000;
export const SOURCE_EXTENSIONS = '.dart, .ts, .tsx, .mts, .cts, .js, .jsx, .mjs, .cjs';

/** What was read, so a later write can check that the file did not change in between. */
export interface ReadStamp {
  size: number;
  sha256: string;
}

/** A file to analyze, or why it can't be. */
export type LintInput =
  | { type: 'file'; file: string; text: string; encoding: SourceEncoding; validUtf8: boolean; stamp: ReadStamp }
  | { type: 'error'; file: string; message: string };

/** Expands paths (files or folders, recursively) into readable source files and per-path errors. */
export function collectLintInputs(paths: readonly string[]): LintInput[] {
  const out: LintInput[] = [];
  // Each real folder is walked once and each real file read once, however many links lead there.
  const seenDirs = new Set<string>();
  const seenFiles = new Set<string>();
  const firstVisit = (seen: Set<string>, st: Stats): boolean => {
    const key = `${st.dev}:${st.ino}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };
  for (const p of paths) {
    let st: Stats;
    try {
      st = statSync(p);
    } catch {
      // stat fails for missing paths and broken links alike: both are "not there" for the user.
      out.push({ type: 'error', file: p, message: 'no such file or directory' });
      continue;
    }
    if (st.isDirectory()) {
      if (!firstVisit(seenDirs, st)) continue;
      for (const [file, fileStat] of walk(p, seenDirs)) {
        if (out.length >= MAX_FILES) {
          out.push({ type: 'error', file: p, message: `more than ${MAX_FILES} files; the rest were skipped` });
          break;
        }
        if (firstVisit(seenFiles, fileStat)) out.push(readInput(file));
      }
    } else if (languageOf(p) === null) {
      out.push({ type: 'error', file: p, message: `not a Dart, TypeScript or JavaScript file (${SOURCE_EXTENSIONS})` });
    } else if (firstVisit(seenFiles, st)) {
      out.push(readInput(p));
    }
  }
  return out;
}

/** Source files under `dir` (links followed), each with its stat; folders already in `seenDirs` are skipped. */
function* walk(dir: string, seenDirs: Set<string>): Iterable<[string, Stats]> {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    // Unreadable folder: skipped; its files simply aren't analyzed.
    return;
  }
  for (const name of names) {
    const full = join(dir, name);
    let st: Stats;
    try {
      st = statSync(full);
    } catch {
      // A dangling link inside a folder is not something the user asked for by name: skip it.
      continue;
    }
    if (st.isDirectory()) {
      if (SKIP_DIRS.has(name) || name.startsWith('.')) continue;
      const key = `${st.dev}:${st.ino}`;
      if (seenDirs.has(key)) continue; // a link back into a folder already walked (or being walked)
      seenDirs.add(key);
      yield* walk(full, seenDirs);
    } else if (languageOf(full) !== null) {
      // Special files (FIFOs, devices, sockets) are yielded too: readInput reports them by name.
      yield [full, st];
    }
  }
}

function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isDirectory()) return 'a directory';
  return 'not a regular file';
}

const tooLarge = (bytes: number): string =>
  `file too large (${(bytes / 1048576).toFixed(1)} MiB; the limit is 2 MiB), skipped`;

/**
 * Reads at most `limit` bytes from an open file, plus one more to tell whether there was more.
 * The buffer starts at the size fstat saw and grows only if the file grew since.
 */
function readBounded(fd: number, expected: number, limit: number): Buffer {
  let buf = Buffer.allocUnsafe(Math.min(limit + 1, expected + 1));
  let length = 0;
  for (;;) {
    if (length === buf.length) {
      if (buf.length > limit) break;
      const bigger = Buffer.allocUnsafe(Math.min(limit + 1, buf.length * 2));
      buf.copy(bigger, 0, 0, length);
      buf = bigger;
    }
    const n = readSync(fd, buf, length, buf.length - length, null);
    if (n === 0) break;
    length += n;
  }
  return buf.subarray(0, length);
}

const OPEN_READ = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function isValidUtf8(bytes: Buffer): boolean {
  try {
    utf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function stampOf(bytes: Buffer): ReadStamp {
  return { size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Reads a source file: only regular files, size checked before reading, the read itself bounded. */
export function readInput(file: string): LintInput {
  try {
    // stat first: opening a FIFO would block and a device could have side effects.
    const st = statSync(file);
    if (!st.isFile()) return { type: 'error', file, message: `${kindOf(st)}, not a regular file; skipped` };
    if (st.size > MAX_LINT_FILE_BYTES) return { type: 'error', file, message: tooLarge(st.size) };
    // O_NONBLOCK: if the path was swapped for a FIFO since the stat, open still returns at once.
    const fd = openSync(file, OPEN_READ);
    let bytes: Buffer;
    try {
      const fst = fstatSync(fd);
      if (!fst.isFile()) return { type: 'error', file, message: `${kindOf(fst)}, not a regular file; skipped` };
      if (fst.size > MAX_LINT_FILE_BYTES) return { type: 'error', file, message: tooLarge(fst.size) };
      bytes = readBounded(fd, fst.size, MAX_LINT_FILE_BYTES);
    } finally {
      closeSync(fd);
    }
    if (bytes.length > MAX_LINT_FILE_BYTES) return { type: 'error', file, message: tooLarge(bytes.length) };
    const decoded = decodeSource(bytes);
    if (decoded === null) return { type: 'error', file, message: 'binary file (contains NUL bytes), skipped' };
    return {
      type: 'file',
      file,
      text: decoded.text,
      encoding: decoded.encoding,
      validUtf8: decoded.encoding !== 'utf-8' || isValidUtf8(bytes),
      stamp: stampOf(bytes),
    };
  } catch (err) {
    return { type: 'error', file, message: `cannot read: ${errorText(err)}` };
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A file opened for writing back a fix, after checking it is still what lint read. */
export interface WriteTarget {
  file: string;
  fd: number;
}

/**
 * Opens `file` for writing and checks that its content still matches `stamp` (nobody edited it
 * since lint read it). Returns the open target, or why the file must not be written.
 */
export function openUnchanged(file: string, stamp: ReadStamp): WriteTarget | { error: string } {
  let fd: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) return { error: `changed while lint was running (now ${kindOf(st)}); not fixed` };
    fd = openSync(file, constants.O_RDWR | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0));
  } catch (err) {
    return { error: `cannot write: ${errorText(err)}; not fixed` };
  }
  try {
    const fst = fstatSync(fd);
    const same =
      fst.isFile() && fst.size === stamp.size && stampOf(readBounded(fd, fst.size, stamp.size)).sha256 === stamp.sha256;
    if (same) return { file, fd };
    closeSync(fd);
    return { error: 'changed on disk while lint was running; not fixed (run lint --fix again)' };
  } catch (err) {
    closeSync(fd);
    return { error: `cannot write: ${errorText(err)}; not fixed` };
  }
}

/**
 * Replaces the content of an opened target with `text`, in the encoding lint read it in, and
 * closes it. Throws on a failed write.
 */
export function writeTarget(target: WriteTarget, text: string, encoding: SourceEncoding = 'utf-8'): void {
  try {
    const bytes = encodeSource(text, encoding);
    let written = 0;
    while (written < bytes.length) written += writeSync(target.fd, bytes, written, bytes.length - written, written);
    ftruncateSync(target.fd, bytes.length);
  } finally {
    closeSync(target.fd);
  }
}

/** Closes a target that will not be written. */
export function releaseTarget(target: WriteTarget): void {
  closeSync(target.fd);
}
