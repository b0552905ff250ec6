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
  lstatSync,
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

/** A source file found by {@link collectLintPaths} (read later, batch by batch), or a path's problem. */
export type LintPath = { type: 'path'; file: string; size: number } | { type: 'error'; file: string; message: string };

/**
 * A short reason for a failed file system call: permission denied, a link loop, a missing path.
 * Node's own text names the call and the path (`EACCES: permission denied, scandir 'x'`), which the
 * message already has.
 */
export function fsProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ELOOP':
      return 'too many levels of symbolic links (a link loop)';
    case 'ENOTDIR':
      return 'a part of the path is not a folder';
    case 'ENAMETOOLONG':
      return 'the name is too long';
    default:
      return errorText(err);
  }
}

/** Why `stat` of a path the user named failed, telling a broken link from a missing path. */
function statProblem(path: string, err: unknown): string {
  if ((err as NodeJS.ErrnoException | null)?.code === 'ENOENT') {
    try {
      if (lstatSync(path).isSymbolicLink()) return 'broken symbolic link (its target does not exist)';
    } catch {
      // Not there at all: the plain message below.
    }
  }
  return fsProblem(err);
}

/**
 * Expands paths (files or folders, recursively) into the source files to read and per-path errors,
 * without reading any file: `readInput` reads each one when its batch comes.
 */
export function collectLintPaths(paths: readonly string[]): LintPath[] {
  const out: LintPath[] = [];
  // Each real folder is walked once and each real file read once, however many links lead there.
  const seenDirs = new Set<string>();
  const seenFiles = new Set<string>();
  const firstVisit = (seen: Set<string>, st: Stats): boolean => {
    const key = `${st.dev}:${st.ino}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };
  let files = 0;
  for (const p of paths) {
    let st: Stats;
    try {
      st = statSync(p);
    } catch (err) {
      out.push({ type: 'error', file: p, message: statProblem(p, err) });
      continue;
    }
    if (st.isDirectory()) {
      if (!firstVisit(seenDirs, st)) continue;
      for (const found of walk(p, seenDirs)) {
        if ('problem' in found) {
          out.push({ type: 'error', file: found.folder, message: found.problem });
          continue;
        }
        if (files >= MAX_FILES) {
          out.push({ type: 'error', file: p, message: `more than ${MAX_FILES} files; the rest were skipped` });
          break;
        }
        if (firstVisit(seenFiles, found.stat)) {
          files++;
          out.push({ type: 'path', file: found.file, size: found.stat.size });
        }
      }
    } else if (languageOf(p) === null) {
      out.push({ type: 'error', file: p, message: `not a Dart, TypeScript or JavaScript file (${SOURCE_EXTENSIONS})` });
    } else if (firstVisit(seenFiles, st)) {
      files++;
      out.push({ type: 'path', file: p, size: st.size });
    }
  }
  return out;
}

/** What the walk finds: a source file with its stat, or a folder (or entry) it could not read. */
type Found = { file: string; stat: Stats } | { folder: string; problem: string };

/**
 * Source files under `dir` (links followed), each with its stat; folders already in `seenDirs` are
 * skipped. A folder or entry that can't be read is yielded as a problem: a lint that silently
 * skipped a folder it may not enter would pass without having looked.
 */
function* walk(dir: string, seenDirs: Set<string>): Iterable<Found> {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (err) {
    yield { folder: dir, problem: `cannot read this folder (${fsProblem(err)}); its files were not analyzed` };
    return;
  }
  for (const name of names) {
    const full = join(dir, name);
    let st: Stats;
    try {
      st = statSync(full);
    } catch (err) {
      // A dangling or looping link inside a folder points nowhere, and the user did not name it:
      // skip it. Anything else (no permission to look) would hide a file from the lint.
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ELOOP' && (languageOf(full) !== null || !name.includes('.'))) {
        yield { folder: full, problem: `cannot read (${fsProblem(err)}); not analyzed` };
      }
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
      yield { file: full, stat: st };
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

/** Says how far over the limit a file is; in bytes when MiB would round it to the limit itself. */
const tooLarge = (bytes: number): string => {
  const mib = (bytes / 1048576).toFixed(1);
  const limitMib = (MAX_LINT_FILE_BYTES / 1048576).toFixed(1);
  return mib === limitMib
    ? `file too large (${bytes.toLocaleString('en-US')} bytes; the limit is ${MAX_LINT_FILE_BYTES.toLocaleString('en-US')} bytes, 2 MiB), skipped`
    : `file too large (${mib} MiB; the limit is 2 MiB), skipped`;
};

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
    return { type: 'error', file, message: `cannot read: ${fsProblem(err)}` };
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
