import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateToWebviewMessage } from '../../webview/validate';
import { FakeModel } from '../helpers/fake-model-stream';

function fresh() {
  const m = new FakeModel({ isolates: 4 });
  m.tick();
  m.tick();
  return m;
}

test('valid hydrate and update messages from the fake stream pass', () => {
  const m = fresh();
  const hydrate = { type: 'hydrate', snapshot: m.snapshot(), host: 'browser' };
  assert.deepEqual(validateToWebviewMessage(hydrate), { ok: true, message: hydrate });
  const cursor = m.initialCursor();
  m.tick();
  const update = { type: 'update', update: m.updateSince(cursor).update };
  assert.equal(validateToWebviewMessage(update).ok, true);
  // Survives a JSON round trip too (what the WebSocket delivers).
  assert.equal(validateToWebviewMessage(JSON.parse(JSON.stringify(update))).ok, true);
  assert.equal(validateToWebviewMessage({ type: 'select-isolate', isolateId: 'iso-1' }).ok, true);
  assert.equal(validateToWebviewMessage({ type: 'status', text: 'hi', level: 'warning' }).ok, true);
});

function rejects(msg: unknown, pathPart: string) {
  const r = validateToWebviewMessage(msg);
  assert.equal(r.ok, false, `expected rejection for ${pathPart}`);
  if (!r.ok) assert.match(r.reason, new RegExp(pathPart.replace(/[[\]]/g, '\\$&')));
}

test('invalid messages are rejected with the path of the first bad field', () => {
  const m = fresh();
  rejects(null, 'message');
  rejects('hello', 'message');
  rejects([], 'message');
  rejects({ type: 'nope' }, 'type');
  rejects({ type: 'select-isolate', isolateId: 5 }, 'isolateId');
  rejects({ type: 'status', text: 'x', level: 'fatal' }, 'level');
  rejects({ type: 'hydrate', snapshot: m.snapshot(), host: 'evil' }, 'host');

  const s1 = structuredClone(m.snapshot());
  (s1.isolates[1] as unknown as Record<string, unknown>).name = { toString: 'x' };
  rejects({ type: 'hydrate', snapshot: s1, host: 'browser' }, 'snapshot.isolates[1].name');

  const s2 = structuredClone(m.snapshot());
  (s2.isolates[0] as unknown as Record<string, unknown>).heapUsedBytes = Number.POSITIVE_INFINITY;
  rejects({ type: 'hydrate', snapshot: s2, host: 'browser' }, 'heapUsedBytes');

  const s3 = structuredClone(m.snapshot());
  s3.series['iso-0'].cpuPercent.pop();
  rejects({ type: 'hydrate', snapshot: s3, host: 'browser' }, 'cpuPercent');

  const u = structuredClone(m.updateSince({ tick: 0, ledgerSeq: 0 }).update);
  (u.ledgerAppended[0] as unknown as Record<string, unknown>).location = { file: 7, line: 1, column: 1 };
  rejects({ type: 'update', update: u }, 'ledgerAppended[0].location.file');

  const u2 = structuredClone(m.updateSince({ tick: 0, ledgerSeq: 0 }).update);
  (u2.findings[0] as unknown as Record<string, unknown>).rule = 'made-up';
  rejects({ type: 'update', update: u2 }, 'findings[0].rule');

  const u3 = structuredClone(m.updateSince({ tick: 0, ledgerSeq: 0 }).update);
  (u3 as unknown as Record<string, unknown>).points = [];
  rejects({ type: 'update', update: u3 }, 'update.points');
});

test('a getter that throws is an invalid message, not a crash', () => {
  const evil = {
    type: 'select-isolate',
    get isolateId(): string {
      throw new Error('boom');
    },
  };
  const r = validateToWebviewMessage(evil);
  assert.equal(r.ok, false);
});
