// The lint corpus: expected findings and fixed output per case; rewritten Dart parses with no
// ERROR nodes and rewritten TS type-checks against @types/node.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { AnalysisEngine } from '../../extension/language-server/analysis/engine';
import { planFixes } from '../../extension/language-server/analysis/fix-plan';
import { actualFindings, corpusEngine, corpusFiles, expectedPaths } from '../helpers/lint-corpus';
import { typeErrors } from '../helpers/ts-typecheck';

let engine: AnalysisEngine;
let fixed: Map<string, string>;
before(async () => {
  engine = await corpusEngine();
  fixed = planFixes(engine, corpusFiles()).texts;
});
after(() => engine.dispose());

for (const file of corpusFiles()) {
  const name = file.slice(file.indexOf('fixtures/lint/'));
  test(`corpus ${name}: findings match the expected JSON`, () => {
    const expected = JSON.parse(readFileSync(expectedPaths(file).findings, 'utf8'));
    assert.deepEqual(actualFindings(engine, file), expected);
  });
  test(`corpus ${name}: --fix output matches the expected fixed file`, () => {
    const path = expectedPaths(file).fixed;
    if (!existsSync(path)) {
      assert.equal(fixed.get(file), undefined, 'no fix expected for this case');
      return;
    }
    assert.equal(fixed.get(file), readFileSync(path, 'utf8'));
  });
}

test('negative cases (small messages, strings, Isolate.exit results, transfer lists present) are not flagged', () => {
  for (const f of corpusFiles().filter((x) => /compute_json|negatives/.test(x))) {
    assert.deepEqual(actualFindings(engine, f), [], f);
  }
});

test('every rewritten Dart file parses with no ERROR nodes', () => {
  const dart = [...fixed].filter(([f]) => f.endsWith('.dart'));
  assert.ok(dart.length >= 4, 'the corpus rewrites several Dart files');
  for (const [file, text] of dart) assert.equal(engine.syntaxErrors(file, text), 0, file);
});

test('every rewritten TS file type-checks (strict, @types/node)', () => {
  const rewritten = new Map([...fixed].filter(([f]) => f.endsWith('.ts')));
  assert.ok(rewritten.size >= 3);
  assert.deepEqual(typeErrors(rewritten), []);
});
