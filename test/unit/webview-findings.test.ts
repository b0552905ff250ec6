import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backlogFinding, emptyOversized, oversizedFinding } from '../../extension/core/model/findings';
import { IsolateModel } from '../../extension/core/model/model';
import { formatBytes as modelFormatBytes } from '../../extension/core/model/format';
import { findingFacts } from '../../webview/findings-view';
import { formatBytesAsInMessages } from '../../webview/format';
import { validateToWebviewMessage } from '../../webview/validate';
import { session, start } from '../helpers/records';

const THRESHOLDS = { deepQueueDepth: 500, growingSamples: 8, growingBy: 50 };

test("a backlog finding's number is the deepest queue, labelled as such (not a repeat count)", () => {
  const f = backlogFinding(
    {
      isolateId: 'sink',
      name: 'log-sink',
      location: null,
      maxQueueDepth: 18_181,
      recentDepths: [],
      delayMsP95: 0,
      delayMsMax: 0,
    },
    THRESHOLDS,
  );
  assert.ok(f);
  assert.deepEqual(findingFacts(f), ['max queue 18,181']);
  assert.match(f.message, /18,181 messages waiting/, 'the same number as the message');
});

test("an oversized finding's numbers read the same as its message", () => {
  const agg = emptyOversized('site', { file: '/app/a.ts', line: 3, column: 1 });
  agg.count = 17;
  agg.maxBytes = 300 * 1024;
  agg.totalBytes = 17 * 300 * 1024;
  agg.payers.set('w1', agg.totalBytes);
  const f = oversizedFinding(
    agg,
    64 * 1024,
    (id) => id,
    () => null,
  );
  const facts = findingFacts(f);
  assert.deepEqual(facts, ['largest 300 KiB', '17 sends · 5.0 MiB total']);
  for (const size of ['300 KiB', '5.0 MiB']) assert.ok(f.message.includes(size), `message says ${size}`);
  assert.deepEqual(findingFacts({ ...f, count: 1, totalBytes: f.bytes }), [
    'largest 300 KiB',
    '1 send · 300 KiB total',
  ]);
});

test("finding numbers are written exactly as the model writes them in the finding's message", () => {
  for (const bytes of [0, 1, 1023, 1024, 1536, 65_536, 307_200, 5_222_400, 10_485_760, 1_000_000_000, 3 * 1024 ** 4]) {
    assert.equal(formatBytesAsInMessages(bytes), modelFormatBytes(bytes), `${bytes} bytes`);
  }
  assert.equal(formatBytesAsInMessages(5_222_400), '5.0 MiB');
});

test("a worker-churn finding's number is the short-lived starts, as in its message; the page accepts the rule", () => {
  const model = new IsolateModel();
  model.openSession(session());
  model.ingest('node:1', start('0', 'main'));
  for (let i = 0; i < 12; i++) {
    model.ingest('node:1', start(`w${i}`, 'job', { atMs: 2000 + i * 100 }));
    model.ingest('node:1', { type: 'isolate-exit', isolateId: `w${i}`, atMs: 2040 + i * 100, exitCode: 0 });
  }
  const snapshot = model.snapshot();
  const f = snapshot.findings.find((x) => x.rule === 'worker-churn');
  assert.ok(f);
  assert.deepEqual(findingFacts(f), ['12 short-lived starts']);
  assert.match(f.message, /^12 workers named 'job'/);
  const checked = validateToWebviewMessage({ type: 'hydrate', snapshot, host: 'browser' });
  assert.ok(checked.ok, checked.ok ? '' : checked.reason);
});
