import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IsolateModel } from '../../extension/core/model/model';
import { channel, message, session, start } from '../helpers/records';

const site = { file: '/app/dist/app.js', line: 10, column: 5, functionName: 'send' };
const otherSite = { ...site, line: 20 };

function app(): IsolateModel {
  const model = new IsolateModel({ changeDelayMs: 0 });
  model.openSession(session());
  model.ingest('node:1', start('0', 'main'));
  model.ingest('node:1', start('1', 'worker-1'));
  model.ingest('node:1', channel('c1', '0', '1'));
  return model;
}

function oversizedLines(model: IsolateModel): number[] {
  return model
    .snapshot()
    .findings.filter((f) => f.rule === 'oversized-message')
    .map((f) => f.location?.line ?? -1)
    .sort((a, b) => a - b);
}

test('setOversizedBytes: a raised threshold hides sites whose largest message is now under it', () => {
  const model = app();
  model.ingest('node:1', message('0', 'c1', 300_000, site)); // 293 KiB
  model.ingest('node:1', message('0', 'c1', 2_000_000, otherSite)); // 1.9 MiB
  assert.deepEqual(oversizedLines(model), [10, 20]);

  model.setOversizedBytes(1024 * 1024);
  assert.equal(model.oversizedBytes, 1024 * 1024);
  assert.equal(model.snapshot().oversizedBytes, 1024 * 1024);
  assert.deepEqual(oversizedLines(model), [20]);
  const f = model.snapshot().findings.find((x) => x.rule === 'oversized-message')!;
  assert.match(f.message, /over the 1\.0 MiB threshold/);

  // Back down: the earlier aggregate counts again (it was kept, only hidden).
  model.setOversizedBytes(64 * 1024);
  assert.deepEqual(oversizedLines(model), [10, 20]);
});

test('setOversizedBytes: a lowered threshold re-judges call-site maxima at once and applies to new messages', () => {
  const model = app();
  model.ingest('node:1', {
    type: 'call-site',
    isolateId: '0',
    site,
    sends: 4,
    bytesCopied: 40_000,
    maxMessageBytes: 10_000,
    transferableBytes: 0,
    bytesTransferred: 0,
  });
  assert.deepEqual(oversizedLines(model), [], 'under the 64 KiB default');
  model.setOversizedBytes(8000);
  assert.deepEqual(oversizedLines(model), [10], 'the site’s 10 kB maximum is over 8000 bytes');
  model.ingest('node:1', message('0', 'c1', 9000, otherSite));
  assert.deepEqual(oversizedLines(model), [10, 20], 'a new 9000-byte message counts under the new threshold');
});

test('setOversizedBytes notifies listeners and refuses nonsense', async () => {
  const model = app();
  await new Promise((r) => setTimeout(r, 5)); // let the set-up changes fire first
  let calls = 0;
  const sub = model.onDidChange(() => calls++);
  model.setOversizedBytes(1000);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(calls, 1);
  model.setOversizedBytes(1000); // unchanged: no event
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(calls, 1);
  for (const bad of [0, -5, Number.NaN, Number.POSITIVE_INFINITY])
    assert.throws(() => model.setOversizedBytes(bad), RangeError);
  assert.equal(model.oversizedBytes, 1000, 'a refused value changes nothing');
  sub.dispose();
  model.dispose();
});
