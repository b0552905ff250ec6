// `isoscope lint` as a real process (dist/cli): --json shape, --fix, exit codes, bad input.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { LintOutput } from '../../protocol';
import { cliPath } from '../helpers/run-cli';

/** The CLI that package.json's `bin` names (never a stale bundle left beside it). */
const cli = cliPath;
const work = mkdtempSync(join(tmpdir(), 'isoscope-lint-'));
after(() => rmSync(work, { recursive: true, force: true }));

function lint(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, 'lint', ...args], {
    cwd: process.cwd(),
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('lint --json prints contract 5 (1-based positions, fix edits) and exits 1 on findings', () => {
  const r = lint(['--json', 'test/fixtures/lint/ts/node_pool.ts', 'test/fixtures/lint/dart/materialize_twice.dart']);
  assert.equal(r.code, 1, r.stderr);
  const out = JSON.parse(r.stdout) as LintOutput;
  const pool = out.findings.find((f) => f.file.endsWith('node_pool.ts') && f.line === 16);
  assert.ok(pool, r.stdout);
  assert.equal(pool.rule, 'copy-array-buffer');
  assert.equal(pool.column, 24);
  assert.equal(pool.severity, 'warning');
  assert.ok(pool.fix);
  assert.deepEqual(pool.fix.edits[0].range.start, { line: 16, column: 47 });
  assert.equal(pool.fix.edits[0].newText, ', [tile.buffer]');
  const twice = out.findings.find((f) => f.rule === 'materialize-twice');
  assert.equal(twice?.line, 12);
  assert.equal(out.errors, undefined);
});

test('lint exits 0 on clean files', () => {
  const r = lint(['test/fixtures/lint/ts/negatives.ts', 'test/fixtures/lint/dart/compute_json.dart']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /0 finding\(s\) in 2 file\(s\)/);
});

test('lint --fix rewrites files to the expected output, then reports what remains', () => {
  const dir = join(work, 'fix');
  cpSync('test/fixtures/lint/ts', dir, { recursive: true });
  cpSync('test/fixtures/lint/dart/materialize_twice.dart', join(dir, 'materialize_twice.dart'));
  const r = lint(['--fix', '--json', dir]);
  const out = JSON.parse(r.stdout) as LintOutput;
  for (const name of ['node_pool.ts', 'channel_pipeline.ts', 'materialize_twice.dart']) {
    const expected = readFileSync(join('test/fixtures/lint/expected', name.replace(/(\.\w+)$/, '.fixed$1')), 'utf8');
    assert.equal(readFileSync(join(dir, name), 'utf8'), expected, name);
  }
  // BroadcastChannel can't transfer: that finding remains, so the exit code stays 1.
  assert.ok(out.findings.some((f) => f.message.includes('BroadcastChannel')));
  assert.equal(r.code, 1);
});

test('lint --fix on a fully fixable file exits 0 afterwards', () => {
  const file = join(work, 'only.ts');
  cpSync('test/fixtures/lint/ts/node_pool.ts', file);
  assert.equal(lint(['--fix', file]).code, 0);
  assert.equal(lint([file]).code, 0);
});

test('bad input: missing, binary, huge and unparsable files each get a message; others are unaffected', () => {
  const binary = join(work, 'blob.ts');
  writeFileSync(binary, Buffer.from([0x00, 0x01, 0x02, 0xff, 0x00]));
  const huge = join(work, 'huge.ts');
  writeFileSync(huge, 'export const x = 1;\n'.repeat(150_000));
  const broken = join(work, 'broken.dart');
  writeFileSync(broken, 'void main( {\n  final x = ;\n');
  const missing = join(work, 'nope.dart');
  const r = lint(['--json', binary, huge, broken, missing, 'test/fixtures/lint/ts/node_pool.ts']);
  assert.equal(r.code, 1);
  const out = JSON.parse(r.stdout) as LintOutput;
  const messageFor = (f: string): string => out.errors?.find((e) => e.file === f)?.message ?? '';
  assert.match(messageFor(binary), /binary/);
  assert.match(messageFor(huge), /too large/);
  assert.match(messageFor(broken), /does not parse/);
  assert.match(messageFor(missing), /no such file/);
  assert.equal(
    out.findings.filter((f) => f.file.endsWith('node_pool.ts')).length,
    2,
    'the good file is still analyzed',
  );
});

test('bad usage exits 2 with the usage text', () => {
  const none = lint([]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /Usage:/);
  const unknown = lint(['--frobnicate', 'x.ts']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown option '--frobnicate'/);
});

test('declaration files (.d.mts, .d.cts, .d.css.ts) in a folder are skipped, and the run still prints JSON', () => {
  const dir = mkdtempSync(join(work, 'decl-'));
  writeFileSync(
    join(dir, 'a.ts'),
    "import { MessageChannel } from 'node:worker_threads';\nconst { port1 } = new MessageChannel();\nexport function f() { const big = new Uint8Array(1 << 20); port1.postMessage(big); }\n",
  );
  for (const name of ['env.d.mts', 'legacy.d.cts', 'styles.module.d.css.ts'])
    writeFileSync(join(dir, name), 'export declare const x: number;\n');
  const r = lint(['--json', dir]);
  assert.equal(r.code, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /Debug Failure/);
  const out = JSON.parse(r.stdout) as LintOutput;
  assert.deepEqual(
    out.findings.map((f) => f.file.slice(dir.length + 1)),
    ['a.ts'],
  );
  assert.equal(out.errors, undefined);
});
