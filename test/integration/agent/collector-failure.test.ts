import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { appReport, runApp } from '../../helpers/agent-run';
import { startFrameSink } from '../../helpers/frame-sink';
import { MAX_QUEUED_CHARS } from '../../../runtime-agent/node/exporter-queue';

const apps = join(import.meta.dirname, 'apps');

async function closedCollectorUrl(): Promise<string> {
  const sink = await startFrameSink();
  const url = sink.url;
  await sink.close(); // nothing listens on this port any more
  return url;
}

test('collector missing: the app completes with identical output and exit code', async () => {
  const url = await closedCollectorUrl();
  const plain = await runApp(join(apps, 'busy.cjs'), { agent: false, args: ['300'] });
  // A hung exit fails here (runApp rejects at the timeout); no wall-clock comparison, which load
  // alone can break on a shared 2-core machine.
  const agent = await runApp(join(apps, 'busy.cjs'), {
    agent: true,
    collectorUrl: url,
    args: ['300'],
    timeoutMs: 30_000,
  });
  assert.equal(plain.code, 0);
  assert.equal(agent.code, plain.code);
  assert.equal(agent.stdout, plain.stdout);
  assert.equal(agent.stderr, '');
  assert.deepEqual(appReport(agent.stdout), { got: 1001 });
});

test('wrong token: refused by the collector, the app is unaffected', async () => {
  const sink = await startFrameSink();
  try {
    const agent = await runApp(join(apps, 'busy.cjs'), {
      agent: true,
      sink,
      env: { ISOSCOPE_TOKEN: 'not-the-token' },
      args: ['200'],
    });
    assert.equal(agent.code, 0);
    assert.deepEqual(appReport(agent.stdout), { got: 1001 });
    assert.equal(sink.frames.length, 0);
    assert.ok(sink.refusedConnections >= 1);
  } finally {
    await sink.close();
  }
});

test('collector dies mid-run: the app completes with identical output', async () => {
  const sink = await startFrameSink();
  try {
    const running = runApp(join(apps, 'busy.cjs'), { agent: true, sink, args: ['1500'] });
    // Wait until the agent is connected and has sent something, then kill the collector.
    for (let i = 0; i < 200 && !sink.frames.some((f) => f.type === 'batch'); i++) {
      await new Promise((r) => setTimeout(r, 25));
    }
    assert.ok(
      sink.frames.some((f) => f.type === 'hello'),
      'agent connected before the crash',
    );
    await sink.close();
    const agent = await running;
    const plain = await runApp(join(apps, 'busy.cjs'), { agent: false, args: ['1500'] });
    assert.equal(agent.code, 0);
    assert.equal(agent.stdout, plain.stdout);
    assert.equal(agent.stderr, '');
  } finally {
    await sink.close().catch(() => undefined);
  }
});

test('no collector and a flood of agent records: memory stays bounded, drops are counted', async () => {
  const url = await closedCollectorUrl();
  const env = { ISOSCOPE_NOTABLE_BYTES: '1', ISOSCOPE_DEBUG: '1' };
  const agent = await runApp(join(apps, 'notable-flood.cjs'), { agent: true, collectorUrl: url, env });
  const plain = await runApp(join(apps, 'notable-flood.cjs'), { agent: false });
  assert.equal(agent.code, 0);
  assert.equal(agent.stdout, plain.stdout);
  assert.deepEqual(appReport(agent.stdout), { delivered: 32000 });
  // The exporter's exit statistics (ISOSCOPE_DEBUG=1 only) say how much it held and dropped.
  const stats = /stats framesSent=(\d+) droppedRecords=(\d+) queuedChars=(\d+) connected=(\w+)/.exec(agent.stderr);
  assert.ok(stats, agent.stderr.slice(-3000));
  assert.equal(stats[1], '0');
  assert.ok(Number(stats[2]) > 0, 'records were dropped, and counted');
  assert.ok(Number(stats[3]) <= MAX_QUEUED_CHARS, `queue held ${stats[3]} chars`);
  assert.equal(stats[4], 'false');
});
