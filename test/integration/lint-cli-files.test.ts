// `isoscope lint` file handling, as a real process (dist/cli) on real files: special files, link
// loops, invalid UTF-8, files edited during --fix, unwritable files, CRLF files, argument parsing.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  rmdirSync,
  statSync,
  symlinkSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { LintOutput } from '../../protocol';
import { cliPath } from '../helpers/run-cli';
import { collectLintPaths, openUnchanged, readInput, releaseTarget, writeTarget } from '../../extension/cli/lint-files';
import { lineEndingOf, withLineEnding } from '../../extension/language-server/analysis/eol';

/** The CLI that package.json's `bin` names (never a stale bundle left beside it). */
const cli = cliPath;
mkdirSync('/tmp/lintfix-tests', { recursive: true });
const work = mkdtempSync('/tmp/lintfix-tests/run-');
const immutable: string[] = [];
after(() => {
  for (const f of immutable) spawnSync('chattr', ['-i', f]);
  rmSync(work, { recursive: true, force: true });
});

/** A file with one fixable finding (copy-array-buffer on a Worker, fixed by a transfer list). */
const FIXABLE = readFileSync('test/fixtures/lint/ts/node_pool.ts', 'utf8');

function lint(args: string[], timeout = 60_000): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, 'lint', ...args], { encoding: 'utf8', timeout });
  assert.equal(r.error, undefined, `lint ${args.join(' ')} did not finish: ${String(r.error)}`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function lintJson(args: string[]): { code: number | null; out: LintOutput; stderr: string } {
  const r = lint(['--json', ...args]);
  let out: LintOutput;
  try {
    out = JSON.parse(r.stdout) as LintOutput;
  } catch {
    assert.fail(`no JSON on stdout (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  return { code: r.code, out, stderr: r.stderr };
}

const fresh = (name: string): string => {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  return dir;
};
const errorFor = (out: LintOutput, file: string): string => out.errors?.find((e) => e.file === file)?.message ?? '';

test('a FIFO, passed by name or found in a folder, is reported and does not hang the run', () => {
  const dir = fresh('fifo');
  const pipe = join(dir, 'pipe.ts');
  execFileSync('mkfifo', [pipe]);
  writeFileSync(join(dir, 'good.ts'), FIXABLE);
  const direct = lintJson([pipe, join(dir, 'good.ts')]);
  assert.match(errorFor(direct.out, pipe), /FIFO, not a regular file/);
  assert.ok(
    direct.out.findings.some((f) => f.file.endsWith('good.ts')),
    'the other file is still analyzed',
  );
  assert.equal(direct.code, 1);
  const walked = lintJson([dir]);
  assert.match(errorFor(walked.out, pipe), /FIFO, not a regular file/);
  assert.ok(walked.out.findings.some((f) => f.file.endsWith('good.ts')));
});

test('a link to /dev/zero is reported as a device, not read until memory runs out', () => {
  const dir = fresh('zero');
  const zero = join(dir, 'z.ts');
  symlinkSync('/dev/zero', zero);
  const direct = lintJson([zero]);
  assert.match(errorFor(direct.out, zero), /character device, not a regular file/);
  assert.equal(direct.code, 1);
  const walked = lintJson([dir]);
  assert.match(errorFor(walked.out, zero), /character device/);
});

test('readInput reads a regular file only up to the limit', () => {
  const dir = fresh('bounded');
  const file = join(dir, 'big.ts');
  writeFileSync(file, 'x'.repeat(2 * 1024 * 1024 + 1));
  const r = readInput(file);
  assert.equal(r.type, 'error');
  assert.match(r.type === 'error' ? r.message : '', /too large/);
});

test('links back into a folder are walked once: no endless walk, no repeated files', () => {
  const d = fresh('loops/d');
  writeFileSync(join(d, 'a.ts'), FIXABLE);
  symlinkSync('.', join(d, 'l1'));
  symlinkSync('.', join(d, 'l2'));
  const r = lintJson([d]);
  const files = new Set(r.out.findings.map((f) => f.file));
  assert.deepEqual([...files], [join(d, 'a.ts')]);
  assert.equal(r.out.findings.length, 2, JSON.stringify(r.out.findings.map((f) => f.file)));

  const src = fresh('loops2/src');
  writeFileSync(join(src, 'b.ts'), FIXABLE);
  symlinkSync('..', join(src, 'loop'));
  const r2 = lintJson([src]);
  assert.equal(r2.out.findings.length, 2, JSON.stringify(r2.out.findings.map((f) => f.file)));
  assert.equal(collectLintPaths([src, src, join(src, 'b.ts')]).length, 1, 'each real file once per run');
});

test('--fix leaves a file that is not valid UTF-8 untouched and says so; it is still analyzed', () => {
  const dir = fresh('utf8');
  const file = join(dir, 'latin1.ts');
  const bytes = Buffer.concat([Buffer.from('// caf'), Buffer.from([0xe9, 0xff, 0xfe]), Buffer.from(`\n${FIXABLE}`)]);
  writeFileSync(file, bytes);
  const r = lintJson(['--fix', file]);
  assert.deepEqual(readFileSync(file), bytes, 'the file was not rewritten');
  assert.match(errorFor(r.out, file), /not valid UTF-8; not fixed/);
  assert.ok(
    r.out.findings.some((f) => f.file === file),
    'analysis still ran',
  );
  assert.equal(r.code, 1);
});

test('lint --fix does not overwrite a file edited while the run was going on', async (t) => {
  const dir = fresh('race-cli');
  const file = join(dir, 'edited.ts');
  writeFileSync(file, FIXABLE);
  // An access time older than the mtime: the CLI's read moves it (relatime), which tells us when
  // the file has been read. The fix is written only after the engine started and analyzed (seconds).
  const mtime = statSync(file).mtime;
  utimesSync(file, new Date(mtime.getTime() - 3_600_000), mtime);
  const atime = statSync(file).atimeMs;
  const child = spawn(process.execPath, [cli, 'lint', '--fix', '--json', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 30_000;
  while (statSync(file).atimeMs === atime && Date.now() < deadline && child.exitCode === null)
    await new Promise((r) => setTimeout(r, 5));
  if (statSync(file).atimeMs === atime) {
    child.kill();
    await exited;
    return t.skip('access times are not recorded on this file system');
  }
  const edited = `${FIXABLE}// edited while lint was running\n`;
  writeFileSync(file, edited);
  const code = await exited;
  assert.equal(readFileSync(file, 'utf8'), edited, 'the edit was kept');
  const out = JSON.parse(stdout) as LintOutput;
  assert.match(errorFor(out, file), /changed on disk while lint was running; not fixed/);
  assert.equal(code, 1);
});

test('a file edited after it was read is not overwritten by the fix', () => {
  const dir = fresh('race');
  const file = join(dir, 'edited.ts');
  writeFileSync(file, FIXABLE);
  const input = readInput(file);
  assert.equal(input.type, 'file');
  if (input.type !== 'file') return;
  writeFileSync(file, `${FIXABLE}// edited meanwhile\n`);
  const target = openUnchanged(file, input.stamp);
  assert.ok('error' in target);
  assert.match(target.error, /changed on disk while lint was running; not fixed/);
  assert.equal(readFileSync(file, 'utf8'), `${FIXABLE}// edited meanwhile\n`);

  // Same size, different bytes: still caught (content is compared, not only size/mtime).
  writeFileSync(file, FIXABLE);
  const again = readInput(file);
  if (again.type !== 'file') return assert.fail('not read');
  writeFileSync(file, FIXABLE.replace('tile', 'tilf'));
  assert.ok('error' in openUnchanged(file, again.stamp));

  // Unchanged: opened, written, truncated to the new length.
  writeFileSync(file, FIXABLE);
  const third = readInput(file);
  if (third.type !== 'file') return assert.fail('not read');
  const ok = openUnchanged(file, third.stamp);
  if ('error' in ok) return assert.fail(ok.error);
  writeTarget(ok, 'export {};\n');
  assert.equal(readFileSync(file, 'utf8'), 'export {};\n');
});

test('a file swapped for a directory before the write is reported, not thrown', () => {
  const dir = fresh('swap');
  const file = join(dir, 'swapped.ts');
  writeFileSync(file, FIXABLE);
  const input = readInput(file);
  if (input.type !== 'file') return assert.fail('not read');
  unlinkSync(file);
  mkdirSync(file);
  const target = openUnchanged(file, input.stamp);
  assert.ok('error' in target);
  assert.match(target.error, /not fixed/);
  rmdirSync(file);
  writeFileSync(file, FIXABLE);
  const kept = openUnchanged(file, input.stamp);
  if ('error' in kept) return assert.fail(kept.error);
  releaseTarget(kept);
});

test('one unwritable file does not abort --fix --json: it gets an error entry, the others are fixed', (t) => {
  const dir = fresh('unwritable');
  const locked = join(dir, 'a_locked.ts');
  const free = join(dir, 'b_free.ts');
  writeFileSync(locked, FIXABLE);
  writeFileSync(free, FIXABLE);
  if (spawnSync('chattr', ['+i', locked]).status !== 0) return t.skip('chattr +i is not available here');
  immutable.push(locked);
  const r = lintJson(['--fix', dir]);
  assert.match(errorFor(r.out, locked), /cannot write: .*not fixed/);
  assert.equal(readFileSync(locked, 'utf8'), FIXABLE);
  assert.equal(readFileSync(free, 'utf8'), readFileSync('test/fixtures/lint/expected/node_pool.fixed.ts', 'utf8'));
  assert.equal(r.code, 1);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  const text = lint(['--fix', locked]);
  assert.match(text.stdout, new RegExp(`^${locked}: error: cannot write: .*not fixed$`, 'm'));
  assert.equal(text.code, 1);
});

test('UTF-16 files (LE and BE, with their byte-order mark) are analyzed and fixed in their own encoding', () => {
  const dir = fresh('utf16');
  const utf8 = join(dir, 'node_pool.ts');
  writeFileSync(utf8, FIXABLE);
  const le = join(dir, 'pool_le.ts');
  const be = join(dir, 'pool_be.ts');
  const leBytes = (text: string): Buffer => Buffer.from(`\ufeff${text}`, 'utf16le');
  writeFileSync(le, leBytes(FIXABLE));
  writeFileSync(be, leBytes(FIXABLE).swap16());
  const r = lintJson([dir]);
  assert.equal(r.out.errors?.length ?? 0, 0, JSON.stringify(r.out.errors));
  const where = (file: string) =>
    r.out.findings.filter((f) => f.file === file).map((f) => `${f.rule}@${f.line}:${f.column}`);
  assert.ok(where(utf8).length > 0);
  // The mark is skipped like a UTF-8 one: the same findings at the same positions.
  assert.deepEqual(where(le), where(utf8));
  assert.deepEqual(where(be), where(utf8));
  lint(['--fix', dir]);
  const expected = readFileSync('test/fixtures/lint/expected/node_pool.fixed.ts', 'utf8');
  assert.equal(readFileSync(utf8, 'utf8'), expected);
  assert.deepEqual(readFileSync(le), leBytes(expected), 'written back as UTF-16LE with its mark');
  assert.deepEqual(readFileSync(be), leBytes(expected).swap16(), 'written back as UTF-16BE with its mark');
});

test('on CRLF files, --fix inserts CRLF line breaks (no mixed endings)', () => {
  const dir = fresh('crlf');
  const crlf = (s: string): string => s.replace(/\r?\n/g, '\r\n');
  const names = ['pooled_buffer.ts', 'channel_pipeline.ts'];
  for (const n of names) writeFileSync(join(dir, n), crlf(readFileSync(`test/fixtures/lint/ts/${n}`, 'utf8')));
  writeFileSync(
    join(dir, 'materialize_twice.dart'),
    crlf(readFileSync('test/fixtures/lint/dart/materialize_twice.dart', 'utf8')),
  );
  // The JSON edits already carry the file's line ending.
  const before = lintJson([dir]);
  const inserted = before.out.findings.flatMap((f) => f.fix?.edits ?? []).filter((e) => e.newText.includes('\n'));
  assert.ok(inserted.length > 0, 'some fix inserts a line break');
  for (const e of inserted) assert.doesNotMatch(e.newText, /(?<!\r)\n/, e.newText);

  lint(['--fix', dir]);
  for (const n of [...names, 'materialize_twice.dart']) {
    const text = readFileSync(join(dir, n), 'utf8');
    assert.doesNotMatch(text, /(?<!\r)\n/, `${n} has a bare LF`);
    const expected = readFileSync(`test/fixtures/lint/expected/${n.replace(/(\.\w+)$/, '.fixed$1')}`, 'utf8');
    assert.equal(text, crlf(expected), n);
  }
});

test('line endings: the dominant one wins; LF files keep LF', () => {
  assert.equal(lineEndingOf('a\r\nb\r\nc\n'), '\r\n');
  assert.equal(lineEndingOf('a\nb\r\nc\n'), '\n');
  assert.equal(lineEndingOf('no breaks'), '\n');
  assert.equal(withLineEnding('x\ny\r\n', '\r\n'), 'x\r\ny\r\n');
  assert.equal(withLineEnding('x\ny', '\n'), 'x\ny');
});

test('--help / -h print the lint usage and exit 0; -- ends options; an empty path is bad usage', () => {
  for (const flag of ['--help', '-h']) {
    const r = lint([flag]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Usage: isoscope lint/);
  }
  const dir = fresh('dashdash');
  writeFileSync(join(dir, '-odd.ts'), 'export {};\n');
  const ended = spawnSync(process.execPath, [cli, 'lint', '--', '-odd.ts'], { cwd: dir, encoding: 'utf8' });
  assert.equal(ended.status, 0, ended.stdout + ended.stderr);
  assert.match(ended.stdout, /0 finding\(s\) in 1 file\(s\)/);
  const empty = lint(['']);
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /lint: an empty string was given as a path/);
  assert.doesNotMatch(empty.stdout, /^: error/m);
});

test('a fix that edits two files is not half-applied when one of them cannot be written', (t) => {
  const dir = fresh('two-files');
  const worker = join(dir, 'worker.dart');
  const main = join(dir, 'main.dart');
  const workerText = `import 'dart:isolate';
import 'dart:typed_data';

void blurWorker(SendPort replyTo) {
  final Uint8List pixels = Uint8List(1024 * 1024 * 4);
  replyTo.send(pixels);
}
`;
  const mainText = `import 'dart:isolate';
import 'dart:typed_data';
import 'worker.dart';

Future<Uint8List> blur() async {
  final results = ReceivePort('blur-results');
  await Isolate.spawn(blurWorker, results.sendPort, debugName: 'blur');
  final frame = (await results.first) as Uint8List;
  results.close();
  return frame;
}
`;
  writeFileSync(worker, workerText);
  writeFileSync(main, mainText);
  const plan = lintJson([dir]);
  const files = plan.out.findings.flatMap((f) => f.fix?.edits.map((e) => e.file) ?? []);
  assert.deepEqual(new Set(files), new Set([worker, main]), 'the fix edits both files');
  if (spawnSync('chattr', ['+i', main]).status !== 0) return t.skip('chattr +i is not available here');
  immutable.push(main);
  const r = lintJson(['--fix', dir]);
  assert.match(errorFor(r.out, main), /cannot write/);
  assert.match(errorFor(r.out, worker), /not fixed: the same fix also edits .*main\.dart/);
  assert.equal(readFileSync(worker, 'utf8'), workerText, 'the sender was not changed without its receiver');
  assert.equal(r.code, 1);
});
