// Analyzer behaviour beyond the corpus: runtime bytes in the wording, thresholds, receivers that
// can't be resolved with confidence, cross-file receivers, and fixes withheld when they'd break parsing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AnalysisEngine } from '../../extension/language-server/analysis/engine';
import { applyEdits } from '../../extension/language-server/analysis/types';

let engine: AnalysisEngine;
before(async () => {
  engine = new AnalysisEngine({ workspaceRoots: [process.cwd()] });
  await engine.init();
});
after(() => engine.dispose());

const TS_SEND = `import { Worker } from 'node:worker_threads';
export function go(w: Worker, n: number): void {
  const data = new Float64Array(n);
  w.postMessage(data);
}
`;

test('TS: runtime bytes are used in the message and fix wording', () => {
  const file = '/virtual/runtime-bytes.ts';
  engine.setFile(file, TS_SEND);
  const [finding] = engine.analyze(file, [{ file, line: 4, bytes: 2 * 1024 * 1024, count: 10 }]);
  assert.equal(finding.rule, 'copy-array-buffer');
  assert.match(finding.message, /2\.0 MiB per send.*measured at run time \(10 sends\)/);
  assert.match(finding.fixes[0].description, /measured at run time/);
  assert.equal(applyEdits(TS_SEND, finding.fixes[0].edits).includes('w.postMessage(data, [data.buffer])'), true);
});

test('TS: a send measured below the threshold is not flagged (a transfer would not pay)', () => {
  const file = '/virtual/small-runtime.ts';
  engine.setFile(file, TS_SEND);
  assert.deepEqual(engine.analyze(file, [{ file, line: 4, bytes: 512, count: 3 }]), []);
  assert.equal(engine.analyze(file).length, 1, 'unknown size stays an info finding');
});

test('TS: the threshold is configurable', () => {
  const file = '/virtual/threshold.ts';
  engine.setFile(file, TS_SEND.replace('new Float64Array(n)', 'new Float64Array(1024)'));
  assert.equal(engine.analyze(file).length, 0, '8 KiB is below 64 KiB');
  engine.oversizedBytes = 4096;
  try {
    assert.equal(engine.analyze(file).length, 1);
  } finally {
    engine.oversizedBytes = 64 * 1024;
  }
});

test('Dart: when the receiver is ambiguous the fix says so and lists the candidates', () => {
  const file = '/virtual/ambiguous.dart';
  engine.setFile(
    file,
    `import 'dart:isolate';
import 'dart:typed_data';

void a(SendPort p) { final inA = ReceivePort('a-in'); p.send(inA.sendPort); inA.listen((m) {}); }
void b(SendPort p) { final inB = ReceivePort('b-in'); p.send(inB.sendPort); inB.listen((m) {}); }

class Hub {
  SendPort? target;
  void push(Uint8List data) { target?.send(data); }
}
`,
  );
  const finding = engine.analyze(file).find((f) => f.rule === 'copy-typed-data');
  assert.ok(finding);
  const fix = finding.fixes[0];
  assert.equal(fix.confident, false);
  assert.match(fix.title, /receiver needs review/);
  assert.match(fix.description, /candidates: inA .*inB /);
});

test('Dart: the receiving port named by runtime data is chosen among candidates', () => {
  const file = '/virtual/ambiguous.dart';
  const [finding] = engine.analyze(file, [{ file, line: 9, bytes: 1 << 20, count: 2, receivingPortName: 'b-in' }]);
  assert.match(finding.fixes[0].description, /Receiver inB|receiver .*inB|inB in/);
});

test('Dart: the receiver is found across workspace files', () => {
  const worker = '/virtual/ws/worker.dart';
  const main = '/virtual/ws/main.dart';
  engine.setFile(
    worker,
    `import 'dart:isolate';
import 'dart:typed_data';

void tileWorker(SendPort out) {
  final tile = Uint8List(1 << 20);
  out.send(tile);
  out.send('more');
}
`,
  );
  engine.setFile(
    main,
    `import 'dart:isolate';
import 'dart:typed_data';
import 'worker.dart';

Future<void> run() async {
  final tiles = ReceivePort();
  await Isolate.spawn(tileWorker, tiles.sendPort);
  tiles.listen((msg) { final t = msg as Uint8List; print(t.length); });
}
`,
  );
  const finding = engine.analyze(worker).find((f) => f.rule === 'copy-typed-data');
  assert.ok(finding);
  const fix = finding.fixes[0];
  assert.equal(fix.confident, true);
  const mainEdits = fix.edits.filter((e) => e.file === main);
  assert.ok(mainEdits.length > 0, 'the receiver in main.dart is rewritten');
  const after = applyEdits(engine.textOf(main) ?? '', mainEdits);
  assert.match(after, /\(msg as TransferableTypedData\)\.materialize\(\)\.asUint8List\(\)/);
  assert.equal(engine.syntaxErrors(main, after), 0);
});

test('Dart: List<int> is converted to a typed list, and imports are added when missing', () => {
  const file = '/virtual/ints.dart';
  const text = `import 'dart:isolate';

void w(SendPort out) {
  final List<int> xs = [1, 2, 300];
  for (var i = 0; i < 3; i++) out.send(xs);
  out.send('done');
}
`;
  engine.setFile(file, text);
  engine.oversizedBytes = 8;
  try {
    const finding = engine.analyze(file).find((f) => f.rule === 'copy-typed-data');
    assert.ok(finding);
    const fixedText = applyEdits(
      text,
      finding.fixes[0].edits.filter((e) => e.file === file),
    );
    assert.match(fixedText, /TransferableTypedData\.fromList\(\[Int32List\.fromList\(xs\)\]\)/);
    assert.match(fixedText, /import 'dart:typed_data';/);
  } finally {
    engine.oversizedBytes = 64 * 1024;
  }
});

test('a fix that would make a file parse worse is withheld', () => {
  const file = '/virtual/withhold.dart';
  engine.setFile(file, `void main() { print('ok'); }\n`);
  const broken = {
    title: 'bad',
    description: '',
    confident: true,
    edits: [{ file, start: 0, end: 0, newText: 'void (((' }],
  };
  assert.equal(engine.verifyFix(broken), null);
  const fine = { ...broken, edits: [{ file, start: 0, end: 0, newText: '// note\n' }] };
  assert.equal(engine.verifyFix(fine), fine);
});

test('a file that does not parse still yields what it can, without throwing', () => {
  const file = '/virtual/broken.dart';
  engine.setFile(
    file,
    `import 'dart:isolate';\nvoid w(SendPort p) { final b = Uint8List(1 << 20); p.send(b); \n class {{{`,
  );
  assert.doesNotThrow(() => engine.analyze(file));
  assert.ok(engine.syntaxErrors(file, engine.textOf(file) ?? '') > 0);
});
