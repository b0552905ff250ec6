import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IsolateModel } from '../../extension/core/model/model';
import { message, sample, session, start } from '../helpers/records';

test('the ledger is bounded and counts evictions', () => {
  const model = new IsolateModel({ ledgerCapacity: 10 });
  model.openSession(session());
  model.ingest('node:1', start('0', 'main'));
  for (let i = 0; i < 25; i++) model.ingest('node:1', message('0', 'c1', 100_000 + i, null));
  const snap = model.snapshot();
  assert.equal(snap.ledger.length, 10);
  assert.equal(snap.drops.ledgerEvicted, 15);
  assert.equal(snap.ledger[0]!.bytes, 100_015);
  assert.deepEqual(
    snap.ledger.map((r) => r.seq),
    [16, 17, 18, 19, 20, 21, 22, 23, 24, 25],
  );
});

test('updateSince returns only new ledger rows and the newest new point per isolate', () => {
  const model = new IsolateModel();
  model.openSession(session());
  model.ingest('node:1', start('0', 'main'));
  model.ingest('node:1', message('0', 'c1', 70_000, null));
  model.ingest('node:1', sample('0', 1000, { queueDepth: 1 }));
  let cursor = model.initialCursor();
  let r = model.updateSince(cursor);
  assert.equal(r.update.ledgerAppended.length, 0);
  assert.deepEqual(r.update.points, {});
  model.ingest('node:1', message('0', 'c1', 80_000, null));
  model.ingest('node:1', message('0', 'c1', 90_000, null));
  model.ingest('node:1', sample('0', 1250, { queueDepth: 2 }));
  r = model.updateSince(r.cursor);
  assert.deepEqual(
    r.update.ledgerAppended.map((x) => x.bytes),
    [80_000, 90_000],
  );
  assert.equal(r.update.points['0']!.queueDepth, 2);
  cursor = r.cursor;
  r = model.updateSince(cursor);
  assert.equal(r.update.ledgerAppended.length, 0);
  assert.equal(r.update.isolates.length, 1);
});

test('agent drops and rejected frames are counted', () => {
  const model = new IsolateModel();
  model.noteAgentDropped(7);
  model.noteRejectedFrame();
  model.noteRejectedFrame();
  assert.deepEqual(model.snapshot().drops, {
    framesRejected: 2,
    agentRecordsDropped: 7,
    ledgerEvicted: 0,
    entitiesEvicted: 0,
  });
});
