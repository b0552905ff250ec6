// TS/JS `--fix` rewrites that must stay correct: unique names for generated variables, blocks
// around unbraced bodies, parenthesized and hoisted messages, deduplicated transfer lists, no
// transfer of SharedArrayBuffers, captured variables, and sizes that count each value once.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { AnalysisEngine } from '../../extension/language-server/analysis/engine';
import { planFixes } from '../../extension/language-server/analysis/fix-plan';
import { typeErrors } from '../helpers/ts-typecheck';

let engine: AnalysisEngine;
before(async () => {
  engine = new AnalysisEngine({ workspaceRoots: [process.cwd()] });
  await engine.init();
});
after(() => engine.dispose());

const H = `import { Worker } from 'node:worker_threads'; const w = new Worker('x.js');\n`;
let counter = 0;

/** Analyzes `text` as a new file and returns the file name, its findings and its `--fix` output. */
function lint(ext: 'ts' | 'js', text: string) {
  const file = join(process.cwd(), 'test', 'fixtures', 'lint', 'ts-qa', `virtual-${counter++}.${ext}`);
  engine.setFile(file, text);
  const findings = engine.analyze(file);
  const fixed = planFixes(engine, [file]).texts.get(file);
  return { file, findings, fixed };
}

function assertTypeChecks(file: string, text: string | undefined): asserts text is string {
  assert.ok(text !== undefined, 'a fix is applied');
  assert.deepEqual(typeErrors(new Map([[file, text]])), [], text);
}

/** Runs a JS module (no worker: a MessageChannel port receives) and returns its stdout. */
function run(js: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tsfix-test-'));
  try {
    const path = join(dir, 'main.mjs');
    writeFileSync(path, js);
    return execFileSync(process.execPath, [path], { encoding: 'utf8', timeout: 20_000 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const PORT = `import { MessageChannel } from 'node:worker_threads';
const { port1: w, port2 } = new MessageChannel();
port2.close();
`;

test('1: two copies of one variable get distinct names', () => {
  const { file, fixed } = lint(
    'ts',
    `${H}declare const w1: Worker, w2: Worker;
export function f(){ const t=new Uint8Array(1<<20); w1.postMessage(t); w2.postMessage(t); return t[0]; }
`,
  );
  assertTypeChecks(file, fixed);
  assert.match(fixed, /const tCopy = t\.slice\(\); w1\.postMessage\(tCopy, \[tCopy\.buffer\]\);/);
  assert.match(fixed, /const tCopy2 = t\.slice\(\); w2\.postMessage\(tCopy2, \[tCopy2\.buffer\]\);/);
});

test('1: a generated name never redeclares or shadows a name of the file', () => {
  const { file, fixed } = lint(
    'ts',
    `${H}const tCopy = 1;
export function f(){ const t=new Uint8Array(1<<20); const tCopy2 = 2; w.postMessage(t); return t[0] + tCopy + tCopy2; }
`,
  );
  assertTypeChecks(file, fixed);
  assert.match(fixed, /const tCopy3 = t\.slice\(\); w\.postMessage\(tCopy3, \[tCopy3\.buffer\]\);/);
});

test('2: a declaration before an unbraced body wraps it in a block (the send stays conditional)', () => {
  const src = `${H}export function f(cond: boolean, n: number){
  const t=new Uint8Array(1<<20);
  if (cond) w.postMessage(t);
  else w.postMessage(t);
  for (let i = 0; i < n; i++) w.postMessage(t);
  while (n-- > 0) w.postMessage(t);
  label: w.postMessage(t);
  return t[0];
}
`;
  const { file, fixed } = lint('ts', src);
  assertTypeChecks(file, fixed);
  assert.match(fixed, /if \(cond\) \{ const tCopy = t\.slice\(\); w\.postMessage\(tCopy, \[tCopy\.buffer\]\); \}\n/);
  assert.match(fixed, /else \{ const tCopy2 = t\.slice\(\); w\.postMessage\(tCopy2, \[tCopy2\.buffer\]\); \}\n/);
  assert.match(fixed, /i\+\+\) \{ const tCopy3 = t\.slice\(\); w\.postMessage\(tCopy3, \[tCopy3\.buffer\]\); \}\n/);
  assert.match(fixed, /n-- > 0\) \{ const tCopy4 = /);
  assert.match(fixed, /label: \{ const tCopy5 = /);
});

test('2: the wrapped send still runs only when its condition holds (JS, executed)', () => {
  const { fixed } = lint(
    'js',
    `${PORT}let sent = 0;
const orig = w.postMessage.bind(w);
w.postMessage = (m, l) => { sent++; orig(m, l); };
export function f(cond){ const t=new Uint8Array(1<<20); if (cond) w.postMessage(t); return t.length; }
console.log(f(false), f(true), sent);
w.close();
`,
  );
  assert.ok(fixed);
  assert.match(fixed, /if \(cond\) \{ const tCopy = /);
  assert.equal(run(fixed).trim(), '1048576 1048576 1');
});

test('4: a conditional message is parenthesized before .buffer', () => {
  const { file, fixed } = lint(
    'ts',
    `${H}export function f(cond: boolean){ const a=new Uint8Array(1<<20); const b=new Uint8Array(1<<20); w.postMessage(cond ? a : b); }
`,
  );
  assertTypeChecks(file, fixed);
  assert.match(fixed, /w\.postMessage\(cond \? a : b, \[\(cond \? a : b\)\.buffer\]\)/);
});

test('4: a conditional whose branch is used after the send gets no transfer', () => {
  const { findings } = lint(
    'ts',
    `${H}export function f(cond: boolean){ const a=new Uint8Array(1<<20); const b=new Uint8Array(1<<20); w.postMessage(cond ? a : b); return b[0]; }
`,
  );
  assert.equal(findings.length, 1);
  assert.match(findings[0].message, /'b' is used after the send/);
  assert.ok(!findings[0].fixes.some((f) => /Transfer instead of copy/.test(f.title)));
});

test('6: a computed message is hoisted into a const once, also in an unbraced body', () => {
  const { file, fixed } = lint(
    'ts',
    `${H}declare function makeBuf(): Uint8Array;
export function f(n: number, c: boolean){
  w.postMessage(makeBuf());
  if (c) w.postMessage(new Uint8Array(n));
}
`,
  );
  assertTypeChecks(file, fixed);
  assert.equal(fixed.match(/makeBuf\(\)/g)?.length, 2, 'declared once, called once');
  assert.equal(fixed.match(/new Uint8Array\(n\)/g)?.length, 1);
  assert.match(
    fixed,
    /const payload = makeBuf\(\);\n {2}w\.postMessage\(payload, \[payload\.buffer as ArrayBuffer\]\);/,
  );
  assert.match(
    fixed,
    /if \(c\) \{ const payload2 = new Uint8Array\(n\); w\.postMessage\(payload2, \[payload2\.buffer\]\); \}/,
  );
});

test('6: a computed message behind ?. or a computed receiver is not hoisted', () => {
  const { findings } = lint(
    'ts',
    `${H}declare function makeBuf(): Uint8Array; declare function pick(): Worker; declare const maybe: Worker | undefined;
export function f(){ maybe?.postMessage(makeBuf()); pick().postMessage(makeBuf()); }
`,
  );
  assert.equal(findings.length, 2);
  for (const f of findings) assert.deepEqual(f.fixes, []);
});

test('5: typed arrays on a SharedArrayBuffer are not flagged (shared, not copied)', () => {
  const { findings } = lint(
    'ts',
    `${H}export function f(s: Uint8Array<SharedArrayBuffer>){ const t=new Uint8Array(new SharedArrayBuffer(1<<20)); w.postMessage(t); w.postMessage(s); w.postMessage({ t, s }); }
`,
  );
  assert.deepEqual(findings, []);
});

test('5: the fixed JS never transfers a SharedArrayBuffer (executed)', () => {
  const src = `${PORT}const t = new Uint8Array(new SharedArrayBuffer(1 << 20));
w.postMessage(t);
console.log('sent');
w.close();
`;
  const { findings, fixed } = lint('js', src);
  assert.deepEqual(findings, []);
  assert.equal(fixed, undefined);
  assert.equal(run(src).trim(), 'sent');
});

test('3: several buffers that may be one are deduplicated (no DataCloneError, executed)', () => {
  const { fixed } = lint(
    'js',
    `${PORT}/** @returns {Uint8Array[]} */
function views() { const ab = new ArrayBuffer(1 << 20); return [new Uint8Array(ab, 0, 16), new Uint8Array(ab, 16, 16)]; }
export function send() { const [a, b] = views(); w.postMessage({ a, b }); }
send();
console.log('ok');
w.close();
`,
  );
  assert.ok(fixed);
  assert.match(fixed, /w\.postMessage\(\{ a, b \}, \[\.\.\.new Set\(\[a\.buffer, b\.buffer\]\)\]\)/);
  assert.equal(run(fixed).trim(), 'ok');
});

test('3: distinct fresh buffers keep a plain transfer list; typed ones type-check deduplicated', () => {
  const { file, fixed } = lint(
    'ts',
    `${H}export function f(){ const a=new Uint8Array(1<<20); const b=new Float32Array(1<<18); w.postMessage({a,b}); }
declare function make(): Uint8Array;
export function g(){ const x = make(); const y = make(); w.postMessage({x,y}); }
`,
  );
  assertTypeChecks(file, fixed);
  assert.match(fixed, /w\.postMessage\(\{a,b\}, \[a\.buffer, b\.buffer\]\)/);
  assert.match(fixed, /\[\.\.\.new Set\(\[x\.buffer as ArrayBuffer, y\.buffer as ArrayBuffer\]\)\]/);
});

test('7: a variable captured by the sending function counts as used after the send', () => {
  const { findings, fixed, file } = lint(
    'ts',
    `${H}declare function use(x: unknown): void;
export function f(){ const t=new Uint8Array(1<<20); const send=()=>w.postMessage(t); send(); use(t); }
export function g(){ const u=new Uint8Array(1<<20); function send(){ w.postMessage(u); } send(); use(u); }
`,
  );
  assert.equal(findings.length, 2);
  for (const f of findings) {
    assert.match(f.message, /is used after the send/);
    assert.ok(!f.fixes.some((x) => /Transfer instead of copy/.test(x.title)), f.fixes[0]?.title);
  }
  assertTypeChecks(file, fixed);
  assert.match(fixed, /function send\(\)\{ const uCopy = u\.slice\(\); w\.postMessage\(uCopy, \[uCopy\.buffer\]\); \}/);
  assert.match(fixed, /const send=\(\)=>w\.postMessage\(t\);/);
});

test('9: a value sent twice in one message is counted once', () => {
  const { findings, fixed } = lint(
    'ts',
    `${H}export function f(){ const t=new Uint8Array(1<<20); w.postMessage({a:t, b:t}); }
`,
  );
  assert.equal(findings.length, 1);
  assert.equal(findings[0].bytes, 1 << 20);
  assert.match(findings[0].message, /copies t \(1\.0 MiB\)/);
  assert.match(fixed ?? '', /w\.postMessage\(\{a:t, b:t\}, \[t\.buffer\]\)/);
});

test('10: a buffer read by a closure or another function written before the send is used after it (no transfer)', () => {
  // Each send runs before code that reads the buffer later: a function declared above it, a timer
  // callback, an event handler, a class field, an export. Transferring would detach what they read.
  const cases = [
    `const frame = new Float32Array(1 << 18);
export function brightness(): number { return frame[0]; }
w.postMessage(frame);
`,
    `const frame = new Float32Array(1 << 18);
setInterval(() => console.log(frame[0]), 1000);
w.postMessage(frame);
`,
    `import { EventEmitter } from 'node:events';
export function start(events: EventEmitter): void {
  const frame = new Float32Array(1 << 18);
  events.on('tick', () => console.log(frame[0]));
  w.postMessage(frame);
}
`,
    `const frame = new Float32Array(1 << 18);
class View { first = frame[0]; }
w.postMessage(frame);
new View();
`,
    `export const frame = new Float32Array(1 << 18);
w.postMessage(frame);
`,
    `const frame = new Float32Array(1 << 18);
export { frame };
w.postMessage(frame);
`,
  ];
  for (const text of cases) {
    const { findings, fixed, file } = lint('ts', `${H}${text}`);
    assert.equal(findings.length, 1, text);
    assert.match(findings[0].message, /'frame' is used after the send/, text);
    assert.deepEqual(
      findings[0].fixes.map((f) => f.title),
      ["Transfer a copy of 'frame'"],
      text,
    );
    assertTypeChecks(file, fixed);
  }
});

test('10: a read inside the sending function before the send, or a closure that never mentions it, keeps the transfer', () => {
  const { findings } = lint(
    'ts',
    `${H}export function f(): void {
  const frame = new Float32Array(1 << 18);
  frame[0] = 1;
  setTimeout(() => console.log('sent'), 10);
  w.postMessage(frame);
}
`,
  );
  assert.equal(findings.length, 1);
  assert.match(findings[0].fixes[0]?.title ?? '', /^Transfer instead of copy: add \[frame\.buffer\]/);
});
