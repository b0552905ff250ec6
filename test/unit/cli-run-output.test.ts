import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summaryLines } from '../../extension/cli/run-output';
import { IsolateModel } from '../../extension/core/model/model';
import { formatCountOf } from '../../extension/core/model/format';
import { channel, message, session, start } from '../helpers/records';

test('formatCountOf says one thing in the singular and the rest in the plural', () => {
  assert.equal(formatCountOf(1, 'message'), '1 message');
  assert.equal(formatCountOf(0, 'finding'), '0 findings');
  assert.equal(formatCountOf(12345, 'isolate'), '12,345 isolates');
});

test('the exit summary counts in the singular when there is one of a thing', () => {
  const model = new IsolateModel();
  model.openSession(session());
  model.ingest('node:1', start('0', 'main'));
  model.ingest('node:1', start('1', 'only-worker'));
  model.ingest('node:1', { ...channel('c1', '0', '1'), sent: 1, bytesCopied: 100_000, maxMessageBytes: 100_000 });
  model.ingest('node:1', message('0', 'c1', 100_000, null, { typedArrayBytes: 99_990, shape: 'Uint8Array(99990)' }));
  const lines = summaryLines(model.toReport(), '/');
  assert.match(lines[0]!, /^2 isolates \(1 worker\), 1 message, 98 KiB copied;/);
  assert.equal(lines[1], '1 finding:');
});
