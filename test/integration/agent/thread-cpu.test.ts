import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { IsolateSampleRecord, IsolateStartRecord } from '../../../protocol';
import { runApp } from '../../helpers/agent-run';
import { startFrameSink, type FrameSink } from '../../helpers/frame-sink';

const apps = join(import.meta.dirname, 'apps');
let sink: FrameSink;
before(async () => {
  sink = await startFrameSink();
});
after(() => sink.close());

test(`per-thread CPU time and heap per isolate (Node ${process.versions.node}: feature-detected source)`, async () => {
  const run = await runApp(join(apps, 'busy.cjs'), {
    agent: true,
    sink,
    args: ['600'],
    env: { ISOSCOPE_SAMPLE_MS: '50', PRINT_CPU: '1' },
  });
  assert.equal(run.code, 0, run.stderr);
  await sink.waitForBye(run.pid);
  const hello = sink.frames.find((f) => f.type === 'hello');
  assert.ok(hello && hello.type === 'hello');
  assert.equal(hello.runtimeVersion, process.version);
  assert.ok(hello.capabilities.includes('thread-cpu'), 'thread CPU available on Linux and Node 22+/24');
  const records = sink.records();
  const starts = records.filter((r): r is IsolateStartRecord => r.type === 'isolate-start');
  const burner = starts.find((r) => r.name === 'burner');
  const main = starts.find((r) => r.kind === 'main');
  assert.ok(burner && main);
  const samples = (id: string) =>
    records.filter((r): r is IsolateSampleRecord => r.type === 'sample' && r.isolateId === id);
  const lastCpu = (id: string) => Math.max(...samples(id).map((s) => s.cpuTimeMicros ?? -1));
  // The worker read its own thread CPU (schedstat) after spinning, and again in an exit handler
  // that runs after the agent's (the preload registers first). The agent's last sample, taken at
  // the worker's exit, must lie between the two readings: thread CPU, not process CPU (which
  // adds the main and exporter threads' start-up, tens of ms). The slack covers the two clock
  // sources (schedstat vs getrusage(RUSAGE_THREAD) on Node 24) and rounding, never load: both
  // readings are CPU time of the same thread.
  const appCpuMs = Number(/^CPU ([\d.]+)/m.exec(run.stderr)?.[1]);
  const appCpuEndMs = Number(/^CPU-END ([\d.]+)/m.exec(run.stderr)?.[1]);
  const agentCpuMs = lastCpu(burner.isolateId) / 1000;
  const slackMs = 2;
  assert.ok(appCpuMs > 20, `the worker burned CPU (${appCpuMs} ms)`);
  assert.ok(
    agentCpuMs >= appCpuMs - slackMs && agentCpuMs <= appCpuEndMs + slackMs,
    `agent ${agentCpuMs} ms, app ${appCpuMs} ms after spinning, ${appCpuEndMs} ms at exit`,
  );
  assert.ok(lastCpu(main.isolateId) / 1000 < agentCpuMs, 'main thread CPU excludes the worker');
  const s = samples(burner.isolateId)[0];
  assert.ok(s.heapUsedBytes > 0 && s.heapTotalBytes >= s.heapUsedBytes && s.heapShared === false);
});
