// The language server as a real process over stdio (vscode-jsonrpc, as VS Code talks to it):
// initialize, didOpen → diagnostics, code actions with confirmation-annotated edits, runtime
// findings placed at their original line (also Dart package: URIs), edits re-publishing, workspace
// files analyzed unopened and following the disk, open files never analyzed from the disk.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CodeAction, Diagnostic, Range, TextDocumentEdit, TextEdit } from 'vscode-languageserver-protocol';
import { RUNTIME_FINDINGS_METHOD, type RuntimeFindingsParams } from '../../protocol';
import { startLsp, type LspSession } from '../helpers/lsp-client';

const ws = mkdtempSync(join(tmpdir(), 'isoscope-ls-'));
let lsp: LspSession;
before(async () => {
  cpSync('test/fixtures/lint/ts/node_pool.ts', join(ws, 'node_pool.ts'));
  cpSync('test/fixtures/lint/dart/long_lived_worker.dart', join(ws, 'long_lived_worker.dart'));
  cpSync('test/fixtures/lint/ts/negatives.ts', join(ws, 'negatives.ts'));
  cpSync('test/fixtures/lint/ts/channel_pipeline.ts', join(ws, 'never_opened.ts'));
  cpSync('test/fixtures/lint/ts/channel_pipeline.ts', join(ws, 'on_disk.ts'));
  cpSync('test/fixtures/lint/ts/channel_pipeline.ts', join(ws, 'deleted_later.ts'));
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

test('runtime findings follow edits of the open file, keep their place when pushed again, and go back when it closes unsaved', async () => {
  const name = 'moved_by_edits.ts';
  const text =
    "import { Worker } from 'node:worker_threads';\nconst w = new Worker('./w.js');\nw.postMessage(frame);\n";
  writeFileSync(join(ws, name), text);
  const finding = (id: string, line: number, column: number): RuntimeFindingsParams['findings'][number] => ({
    id,
    rule: 'oversized-message',
    severity: 'warning',
    message: `${id} copied 1.0 MiB.`,
    location: { file: join(ws, name), line, column },
    isolateId: 'w2',
    bytes: 1 << 20,
    count: 3,
    totalBytes: 3 << 20,
    suggestion: '',
  });
  const send = finding('send', 3, 1);
  const runtimeAt = (d: Diagnostic[], id: string) =>
    d.find((x) => x.code === 'oversized-message' && x.message.startsWith(id))?.range.start;
  const waitFor = (id: string, line: number, character: number) =>
    lsp.diagnostics(uriOf(name), (d) => runtimeAt(d, id)?.line === line && runtimeAt(d, id)?.character === character);
  let version = 1;
  const change = (contentChanges: object[]) =>
    lsp.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri: uriOf(name), version: ++version },
      contentChanges,
    });
  await lsp.connection.sendNotification('textDocument/didOpen', {
    textDocument: { uri: uriOf(name), languageId: 'typescript', version, text },
  });
  await lsp.connection.sendNotification(RUNTIME_FINDINGS_METHOD, { findings: [send] });
  await waitFor('send', 2, 0);
  // Two lines typed above the send: it moves down with its code.
  await change([{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '// a\n// b\n' }]);
  await waitFor('send', 4, 0);
  // The model pushes the same finding again, with another one: the send stays where it moved.
  await lsp.connection.sendNotification(RUNTIME_FINDINGS_METHOD, { findings: [{ ...send }, finding('import', 1, 1)] });
  const both = await lsp.diagnostics(uriOf(name), (d) => runtimeAt(d, 'import') !== undefined);
  assert.deepEqual(runtimeAt(both, 'send'), { line: 4, character: 0 });
  assert.deepEqual(runtimeAt(both, 'import'), { line: 0, character: 0 }, 'first pushed after the edit: as measured');
  // Indented, then the whole text sent at once without the first comment line.
  await change([{ range: { start: { line: 4, character: 0 }, end: { line: 4, character: 0 } }, text: '\t' }]);
  await waitFor('send', 4, 1);
  await change([{ text: '// b\n' + text.replace('w.postMessage', '\tw.postMessage') }]);
  await waitFor('send', 3, 1);
  // Closed without saving: the disk's text is back, and so is the measured line.
  await lsp.connection.sendNotification('textDocument/didClose', { textDocument: { uri: uriOf(name) } });
  await waitFor('send', 2, 0);
  await lsp.connection.sendNotification(RUNTIME_FINDINGS_METHOD, { findings: [] });
  await lsp.diagnostics(uriOf(name), (d) => runtimeAt(d, 'send') === undefined);
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

/** Offset of an LSP position in `text` (UTF-16, like the server). */
function offsetOf(text: string, p: { line: number; character: number }): number {
  let at = 0;
  for (let line = 0; line < p.line; line++) at = text.indexOf('\n', at) + 1;
  return at + p.character;
}
const rangeText = (text: string, r: Range): string => text.slice(offsetOf(text, r.start), offsetOf(text, r.end));
function applyTextEdits(text: string, edits: TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => offsetOf(text, b.range.start) - offsetOf(text, a.range.start));
  let out = text;
  for (const e of sorted)
    out = out.slice(0, offsetOf(text, e.range.start)) + e.newText + out.slice(offsetOf(text, e.range.end));
  return out;
}
function watched(changes: { name: string; type: 1 | 2 | 3 }[]): Promise<void> {
  return lsp.connection.sendNotification('workspace/didChangeWatchedFiles', {
    changes: changes.map((c) => ({ uri: uriOf(c.name), type: c.type })),
  });
}
const lines = (d: Diagnostic[]): number[] => d.map((x) => x.range.start.line).sort((a, b) => a - b);

test('an unopened file rewritten on disk is analyzed again (watched-file change)', async () => {
  assert.deepEqual(lines(await lsp.diagnostics(uriOf('on_disk.ts'), (d) => d.length === 2)), [8, 11]);
  // What `isoscope lint --fix` or a git checkout does: the first send gets its transfer list.
  const fixed = readFileSync(join(ws, 'on_disk.ts'), 'utf8').replace(
    'port1.postMessage(decoded);',
    'port1.postMessage(decoded, [decoded.buffer]);',
  );
  writeFileSync(join(ws, 'on_disk.ts'), fixed);
  await watched([{ name: 'on_disk.ts', type: 2 }]);
  assert.deepEqual(lines(await lsp.diagnostics(uriOf('on_disk.ts'), (d) => d.length === 1)), [8]);
});

test('an unopened file deleted on disk loses its diagnostics; a created one gets them', async () => {
  await lsp.diagnostics(uriOf('deleted_later.ts'), (d) => d.length === 2);
  unlinkSync(join(ws, 'deleted_later.ts'));
  cpSync('test/fixtures/lint/ts/channel_pipeline.ts', join(ws, 'created_later.ts'));
  await watched([
    { name: 'deleted_later.ts', type: 3 },
    { name: 'created_later.ts', type: 1 },
  ]);
  await lsp.diagnostics(uriOf('deleted_later.ts'), (d) => d.length === 0);
  assert.deepEqual(lines(await lsp.diagnostics(uriOf('created_later.ts'), (d) => d.length === 2)), [8, 11]);
});

test('a watched-file change of an open file keeps the editor text (the disk is not analyzed)', async () => {
  const editorText = `// unsaved line\n${readFileSync(join(ws, 'never_opened.ts'), 'utf8')}`;
  await lsp.connection.sendNotification('textDocument/didOpen', {
    textDocument: { uri: uriOf('never_opened.ts'), languageId: 'typescript', version: 1, text: editorText },
  });
  await lsp.diagnostics(uriOf('never_opened.ts'), (d) => d.length === 2 && d[0].range.start.line === 9);
  writeFileSync(join(ws, 'never_opened.ts'), '// emptied on disk\n');
  await watched([{ name: 'never_opened.ts', type: 2 }]);
  await sleep(500);
  const actions = (await lsp.connection.sendRequest('textDocument/codeAction', {
    textDocument: { uri: uriOf('never_opened.ts') },
    range: { start: { line: 0, character: 0 }, end: { line: 20, character: 0 } },
    context: { diagnostics: [] },
  })) as CodeAction[];
  assert.ok(actions.length >= 2, JSON.stringify(actions.map((a) => a.title)));
  assert.deepEqual(lines(await lsp.diagnostics(uriOf('never_opened.ts'), () => true)), [9, 12]);
});

/** The only action at the send, applied to `text`: it must rewrite exactly the send of `t`. */
async function assertActionFitsText(session: LspSession, uri: string, text: string, sendLine: number): Promise<void> {
  const diags = await session.diagnostics(uri, (d) => d.length > 0);
  assert.equal(diags.length, 1, JSON.stringify(diags));
  assert.equal(diags[0].range.start.line, sendLine, JSON.stringify(diags));
  assert.equal(rangeText(text, diags[0].range), 't');
  const actions = (await session.connection.sendRequest('textDocument/codeAction', {
    textDocument: { uri },
    range: diags[0].range,
    context: { diagnostics: [] },
  })) as CodeAction[];
  assert.equal(actions.length, 1, JSON.stringify(actions.map((a) => a.title)));
  const edits = (actions[0].edit?.documentChanges as TextDocumentEdit[]).flatMap((c) => c.edits);
  const out = applyTextEdits(text, edits);
  assert.equal(out, text.replace('worker.postMessage(t);', 'worker.postMessage(t, [t.buffer]);'));
}

const SENDER = `import { Worker } from 'node:worker_threads';
const worker = new Worker('./w.js');
export function f() {
  const t = new Uint8Array(1 << 20);
  worker.postMessage(t);
}
`;

test('a document closed and reopened at once (language mode change) is analyzed from the editor text, not the disk', async () => {
  writeFileSync(join(ws, 'reopened.js'), SENDER);
  const editorText = `// unsaved\n// edits\n// here\n${SENDER}`;
  const uri = uriOf('reopened.js');
  await lsp.connection.sendNotification('textDocument/didOpen', {
    textDocument: { uri, languageId: 'javascript', version: 1, text: editorText },
  });
  await assertActionFitsText(lsp, uri, editorText, 7);
  for (const languageId of ['javascriptreact', 'javascript']) {
    await lsp.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    await lsp.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId, version: 1, text: editorText },
    });
    await sleep(600);
    await assertActionFitsText(lsp, uri, editorText, 7);
  }
});

test('a document opened while the start-up scan reads the disk keeps its editor text', async () => {
  // Many files, so the scan is still reading when the document is opened; the opened file is
  // among them with different text on disk.
  for (let round = 0; round < 3; round++) {
    const dir = mkdtempSync(join(tmpdir(), 'isoscope-ls-race-'));
    try {
      for (let i = 0; i < 60; i++) writeFileSync(join(dir, `filler${i}.ts`), `export const n${i} = ${i};\n`);
      writeFileSync(join(dir, 'a.ts'), SENDER);
      const editorText = `// unsaved edit: a comment added at the top\n${SENDER}`;
      const session = await startLsp(dir);
      try {
        const uri = `file://${join(dir, 'a.ts')}`;
        await session.connection.sendNotification('textDocument/didOpen', {
          textDocument: { uri, languageId: 'typescript', version: 1, text: editorText },
        });
        await session.diagnostics(uri, (d) => d.length > 0);
        // Until the scan is done, a late disk read could still replace the editor text.
        for (let i = 0; i < 200; i++) {
          const stats = (await session.connection.sendRequest('isoscope/analysisStats')) as {
            workspaceScanDone: boolean;
          };
          if (stats.workspaceScanDone) break;
          await sleep(50);
        }
        await sleep(300);
        await assertActionFitsText(session, uri, editorText, 5);
      } finally {
        await session.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('runtime findings named by Dart package: URI show at the file the package config maps them to', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'isoscope-ls-pkg-'));
  cpSync('test/fixtures/lint/dart-package', dir, { recursive: true });
  const session = await startLsp(dir);
  try {
    const finding = (file: string, line: number): RuntimeFindingsParams['findings'][number] => ({
      id: file,
      rule: 'oversized-message',
      severity: 'warning',
      message: 'SendPort.send copied 2.0 MiB.',
      location: { file, line, column: 3 },
      isolateId: 'main',
      bytes: 2 << 20,
      count: 3,
      totalBytes: 6 << 20,
      suggestion: '',
    });
    const params: RuntimeFindingsParams = {
      findings: [finding('package:image_app/src/tiles.dart', 5), finding('package:codec/codec.dart', 5)],
    };
    await session.connection.sendNotification(RUNTIME_FINDINGS_METHOD, params);
    for (const file of [
      join(dir, 'lib', 'src', 'tiles.dart'),
      join(dir, 'third_party', 'codec', 'lib', 'codec.dart'),
    ]) {
      const diags = await session.diagnostics(`file://${file}`, (d) => d.some((x) => x.code === 'oversized-message'));
      const runtime = diags.find((d) => d.code === 'oversized-message');
      assert.deepEqual(runtime?.range.start, { line: 4, character: 2 }, file);
      assert.match(runtime?.message ?? '', /measured at run time: 3 ×/);
    }
  } finally {
    await session.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('code action edits in a CRLF file insert CRLF line breaks', async () => {
  const text = SENDER.replace(
    '  const t = new Uint8Array(1 << 20);\n  worker.postMessage(t);',
    '  worker.postMessage(new Uint8Array(1 << 20));',
  ).replace(/\n/g, '\r\n');
  writeFileSync(join(ws, 'crlf.ts'), text);
  const uri = uriOf('crlf.ts');
  await lsp.connection.sendNotification('textDocument/didOpen', {
    textDocument: { uri, languageId: 'typescript', version: 1, text },
  });
  const diags = await lsp.diagnostics(uri, (d) => d.length === 1);
  const actions = (await lsp.connection.sendRequest('textDocument/codeAction', {
    textDocument: { uri },
    range: diags[0].range,
    context: { diagnostics: [] },
  })) as CodeAction[];
  const inserted = actions
    .flatMap((a) => (a.edit?.documentChanges as TextDocumentEdit[]).flatMap((c) => c.edits))
    .map((e) => e.newText)
    .filter((t) => t.includes('\n'));
  assert.ok(inserted.length > 0, 'the hoisting fix inserts a line');
  for (const t of inserted) assert.doesNotMatch(t, /(?<!\r)\n/, JSON.stringify(t));
  for (const a of actions) {
    const out = applyTextEdits(
      text,
      (a.edit?.documentChanges as TextDocumentEdit[]).flatMap((c) => c.edits),
    );
    assert.doesNotMatch(out, /(?<!\r)\n/, 'no bare LF in the fixed file');
  }
});

test('no code action transfers a buffer that may be null (x.buffer would not compile, and throws)', async () => {
  const text =
    "import { MessageChannel } from 'node:worker_threads';\nconst { port1 } = new MessageChannel();\nexport function send(buf: Uint8Array | null) {\n  port1.postMessage(buf);\n}\n";
  writeFileSync(join(ws, 'nullable.ts'), text);
  void lsp.connection.sendNotification('textDocument/didOpen', {
    textDocument: { uri: uriOf('nullable.ts'), languageId: 'typescript', version: 1, text },
  });
  const diags = await lsp.diagnostics(uriOf('nullable.ts'), (d) => d.length > 0);
  assert.match(diags[0].message, /no buffer/);
  const actions = (await lsp.connection.sendRequest('textDocument/codeAction', {
    textDocument: { uri: uriOf('nullable.ts') },
    range: diags[0].range,
    context: { diagnostics: diags },
  })) as CodeAction[];
  assert.deepEqual(actions, []);
});

test('Dart: a listener casting the message twice gets no receiver rewrite (two materialize() calls throw)', async () => {
  const text =
    "import 'dart:isolate';\nimport 'dart:typed_data';\n\nvoid worker(SendPort port) {\n  final data = Uint8List(4 * 1024 * 1024);\n  port.send(data);\n  print('x');\n}\n\nFuture<void> main() async {\n  final rp = ReceivePort();\n  await Isolate.spawn(worker, rp.sendPort);\n  rp.listen((msg) {\n    print((msg as Uint8List).length);\n    final bytes = msg as Uint8List;\n    print(bytes[0]);\n  });\n}\n";
  writeFileSync(join(ws, 'double_cast.dart'), text);
  void lsp.connection.sendNotification('textDocument/didOpen', {
    textDocument: { uri: uriOf('double_cast.dart'), languageId: 'dart', version: 1, text },
  });
  const diags = await lsp.diagnostics(uriOf('double_cast.dart'), (d) => d.length > 0);
  const actions = (await lsp.connection.sendRequest('textDocument/codeAction', {
    textDocument: { uri: uriOf('double_cast.dart') },
    range: diags[0].range,
    context: { diagnostics: diags },
  })) as CodeAction[];
  assert.ok(actions.length > 0);
  for (const action of actions) {
    const edits = (action.edit?.documentChanges ?? []).flatMap((c) => (c as TextDocumentEdit).edits);
    assert.ok(!edits.some((e) => e.newText.includes('materialize()')), JSON.stringify(edits));
    assert.match(action.title, /receiver needs review/);
  }
});
