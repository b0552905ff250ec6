// Statement reuse (ts/statement-reuse.ts) after edits: an incremental re-analysis must say what a
// fresh analysis of the same text says, also when the edited statement only *mentions* a sent
// buffer (a function declared below the send that reads it makes the send "used after").
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { AnalysisEngine } from '../../extension/language-server/analysis/engine';

let engine: AnalysisEngine;
before(async () => {
  engine = new AnalysisEngine({ workspaceRoots: [process.cwd()] });
  await engine.init();
});
after(() => engine.dispose());

const H = `import { Worker } from 'node:worker_threads';\nconst worker = new Worker('./w.js');\n`;
let counter = 0;

/** Messages after analyzing `before`, then editing it into `after` (reusing the first analysis). */
function incremental(before: string, after: string): string[] {
  const file = join(process.cwd(), 'test', 'fixtures', 'lint', 'ts-qa', `reuse-${counter++}.ts`);
  engine.setFile(file, before);
  engine.analyze(file);
  engine.setFile(file, after);
  return engine.analyze(file).map((f) => f.message);
}

/** Messages of a fresh analysis of `text` (a new file, nothing to reuse). */
function fresh(text: string): string[] {
  const file = join(process.cwd(), 'test', 'fixtures', 'lint', 'ts-qa', `fresh-${counter++}.ts`);
  engine.setFile(file, text);
  return engine.analyze(file).map((f) => f.message);
}

const cases: [name: string, before: string, after: string][] = [
  [
    'a function added below a top-level send reads the buffer',
    `${H}const tile = new Float32Array(1 << 18);\nworker.postMessage(tile);\nfunction other() {}\n`,
    `${H}const tile = new Float32Array(1 << 18);\nworker.postMessage(tile);\nfunction other() { return tile.length; }\n`,
  ],
  [
    'an exported function is inserted after the send',
    `${H}const buf = new Uint8Array(1 << 20);\nworker.postMessage(buf);\n`,
    `${H}const buf = new Uint8Array(1 << 20);\nworker.postMessage(buf);\nexport function peek() { return buf[0]; }\n`,
  ],
  [
    'the only later reader of the buffer is removed',
    `${H}const buf = new Uint8Array(1 << 20);\nworker.postMessage(buf);\nexport function peek() { return buf[0]; }\n`,
    `${H}const buf = new Uint8Array(1 << 20);\nworker.postMessage(buf);\nexport function peek() { return 0; }\n`,
  ],
  [
    'a timer callback above the send starts reading the buffer',
    `${H}const frame = new Float32Array(1 << 18);\nsetInterval(() => console.log(1), 1000);\nworker.postMessage(frame);\n`,
    `${H}const frame = new Float32Array(1 << 18);\nsetInterval(() => console.log(frame[0]), 1000);\nworker.postMessage(frame);\n`,
  ],
];

for (const [name, before, after] of cases) {
  test(`incremental analysis matches a fresh one: ${name}`, () => {
    const expected = fresh(after);
    assert.equal(expected.length, 1);
    assert.deepEqual(incremental(before, after), expected);
  });
}
