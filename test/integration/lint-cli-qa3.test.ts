// `isoscope lint` as a real process on what a third QA pass tried: a big tree under a small heap,
// a folder lint may not enter, file names with control characters, a reader that goes away, and
// the wording of link and size problems.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { LintOutput } from '../../protocol';
import { LINT_BATCH_FILES } from '../../extension/cli/lint-command';
import { MAX_LINT_FILE_BYTES } from '../../extension/cli/lint-files';
import { cliPath, repoRoot } from '../helpers/run-cli';

const work = mkdtempSync(join(tmpdir(), 'isoscope-lint-qa3-'));
// Readable by the unprivileged user the permission test runs lint as.
chmodSync(work, 0o755);
after(() => rmSync(work, { recursive: true, force: true }));

const SEND = `import { Worker } from 'node:worker_threads';
export function send(w: Worker) {
  const b = new Float64Array(65536);
  w.postMessage({ b });
}
`;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function lint(args: string[], opts: { env?: NodeJS.ProcessEnv; asNobody?: boolean } = {}): Run {
  const command = [process.execPath, cliPath, 'lint', ...args];
  // As root every folder can be read: the permission test drops to `nobody` (setpriv, util-linux).
  const argv = opts.asNobody ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', ...command] : command;
  const r = spawnSync(argv[0]!, argv.slice(1), {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, ...opts.env },
    timeout: 300_000,
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

test('a tree too big for one TypeScript program in a 200 MB heap is linted in batches, every file found', () => {
  // 400 files of 200 declarations each: one program over all of them ran out of a 200 MB heap
  // (SIGABRT, nothing printed); in batches of LINT_BATCH_FILES they fit.
  const tree = join(work, 'big');
  for (let d = 0; d < 4; d++) {
    mkdirSync(join(tree, `p${d}`), { recursive: true });
    for (let i = 0; i < 100; i++) {
      let text = SEND;
      for (let k = 0; k < 200; k++) text += `export const c${k} = ${k};\n`;
      writeFileSync(join(tree, `p${d}`, `m${i}.ts`), text);
    }
  }
  assert.ok(400 > 3 * LINT_BATCH_FILES, 'the tree spans several batches');
  const r = lint(['--json', tree], { env: { NODE_OPTIONS: '--max-old-space-size=200' } });
  assert.equal(r.signal, null, r.stderr.slice(-2000));
  assert.equal(r.code, 1, r.stderr.slice(-2000));
  const out = JSON.parse(r.stdout) as LintOutput;
  assert.equal(out.findings.length, 400);
  assert.equal(new Set(out.findings.map((f) => f.file)).size, 400);
  assert.ok(
    out.findings.every((f) => f.line === 4 && f.rule === 'copy-array-buffer'),
    JSON.stringify(out.findings[0]),
  );
  assert.equal(out.errors, undefined);
});

test('a file whose type comes from a module in another batch gets the same finding as alone', () => {
  const tree = join(work, 'across');
  mkdirSync(tree, { recursive: true });
  // a-pool.ts sorts first; its receiver type is declared in z-types.ts, many batches later.
  writeFileSync(
    join(tree, 'a-pool.ts'),
    `import type { Pool } from './z-types';\nexport function go(p: Pool) {\n  const b = new Uint8Array(1 << 20);\n  p.worker.postMessage(b);\n}\n`,
  );
  for (let i = 0; i < 2 * LINT_BATCH_FILES; i++)
    writeFileSync(join(tree, `m${String(i).padStart(3, '0')}.ts`), `export const x${i} = ${i};\n`);
  writeFileSync(
    join(tree, 'z-types.ts'),
    `import type { Worker } from 'node:worker_threads';\nexport interface Pool { worker: Worker }\n`,
  );
  const whole = JSON.parse(lint(['--json', tree]).stdout) as LintOutput;
  const alone = JSON.parse(lint(['--json', join(tree, 'a-pool.ts')]).stdout) as LintOutput;
  assert.equal(alone.findings.length, 1, JSON.stringify(alone));
  assert.deepEqual(whole.findings, alone.findings);
});

test('a folder lint may not enter is a file problem (exit 1), not a silent pass', () => {
  const tree = join(work, 'locked-tree');
  mkdirSync(join(tree, 'locked'), { recursive: true });
  writeFileSync(join(tree, 'ok.ts'), 'export const fine = 1;\n');
  writeFileSync(join(tree, 'locked', 'x.ts'), SEND);
  chmodSync(join(tree, 'locked'), 0o000);
  try {
    const asRoot = process.getuid?.() === 0;
    const r = lint(['--json', tree], { asNobody: asRoot });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const out = JSON.parse(r.stdout) as LintOutput;
    assert.deepEqual(out.errors, [
      {
        file: join(tree, 'locked'),
        message: 'cannot read this folder (permission denied); its files were not analyzed',
      },
    ]);
    // Named directly, a file in that folder says why it can't be read.
    const direct = JSON.parse(
      lint(['--json', join(tree, 'locked', 'x.ts')], { asNobody: asRoot }).stdout,
    ) as LintOutput;
    assert.equal(direct.errors?.[0]?.message, 'permission denied');
  } finally {
    chmodSync(join(tree, 'locked'), 0o755);
  }
});

test('link loops, broken links and a file just over 2 MiB are named as such', () => {
  const dir = join(work, 'links');
  mkdirSync(dir, { recursive: true });
  symlinkSync('self.ts', join(dir, 'self.ts'));
  symlinkSync('missing.ts', join(dir, 'broken.ts'));
  const big = join(dir, 'big.ts');
  writeFileSync(big, `// ${'x'.repeat(MAX_LINT_FILE_BYTES + 100)}\n`);
  const out = JSON.parse(lint(['--json', join(dir, 'self.ts'), join(dir, 'broken.ts'), big]).stdout) as LintOutput;
  const messages = Object.fromEntries((out.errors ?? []).map((e) => [e.file.slice(dir.length + 1), e.message]));
  assert.deepEqual(messages, {
    'self.ts': 'too many levels of symbolic links (a link loop)',
    'broken.ts': 'broken symbolic link (its target does not exist)',
    'big.ts': `file too large (${(MAX_LINT_FILE_BYTES + 104).toLocaleString('en-US')} bytes; the limit is ${MAX_LINT_FILE_BYTES.toLocaleString('en-US')} bytes, 2 MiB), skipped`,
  });
});

test('file names with escape sequences or newlines are printed with their control characters shown', () => {
  const dir = join(work, 'names');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'esc\x1b[31mred.ts'), SEND);
  writeFileSync(join(dir, 'new\nline.ts'), SEND);
  const r = lint([dir]);
  assert.equal(r.code, 1, r.stderr);
  assert.ok(!r.stdout.includes('\x1b'), 'no escape character reaches the terminal');
  assert.match(r.stdout, /esc⟨U\+001B⟩\[31mred\.ts:4:\d+: warning/);
  assert.match(r.stdout, /new⟨U\+000A⟩line\.ts:4:\d+: warning/);
  // Every finding stays on one line that starts with its path.
  const findingLines = r.stdout.split('\n').filter((l) => l.includes('[copy-array-buffer]'));
  assert.equal(findingLines.length, 2);
  assert.ok(
    findingLines.every((l) => l.startsWith(dir)),
    r.stdout,
  );
});

test('a reader that goes away (| true) gets no stack trace; a full disk gets one line', async () => {
  const closed = await new Promise<Run>((resolve) => {
    const child = spawn(process.execPath, [cliPath, 'lint', '--json', 'test/fixtures/lint/ts'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (code, signal) => resolve({ code, signal, stdout: '', stderr }));
  });
  assert.equal(closed.stderr, '');
  assert.equal(closed.code, 1);
  const full = spawnSync(
    'sh',
    ['-c', `exec "$0" "$1" lint test/fixtures/lint/ts > /dev/full`, process.execPath, cliPath],
    {
      cwd: repoRoot,
      encoding: 'utf8',
    },
  );
  assert.equal(full.status, 1);
  assert.equal(full.stderr, 'isoscope lint: could not write the results: ENOSPC: no space left on device, write\n');
});
