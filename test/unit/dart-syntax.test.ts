// No Dart SDK can be installed here, so the Dart package (runtime-agent/dart) and the Dart sample
// (examples/dart) are checked with the tree-sitter Dart grammar: every file must parse with no
// ERROR or MISSING node. This proves syntax only, not types or behaviour.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Language, Parser as ParserClass, type Node, type Parser } from 'web-tree-sitter';

const root = join(__dirname, '..', '..');

function dartFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return dartFiles(full);
    return name.endsWith('.dart') ? [full] : [];
  });
}

async function dartParser(): Promise<Parser> {
  await ParserClass.init({ locateFile: () => join(root, 'node_modules/web-tree-sitter/tree-sitter.wasm') });
  const parser = new ParserClass();
  parser.setLanguage(
    await Language.load(join(root, 'node_modules/@repomix/tree-sitter-wasms/out/tree-sitter-dart.wasm')),
  );
  return parser;
}

/** ERROR and MISSING nodes, as `line:column kind` strings. */
function problems(node: Node, out: string[] = []): string[] {
  if (node.isError || node.isMissing) {
    out.push(
      `${node.startPosition.row + 1}:${node.startPosition.column + 1} ${node.isMissing ? 'MISSING' : 'ERROR'} ${node.text.slice(0, 40)}`,
    );
  }
  if (node.hasError) for (const child of node.children) if (child) problems(child, out);
  return out;
}

function stringLiterals(node: Node, out = new Set<string>()): Set<string> {
  if (node.type === 'string_literal') out.add(node.text.replace(/^'|'$/g, ''));
  for (const child of node.children) if (child) stringLiterals(child, out);
  return out;
}

const files = [...dartFiles(join(root, 'runtime-agent/dart')), ...dartFiles(join(root, 'examples/dart'))];

test('the Dart package and the Dart sample parse with no ERROR/MISSING nodes (tree-sitter syntax check only)', async () => {
  const parser = await dartParser();
  assert.ok(files.length >= 8, `found ${files.length} .dart files`);
  // A deliberately broken snippet must be caught, or this check proves nothing.
  assert.ok(problems(parser.parse('void main( { print("x") }')!.rootNode).length > 0);
  const report: string[] = [];
  for (const file of files) {
    const tree = parser.parse(readFileSync(file, 'utf8'))!;
    for (const p of problems(tree.rootNode)) report.push(`${relative(root, file)}:${p}`);
  }
  assert.deepEqual(report, []);
});

test('the events the Dart package posts carry the keys the Dart source reads (runtime-agent/dart/README.md)', async () => {
  const parser = await dartParser();
  const literals = (rel: string) => stringLiterals(parser.parse(readFileSync(join(root, rel), 'utf8'))!.rootNode);
  const send = literals('runtime-agent/dart/lib/src/tracked_send.dart');
  for (const key of ['send', 'port', 'bytes', 'typedDataBytes', 'transferredBytes', 'shape', 'site']) {
    assert.ok(send.has(key), `isoscope.send lacks '${key}'`);
  }
  const isolate = literals('runtime-agent/dart/lib/src/isolate_tracker.dart');
  for (const key of ['isolate', 'debugName', 'parentIsolateId', 'spawnSite', 'how']) {
    assert.ok(isolate.has(key), `isoscope.isolate lacks '${key}'`);
  }
  const reporter = literals('runtime-agent/dart/lib/src/reporter.dart');
  for (const key of ['v', 'atMs', 'dart.vm.product']) assert.ok(reporter.has(key), `reporter lacks '${key}'`);
  const site = literals('runtime-agent/dart/lib/src/call_site.dart');
  for (const key of ['file', 'line', 'column', 'function']) assert.ok(site.has(key), `call site lacks '${key}'`);
});
