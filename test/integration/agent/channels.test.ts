import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { AgentRecord, ChannelRecord } from '../../../protocol';
import { appReport, runApp } from '../../helpers/agent-run';
import { startFrameSink, type FrameSink } from '../../helpers/frame-sink';

const apps = join(import.meta.dirname, 'apps');
let sink: FrameSink;
before(async () => {
  sink = await startFrameSink();
});
after(() => sink.close());

/** The last (most complete) record of each channel: counters are cumulative. */
function finalChannels(records: AgentRecord[]): Map<string, ChannelRecord> {
  const out = new Map<string, ChannelRecord>();
  for (const r of records) {
    if (r.type !== 'channel') continue;
    const prev = out.get(r.channelId);
    if (!prev || r.sent + r.delivered >= prev.sent + prev.delivered) out.set(r.channelId, r);
  }
  return out;
}

async function recordsOf(app: string, args: string[]): Promise<{ stdout: string; records: AgentRecord[] }> {
  const start = sink.frames.length;
  const run = await runApp(join(apps, app), { agent: true, sink, args });
  assert.equal(run.code, 0, run.stderr);
  await sink.waitForBye(run.pid);
  const byeAt = sink.frames.findIndex((f, i) => i >= start && f.type === 'bye');
  assert.ok(byeAt >= 0, 'bye frame received');
  assert.deepEqual(sink.rejected, []);
  return {
    stdout: run.stdout,
    records: sink.frames.slice(start).flatMap((f) => (f.type === 'batch' ? f.records : [])),
  };
}

interface FloodReport {
  received: number;
  sent: number;
  maxBacklog: number;
  maxDelayMs: number;
  p95DelayMs: number;
  p50DelayMs: number;
}

test('flood: sent/delivered match the app, max depth and queueing delay match its own measurement', async () => {
  const total = 20000;
  const { stdout, records } = await recordsOf('flood.cjs', [String(total)]);
  const app = appReport<FloodReport>(stdout);
  assert.equal(app.received, total);
  const flooded = records.find((r) => r.type === 'isolate-start' && r.name === 'flooded');
  assert.ok(flooded && flooded.type === 'isolate-start');
  const channels = [...finalChannels(records).values()];
  const down = channels.find((c) => c.toIsolateId === flooded.isolateId);
  const up = channels.find((c) => c.fromIsolateId === flooded.isolateId);
  assert.ok(down && up, JSON.stringify(channels));
  assert.equal(down.sent, app.sent);
  assert.equal(down.delivered, app.received);
  assert.equal(down.depth, 0);
  assert.equal(up.sent, 1);
  assert.equal(up.delivered, 1);
  // The app samples its backlog at each delivery, the agent at each send: same peak within 2 %.
  assert.ok(
    Math.abs(down.maxDepth - app.maxBacklog) <= Math.max(2, app.maxBacklog * 0.02),
    `${down.maxDepth} vs ${app.maxBacklog}`,
  );
  assert.ok(app.maxBacklog > total * 0.5, 'the flood really queued up');
  const close = (agentMs: number, appMs: number, what: string): void =>
    assert.ok(
      Math.abs(agentMs - appMs) <= Math.max(5, appMs * 0.15),
      `${what}: agent ${agentMs} ms vs app ${appMs} ms`,
    );
  close(down.delayMsMax, app.maxDelayMs, 'max delay');
  close(down.delayMsP95, app.p95DelayMs, 'p95 delay');
  close(down.delayMsP50, app.p50DelayMs, 'p50 delay');
  assert.ok(down.bytesCopied > 0 && down.maxMessageBytes > 0);
});

test('notable messages: estimated sizes within 10 % of v8.serialize, call site and transfer recorded', async () => {
  const { stdout, records } = await recordsOf('sizes.cjs', []);
  const app = appReport<{ sizes: number[]; line: number }>(stdout);
  const messages = records.filter((r) => r.type === 'message');
  const copied = messages.filter((m) => m.type === 'message' && m.transferredBytes === 0);
  assert.equal(copied.length, app.sizes.length, JSON.stringify(messages));
  copied.forEach((m, i) => {
    assert.ok(m.type === 'message');
    const err = Math.abs(m.bytes - app.sizes[i]) / app.sizes[i];
    assert.ok(err <= 0.1, `shape ${i} (${m.shape}): estimated ${m.bytes}, v8.serialize ${app.sizes[i]}`);
    assert.ok(m.callSite, 'call site captured');
    assert.equal(m.callSite.file, join(apps, 'sizes.cjs'));
    assert.equal(m.callSite.line, app.line);
  });
  const first = copied[0];
  assert.ok(first.type === 'message' && first.typedArrayBytes === 200_000 && first.shape === 'Uint8Array(200000)');
  const second = copied[1];
  assert.ok(second.type === 'message' && second.typedArrayBytes === 0);
  // The transferred megabyte is counted as transferred, not copied.
  const channel = [...finalChannels(records).values()].find((c) => c.bytesTransferred > 0);
  assert.ok(channel, 'a channel with transferred bytes');
  assert.equal(channel.bytesTransferred, 1 << 20);
  assert.equal(channel.sent, app.sizes.length + 1);
  const site = records.filter((r) => r.type === 'call-site').pop();
  assert.ok(site && site.type === 'call-site');
  assert.equal(site.sends, app.sizes.length);
  assert.equal(site.site.line, app.line);
});

test('a send made by an app getter during a copy, and a send that throws, leave the counters exact', async () => {
  const { stdout, records } = await recordsOf('reentrant.cjs', []);
  const app = appReport<{ received: number; inner: number; cloneError: string | null }>(stdout);
  assert.deepEqual(app, { received: 3, inner: 1, cloneError: 'DataCloneError' });
  const channel = [...finalChannels(records).values()].find((c) => c.label === 'MessageChannel');
  assert.ok(channel, JSON.stringify([...finalChannels(records).values()]));
  assert.equal(channel.sent, 3);
  assert.equal(channel.delivered, 3);
  // 100 KB + 200 KB + the small outer message; the failed 300 KB send is not counted, and the
  // outer message is not taken for the 200 KB one its getter sent.
  assert.ok(
    channel.bytesCopied > 300_000 && channel.bytesCopied < 300_000 + 1000,
    `bytesCopied ${channel.bytesCopied}`,
  );
  assert.ok(channel.maxMessageBytes > 200_000 && channel.maxMessageBytes < 201_000, `max ${channel.maxMessageBytes}`);
  const ledger = records.filter((r) => r.type === 'message' && r.channelId === channel.channelId);
  assert.deepEqual(
    ledger.map((r) => (r.type === 'message' ? Math.round(r.bytes / 1000) : 0)).sort((a, b) => a - b),
    [100, 200],
  );
});

test('a quiet port sizes its small messages by sample, and a run of oversized ones still reaches the ledger', async () => {
  const { stdout, records } = await recordsOf('quiet-port.cjs', []);
  const app = appReport<{
    small: number;
    big: number;
    steadyBytes: number;
    bigBytes: number;
    line: number;
    cloneError: string | null;
  }>(stdout);
  assert.equal(app.cloneError, 'DataCloneError', 'an unsized send throws as without the agent');
  const channels = [...finalChannels(records).values()].filter((c) => c.label === 'MessageChannel');
  // The failed send is not counted: the steady channel has exactly its small sends.
  const steady = channels.find((c) => c.sent === app.small);
  const mixed = channels.find((c) => c.sent === app.small + app.big);
  assert.ok(steady && mixed, JSON.stringify(channels));
  // Past QUIET_SENDS, one send in SIZE_EVERY is sized and stands for the others.
  const err = Math.abs(steady.bytesCopied - app.steadyBytes) / app.steadyBytes;
  assert.ok(err <= 0.05, `steady: ${steady.bytesCopied} bytes counted vs ${app.steadyBytes} by v8.serialize`);
  assert.ok(steady.maxMessageBytes > 0 && steady.maxMessageBytes < 64, `steady max ${steady.maxMessageBytes}`);
  // The oversized run: at most SIZE_EVERY - 1 of it goes unsized before one is sized, then every
  // later send is sized again, so at least big - 15 of them are counted, each at its own size.
  assert.ok(
    Math.abs(mixed.maxMessageBytes - app.bigBytes) / app.bigBytes <= 0.02,
    `mixed max ${mixed.maxMessageBytes}`,
  );
  const sites = records.filter((r) => r.type === 'call-site');
  assert.ok(sites.length > 0, 'the oversized send has a call-site aggregate');
  const site = sites.pop();
  assert.ok(site?.type === 'call-site');
  assert.deepEqual([site.site.file, site.site.line], [join(apps, 'quiet-port.cjs'), app.line]);
  // Call sites: the first 16 notable sends of a port are captured, later ones by sample.
  assert.ok(site.sends >= 16 && site.sends <= app.big, `captured oversized sends: ${site.sends}`);
  const bigCounted = mixed.bytesCopied / app.bigBytes;
  assert.ok(bigCounted >= app.big - 15 && bigCounted <= app.big + 1, `mixed bytes ≈ ${bigCounted} big messages`);
});

test('a buffer in the transfer list that Node copies instead (untransferable) counts as copied, not transferred', async () => {
  const { stdout, records } = await recordsOf('untransferable.cjs', []);
  const app = appReport<{ threw: string | null; keptLeft: number; movedLeft: number }>(stdout);
  const channel = [...finalChannels(records).values()].find((c) => c.label === 'MessageChannel');
  if (app.threw !== null) {
    // This Node refuses the send: nothing was sent, so nothing is counted (a channel that never
    // carried a message may have no record at all).
    if (channel !== undefined) {
      assert.deepEqual([channel.sent, channel.bytesCopied, channel.bytesTransferred], [0, 0, 0]);
    }
    return;
  }
  assert.ok(channel, JSON.stringify([...finalChannels(records).values()]));
  // What stayed attached was copied; what was detached was moved.
  const copied = app.keptLeft + app.movedLeft;
  assert.equal(channel.bytesTransferred, 150_000 - copied);
  assert.ok(channel.bytesCopied >= copied && channel.bytesCopied < copied + 1000, `bytesCopied ${channel.bytesCopied}`);
  assert.ok(channel.maxMessageBytes >= copied, `max ${channel.maxMessageBytes}`);
});

test('a port read with receiveMessageOnPort is counted where it is used, in this thread and in a worker', async () => {
  const { stdout, records } = await recordsOf('rmop-ports.cjs', []);
  assert.deepEqual(appReport(stdout), { local: 7, fromWorker: 5 });
  const channels = [...finalChannels(records).values()];
  const local = channels.find((c) => c.delivered === 7);
  assert.ok(local, JSON.stringify(channels));
  assert.equal(local.sent, 7, 'the sends on the port read with receiveMessageOnPort');
  const worker = records.find((r) => r.type === 'isolate-start' && r.name === 'rmop-worker');
  assert.ok(worker && worker.type === 'isolate-start');
  const remote = channels.find((c) => c.delivered === 5);
  assert.ok(remote, JSON.stringify(channels));
  assert.equal(remote.sent, 5);
  assert.equal(remote.fromIsolateId, worker.isolateId, 'sent from the worker that read the port');
});
