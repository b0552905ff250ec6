// The language server as a real process over stdio (vscode-jsonrpc, as VS Code talks to it):
// initialize, didOpen → diagnostics, code actions with confirmation-annotated edits, runtime
// findings placed at their original line, edits re-publishing, workspace files analyzed unopened.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { CodeAction, TextDocumentEdit } from 'vscode-languageserver-protocol';
import { RUNTIME_FINDINGS_METHOD, type RuntimeFindingsParams } from '../../protocol';
import { startLsp, type LspSession } from '../helpers/lsp-client';

const ws = mkdtempSync(join(tmpdir(), 'isoscope-ls-'));
let lsp: LspSession;
before(async () => {
  cpSync('test/fixtures/lint/ts/node_pool.ts', join(ws, 'node_pool.ts'));
  cpSync('test/fixtures/lint/dart/long_lived_worker.dart', join(ws, 'long_lived_worker.dart'));
  cpSync('test/fixtures/lint/ts/negatives.ts', join(ws, 'negatives.ts'));
  cpSync('test/fixtures/lint/ts/channel_pipeline.ts', join(ws, 'never_opened.ts'));
  lsp = await startLsp(ws);
});
after(async () => {
  await lsp.close();
  rmSync(ws, { recursive: true, force: true });
});

const uriOf = (name: string): string => `file://${join(ws, name)}`;
function open(name: string, languageId: string): void {
  void lsp.connection.sendNotification('textDocument/didOpen', {
    textDocument: { uri: uriOf(name), languageId, version: 1, text: readFileSync(join(ws, name), 'utf8') },
  });
}

test('didOpen on a TS file publishes copy-array-buffer at the send (source isoscope)', async () => {
  open('node_pool.ts', 'typescript');
  const diags = await lsp.diagnostics(uriOf('node_pool.ts'), (d) => d.length >= 2);
  const tile = diags.find((d) => d.range.start.line === 15);
  assert.ok(tile, JSON.stringify(diags));
  assert.equal(tile.source, 'isoscope');
  assert.equal(tile.code, 'copy-array-buffer');
  assert.equal(tile.range.start.character, 23);
});

test('code actions are previews: every edit carries a change annotation with needsConfirmation', async () => {
  const actions = (await lsp.connection.sendRequest('textDocument/codeAction', {
    textDocument: { uri: uriOf('node_pool.ts') },
    range: { start: { line: 15, character: 24 }, end: { line: 15, character: 24 } },
    context: { diagnostics: [] },
  })) as CodeAction[];
  assert.equal(actions.length, 1);
  const action = actions[0];
  assert.match(action.title, /Transfer instead of copy: add \[tile\.buffer\]/);
  const annotations = action.edit?.changeAnnotations ?? {};
  const [id] = Object.keys(annotations);
  assert.equal(annotations[id].needsConfirmation, true);
  assert.match(annotations[id].description ?? '', /Saves copying 1\.0 MiB per send/);
  const change = action.edit?.documentChanges?.[0] as TextDocumentEdit;
  assert.equal(change.textDocument.version, 1);
  assert.ok(change.edits.every((e) => 'annotationId' in e && e.annotationId === id));
});

test('Dart: diagnostics and a receiver-aware TransferableTypedData action', async () => {
  open('long_lived_worker.dart', 'dart');
  const diags = await lsp.diagnostics(uriOf('long_lived_worker.dart'), (d) =>
    d.some((x) => x.code === 'copy-typed-data'),
  );
  const send = diags.find((d) => d.code === 'copy-typed-data');
  assert.equal(send?.range.start.line, 31);
  const actions = (await lsp.connection.sendRequest('textDocument/codeAction', {
    textDocument: { uri: uriOf('long_lived_worker.dart') },
    range: send?.range,
    context: { diagnostics: [] },
  })) as CodeAction[];
  const wrap = actions.find((a) => a.title.startsWith('Send as TransferableTypedData'));
  assert.ok(wrap);
  const edits = (wrap.edit?.documentChanges as TextDocumentEdit[]).flatMap((c) => c.edits.map((e) => e.newText));
  assert.ok(edits.some((t) => t.includes('TransferableTypedData.fromList([chunk])')));
  assert.ok(edits.some((t) => t.includes('(message as TransferableTypedData).materialize().asFloat32List()')));
});

test('runtime findings pushed by the extension appear at their original line, then go away', async () => {
  const params: RuntimeFindingsParams = {
    findings: [
      {
        id: 'f1',
        rule: 'oversized-message',
        severity: 'warning',
        message: 'postMessage copied 1.0 MiB on worker 2.',
        location: { file: join(ws, 'negatives.ts'), line: 9, column: 3 },
        isolateId: 'w2',
        bytes: 1 << 20,
        count: 12,
        totalBytes: 12 << 20,
        suggestion: 'Add a transfer list.',
      },
    ],
  };
  await lsp.connection.sendNotification(RUNTIME_FINDINGS_METHOD, params);
  const diags = await lsp.diagnostics(uriOf('negatives.ts'), (d) => d.some((x) => x.code === 'oversized-message'));
  const runtime = diags.find((d) => d.code === 'oversized-message');
  assert.equal(runtime?.source, 'isoscope');
  assert.deepEqual(runtime?.range.start, { line: 8, character: 2 });
  assert.match(runtime?.message ?? '', /measured at run time: 12 ×/);
  await lsp.connection.sendNotification(RUNTIME_FINDINGS_METHOD, { findings: [] });
  await lsp.diagnostics(uriOf('negatives.ts'), (d) => !d.some((x) => x.code === 'oversized-message'));
});

test('an edit re-publishes diagnostics (the fix applied clears the finding)', async () => {
  const text = readFileSync(join(ws, 'node_pool.ts'), 'utf8').replace(
    'worker.postMessage({ tile, width, height });',
    'worker.postMessage({ tile, width, height }, [tile.buffer]);',
  );
  await lsp.connection.sendNotification('textDocument/didChange', {
    textDocument: { uri: uriOf('node_pool.ts'), version: 2 },
    contentChanges: [{ text }],
  });
  const diags = await lsp.diagnostics(uriOf('node_pool.ts'), (d) => d.length === 1);
  assert.equal(diags[0].range.start.line, 19);
});

test('the workspace scan analyzes files that are never opened', async () => {
  const diags = await lsp.diagnostics(uriOf('never_opened.ts'), (d) => d.length === 2);
  assert.deepEqual(
    diags.map((d) => d.range.start.line),
    [8, 11],
  );
});
