import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { AgentRecord, ChannelRecord } from '../../../protocol';
import { appReport, runApp } from '../../helpers/agent-run';
import { startFrameSink, type FrameSink } from '../../helpers/frame-sink';

const app = join(import.meta.dirname, 'apps', 'broadcast.cjs');
let sink: FrameSink;
before(async () => {
  sink = await startFrameSink();
});
after(() => sink.close());

type Who = 'main' | 'w1' | 'w2';
interface BroadcastReport {
  sent: Record<Who, number>;
  receivedBy: Record<Who, Partial<Record<Who, number>>>;
  cloneError: string;
  returned: string;
}

/** The last (most complete) record of each channel: counters are cumulative. */
function finalChannels(records: AgentRecord[]): ChannelRecord[] {
  const out = new Map<string, ChannelRecord>();
  for (const r of records) {
    if (r.type !== 'channel') continue;
    const prev = out.get(r.channelId);
    if (!prev || r.sent + r.delivered >= prev.sent + prev.delivered) out.set(r.channelId, r);
  }
  return [...out.values()];
}

test('BroadcastChannel between real workers: per-sender sent/delivered match the app, app output unchanged', async () => {
  const plain = await runApp(app, { agent: false });
  const start = sink.frames.length;
  const run = await runApp(app, { agent: true, sink });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(plain.code, 0, plain.stderr);
  // What the app observes (contents, counts, DataCloneError, return value) is the same.
  assert.equal(run.stdout, plain.stdout);
  const report = appReport<BroadcastReport>(run.stdout);
  assert.equal(report.cloneError, 'DataCloneError');
  assert.equal(report.receivedBy.w1.main, 300, 'the app really exchanged messages');

  await sink.waitForBye(run.pid);
  assert.deepEqual(sink.rejected, []);
  const records = sink.frames.slice(start).flatMap((f) => (f.type === 'batch' ? f.records : []));
  const isolateOf = new Map<string, Who>();
  for (const r of records) {
    if (r.type !== 'isolate-start') continue;
    isolateOf.set(r.isolateId, r.kind === 'main' ? 'main' : (r.name as Who));
  }
  const channels = finalChannels(records).filter((c) => c.label === "BroadcastChannel 'news'");
  assert.equal(channels.length, 3, JSON.stringify(channels));
  for (const c of channels) {
    const from = isolateOf.get(c.fromIsolateId);
    assert.ok(from !== undefined, `sender ${c.fromIsolateId} is a known isolate`);
    assert.equal(c.toIsolateId, null);
    // Deliveries of this sender's messages, summed over every receiving isolate, as the app counted.
    const appDelivered = (['main', 'w1', 'w2'] as const).reduce((n, who) => n + (report.receivedBy[who][from] ?? 0), 0);
    assert.equal(c.sent, report.sent[from], `${from} sent`);
    assert.equal(c.delivered, appDelivered, `${from} delivered`);
    assert.equal(c.depth, 0, `${from} depth`);
    assert.ok(c.maxDepth >= 1 && c.maxDepth <= appDelivered, `${from} max depth ${c.maxDepth}`);
    assert.ok(c.bytesCopied > c.sent * 10, `${from} bytes ${c.bytesCopied}`);
    assert.ok(c.delayMsMax >= c.delayMsP50 && c.delayMsP50 >= 0);
  }
  // Per receiving isolate: its last sample counts what its channel objects received, as the app did.
  const lastSample = new Map<Who, number | undefined>();
  for (const r of records) {
    const who = r.type === 'sample' ? isolateOf.get(r.isolateId) : undefined;
    if (r.type === 'sample' && who) lastSample.set(who, r.broadcastReceived);
  }
  for (const who of ['main', 'w1', 'w2'] as const) {
    const appReceived = Object.values(report.receivedBy[who]).reduce((n, k) => n + (k ?? 0), 0);
    assert.ok(appReceived > 0, `${who} received broadcasts`);
    assert.equal(lastSample.get(who), appReceived, `${who} broadcastReceived`);
  }
});

test('workers terminated right after receiving broadcasts: their parent reports what they received at the exit', async () => {
  const terminateApp = join(import.meta.dirname, 'apps', 'broadcast-terminate.cjs');
  const start = sink.frames.length;
  const run = await runApp(terminateApp, { agent: true, sink, env: { ISOSCOPE_SAMPLE_MS: '60000' } });
  assert.equal(run.code, 0, run.stderr);
  const report = appReport<{ received: Record<string, number> }>(run.stdout);
  await sink.waitForBye(run.pid);
  const records = sink.frames.slice(start).flatMap((f) => (f.type === 'batch' ? f.records : []));
  const nameOf = new Map<string, string>();
  for (const r of records) if (r.type === 'isolate-start') nameOf.set(r.isolateId, r.name);
  const exits = records.filter((r) => r.type === 'isolate-exit' && nameOf.get(r.isolateId)?.startsWith('bw'));
  assert.equal(exits.length, 3, JSON.stringify(exits));
  for (const e of exits) {
    if (e.type !== 'isolate-exit') continue;
    const name = nameOf.get(e.isolateId)!;
    assert.equal(report.received[name], 5, 'the app counted its broadcasts');
    assert.equal(e.broadcastReceived, 5, `${name}'s exit record`);
  }
});
