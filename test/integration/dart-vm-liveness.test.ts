// How the Dart VM-service client notices a VM that stops answering, how it paces itself under
// errors and isolate churn, and how it detaches and re-attaches. The peer is a scripted WebSocket
// server answering from spec-derived fixtures, NOT a Dart VM (no Dart SDK here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectDartVm, type ConnectDartVmOptions } from '../../extension/core/dart';
import { attachScriptedVm } from '../helpers/attach-scripted-vm';
import { IsolateModel } from '../../extension/core/model/model';
import { startScriptedVmService, type ScriptedVmServiceOptions } from '../helpers/scripted-vm-service';
import { waitFor } from '../helpers/wait-for';

const attached = (extra: Partial<ConnectDartVmOptions> = {}, peer: ScriptedVmServiceOptions = {}) =>
  attachScriptedVm({ extra, peer });

test('spec-derived: dispose() returns promptly while the VM leaves a request unanswered, and the session keeps its data', async () => {
  // The default 10 s request timeout: the old dispose waited for it.
  const { peer, model, handle, done } = await attached({ baseIntervalMs: 500, maxIntervalMs: 4000 });
  try {
    await waitFor('a poll', () => peer.count('getStack') >= 2);
    const session = handle.sessionId;
    peer.freeze();
    const before = peer.requests.length;
    await waitFor('a request in flight', () => peer.requests.length > before);
    const t0 = Date.now();
    await handle.dispose();
    const tookMs = Date.now() - t0;
    assert.ok(tookMs < 3000, `dispose took ${tookMs} ms`);
    await model.settled();
    const ended = model.snapshot().sessions.find((s) => s.id === session);
    assert.notEqual(ended?.endedAtMs, null, 'the session is closed');
    assert.deepEqual(
      model
        .toReport()
        .isolates.map((i) => i.name)
        .sort(),
      ['image-decoder', 'main'],
      'what was gathered is kept',
    );
  } finally {
    await done();
  }
});

test('spec-derived: a VM that stops answering on an open socket is detected as gone, with a clear reason', async () => {
  const { peer, handle, disconnects, done } = await attached({ requestTimeoutMs: 200 });
  try {
    await waitFor('a poll', () => peer.count('getStack') >= 2);
    peer.freeze();
    await waitFor('the disconnect', () => handle.status === 'disconnected', 10_000);
    assert.equal(disconnects.length, 1);
    assert.match(disconnects[0]!, /stopped answering/);
    assert.match(handle.lastDisconnectReason ?? '', /3 requests in a row/);
  } finally {
    await done();
  }
});

test('spec-derived: a half-open link (no WebSocket pong) is detected by the keepalive ping', async () => {
  const { peer, handle, disconnects, done } = await attached({ keepaliveIntervalMs: 200 }, { autoPong: false });
  try {
    await waitFor('the disconnect', () => handle.status === 'disconnected', 10_000);
    assert.equal(disconnects.length, 1);
    assert.match(disconnects[0]!, /ping/);
    assert.ok(peer.count('getStack') >= 1, 'it was polling normally until then');
  } finally {
    await done();
  }
});

test('spec-derived: polls that keep failing back off and are logged once, with a count, not once per poll', async () => {
  const { peer, handle, logs, done } = await attached({ baseIntervalMs: 20, maxIntervalMs: 320 });
  try {
    await waitFor('a poll', () => peer.count('getStack') >= 2);
    peer.on('getVM', () => ({ error: { code: -32000, message: 'Server error' } }));
    const t0 = peer.count('getVM');
    await new Promise((r) => setTimeout(r, 2000));
    const failed = peer.count('getVM') - t0;
    // Without back-off the 20 ms base interval gives ~60+ polls in 2 s; backing off to 320 ms, ~10.
    assert.ok(failed <= 20, `${failed} failing polls in 2 s`);
    assert.ok(failed >= 3);
    assert.ok(handle.stats().pollErrors >= 3);
    const lines = logs.filter((l) => /poll failed/.test(l));
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.ok(handle.stats().pollIntervalMs > 20, 'the interval grew');
  } finally {
    await done();
  }
});

test('spec-derived: isolate churn (an IsolateStart every 5 ms) does not make polling heavier than ~4 per second', async () => {
  const { peer, handle, done } = await attached({ baseIntervalMs: 1000, maxIntervalMs: 4000 });
  try {
    await waitFor('the first poll', () => peer.count('getStack') >= 2);
    const polls0 = peer.count('getVM');
    let k = 0;
    const churn = setInterval(() => {
      const id = `isolates/${6000 + k++}`;
      peer.addIsolate(id, 'compute', { announce: true });
      setTimeout(() => peer.removeIsolate(id, { announce: true }), 3);
    }, 5);
    await new Promise((r) => setTimeout(r, 1500));
    clearInterval(churn);
    const polls = peer.count('getVM') - polls0;
    // Pokes are coalesced: at most one tick per 250 ms (+1 for timer edges).
    assert.ok(polls <= 8, `${polls} polls in 1.5 s of churn`);
    assert.ok(polls >= 1, 'the churn still triggers a poll');
    assert.ok(handle.stats().isolatesSeen > 2);
  } finally {
    await done();
  }
});

test('spec-derived: a failed reconnect() does not report a second disconnect or switch to a never-opened session', async () => {
  const { peer, handle, logs, disconnects, done } = await attached();
  try {
    await waitFor('a poll', () => peer.count('getStack') >= 2);
    const session = handle.sessionId;
    peer.dropConnections();
    await waitFor('the disconnect', () => handle.status === 'disconnected');
    const reason = handle.lastDisconnectReason;
    peer.on('getVM', () => ({ error: { code: -32000, message: 'Server error' } }));
    await assert.rejects(handle.reconnect(), /getVM failed/);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(handle.status, 'disconnected');
    assert.equal(disconnects.length, 1, JSON.stringify(disconnects));
    assert.equal(handle.lastDisconnectReason, reason);
    assert.equal(handle.sessionId, session);
    assert.equal(logs.filter((l) => /closed by client/.test(l)).length, 0, logs.join('\n'));
  } finally {
    await done();
  }
});

test('spec-derived: a failed first attach logs no disconnect', async () => {
  const peer = await startScriptedVmService();
  peer.on('getVM', () => ({ error: { code: -32000, message: 'Server error' } }));
  const model = new IsolateModel();
  const logs: string[] = [];
  try {
    await assert.rejects(connectDartVm({ uri: peer.wsUri, model, log: (m) => logs.push(m) }), /getVM failed/);
    assert.deepEqual(
      logs.filter((l) => /disconnected/.test(l)),
      [],
    );
  } finally {
    model.dispose();
    await peer.close();
  }
});
