import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect as tcpConnect } from 'node:net';
import { IsolateModel } from '../../extension/core/model/model';
import { startCollector, type CollectorHandle } from '../../extension/core/collector/collector';
import { closed, goodAgent, helloFrame, opened, openSocket, sendJson } from '../helpers/agent-client';
import type { AgentRecord } from '../../protocol';
import { sample, start } from '../helpers/records';

let model: IsolateModel;
let collector: CollectorHandle;
let nextPid = 1000;

before(async () => {
  model = new IsolateModel();
  collector = await startCollector({ model, maxConnections: 16, helloTimeoutMs: 1500 });
});
after(async () => {
  await collector.close();
  model.dispose();
});

/** After each abuse, a good agent must still get through and its data must land in the model. */
async function assertStillServes(): Promise<void> {
  const pid = nextPid++;
  await goodAgent(collector.url, collector.token, pid, [start('0', `main-${pid}`, { isolateId: `p${pid}` })]);
  await collector.whenIdle(5000);
  await model.settled();
  const iso = model.snapshot().isolates.find((i) => i.name === `main-${pid}`);
  assert.ok(iso, `good agent ${pid} should be in the model`);
  assert.equal(iso.state, 'exited');
}

test('binds loopback with a random token and serves a good agent (header or ?token=)', async () => {
  assert.match(collector.url, /^ws:\/\/127\.0\.0\.1:\d+\/agent$/);
  assert.ok(collector.token.length >= 32);
  const ws = openSocket(collector.url, collector.token, 'query');
  await opened(ws);
  ws.close();
  await assertStillServes();
});

test('wrong, missing and query-only wrong tokens are refused with 401; other paths with 404', async () => {
  const before = collector.stats().connectionsRefused['bad-token'];
  await assert.rejects(opened(openSocket(collector.url, 'wrong-token')), /HTTP 401/);
  await assert.rejects(opened(openSocket(collector.url, null)), /HTTP 401/);
  await assert.rejects(opened(openSocket(collector.url, 'x'.repeat(5000), 'query')), /HTTP 401/);
  await assert.rejects(opened(openSocket(collector.url.replace('/agent', '/other'), collector.token)), /HTTP 404/);
  assert.equal(collector.stats().connectionsRefused['bad-token'] - before, 3);
  await assertStillServes();
});

test('garbage frames are counted and the connection is closed after too many', async () => {
  const rejectedBefore = model.snapshot().drops.framesRejected;
  const ws = openSocket(collector.url, collector.token);
  await opened(ws);
  await sendJson(ws, helloFrame(nextPid++));
  const done = closed(ws);
  const garbage = ['not json', '{"type":"batch"}', '[]', '{"type":"nope"}', 'null', '{"type":"batch","seq":-1}'];
  for (const g of garbage) ws.send(g);
  ws.send(Buffer.from([1, 2, 3]), { binary: true });
  ws.send(JSON.stringify({ type: 'batch', seq: 1, records: [{ type: 'sample', isolateId: '' }], droppedRecords: 0 }));
  const { code, reason } = await done;
  assert.equal(code, 1008);
  assert.match(reason, /too many bad frames/);
  const s = collector.stats();
  assert.ok(s.framesRejected['not-json'] >= 1);
  assert.ok(s.framesRejected.invalid >= 5);
  assert.ok(s.framesRejected.binary >= 1);
  assert.equal(model.snapshot().drops.framesRejected - rejectedBefore, 8);
  await assertStillServes();
});

test('the first frame must be hello', async () => {
  const ws = openSocket(collector.url, collector.token);
  await opened(ws);
  const done = closed(ws);
  await sendJson(ws, { type: 'batch', seq: 0, records: [], droppedRecords: 0 });
  const { code, reason } = await done;
  assert.equal(code, 1008);
  assert.match(reason, /first frame must be hello/);
  await assertStillServes();
});

test('an unknown protocol version is refused with a clear close reason', async () => {
  const ws = openSocket(collector.url, collector.token);
  await opened(ws);
  const done = closed(ws);
  await sendJson(ws, helloFrame(nextPid++, { protocol: 99 }));
  const { code, reason } = await done;
  assert.equal(code, 1002);
  assert.match(reason, /unsupported protocol version: agent speaks protocol 99, collector speaks 1/);
  await assertStillServes();
});

test('a 100 MB frame is refused (close 1009) and the collector keeps serving', async () => {
  const ws = openSocket(collector.url, collector.token);
  await opened(ws);
  const sessions = collector.stats().sessionsOpened;
  await sendJson(ws, helloFrame(nextPid++));
  // Client and collector share this process: let the hello land before blocking on 100 MB.
  while (collector.stats().sessionsOpened === sessions) await new Promise((r) => setTimeout(r, 10));
  const done = closed(ws);
  ws.send('x'.repeat(100 * 1024 * 1024), () => undefined);
  const { code } = await done;
  // The collector closes with 1009; the client may see the socket cut (1006) first.
  assert.ok(code === 1009 || code === 1006, `close code ${code}`);
  assert.ok(collector.stats().framesRejected['too-large'] >= 1);
  await assertStillServes();
});

test('a flood of connections is capped, silent peers are dropped, and the collector recovers', async () => {
  // Unauthenticated flood: refused at the upgrade, never occupies a slot.
  const bad = Array.from({ length: 100 }, () =>
    opened(openSocket(collector.url, 'nope')).catch((e: Error) => e.message),
  );
  assert.ok((await Promise.all(bad)).every((m) => m === 'HTTP 401'));
  // Authenticated flood: the cap (16 here) holds, the rest get 503.
  const sockets = Array.from({ length: 40 }, () => openSocket(collector.url, collector.token));
  const results = await Promise.all(
    sockets.map((ws) =>
      opened(ws).then(
        () => 'open',
        (e: Error) => e.message,
      ),
    ),
  );
  assert.equal(results.filter((r) => r === 'open').length, 16);
  assert.equal(results.filter((r) => r === 'HTTP 503').length, 24);
  // Raw TCP sockets that never finish a request are tolerated too.
  const raw = Array.from({ length: 20 }, () => tcpConnect(collector.port, '127.0.0.1').on('error', () => undefined));
  // The open-but-silent agents are closed by the hello timeout, freeing their slots.
  const codes = await Promise.all(sockets.filter((_, i) => results[i] === 'open').map((ws) => closed(ws)));
  assert.ok(codes.every((c) => c.code === 1008 && /no hello/.test(c.reason)));
  for (const s of raw) s.destroy();
  assert.ok(collector.stats().connectionsRefused['too-many-connections'] >= 24);
  await assertStillServes();
});

/** One agent connection: hello (with `startedAtMs`), one batch, and bye unless `drop`; then closed. */
async function agentSession(pid: number, startedAtMs: number, records: AgentRecord[], drop = false): Promise<void> {
  const ws = openSocket(collector.url, collector.token);
  await opened(ws);
  await sendJson(ws, helloFrame(pid, { startedAtMs }));
  await sendJson(ws, { type: 'batch', seq: 0, records, droppedRecords: 0 });
  if (!drop) await sendJson(ws, { type: 'bye', atMs: startedAtMs + 100, exitCode: 0 });
  const done = closed(ws);
  if (drop) ws.terminate();
  else ws.close(1000);
  await done;
  await collector.whenIdle(5000);
}

test('a new process that reuses a pid is a new session; only the same process reconnecting gets its session back', async () => {
  const pid = nextPid++;
  const main = (name: string) => start('0', name, { isolateId: `${pid}:0` });
  // Process A connects, drops without bye, and reconnects (the same start time): one session.
  await agentSession(
    pid,
    1_000,
    [main('A-main'), start('1', 'A-worker', { isolateId: `${pid}:1`, parentId: `${pid}:0` })],
    true,
  );
  await agentSession(pid, 1_000, [sample(`${pid}:0`, 1_500)]);
  // Process B gets the same pid later (pids wrap): its own session, isolates and report rows.
  await agentSession(pid, 5_000, [main('B-main')]);
  await model.settled();
  const snap = model.snapshot();
  const sessions = snap.sessions.filter((s) => s.pid === pid);
  assert.deepEqual(
    sessions.map((s) => [s.id, s.startedAtMs]),
    [
      [`node:${pid}`, 1_000],
      [`node:${pid}#2`, 5_000],
    ],
  );
  const mains = snap.isolates.filter((i) => i.sessionId.startsWith(`node:${pid}`) && i.kind === 'main');
  assert.deepEqual(mains.map((i) => [i.name, i.sessionId]).sort(), [
    ['A-main', `node:${pid}`],
    ['B-main', `node:${pid}#2`],
  ]);
  const report = model.toReport();
  assert.ok(report.isolates.some((i) => i.name === 'B-main' && i.startedAtMs === 1000 && i.id !== `${pid}:0`));
});
