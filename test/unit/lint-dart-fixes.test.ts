// Dart --fix defects found by QA: Isolate.exit outside an isolate entry, receivers of shared ports,
// `show`/`hide`/prefixed imports of dart:isolate, generated names that collide, and CRLF files.
// No Dart SDK here: outputs are checked by text and by parsing with the tree-sitter Dart grammar.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AnalysisEngine } from '../../extension/language-server/analysis/engine';
import { planFixes } from '../../extension/language-server/analysis/fix-plan';
import { applyEdits } from '../../extension/language-server/analysis/types';

let engine: AnalysisEngine;
before(async () => {
  engine = new AnalysisEngine({ workspaceRoots: [] });
  await engine.init();
});
after(() => engine.dispose());

/** `--fix` output of one virtual file (asserting it parses cleanly), or the text unchanged. */
function fixed(file: string, text: string): string {
  engine.setFile(file, text);
  const out = planFixes(engine, [file]).texts.get(file) ?? text;
  assert.equal(engine.syntaxErrors(file, out), 0, `rewritten ${file} parses:\n${out}`);
  return out;
}

test('Isolate.exit is not offered in a function called directly from main', () => {
  const file = '/virtual/qa/direct-call.dart';
  const text = `import 'dart:isolate';
import 'dart:typed_data';

void reply(SendPort out) {
  out.send(Uint8List(1 << 20));
}

void main() {
  final rp = ReceivePort();
  reply(rp.sendPort);
}
`;
  engine.setFile(file, text);
  assert.deepEqual(
    engine.analyze(file).filter((f) => f.rule === 'use-isolate-exit'),
    [],
  );
  assert.doesNotMatch(fixed(file, text), /Isolate\.exit/);
});

test('Isolate.exit is not offered when the entry is also called directly, or only run by Isolate.run/compute', () => {
  const both = `import 'dart:isolate';
import 'dart:typed_data';

void job(SendPort out) {
  out.send(Uint8List(1 << 20));
}

Future<void> main() async {
  final rp = ReceivePort();
  await Isolate.spawn(job, rp.sendPort);
  job(rp.sendPort);
}
`;
  const viaRun = both.replace(
    'await Isolate.spawn(job, rp.sendPort);\n  job(rp.sendPort);',
    'await Isolate.run(() => job(rp.sendPort));',
  );
  for (const [name, text] of [
    ['both', both],
    ['run', viaRun],
  ]) {
    const file = `/virtual/qa/exit-${name}.dart`;
    engine.setFile(file, text);
    assert.deepEqual(
      engine.analyze(file).filter((f) => f.rule === 'use-isolate-exit'),
      [],
      name,
    );
  }
});

test('Isolate.exit is still offered for a spawned entry whose last action is the send (prefixed import)', () => {
  const file = '/virtual/qa/exit-prefixed.dart';
  const text = `import 'dart:isolate' as iso;
import 'dart:typed_data';

void _entry(iso.SendPort out) {
  final result = Uint8List(1 << 20);
  out.send(result);
}

Future<void> start(iso.ReceivePort rp) async {
  await iso.Isolate.spawn(_entry, rp.sendPort);
}
`;
  engine.setFile(file, text);
  const finding = engine.analyze(file).find((f) => f.rule === 'use-isolate-exit');
  assert.ok(finding);
  assert.match(applyEdits(text, finding.fixes[0].edits), /iso\.Isolate\.exit\(out, result\);/);
});

test("import 'dart:isolate' show …: TransferableTypedData is added to the show list", () => {
  const text = `import 'dart:isolate' show SendPort, ReceivePort, Isolate;
import 'dart:typed_data';

void worker(SendPort out) {
  final frame = Uint8List(1 << 20);
  out.send(frame);
  print('done');
}

Future<void> main() async {
  final rp = ReceivePort();
  await Isolate.spawn(worker, rp.sendPort);
  rp.listen((m) {
    final data = m as Uint8List;
    print(data.length);
  });
}
`;
  const out = fixed('/virtual/qa/show.dart', text);
  assert.match(out, /^import 'dart:isolate' show SendPort, ReceivePort, Isolate, TransferableTypedData;$/m);
  assert.match(out, /out\.send\(TransferableTypedData\.fromList\(\[frame\]\)\);/);
  assert.match(out, /\(m as TransferableTypedData\)\.materialize\(\)\.asUint8List\(\)/);
});

test("import 'dart:isolate' hide / as prefix: the name is unhidden, or spelled with the prefix", () => {
  const body = (p: string) => `
void worker(${p}SendPort out) {
  final frame = Uint8List(1 << 20);
  out.send(frame);
  print('done');
}

Future<void> main() async {
  final rp = ${p}ReceivePort();
  await ${p}Isolate.spawn(worker, rp.sendPort);
  rp.listen((m) {
    final data = m as Uint8List;
    print(data.length);
  });
}
`;
  const hideOnly = fixed(
    '/virtual/qa/hide1.dart',
    `import 'dart:isolate' hide TransferableTypedData;\nimport 'dart:typed_data';\n${body('')}`,
  );
  assert.match(hideOnly, /^import 'dart:isolate';$/m);
  const hideTwo = fixed(
    '/virtual/qa/hide2.dart',
    `import 'dart:isolate' hide Capability, TransferableTypedData;\nimport 'dart:typed_data';\n${body('')}`,
  );
  assert.match(hideTwo, /^import 'dart:isolate' hide Capability;$/m);
  const prefixed = fixed(
    '/virtual/qa/prefix.dart',
    `import 'dart:isolate' as iso;\nimport 'dart:typed_data';\n${body('iso.')}`,
  );
  assert.match(prefixed, /^import 'dart:isolate' as iso;$/m);
  assert.match(prefixed, /out\.send\(iso\.TransferableTypedData\.fromList\(\[frame\]\)\);/);
  assert.match(prefixed, /\(m as iso\.TransferableTypedData\)\.materialize\(\)/);
  assert.doesNotMatch(prefixed, /[^.]TransferableTypedData/);
});

test('a List<int> conversion under a prefixed dart:typed_data import uses the prefix', () => {
  const text = `import 'dart:isolate';
import 'dart:typed_data' as td;

void worker(SendPort out) {
  final List<int> big = List<int>.filled(1 << 20, 7);
  out.send(big);
  print('done');
}
`;
  engine.setFile('/virtual/qa/td-prefix.dart', text);
  const finding = engine.analyze('/virtual/qa/td-prefix.dart').find((f) => f.rule === 'copy-typed-data');
  assert.ok(finding);
  const out = applyEdits(text, finding.fixes[0].edits);
  assert.match(out, /TransferableTypedData\.fromList\(\[td\.Int64List\.fromList\(big\)\]\)/);
  assert.equal(out.match(/import 'dart:typed_data'/g)?.length, 1);
});

test('shared port: the receiver stays tolerant of the small List<int> sends that are not converted', () => {
  const text = `import 'dart:isolate';
import 'dart:typed_data';

void worker(SendPort out) {
  out.send(<int>[1, 2, 3]);
  final List<int> big = List<int>.filled(1 << 20, 7);
  out.send(big);
  out.send(<int>[]);
  print('done');
}

Future<void> main() async {
  final rp = ReceivePort();
  await Isolate.spawn(worker, rp.sendPort);
  rp.listen((m) {
    final data = m as List<int>;
    print(data.length);
  });
}
`;
  const out = fixed('/virtual/qa/shared.dart', text);
  assert.match(out, /out\.send\(<int>\[1, 2, 3\]\);/);
  assert.match(out, /out\.send\(TransferableTypedData\.fromList\(\[Int64List\.fromList\(big\)\]\)\);/);
  assert.match(
    out,
    /final data = \(m is TransferableTypedData \? m\.materialize\(\)\.asInt64List\(\) : m as List<int>\);/,
  );
  assert.doesNotMatch(out, /\(m as TransferableTypedData\)/);
});

test('shared port with a receiver that cannot stay tolerant: only the sender-side note is offered', () => {
  const text = `import 'dart:isolate';
import 'dart:typed_data';

void worker(SendPort out) {
  out.send(Uint8List(4));
  out.send(Uint8List(1 << 20));
  print('done');
}

Future<Uint8List> main() async {
  final rp = ReceivePort();
  await Isolate.spawn(worker, rp.sendPort);
  return (await rp.first) as Uint8List;
}
`;
  const file = '/virtual/qa/shared-first.dart';
  engine.setFile(file, text);
  const finding = engine.analyze(file).find((f) => f.rule === 'copy-typed-data');
  assert.ok(finding);
  assert.equal(finding.fixes[0].confident, false);
  assert.match(finding.fixes[0].description, /other messages are sent on 'out' \(line 5\)/);
  assert.ok(finding.fixes[0].edits.every((e) => e.start < text.indexOf('Future<Uint8List>')));
  assert.equal(fixed(file, text), text);
});

test('generated names do not collide with declarations already in scope', () => {
  const spawnText = `import 'dart:isolate';
import 'dart:typed_data';

final blobTransfer = 0;

void entry(Uint8List blob) {
  print(blob.length + blobTransfer);
}

Future<void> main() async {
  final data = Uint8List(1 << 20);
  await Isolate.spawn(entry, data);
}
`;
  const spawned = fixed('/virtual/qa/names-spawn.dart', spawnText);
  assert.match(
    spawned,
    /void entry\(TransferableTypedData blobTransfer2\) \{\n {2}final blob = blobTransfer2\.materialize\(\)\.asUint8List\(\);/,
  );

  const runText = `import 'dart:isolate';
import 'dart:typed_data';

int sum(Uint8List d) => d.length;

Future<int> twice() async {
  final frameTransfer = 'taken';
  final Uint8List frame = Uint8List(8 << 20);
  final a = await Isolate.run(() => sum(frame));
  final b = await Isolate.run(() => sum(frame));
  return a + b + frameTransfer.length;
}
`;
  const run = fixed('/virtual/qa/names-run.dart', runText);
  assert.match(run, /final frameTransfer2 = TransferableTypedData\.fromList\(\[frame\]\);/);
  assert.match(run, /final frameTransfer3 = TransferableTypedData\.fromList\(\[frame\]\);/);
  assert.equal(run.match(/final frameTransfer\b/g)?.length, 1);

  const twiceText = `import 'dart:isolate';
import 'dart:typed_data';

void onFrame(TransferableTypedData frame, Uint8List frameBuffer) {
  final a = frame.materialize().asUint8List();
  final b = frame.materialize().asUint8List();
  print(a.length + b.length + frameBuffer.length);
}
`;
  const once = fixed('/virtual/qa/names-once.dart', twiceText);
  assert.match(once, /final frameBuffer2 = frame\.materialize\(\);/);
  assert.match(once, /final a = frameBuffer2\.asUint8List\(\);/);
});

test('CRLF files get CRLF in every inserted line break', () => {
  const lf = `import 'dart:isolate';

void entry(List<int> blob) {
  print(blob.length);
}

Future<void> main() async {
  final List<int> data = List<int>.filled(1 << 20, 1);
  await Isolate.spawn(entry, data);
  final Uint8List frame = Uint8List(8 << 20);
  await Isolate.run(() => frame.length);
}
`;
  const crlf = lf.replace(/\n/g, '\r\n');
  const out = fixed('/virtual/qa/crlf.dart', crlf);
  assert.notEqual(out, crlf, 'fixes were applied');
  assert.match(out, /import 'dart:typed_data';/);
  assert.match(out, /blobTransfer\.materialize\(\)/);
  assert.match(out, /frameTransfer\.materialize\(\)/);
  assert.doesNotMatch(out, /[^\r]\n/, 'no bare LF');
  assert.equal(fixed('/virtual/qa/lf.dart', lf).includes('\r'), false, 'LF files stay LF');
});

test('a file that starts with a byte order mark gets no duplicate dart:isolate import', () => {
  const file = '/virtual/qa/bom.dart';
  const text = `\uFEFFimport 'dart:isolate';
import 'dart:typed_data';

void produce(SendPort out) {
  final frame = Uint8List(4 * 1024 * 1024);
  out.send(frame);
  out.send('done');
}
`;
  engine.setFile(file, text);
  const fix = engine.analyze(file).flatMap((f) => f.fixes)[0];
  assert.ok(fix, 'a fix is offered');
  const out = applyEdits(text, fix.edits);
  assert.match(out, /TransferableTypedData\.fromList\(\[frame\]\)/);
  assert.equal(out.match(/import 'dart:isolate';/g)?.length, 1, out);
  assert.ok(out.startsWith("\uFEFFimport 'dart:isolate';"), 'the BOM stays first');
});

test('a BOM file without dart:isolate gets the import after its last import, the BOM kept first', () => {
  const file = '/virtual/qa/bom-missing.dart';
  const text = `\uFEFFimport 'dart:typed_data';

void produce(dynamic out) {
  final frame = Uint8List(4 * 1024 * 1024);
  out.send(frame);
}
`;
  engine.setFile(file, text);
  const fix = engine.analyze(file).flatMap((f) => f.fixes)[0];
  assert.ok(fix, 'a fix is offered');
  const out = applyEdits(text, fix.edits);
  assert.ok(
    out.startsWith("\uFEFFimport 'dart:typed_data';\nimport 'dart:isolate';"),
    JSON.stringify(out.slice(0, 80)),
  );
});

test('a `part of` file gets no import edit (the library imports apply; an import there does not compile)', () => {
  const file = '/virtual/qa/worker_part.dart';
  const text = `part of 'lib.dart';

void produce(SendPort out) {
  final frame = Uint8List(4 * 1024 * 1024);
  out.send(frame);
  out.send('done');
}
`;
  engine.setFile(file, text);
  const fixes = engine.analyze(file).flatMap((f) => f.fixes);
  assert.ok(fixes.length > 0, 'the send is still fixed');
  for (const fix of fixes) {
    for (const e of fix.edits.filter((x) => x.file === file)) assert.doesNotMatch(e.newText, /import/, fix.title);
  }
  const out = applyEdits(text, fixes[0].edits);
  assert.match(out, /TransferableTypedData\.fromList\(\[frame\]\)/);
  assert.doesNotMatch(out, /^import/m);
  assert.equal(engine.syntaxErrors(file, out), 0, out);
});
