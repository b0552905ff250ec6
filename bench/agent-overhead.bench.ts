/**
 * Agent overhead, side by side: the same workload (bench/agent-overhead-workload.cjs) runs in a
 * child process without and with the agent, in interleaved rounds; medians are compared. The
 * agent run exports to a real WebSocket sink, so exporting cost is included. Targets are on
 * wall-clock throughput; process CPU time per message/MB is reported next to it because on a
 * shared, loaded machine wall time mostly measures scheduling luck (docs/agent.md, Overhead).
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { startFrameSink } from '../test/helpers/frame-sink';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const workload = resolve('bench/agent-overhead-workload.cjs');
const agent = resolve('dist/agent.cjs');

interface Figures {
  smallMsgsPerSec: number;
  smallCpuMicrosPerMsg: number;
  sameThreadMicrosPerMsg: number;
  sameThreadCpuMicrosPerMsg: number;
  typedMBPerSec: number;
  typedCpuMsPerMB: number;
  typedFaultsPerMB: number;
}

function runOnce(withAgent: boolean, env: NodeJS.ProcessEnv): Promise<Figures> {
  return new Promise((done, fail) => {
    const args = withAgent ? ['--require', agent, workload] : [workload];
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', fail);
    child.on('close', (code) => {
      try {
        if (code !== 0) throw new Error(`workload exited ${code}`);
        done(JSON.parse(out.trim().split('\n').pop() ?? '') as Figures);
      } catch (err) {
        fail(err);
      }
    });
  });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(): Promise<void> {
  const sink = await startFrameSink();
  const baseEnv: NodeJS.ProcessEnv = { ...process.env };
  delete baseEnv.NODE_OPTIONS;
  const agentEnv = { ...baseEnv, ISOSCOPE_COLLECTOR: sink.url, ISOSCOPE_TOKEN: sink.token };
  const plain: Figures[] = [];
  const instrumented: Figures[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    // Alternate which goes first so drift on a shared machine hits both sides alike.
    const order = r % 2 === 0 ? [false, true] : [true, false];
    for (const withAgent of order) {
      const f = await runOnce(withAgent, withAgent ? agentEnv : baseEnv);
      (withAgent ? instrumented : plain).push(f);
      process.stderr.write(`round ${r + 1} ${withAgent ? 'agent' : 'plain'}: ${JSON.stringify(f)}\n`);
    }
  }
  const batches = sink.frames.filter((f) => f.type === 'batch').length;
  await sink.close();

  const m = (xs: Figures[], k: keyof Figures): number => median(xs.map((x) => x[k]));
  const smallRatio = m(instrumented, 'smallMsgsPerSec') / m(plain, 'smallMsgsPerSec');
  const typedRatio = m(instrumented, 'typedMBPerSec') / m(plain, 'typedMBPerSec');
  const round3 = (x: number): number => Math.round(x * 1000) / 1000;
  const side = (k: keyof Figures): { plain: number; agent: number } => ({
    plain: round3(m(plain, k)),
    agent: round3(m(instrumented, k)),
  });
  // CPU-time ratios: plain CPU / agent CPU, i.e. the throughput ratio when CPU is the bottleneck.
  const smallCpuRatio = m(plain, 'smallCpuMicrosPerMsg') / m(instrumented, 'smallCpuMicrosPerMsg');
  const typedCpuRatio = m(plain, 'typedCpuMsPerMB') / m(instrumented, 'typedCpuMsPerMB');
  const results = {
    rounds: ROUNDS,
    node: process.version,
    smallMsgsPerSec: {
      plain: Math.round(m(plain, 'smallMsgsPerSec')),
      agent: Math.round(m(instrumented, 'smallMsgsPerSec')),
    },
    smallStreamRatio: round3(smallRatio),
    sameThreadMicrosPerMsg: {
      plain: round3(m(plain, 'sameThreadMicrosPerMsg')),
      agent: round3(m(instrumented, 'sameThreadMicrosPerMsg')),
    },
    typedMBPerSec: {
      plain: Math.round(m(plain, 'typedMBPerSec')),
      agent: Math.round(m(instrumented, 'typedMBPerSec')),
    },
    typedStreamRatio: round3(typedRatio),
    smallCpuMicrosPerMsg: side('smallCpuMicrosPerMsg'),
    smallStreamCpuRatio: round3(smallCpuRatio),
    sameThreadCpuMicrosPerMsg: side('sameThreadCpuMicrosPerMsg'),
    typedCpuMsPerMB: side('typedCpuMsPerMB'),
    typedStreamCpuRatio: round3(typedCpuRatio),
    typedFaultsPerMB: side('typedFaultsPerMB'),
    batchFramesReceivedBySink: batches,
  };
  console.log(
    JSON.stringify({
      name: 'agent-overhead',
      results,
      targets: [
        {
          name: 'small-message stream keeps ≥ 95 % throughput',
          target: 0.95,
          actual: round3(smallRatio),
          met: smallRatio >= 0.95,
        },
        {
          name: '1 MB typed-array stream keeps ≥ 98 % throughput',
          target: 0.98,
          actual: round3(typedRatio),
          met: typedRatio >= 0.98,
        },
      ],
    }),
  );
}

main().catch((err) => {
  process.stderr.write(`agent-overhead bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
