import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IsolateModel } from '../../extension/core/model/model';
import { transferExample } from '../../extension/core/model/findings';
import { evaluateGates } from '../../extension/core/report/gates';
import { channel, message, sample, session, start } from '../helpers/records';

const site = { file: '/app/dist/demo.js', line: 42, column: 9, functionName: 'send' };

function app(opts: ConstructorParameters<typeof IsolateModel>[0] = {}) {
  const model = new IsolateModel(opts);
  model.openSession(session());
  model.ingest('node:1', start('0', 'main'));
  model.ingest('node:1', start('1', 'resize-pool-1'));
  model.ingest('node:1', channel('c1', '0', '1'));
  return model;
}

test('oversized-message: per call site largest, count, total, who paid, and what transfer saves', () => {
  const model = app();
  const mb = 4 * 1024 * 1024;
  model.ingest(
    'node:1',
    message('0', 'c1', mb + 20, site, { typedArrayBytes: mb, shape: '{pixels: Uint8Array(4194304)}' }),
  );
  model.ingest(
    'node:1',
    message('0', 'c1', mb + 20, site, { typedArrayBytes: mb, shape: '{pixels: Uint8Array(4194304)}' }),
  );
  model.ingest('node:1', message('0', 'c1', 1000, site)); // under the threshold: ledger only
  const findings = model.snapshot().findings.filter((f) => f.rule === 'oversized-message');
  assert.equal(findings.length, 1);
  const f = findings[0]!;
  assert.equal(f.count, 2);
  assert.equal(f.bytes, mb + 20);
  assert.equal(f.totalBytes, 2 * (mb + 20));
  assert.equal(f.isolateId, '0');
  assert.deepEqual(f.location, { file: '/app/dist/demo.js', line: 42, column: 9 });
  assert.match(f.message, /4\.0 MiB/);
  assert.match(f.message, /'main' paid to serialize/);
  assert.match(f.message, /'resize-pool-1' to deserialize/);
  assert.match(f.suggestion, /transfer list/);
  assert.match(f.suggestion, /saving 4\.0 MiB per send \(8\.0 MiB so far\)/);
});

test('oversized-message: the saving so far counts every send at the site when message records are sampled', () => {
  const model = app();
  const mb = 2 * 1024 * 1024;
  // Two sampled message records, while the call-site counters saw 145 sends of the same message.
  for (let i = 0; i < 2; i++) {
    model.ingest(
      'node:1',
      message('0', 'c1', mb + 20, site, { typedArrayBytes: mb, shape: '{frame: Uint8Array(2097152)}' }),
    );
  }
  model.ingest('node:1', {
    type: 'call-site',
    isolateId: '0',
    site,
    sends: 145,
    bytesCopied: 145 * (mb + 20),
    maxMessageBytes: mb + 20,
    transferableBytes: 145 * mb,
    bytesTransferred: 0,
  });
  const f = model.snapshot().findings.find((x) => x.rule === 'oversized-message')!;
  assert.equal(f.count, 145);
  assert.match(f.message, /145 sends here copied 290 MiB in total/);
  assert.match(f.suggestion, /saving 2\.0 MiB per send \(290 MiB so far\)/);
});

test('oversized-message names each receiving name once, and says how many more there are past three', () => {
  const model = app();
  const names = ['a', 'b', 'b', 'c', 'd', 'e'];
  names.forEach((name, i) => {
    model.ingest('node:1', start(`r${i}`, name));
    model.ingest('node:1', channel(`to${i}`, '0', `r${i}`));
    model.ingest('node:1', message('0', `to${i}`, 300_000, site, { typedArrayBytes: 300_000 }));
  });
  const f = model.snapshot().findings.find((x) => x.rule === 'oversized-message')!;
  assert.match(f.message, /'main' paid to serialize it, 'a', 'b', 'c' and 2 more to deserialize it\.$/);
});

test('oversized-message says when transfer cannot apply (no typed arrays) or will not pay', () => {
  const model = app();
  const plain = { ...site, line: 50 };
  const mostlyObjects = { ...site, line: 60 };
  model.ingest('node:1', message('0', 'c1', 300_000, plain, { shape: '{rows: Array(5000)}' }));
  model.ingest('node:1', message('0', 'c1', 300_000, mostlyObjects, { typedArrayBytes: 4096 }));
  const byLine = new Map(model.snapshot().findings.map((f) => [f.location?.line, f]));
  assert.match(byLine.get(50)!.suggestion, /can't apply/);
  assert.match(byLine.get(60)!.suggestion, /won't pay/);
});

test('oversized-message warns about pooled Node Buffers', () => {
  const model = app();
  model.ingest('node:1', message('0', 'c1', 200_000, site, { typedArrayBytes: 200_000, shape: 'Buffer(200000)' }));
  assert.match(model.snapshot().findings[0]!.suggestion, /shared pool/);
});

test("the transfer example names the message's own binary fields", () => {
  assert.equal(transferExample('Uint8Array(200000)'), 'postMessage(data, [data.buffer])');
  assert.equal(transferExample('Buffer(4096)'), 'postMessage(data, [data.buffer])');
  assert.equal(transferExample('ArrayBuffer(1048576)'), 'postMessage(buf, [buf])');
  assert.equal(
    transferExample('{pixels: Uint8Array(4194304), id: number, raw: ArrayBuffer(10)}'),
    'postMessage(msg, [msg.pixels.buffer, msg.raw])',
  );
  assert.equal(transferExample('{odd key: Float32Array(9)}'), 'postMessage(msg, [msg["odd key"].buffer])');
  assert.equal(transferExample('Array(4)<Float64Array(1000)>'), 'postMessage(list, list.map((a) => a.buffer))');
  assert.equal(transferExample('Array(2)<ArrayBuffer(8)>'), 'postMessage(list, list)');
  // A shape it cannot read (cut at 200 chars, an accessor) falls back to the generic example.
  assert.equal(transferExample('{data: accessor}'), 'postMessage(msg, [msg.data.buffer])');
  assert.equal(transferExample(''), 'postMessage(msg, [msg.data.buffer])');
});

test('a bare typed array: no "non-binary data" for the clone\'s few framing bytes', () => {
  const model = app();
  model.ingest('node:1', message('0', 'c1', 200_005, site, { typedArrayBytes: 200_000, shape: 'Uint8Array(200000)' }));
  const s = model.snapshot().findings[0]!.suggestion;
  assert.match(s, /postMessage\(data, \[data\.buffer\]\)/);
  assert.doesNotMatch(s, /non-binary/);
  // A real non-binary part is still named.
  const mixed = app();
  const shape = '{pixels: Uint8Array(200000), rows: Array(900)}';
  mixed.ingest('node:1', message('0', 'c1', 230_000, site, { typedArrayBytes: 200_000, shape }));
  assert.match(mixed.snapshot().findings[0]!.suggestion, /29 KiB of non-binary data is still copied/);
});

test("a Dart isolate's oversized send gets Dart advice (TransferableTypedData, Isolate.exit), not a transfer list", () => {
  const model = new IsolateModel();
  model.openSession({ ...session('dart:1'), runtime: 'dart' });
  model.ingest('dart:1', start('0', 'main'));
  model.ingest('dart:1', start('1', 'decoder'));
  model.ingest('dart:1', channel('c1', '0', '1'));
  const shape = '{pixels: Uint8List(4194304), width: int}';
  model.ingest('dart:1', message('0', 'c1', 4_194_330, site, { typedArrayBytes: 4_194_304, shape }));
  model.ingest('dart:1', message('0', 'c1', 300_000, { ...site, line: 50 }, { shape: 'List<String(20)>(9000)' }));
  const byLine = new Map(model.snapshot().findings.map((f) => [f.location?.line, f.suggestion]));
  assert.match(byLine.get(42)!, /TransferableTypedData\.fromList/);
  assert.match(byLine.get(42)!, /materialize\(\)/);
  assert.doesNotMatch(byLine.get(42)!, /postMessage|transfer list|SharedArrayBuffer/);
  assert.match(byLine.get(50)!, /can't apply/);
  assert.match(byLine.get(50)!, /Isolate\.exit/);
  assert.doesNotMatch(byLine.get(50)!, /SharedArrayBuffer/);
});

test('the threshold is configurable and a call-site aggregate alone can raise the finding', () => {
  const model = app({ oversizedBytes: 1000 });
  model.ingest('node:1', {
    type: 'call-site',
    isolateId: '0',
    site,
    sends: 10,
    bytesCopied: 20_000,
    maxMessageBytes: 2000,
    transferableBytes: 20_000,
    bytesTransferred: 0,
  });
  const f = model.snapshot().findings.find((x) => x.rule === 'oversized-message')!;
  assert.equal(f.bytes, 2000);
  assert.equal(f.totalBytes, 20_000);
  assert.equal(new IsolateModel().snapshot().oversizedBytes, 65536);
});

test('queue-backlog: queueing delays are written in the unit that reads best (seconds, not 48234.5 ms)', () => {
  const model = new IsolateModel({ backlog: { deepQueueDepth: 100 } });
  model.openSession(session());
  model.ingest('node:1', start('0', 'main'));
  model.ingest('node:1', start('2', 'slow', { spawnSite: { ...site, line: 77 } }));
  model.ingest('node:1', start('3', 'quick', { spawnSite: { ...site, line: 78 } }));
  model.ingest('node:1', channel('c2', '0', '2', { maxDepth: 150, delayMsP95: 48234.5, delayMsMax: 48429.1 }));
  model.ingest('node:1', channel('c3', '0', '3', { maxDepth: 150, delayMsP95: 2.46, delayMsMax: 999.6 }));
  const byLine = new Map(model.snapshot().findings.map((f) => [f.location?.line, f.message]));
  assert.match(byLine.get(77) ?? '', /queueing delay p95 48\.2 s, max 48\.4 s\./);
  assert.match(byLine.get(78) ?? '', /queueing delay p95 2\.5 ms, max 1\.0 s\./);
});

test('queue-backlog: a deep queue is a finding at the spawn site of the isolate', () => {
  const model = new IsolateModel({ backlog: { deepQueueDepth: 100 } });
  model.openSession(session());
  model.ingest('node:1', start('0', 'main'));
  model.ingest('node:1', start('2', 'log-sink', { spawnSite: { ...site, line: 77 } }));
  model.ingest('node:1', channel('c2', '0', '2', { maxDepth: 150, delayMsP95: 12, delayMsMax: 30 }));
  const f = model.snapshot().findings.find((x) => x.rule === 'queue-backlog')!;
  assert.equal(f.isolateId, '2');
  assert.equal(f.count, 150);
  assert.equal(f.location?.line, 77);
  assert.match(f.message, /'log-sink' had 150 messages waiting/);
  assert.match(f.message, /queueing delay p95 12 ms, max 30 ms\./);
});

test('queue-backlog: a steadily growing queue is a finding even when not yet deep', () => {
  const model = new IsolateModel();
  model.openSession(session());
  model.ingest('node:1', start('2', 'log-sink'));
  for (let i = 0; i < 8; i++) model.ingest('node:1', sample('2', 1000 + i * 250, { queueDepth: 10 + i * 20 }));
  const f = model.snapshot().findings.find((x) => x.rule === 'queue-backlog');
  assert.ok(f, 'growing queue should be flagged');
  assert.match(f.message, /growing/);
  const calm = new IsolateModel();
  calm.openSession(session());
  for (let i = 0; i < 8; i++) calm.ingest('node:1', sample('2', 1000 + i * 250, { queueDepth: i % 2 ? 30 : 5 }));
  assert.equal(calm.snapshot().findings.length, 0);
});

test('toReport has contract 6 fields and gates compare the largest message to the limit', async () => {
  const model = app();
  model.ingest(
    'node:1',
    channel('c1', '0', '1', { sent: 3, delivered: 3, maxMessageBytes: 100_000, bytesCopied: 300_000, delayMsP95: 2 }),
  );
  model.ingest('node:1', message('0', 'c1', 100_000, site, { typedArrayBytes: 100_000 }));
  await model.settled();
  const report = model.toReport();
  assert.equal(report.schema, 'isoscope-report/1');
  assert.equal(report.runtime, 'node');
  assert.ok(!Number.isNaN(Date.parse(report.startedAt)));
  assert.deepEqual(Object.keys(report.isolates[0]!).sort(), [
    'bytesCopiedOut',
    'cpuTimeMs',
    'exitedAtMs',
    'heapUsedBytesMax',
    'id',
    'kind',
    'maxQueueDepth',
    'messagesReceived',
    'messagesSent',
    'name',
    'parentId',
    'startedAtMs',
  ]);
  const c = report.channels[0]!;
  assert.deepEqual([c.from, c.to, c.sent, c.delivered, c.queueDelayMsP95], ['0', '1', 3, 3, 2]);
  assert.deepEqual(report.callSites[0], {
    file: '/app/dist/demo.js',
    line: 42,
    column: 9,
    sends: 1,
    bytesCopied: 100_000,
    maxMessageBytes: 100_000,
    transferableBytes: 100_000,
  });
  const f = report.findings[0]!;
  assert.deepEqual(
    [f.rule, f.file, f.line, f.column, f.bytes],
    ['oversized-message', '/app/dist/demo.js', 42, 9, 100_000],
  );
  assert.deepEqual(evaluateGates(report, { maxMessageBytes: 65_536 }), [
    { name: 'max-message-bytes', limit: 65_536, actual: 100_000, passed: false },
  ]);
  assert.equal(evaluateGates(report, { maxMessageBytes: 100_000 })[0]!.passed, true);
});

test('finding messages quote isolate names with controls and bidi overrides shown as code points', () => {
  // A worker named with U+202E would reverse the rest of the finding's text wherever it is shown
  // (diagnostics, the terminal summary, the report), and a newline would split the message.
  const model = new IsolateModel({ backlog: { deepQueueDepth: 100 } });
  model.openSession(session());
  model.ingest('node:1', start('0', 'main\nisoscope: gate passed'));
  model.ingest('node:1', start('2', '\u202Eexe.gnp'));
  model.ingest('node:1', channel('c2', '0', '2', { maxDepth: 150 }));
  model.ingest('node:1', message('0', 'c2', 200_000, site));
  const findings = model.snapshot().findings;
  const backlog = findings.find((x) => x.rule === 'queue-backlog')!;
  const oversized = findings.find((x) => x.rule === 'oversized-message')!;
  assert.match(backlog.message, /'⟨U\+202E⟩exe\.gnp' had 150 messages waiting/);
  assert.match(
    oversized.message,
    /'main⟨U\+000A⟩isoscope: gate passed' paid to serialize it, '⟨U\+202E⟩exe\.gnp' to deserialize/,
  );
  for (const f of findings) assert.doesNotMatch(f.message, /[\u202E\n]/);
  // The names themselves are kept as the runtime gave them; only the sentences quote them visibly.
  assert.equal(model.snapshot().isolates.find((i) => i.id === '2')!.name, '\u202Eexe.gnp');
  // The terminal's status line names the deepest queue the same way.
  model.ingest('node:1', sample('2', 1500, { queueDepth: 40 }));
  assert.deepEqual(model.liveTotals().deepest, { name: '⟨U+202E⟩exe.gnp', depth: 40 });
});

test('worker-churn: many short-lived workers started one after another at one site, not a pool torn down together', () => {
  const spawnSite = { ...site, line: 33 };
  const model = new IsolateModel();
  model.openSession(session());
  model.ingest('node:1', start('0', 'main'));
  // A worker per job: 12 jobs of 40 ms, one at a time, from demo.js:33.
  for (let i = 0; i < 12; i++) {
    const id = String(10 + i);
    model.ingest('node:1', start(id, `job-${i}`, { atMs: 2000 + i * 100, spawnSite }));
    model.ingest('node:1', { type: 'isolate-exit', isolateId: id, atMs: 2040 + i * 100, exitCode: 0 });
  }
  // From the same site: two long-lived pool workers (not short-lived) ...
  model.ingest('node:1', start('p1', 'pool-1', { atMs: 1000, spawnSite }));
  model.ingest('node:1', { type: 'isolate-exit', isolateId: 'p1', atMs: 9000, exitCode: 0 });
  // ... and from another site a pool of 16 that started and stopped together after 300 ms.
  for (let i = 0; i < 16; i++) {
    const id = `q${i}`;
    model.ingest('node:1', start(id, `batch-${i}`, { atMs: 5000, spawnSite: { ...site, line: 90 } }));
    model.ingest('node:1', { type: 'isolate-exit', isolateId: id, atMs: 5300, exitCode: 0 });
  }
  const churn = model.snapshot().findings.filter((f) => f.rule === 'worker-churn');
  assert.equal(churn.length, 1, JSON.stringify(churn.map((f) => f.message)));
  const f = churn[0]!;
  assert.equal(f.severity, 'info');
  assert.equal(f.count, 12);
  assert.equal(f.isolateId, '0', 'the parent that paid for the starts');
  assert.deepEqual(f.location, { file: '/app/dist/demo.js', line: 33, column: 9 });
  assert.match(
    f.message,
    /^12 workers started here \('job-0', 'job-1', …\) lived less than 1\.0 s each \(median 40 ms, at most 1 at a time\)/,
  );
  assert.match(f.suggestion, /pool of long-lived workers \(for example piscina\)/);
  assert.ok(model.toReport().findings.some((r) => r.rule === 'worker-churn' && r.line === 33));
});

test('worker-churn: fewer short-lived starts than the threshold are fine; Dart isolates without a site group by name', () => {
  const model = new IsolateModel({ churn: { minShortLived: 4 } });
  model.openSession(session());
  model.ingest('node:1', start('0', 'main'));
  for (let i = 0; i < 3; i++) {
    model.ingest('node:1', start(`n${i}`, 'resize', { atMs: 2000 + i * 50, spawnSite: site }));
    model.ingest('node:1', { type: 'isolate-exit', isolateId: `n${i}`, atMs: 2010 + i * 50, exitCode: 0 });
  }
  model.openSession({ ...session('dart:1'), runtime: 'dart' });
  model.ingest('dart:1', start('main', 'main', { kind: 'main', parentId: null }));
  for (let i = 0; i < 5; i++) {
    model.ingest('dart:1', start(`c${i}`, 'compute', { atMs: 3000 + i * 20, parentId: 'main' }));
    model.ingest('dart:1', { type: 'isolate-exit', isolateId: `c${i}`, atMs: 3005 + i * 20, exitCode: null });
  }
  const churn = model.snapshot().findings.filter((f) => f.rule === 'worker-churn');
  assert.equal(churn.length, 1);
  assert.equal(churn[0]!.location, null);
  assert.match(churn[0]!.message, /^5 isolates named 'compute' lived less than 1\.0 s each \(median 5 ms/);
  assert.match(churn[0]!.suggestion, /Isolate\.spawn with a ReceivePort/);
});
