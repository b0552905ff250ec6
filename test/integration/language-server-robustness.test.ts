// The language server as a real process over stdio against odd clients (the ninth session's QA):
// malformed runtime-findings notifications, URIs it cannot map to a path, ranges past a line's
// end, and closed files the workspace scan does not follow. It must stay up and stay right.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { CodeAction, Diagnostic } from 'vscode-languageserver-protocol';
import { ANALYSIS_STATS_METHOD, RUNTIME_FINDINGS_METHOD, type AnalysisStatsResult } from '../../protocol';
import { startLsp, type LspSession } from '../helpers/lsp-client';

const ws = mkdtempSync(join(tmpdir(), 'isoscope-ls-robust-'));
let lsp: LspSession;
let exitCode: number | null | undefined;
before(async () => {
  cpSync('test/fixtures/lint/ts/node_pool.ts', join(ws, 'node_pool.ts'));
  mkdirSync(join(ws, 'node_modules', 'lib'), { recursive: true });
  cpSync('test/fixtures/lint/ts/node_pool.ts', join(ws, 'node_modules', 'lib', 'index.ts'));
  lsp = await startLsp(ws);
  lsp.child.once('exit', (code) => (exitCode = code));
});
after(async () => {
  await lsp.close();
  rmSync(ws, { recursive: true, force: true });
});

const uriOf = (name: string): string => `file://${join(ws, name)}`;
const SEND = readFileSync('test/fixtures/lint/ts/node_pool.ts', 'utf8');

function open(uri: string, text = SEND): void {
  void lsp.connection.sendNotification('textDocument/didOpen', {
    textDocument: { uri, languageId: 'typescript', version: 1, text },
  });
}

/** The server still answers (a request after the notifications, answered in order). */
async function alive(): Promise<AnalysisStatsResult> {
  const stats = (await lsp.connection.sendRequest(ANALYSIS_STATS_METHOD)) as AnalysisStatsResult;
  assert.equal(exitCode, undefined, `the server exited with ${String(exitCode)}`);
  return stats;
}

test('malformed runtime-findings notifications are skipped; the server stays up and takes the good ones', async () => {
  open(uriOf('node_pool.ts'));
  await lsp.diagnostics(uriOf('node_pool.ts'), (d) => d.length >= 2);
  for (const params of [null, undefined, {}, { findings: {} }, { findings: [null, 7, 'x'] }]) {
    await lsp.connection.sendNotification(RUNTIME_FINDINGS_METHOD, params);
  }
  const base = {
    id: 'f',
    rule: 'oversized-message',
    severity: 'warning',
    message: 'postMessage copied 1.0 MiB.',
    isolateId: 'w',
    bytes: 1 << 20,
    count: 3,
    totalBytes: 3 << 20,
    suggestion: '',
  };
  await lsp.connection.sendNotification(RUNTIME_FINDINGS_METHOD, {
    findings: [
      { ...base, location: { file: 123, line: 1, column: 1 } },
      { ...base, id: 'no-column', location: { file: join(ws, 'node_pool.ts'), line: 16 } },
    ],
  });
  const diags = await lsp.diagnostics(uriOf('node_pool.ts'), (d) => d.some((x) => x.code === 'oversized-message'));
  const runtime = diags.filter((d: Diagnostic) => d.code === 'oversized-message');
  assert.equal(runtime.length, 1);
  // No column: the line's start, not a null character.
  assert.deepEqual(runtime[0]!.range.start, { line: 15, character: 0 });
  assert.equal((await alive()).runtimeFindings, 1);
  await lsp.connection.sendNotification(RUNTIME_FINDINGS_METHOD, { findings: [] });
});

test('a file URI Node cannot map (another host, an encoded slash) and untitled: documents do not break the server', async () => {
  open('file://otherhost/x/y.ts');
  open(`${uriOf('x')}%2Fy.ts`);
  open('untitled:/home/me/new.ts');
  await lsp.connection.sendNotification('workspace/didChangeWatchedFiles', {
    changes: [
      { uri: uriOf('node_pool.ts'), type: 2 },
      { uri: 'file://otherhost/z.ts', type: 1 },
    ],
  });
  for (const uri of ['file://otherhost/x/y.ts', 'untitled:/home/me/new.ts'])
    await lsp.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  const actions = (await lsp.connection.sendRequest('textDocument/codeAction', {
    textDocument: { uri: 'untitled:/home/me/new.ts' },
    range: { start: { line: 15, character: 0 }, end: { line: 15, character: 80 } },
    context: { diagnostics: [] },
  })) as CodeAction[];
  assert.deepEqual(actions, []);
  await alive();
  // Nothing was published for a made-up path under the server's working directory.
  const published = await lsp.diagnostics(uriOf('node_pool.ts'), () => true);
  assert.ok(published.length >= 2);
});

test('a range whose character is past the end of its line ends there (no actions of the next lines)', async () => {
  const lines = SEND.split('\n');
  const sendLine = lines.findIndex((l) => /postMessage\(.*tile/.test(l));
  assert.ok(sendLine >= 0);
  const actionsFor = async (endCharacter: number) =>
    (await lsp.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri: uriOf('node_pool.ts') },
      range: { start: { line: sendLine - 1, character: 0 }, end: { line: sendLine - 1, character: endCharacter } },
      context: { diagnostics: [] },
    })) as CodeAction[];
  // The line before the send has no action, however far past its end the range claims to go.
  assert.deepEqual(await actionsFor(lines[sendLine - 1]!.length), []);
  assert.deepEqual(await actionsFor(10_000), []);
});

test('a closed file the workspace scan skips (node_modules) loses its diagnostics instead of keeping them forever', async () => {
  const uri = uriOf('node_modules/lib/index.ts');
  open(uri);
  await lsp.diagnostics(uri, (d) => d.length >= 2);
  await lsp.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  await lsp.diagnostics(uri, (d) => d.length === 0);
  await alive();
});

for (const declared of [true, false]) {
  test(`workspace folders added later are scanned, removed ones drop their closed files' diagnostics (client ${declared ? 'declares' : 'does not declare'} folders)`, async () => {
    const a = mkdtempSync(join(tmpdir(), 'isoscope-ls-folder-a-'));
    const b = mkdtempSync(join(tmpdir(), 'isoscope-ls-folder-b-'));
    cpSync('test/fixtures/lint/ts/node_pool.ts', join(a, 'in_a.ts'));
    cpSync('test/fixtures/lint/ts/node_pool.ts', join(b, 'in_b.ts'));
    const session = await startLsp(a, {}, declared ? { workspaceFolders: true } : {});
    try {
      const inA = `file://${join(a, 'in_a.ts')}`;
      const inB = `file://${join(b, 'in_b.ts')}`;
      await session.diagnostics(inA, (d) => d.length >= 2);
      await session.connection.sendNotification('workspace/didChangeWorkspaceFolders', {
        event: { added: [{ uri: `file://${b}`, name: 'b' }], removed: [{ uri: `file://${a}`, name: 'a' }] },
      });
      await session.diagnostics(inB, (d) => d.length >= 2);
      await session.diagnostics(inA, (d) => d.length === 0);
    } finally {
      await session.close();
      rmSync(a, { recursive: true, force: true });
      rmSync(b, { recursive: true, force: true });
    }
  });
}

test('an open file over the 2 MiB analysis limit is not analyzed (it says so once); runtime findings still show; under the limit it is', async () => {
  const uri = uriOf('bundle.ts');
  const logged: string[] = [];
  lsp.connection.onNotification('window/logMessage', (p: { message: string }) => logged.push(p.message));
  // The send of node_pool.ts, then 2.1 MiB of comment lines: what a generated bundle weighs.
  const big = SEND + `// ${'x'.repeat(1021)}\n`.repeat(2200);
  assert.ok(Buffer.byteLength(big) > 2 * 1024 * 1024);
  open(uri, big);
  await lsp.connection.sendNotification(RUNTIME_FINDINGS_METHOD, {
    findings: [
      {
        id: 'big',
        rule: 'oversized-message',
        severity: 'warning',
        message: 'postMessage copied 1.0 MiB.',
        location: { file: join(ws, 'bundle.ts'), line: 16, column: 5 },
        isolateId: 'w',
        bytes: 1 << 20,
        count: 3,
        totalBytes: 3 << 20,
        suggestion: '',
      },
    ],
  });
  const shown = await lsp.diagnostics(uri, (d) => d.some((x) => x.code === 'oversized-message'));
  assert.deepEqual(
    shown.map((d) => d.code),
    ['oversized-message'],
    'the runtime finding, and no static one',
  );
  // Typing in it neither analyzes it nor repeats the message.
  await lsp.connection.sendNotification('textDocument/didChange', {
    textDocument: { uri, version: 2 },
    contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: ' ' }],
  });
  await alive();
  assert.equal(
    logged.filter((m) => m.includes('bundle.ts is not analyzed: 2.2 MiB is over the 2 MiB limit')).length,
    1,
    JSON.stringify(logged),
  );
  // Cut back under the limit: analyzed again.
  await lsp.connection.sendNotification('textDocument/didChange', {
    textDocument: { uri, version: 3 },
    contentChanges: [{ text: SEND }],
  });
  await lsp.diagnostics(uri, (d) => d.some((x) => x.code === 'copy-array-buffer'));
  await lsp.connection.sendNotification(RUNTIME_FINDINGS_METHOD, { findings: [] });
});
