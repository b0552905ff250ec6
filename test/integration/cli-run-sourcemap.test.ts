import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import type { Report } from '../../protocol';
import { runCli } from '../helpers/run-cli';

// A TypeScript app whose oversized send sits at a known .ts line; types and a helper module shift
// the compiled lines away from the original ones.
const SEND_TS = `import { Worker } from 'node:worker_threads';

export interface Frame {
  id: number;
  pixels: Float64Array;
}

export function sendFrame(worker: Worker, frame: Frame): void {
  const payload: { kind: 'frame'; frame: Frame } = { kind: 'frame', frame };
  worker.postMessage(payload); // SEND-LINE
}
`;
const MAIN_TS = `import { Worker } from 'node:worker_threads';
import { sendFrame, type Frame } from './send';

type Done = () => void;
const code = "require('node:worker_threads').parentPort.on('message', () => process.exit(0))";
const worker: Worker = new Worker(code, { eval: true, name: 'ts-sink' }); // SPAWN-LINE
const frame: Frame = { id: 1, pixels: new Float64Array(50_000) };
const done: Done = () => console.log('ts app done');
sendFrame(worker, frame);
worker.on('exit', done);
`;

for (const format of ['cjs', 'esm'] as const) {
  test(`call sites and findings of an esbuild-bundled TS app (${format}) point at the .ts lines`, async () => {
    const dir = mkdtempSync(join(tmpdir(), `isoscope-ts-${format}-`));
    try {
      mkdirSync(join(dir, 'src'));
      writeFileSync(join(dir, 'src', 'send.ts'), SEND_TS);
      writeFileSync(join(dir, 'src', 'main.ts'), MAIN_TS);
      const outfile = join(dir, 'dist', format === 'esm' ? 'app.mjs' : 'app.js');
      await build({
        entryPoints: [join(dir, 'src', 'main.ts')],
        outfile,
        bundle: true,
        platform: 'node',
        format,
        sourcemap: true,
        logLevel: 'silent',
      });
      const reportPath = join(dir, 'report.json');
      const r = await runCli(['run', '--report', reportPath, '--', process.execPath, outfile]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'ts app done\n');
      const report = JSON.parse(readFileSync(reportPath, 'utf8')) as Report;
      const sendTs = join(dir, 'src', 'send.ts');
      const sendLine = SEND_TS.split('\n').findIndex((l) => l.includes('SEND-LINE')) + 1;
      const site = report.callSites.find((s) => s.file === sendTs);
      assert.ok(site, `no call site in send.ts: ${JSON.stringify(report.callSites)}`);
      assert.equal(site.line, sendLine);
      assert.equal(site.maxMessageBytes >= 400_000, true);
      const f = report.findings.find((x) => x.rule === 'oversized-message')!;
      assert.deepEqual([f.file, f.line], [sendTs, sendLine]);
      assert.match(r.stderr, new RegExp(`oversized-message at .*send\\.ts:${sendLine}`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('a TS app run through the tsx loader (its maps only in memory) reports the .ts lines, not the compiled ones', async () => {
  // tsx compiles each .ts file as Node loads it and gives Node the map; there is no file on disk to
  // read it from. The agent ships Node's copy with the first call site in that script.
  const dir = mkdtempSync(join(tmpdir(), 'isoscope-tsx-'));
  try {
    writeFileSync(join(dir, 'send.ts'), SEND_TS);
    writeFileSync(join(dir, 'main.ts'), MAIN_TS);
    const reportPath = join(dir, 'report.json');
    const tsx = pathToFileURL(createRequire(__filename).resolve('tsx')).href;
    const r = await runCli([
      'run',
      '--report',
      reportPath,
      '--',
      process.execPath,
      '--import',
      tsx,
      join(dir, 'main.ts'),
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'ts app done\n');
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as Report;
    const sendTs = join(dir, 'send.ts');
    const sendLine = SEND_TS.split('\n').findIndex((l) => l.includes('SEND-LINE')) + 1;
    const site = report.callSites.find((s) => s.file === sendTs);
    assert.ok(site, `no call site in send.ts: ${JSON.stringify(report.callSites)}`);
    // V8 places a method call at its property name; columns are 1-based.
    assert.deepEqual(
      [site.line, site.column],
      [sendLine, SEND_TS.split('\n')[sendLine - 1]!.indexOf('postMessage') + 1],
    );
    const f = report.findings.find((x) => x.rule === 'oversized-message')!;
    assert.deepEqual([f.file, f.line], [sendTs, sendLine]);
    assert.match(r.stderr, new RegExp(`oversized-message at .*send\\.ts:${sendLine}`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a source map whose mappings or sources are broken counts as no map: the run ends, with the report, at the compiled line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'isoscope-ts-badmap-'));
  try {
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src', 'send.ts'), SEND_TS);
    writeFileSync(join(dir, 'src', 'main.ts'), MAIN_TS);
    const outfile = join(dir, 'dist', 'app.js');
    await build({
      entryPoints: [join(dir, 'src', 'main.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      sourcemap: true,
      logLevel: 'silent',
    });
    // Valid JSON that the source-map library only rejects on the first lookup (it parses
    // "mappings" lazily): before the fix, that lookup threw inside the model and the run hung.
    const map = JSON.parse(readFileSync(`${outfile}.map`, 'utf8')) as { mappings: string };
    map.mappings = '!!!!';
    writeFileSync(`${outfile}.map`, JSON.stringify(map));
    const reportPath = join(dir, 'report.json');
    const r = await runCli(['run', '--no-status', '--report', reportPath, '--', process.execPath, outfile], {
      timeoutMs: 30_000,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'ts app done\n');
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as Report;
    const compiledLine =
      readFileSync(outfile, 'utf8')
        .split('\n')
        .findIndex((l) => l.includes('postMessage(payload)')) + 1;
    // (esbuild drops the SEND-LINE comment: the compiled send is the bundle's one postMessage(payload).)
    assert.ok(compiledLine > 0);
    const site = report.callSites.find((s) => s.file === outfile);
    assert.ok(site, JSON.stringify(report.callSites));
    assert.equal(site.line, compiledLine);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
