// How the Dart VM-service client copes with a VM that churns, dies and misbehaves. The peer is a
// scripted WebSocket server answering from spec-derived fixtures, NOT a Dart VM (no SDK here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { connectDartVm, VmServiceConnectError } from '../../extension/core/dart';
import { RpcTimeoutError, VmConnection } from '../../extension/core/dart/connection';
import { openWebSocketTransport } from '../../extension/core/dart/transport';
import { IsolateModel } from '../../extension/core/model/model';
import { loadVmFixture, startScriptedVmService } from '../helpers/scripted-vm-service';
import { waitFor } from '../helpers/wait-for';

async function attached() {
  const peer = await startScriptedVmService();
  const model = new IsolateModel({ changeDelayMs: 10 });
  const handle = await connectDartVm({ uri: peer.wsUri, model, baseIntervalMs: 20, maxIntervalMs: 100 });
  const byName = async (name: string) => {
    await model.settled();
    return model.snapshot().isolates.filter((i) => i.name === name);
  };
  const done = async () => {
    await handle.dispose();
    model.dispose();
    await peer.close();
  };
  return { peer, model, handle, byName, done };
}

test('spec-derived isolate churn: a short-lived Isolate.run isolate is recorded from start to exit', async () => {
  const { peer, handle, byName, done } = await attached();
  try {
    // The spec-derived Isolate stream: IsolateStart, IsolateRunnable, IsolateExit within 40 ms.
    const sentAtMs = Date.now();
    for (const n of loadVmFixture<{ params: { streamId: string; event: Record<string, unknown> } }[]>(
      'spec/isolate-stream.json',
    )) {
      peer.pushEvent(n.params.streamId, n.params.event);
    }
    await waitFor('the exit', async () => (await byName('compute-thumbnail'))[0]?.state === 'exited');
    const [thumb] = await byName('compute-thumbnail');
    // Stamped on receipt with the host clock (the fixture's VM timestamps are from 2025).
    assert.ok(thumb!.startedAtMs >= sentAtMs && thumb!.startedAtMs <= Date.now(), String(thumb?.startedAtMs));
    assert.ok(thumb!.exitedAtMs! >= thumb!.startedAtMs);
    // Churn the VM without events too: getVM reconciliation catches isolates we were not told about.
    // The odd ones start unannounced: only a poll's getVM finds them, so wait until every one is
    // known before they go (an exit event for an isolate never seen has nothing to end).
    const names = Array.from({ length: 5 }, (_, i) => `worker-${i}`);
    const workers = async () => (await Promise.all(names.map(byName))).flat();
    for (let i = 0; i < 5; i++) peer.addIsolate(`isolates/50${i}`, `worker-${i}`, { announce: i % 2 === 0 });
    await waitFor('five workers', async () => (await workers()).length === 5);
    for (let i = 0; i < 5; i++) peer.removeIsolate(`isolates/50${i}`, { announce: i % 2 === 1 });
    await waitFor('five exits', async () => {
      const all = await workers();
      return all.length === 5 && all.every((w) => w.state === 'exited');
    });
    assert.equal((await byName('main'))[0]?.state, 'running');
    assert.equal(handle.stats().pollErrors, 0);
  } finally {
    await done();
  }
});

test('spec-derived: an isolate exiting mid-request (Sentinel) is exited, and error 105 is skipped', async () => {
  const { peer, handle, byName, done } = await attached();
  try {
    let notRunnableLeft = 2;
    peer.on('getStack', (p) => {
      if (p.isolateId === 'isolates/1001' && notRunnableLeft > 0) {
        notRunnableLeft--;
        return { error: loadVmFixture('spec/error-105-not-runnable.json') };
      }
      if (p.isolateId === 'isolates/1002') {
        // The isolate dies between getVM and getStack: the VM answers a Sentinel.
        peer.removeIsolate('isolates/1002');
        return { result: loadVmFixture('spec/sentinel-collected.json') };
      }
      return { result: loadVmFixture('spec/getStack.json') };
    });
    await waitFor('the decoder to exit', async () => (await byName('image-decoder'))[0]?.state === 'exited');
    await waitFor(
      'main sampled after 105s',
      () => notRunnableLeft === 0 && peer.count('getStack', 'isolates/1001') >= 4,
    );
    assert.equal((await byName('main'))[0]?.state, 'running');
    assert.ok(handle.stats().isolateGoneMidRequest >= 1);
    assert.equal(handle.stats().pollErrors, 0, 'Sentinels and 105 are normal, not errors');
  } finally {
    await done();
  }
});

test('spec-derived: malformed JSON, unknown messages and an unknown event kind are counted, not fatal', async () => {
  const { peer, handle, byName, done } = await attached();
  try {
    peer.sendRaw('{"jsonrpc": "2.0", "result": ');
    peer.sendRaw('[1,2,3]');
    peer.sendRaw(JSON.stringify({ jsonrpc: '2.0', method: 'someServiceRequest', params: {} }));
    peer.pushEvent('Isolate', {
      type: 'Event',
      kind: 'IsolateTeleported',
      isolate: { id: 'isolates/1001', name: 'main' },
    });
    peer.pushEvent('Timeline', { type: 'Event', kind: 'TimelineEvents' });
    await waitFor('the garbage to be counted', () => handle.stats().malformedMessages === 2);
    const before = peer.count('getStack');
    await waitFor('polling to continue', () => peer.count('getStack') > before + 2);
    assert.equal(handle.stats().unknownMessages, 1);
    assert.equal(handle.stats().unknownEvents, 2);
    assert.equal(handle.status, 'connected');
    assert.equal((await byName('main'))[0]?.state, 'running');
  } finally {
    await done();
  }
});

test('spec-derived: a VM that disconnects clears state and reports it; reconnect() starts a new session', async () => {
  const { peer, model, handle, byName, done } = await attached();
  try {
    const reasons: string[] = [];
    handle.onDidDisconnect((r) => reasons.push(r));
    await waitFor('a poll', () => peer.count('getStack') >= 2);
    const firstSession = handle.sessionId;
    peer.dropConnections();
    await waitFor('the disconnect', () => handle.status === 'disconnected');
    assert.equal(reasons.length, 1);
    await model.settled();
    const ended = model.snapshot().sessions.find((s) => s.id === firstSession);
    assert.notEqual(ended?.endedAtMs, null, 'the session ends with the VM');
    assert.ok(
      (await byName('main')).every((i) => i.state === 'exited'),
      'its isolates are no longer shown as running',
    );
    const polls = peer.requests.length;
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(peer.requests.length, polls, 'no polling against a dead connection');

    await handle.reconnect();
    assert.equal(handle.status, 'connected');
    assert.notEqual(handle.sessionId, firstSession);
    await waitFor('the new session to see main', async () =>
      (await byName('main')).some((i) => i.sessionId === handle.sessionId && i.state === 'running'),
    );
  } finally {
    await done();
  }
});

test('spec-derived: a wrong token fails fast with a clear error naming the token, and nothing hangs', async () => {
  const peer = await startScriptedVmService({ token: 'R1ghtT0ken=' });
  const model = new IsolateModel();
  try {
    const wrong = `http://127.0.0.1:${peer.port}/WrongT0ken=/`;
    await assert.rejects(connectDartVm({ uri: wrong, model }), (err: unknown) => {
      assert.ok(err instanceof VmServiceConnectError);
      assert.equal(err.httpStatus, 403);
      assert.match(err.message, /auth token/);
      return true;
    });
    assert.equal(peer.refusedUpgrades, 1);
    assert.equal(model.snapshot().sessions.length, 0, 'no session opened for a refused connection');
  } finally {
    model.dispose();
    await peer.close();
  }
});

test('an unreachable VM-service port fails with "nothing is listening", not a hang', async () => {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const model = new IsolateModel();
  await assert.rejects(connectDartVm({ uri: `ws://127.0.0.1:${port}/t=/ws`, model }), /nothing is listening/);
  model.dispose();
});

test('spec-derived: a request the VM never answers times out naming the method; error answers carry method and code', async () => {
  const peer = await startScriptedVmService();
  peer.on('getVM', () => ({ noReply: true }));
  const transport = await openWebSocketTransport(peer.wsUri);
  const connection = new VmConnection(transport, { requestTimeoutMs: 200 });
  try {
    await assert.rejects(connection.call('getVM'), (err: unknown) => {
      assert.ok(err instanceof RpcTimeoutError);
      assert.equal(err.method, 'getVM');
      return true;
    });
    // Error responses name the method and carry the VM's code.
    peer.on('getIsolate', () => ({ error: loadVmFixture('spec/error-105-not-runnable.json') }));
    await assert.rejects(
      connection.call('getIsolate', { isolateId: 'isolates/1' }),
      /getIsolate failed: .*\(code 105\)/,
    );
  } finally {
    connection.close();
    await peer.close();
  }
});

test('spec-derived: lifecycle events from a device whose clock is 2 minutes behind are placed on the host clock', async () => {
  const { peer, handle, byName, done } = await attached();
  try {
    await waitFor('a poll', () => peer.count('getStack') >= 2);
    const skewMs = -120_000;
    const before = Date.now();
    const ref = peer.isolates.get('isolates/1002')!.ref;
    peer.removeIsolate('isolates/1002');
    peer.pushEvent('Isolate', { type: 'Event', kind: 'IsolateExit', timestamp: Date.now() + skewMs, isolate: ref });
    const compute = {
      type: '@Isolate',
      id: 'isolates/3003',
      number: '3003',
      name: 'compute',
      isolateGroupId: 'isolateGroups/2001',
    };
    peer.pushEvent('Isolate', {
      type: 'Event',
      kind: 'IsolateStart',
      timestamp: Date.now() + skewMs,
      isolate: compute,
    });
    peer.pushEvent('Isolate', {
      type: 'Event',
      kind: 'IsolateExit',
      timestamp: Date.now() + skewMs + 40,
      isolate: compute,
    });
    await waitFor('both exits', async () =>
      [...(await byName('image-decoder')), ...(await byName('compute'))].every((i) => i.state === 'exited'),
    );
    const after = Date.now();
    const [decoder] = await byName('image-decoder');
    const [c] = await byName('compute');
    for (const [what, at] of [
      ['decoder exit', decoder!.exitedAtMs!],
      ['compute start', c!.startedAtMs],
      ['compute exit', c!.exitedAtMs!],
    ] as const) {
      assert.ok(at >= before && at <= after, `${what} at ${at - before} ms from the push`);
    }
    assert.ok(decoder!.exitedAtMs! >= decoder!.startedAtMs, 'no negative lifetime');
    assert.ok(c!.exitedAtMs! >= c!.startedAtMs);
    assert.equal(handle.status, 'connected');
  } finally {
    await done();
  }
});

test('spec-derived: an IsolateExit for an isolate not seen yet keeps getVM from bringing it back as a phantom', async () => {
  const { peer, byName, done } = await attached();
  try {
    await waitFor('a poll', () => peer.count('getStack') >= 2);
    // The VM's list is updated late: getVM still lists the isolate after its exit event.
    peer.addIsolate('isolates/7777', 'ghost');
    peer.pushEvent('Isolate', {
      type: 'Event',
      kind: 'IsolateExit',
      timestamp: Date.now(),
      isolate: peer.isolates.get('isolates/7777')!.ref,
    });
    const polls = peer.count('getVM');
    await waitFor('three more polls', () => peer.count('getVM') >= polls + 3);
    assert.deepEqual(await byName('ghost'), [], 'an exited isolate is never shown as running');
    assert.equal(peer.count('getStack', 'isolates/7777'), 0, 'nor sampled');
  } finally {
    await done();
  }
});

test('spec-derived: when DDS has taken over the VM, the 403 names it and the client attaches to DDS instead', async () => {
  const dds = await startScriptedVmService({ token: 'RGRzVG9rZW4=' });
  const body = (uri: string) =>
    'Cannot connect directly to the VM service as a Dart Development Service (DDS) instance has taken control ' +
    `and can be found at ${uri}.`;
  const vm = await startScriptedVmService({ refuseAllWithBody: body(dds.httpUri) });
  const model = new IsolateModel({ changeDelayMs: 10 });
  const logs: string[] = [];
  try {
    const handle = await connectDartVm({ uri: vm.httpUri, model, baseIntervalMs: 20, log: (m) => logs.push(m) });
    try {
      assert.equal(handle.wsUri, dds.wsUri);
      assert.equal(handle.status, 'connected');
      await waitFor('a poll through DDS', () => dds.count('getStack') >= 2);
      assert.ok(
        logs.some((l) => l.includes('DDS') && l.includes(dds.httpUri)),
        logs.join('\n'),
      );
    } finally {
      await handle.dispose();
    }
  } finally {
    model.dispose();
    await vm.close();
    await dds.close();
  }
});

test('spec-derived: a DDS that cannot be reached either is named in the error, not blamed on the auth token', async () => {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const deadPort = (probe.address() as { port: number }).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const ddsUri = `http://127.0.0.1:${deadPort}/VQKkdeOH2R8=/`;
  const vm = await startScriptedVmService({
    refuseAllWithBody:
      'Cannot connect directly to the VM service as a Dart Development Service (DDS) instance has taken control ' +
      `and can be found at ${ddsUri}.`,
  });
  const model = new IsolateModel();
  try {
    await assert.rejects(connectDartVm({ uri: vm.httpUri, model }), (err: unknown) => {
      assert.ok(err instanceof VmServiceConnectError);
      assert.match(err.message, /Dart Development Service \(DDS\)/);
      assert.ok(err.message.includes(ddsUri), err.message);
      assert.doesNotMatch(err.message, /auth token/);
      return true;
    });
  } finally {
    model.dispose();
    await vm.close();
  }
});
