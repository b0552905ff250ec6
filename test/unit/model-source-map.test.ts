import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { SourceMapper } from '../../extension/core/source-map/mapper';
import { IsolateModel } from '../../extension/core/model/model';
import { message, session, start } from '../helpers/records';

const TS = `interface Job { pixels: Uint8Array }
type Port = { postMessage(m: unknown): void };

export function send(port: Port, job: Job): void {
  const started: number = Date.now();
  port.postMessage({ job, started }); // MARK
}
`;

/** Compiles TS with esbuild the way a user's build would; returns the compiled position of MARK. */
async function compile(dir: string, sourcemap: 'linked' | 'external' | 'inline', bundle: boolean, ts = TS) {
  const src = join(dir, 'src', 'app.ts');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(join(dir, 'src'), { recursive: true });
  writeFileSync(src, ts);
  const outfile = join(dir, 'out', `app-${sourcemap}-${bundle}.js`);
  await build({ entryPoints: [src], outfile, sourcemap, bundle, platform: 'node', format: 'cjs', logLevel: 'silent' });
  const lines = readFileSync(outfile, 'utf8').split('\n');
  const idx = lines.findIndex((l) => l.includes('postMessage'));
  return { src, outfile, line: idx + 1, column: lines[idx]!.indexOf('port.postMessage') + 1 };
}

const tsLine = TS.split('\n').findIndex((l) => l.includes('MARK')) + 1;
const tsColumn = TS.split('\n')[tsLine - 1]!.indexOf('port.postMessage') + 1;

for (const sourcemap of ['linked', 'external', 'inline'] as const) {
  for (const bundle of [false, true]) {
    test(`maps an esbuild ${sourcemap} source map (${bundle ? 'bundled' : 'single file'}) back to the .ts line`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'isoscope-sm-'));
      const mapper = new SourceMapper();
      try {
        const c = await compile(dir, sourcemap, bundle);
        const loc = await mapper.map({ file: c.outfile, line: c.line, column: c.column });
        assert.equal(loc.file, c.src);
        assert.equal(loc.line, tsLine);
        assert.equal(loc.column, tsColumn);
        assert.deepEqual(loc.generated, { file: c.outfile, line: c.line, column: c.column });
        // file:// URLs (ESM stacks) map the same way, and a second lookup is synchronous.
        const viaUrl = await mapper.map({ file: pathToFileURL(c.outfile).href, line: c.line, column: c.column });
        assert.equal(viaUrl.line, tsLine);
        assert.equal(mapper.peek({ file: c.outfile, line: c.line, column: c.column })?.line, tsLine);
      } finally {
        mapper.dispose();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
}

test('a position at line 0 of a mapped file (the library throws for it) comes back unmapped', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'isoscope-sm0-'));
  const mapper = new SourceMapper();
  try {
    const c = await compile(dir, 'linked', false);
    const loc = await mapper.map({ file: c.outfile, line: 0, column: 1 });
    assert.deepEqual([loc.file, loc.line], [c.outfile, 0]);
    // The file's map still answers for real positions.
    assert.equal((await mapper.map({ file: c.outfile, line: c.line, column: c.column })).line, tsLine);
  } finally {
    mapper.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('files without a map, missing files and node internals come back unmapped', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'isoscope-sm-'));
  const mapper = new SourceMapper();
  try {
    const plain = join(dir, 'plain.js');
    writeFileSync(plain, 'console.log(1)\n');
    assert.deepEqual(await mapper.map({ file: plain, line: 1, column: 1 }), { file: plain, line: 1, column: 1 });
    const broken = join(dir, 'broken.js');
    writeFileSync(broken, 'x()\n//# sourceMappingURL=broken.js.map\n');
    writeFileSync(join(dir, 'broken.js.map'), '{not json');
    assert.equal((await mapper.map({ file: broken, line: 1, column: 1 })).file, broken);
    assert.equal((await mapper.map({ file: join(dir, 'gone.js'), line: 3, column: 2 })).line, 3);
    assert.equal((await mapper.map({ file: 'node:internal/worker', line: 3, column: 2 })).file, 'node:internal/worker');
  } finally {
    mapper.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the model applies source maps to ledger rows, call sites, spawn sites and findings, in order', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'isoscope-sm-'));
  const model = new IsolateModel({ sourceMapper: new SourceMapper() });
  try {
    const c = await compile(dir, 'linked', false);
    const site = { file: c.outfile, line: c.line, column: c.column, functionName: 'send' };
    model.openSession(session());
    model.ingest('node:1', start('0', 'main'));
    model.ingest('node:1', start('1', 'w', { spawnSite: site }));
    model.ingest('node:1', message('0', 'c1', 500_000, site, { typedArrayBytes: 500_000 }));
    model.ingest('node:1', {
      type: 'call-site',
      isolateId: '0',
      site,
      sends: 1,
      bytesCopied: 500_000,
      maxMessageBytes: 500_000,
      transferableBytes: 500_000,
      bytesTransferred: 0,
    });
    await model.settled();
    const snap = model.snapshot();
    assert.equal(snap.isolates.find((i) => i.id === '1')!.spawnSite?.line, tsLine);
    assert.equal(snap.ledger[0]!.location?.file, c.src);
    assert.equal(snap.callSites[0]!.line, tsLine);
    const f = model.toReport().findings.find((x) => x.rule === 'oversized-message')!;
    assert.deepEqual([f.file, f.line], [c.src, tsLine]);
    assert.deepEqual(
      model.toReport().callSites.map((s) => [s.file, s.line]),
      [[c.src, tsLine]],
    );
  } finally {
    model.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a map an agent sends for a script compiled in memory (tsx) is used, also over a lookup already made or in flight', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'isoscope-sm-'));
  const mapper = new SourceMapper();
  const model = new IsolateModel({ sourceMapper: new SourceMapper() });
  try {
    // What tsx gives Node: app.ts compiled as it loads (positions of the compiled code), the map in
    // memory with absolute sources; on disk there is only the .ts source, with no map.
    const c = await compile(dir, 'external', false);
    const raw = JSON.parse(readFileSync(`${c.outfile}.map`, 'utf8')) as { mappings: string; names: string[] };
    const map = { version: 3 as const, sources: [pathToFileURL(c.src).href], names: raw.names, mappings: raw.mappings };
    const pos = { file: pathToFileURL(c.src).href, line: c.line, column: c.column };
    const before = await mapper.map(pos);
    assert.deepEqual([before.line, before.generated], [c.line, undefined], 'no map yet: the compiled position');
    mapper.provide(pos.file, map);
    assert.equal((await mapper.map(pos)).line, tsLine, 'the cached "no map" and result are dropped');
    // A load still running when the map arrives gives way to it.
    const fresh = new SourceMapper();
    const inFlight = fresh.map({ ...pos, file: c.src });
    fresh.provide(c.src, map);
    assert.equal((await inFlight).line, tsLine);
    fresh.dispose();

    // Through the model: the record comes before the first record whose call site is in the script.
    const site = { ...pos, functionName: 'send' };
    model.openSession(session());
    model.ingest('node:1', start('0', 'main'));
    model.ingest('node:1', { type: 'source-map', isolateId: '0', file: pos.file, map });
    model.ingest('node:1', message('0', 'c1', 500_000, site, { typedArrayBytes: 500_000 }));
    await model.settled();
    assert.deepEqual(
      [model.snapshot().ledger[0]!.location?.file, model.snapshot().ledger[0]!.location?.line],
      [c.src, tsLine],
    );
  } finally {
    mapper.dispose();
    model.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a rebuilt file is mapped through its new map once a new process connects (node --watch)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'isoscope-sm-'));
  const model = new IsolateModel({ sourceMapper: new SourceMapper() });
  const send = async (sessionId: string, c: Awaited<ReturnType<typeof compile>>) => {
    const site = { file: c.outfile, line: c.line, column: c.column, functionName: 'send' };
    model.ingest(sessionId, message('0', 'c1', 500_000, site, { typedArrayBytes: 500_000 }));
    await model.settled();
    return model.snapshot().ledger.at(-1)!.location?.line;
  };
  try {
    model.openSession(session('node:1'));
    model.ingest('node:1', start('0', 'main'));
    assert.equal(await send('node:1', await compile(dir, 'linked', false)), tsLine);
    // The build rewrites app.js and app.js.map: three lines more above the send, in both.
    const moved = await compile(dir, 'linked', false, `// one\n// two\n// three\n${TS}`);
    model.openSession(session('node:2'));
    model.ingest('node:2', start('0', 'main'));
    assert.equal(await send('node:2', moved), tsLine + 3);
  } finally {
    model.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});
