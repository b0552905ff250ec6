// Workloads for bench/agent-overhead.bench.ts, run in a child process with or without the agent.
// `node agent-overhead-workload.cjs <phase>` runs one phase in a fresh process (so one phase's
// allocator and heap state cannot leak into the next) and prints one JSON line:
//   small    cross-thread stream of small messages (msgs/s)
//   same     same-thread send + dispatch (µs/msg)
//   typed    1 MB typed-array stream with flow control (MB/s): at most 16 MB in flight, measured
//            once the process is 400 ms old (steady state)
//   typedSwitch, smallSwitch  the typed / small stream in one process, hooks switched on and off
//            per segment (bench build of the agent only): hooks-on / hooks-off throughput and CPU
//            ratios
//   burst    1 MB typed-array burst: 400 MB posted in one synchronous loop, no flow control
//   exit     a worker app that starts, exchanges 1,000 messages and exits (the bench measures
//            its whole life and the time from `doneAtEpochMs`, printed when the work is done, to
//            the process's exit)
// Each phase also reports process CPU time (all threads: app, worker, agent, exporter), which a
// loaded shared machine disturbs far less than wall time, and minor page faults.
const { Worker, MessageChannel } = require('node:worker_threads');

const workerCode = `
const { parentPort } = require('node:worker_threads');
let n = 0; let target = Infinity; let ackEvery = 0;
parentPort.on('message', (m) => {
  if (m && m.target) { target = m.target; ackEvery = m.ackEvery || 0; n = 0; return; }
  if (++n === target) parentPort.postMessage('done');
  else if (ackEvery > 0 && n % ackEvery === 0) parentPort.postMessage(n);
});`;

/** Process age (ms) before the 1 MB stream is measured. */
const STEADY_AFTER_MS = 400;
/** Segment pairs of the switch phases, and their segment sizes (MB; messages). */
const SWITCH_PAIRS = 60;
const SEGMENT_MB = 256;
const SMALL_SEGMENT = 20000;

/** Posts `count` messages as fast as the sender can (2,000 per turn of the event loop). */
function stream(worker, count, make) {
  return new Promise((resolve) => {
    worker.postMessage({ target: count });
    const start = performance.now();
    worker.once('message', () => resolve(performance.now() - start));
    let i = 0;
    const pump = () => {
      const end = Math.min(count, i + 2000);
      for (; i < end; i++) worker.postMessage(make(i));
      if (i < count) setImmediate(pump);
    };
    pump();
  });
}

/**
 * A stream with flow control, as a producer of large messages runs one: at most `window` messages
 * in flight, the receiver acknowledging every `ackEvery`. Unlike a burst, the memory in flight
 * does not depend on how far the receiver happens to fall behind.
 */
function windowedStream(worker, count, make, window, ackEvery) {
  return new Promise((resolve) => {
    worker.postMessage({ target: count, ackEvery });
    const start = performance.now();
    let sent = 0;
    let acked = 0;
    const pump = () => {
      while (sent < count && sent - acked < window) worker.postMessage(make(sent++));
    };
    const onMessage = (m) => {
      if (m === 'done') {
        worker.off('message', onMessage);
        resolve(performance.now() - start);
        return;
      }
      acked = m;
      pump();
    };
    worker.on('message', onMessage);
    pump();
  });
}

function sameThread(count) {
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    let n = 0;
    const start = performance.now();
    port2.on('message', () => {
      if (++n === count) {
        port2.close();
        resolve(performance.now() - start);
      }
    });
    let i = 0;
    const pump = () => {
      const end = Math.min(count, i + 2000);
      for (; i < end; i++) port1.postMessage({ i, s: 'hello' });
      if (i < count) setImmediate(pump);
    };
    pump();
  });
}

/**
 * Bench build of the agent only (dist/bench/agent.cjs, runtime-agent/node/hook-switch.ts): runs
 * `segment` in SWITCH_PAIRS pairs, once with the agent's message hooks on and once off (which goes
 * first alternates), and returns the hooks-on / hooks-off throughput and CPU ratios (geometric
 * means over the pairs). Paired segments share the threads, the memory and the minute, so the
 * ratio isolates what the hooks cost. With ISOSCOPE_BENCH_SWITCH_CONTROL=1 the switch never
 * flips: the ratio then shows the method's own bias.
 */
async function switchedPairs(segment) {
  const flag = require('node:worker_threads').getEnvironmentData('isoscope.benchHookSwitch');
  if (!(flag instanceof Int32Array)) throw new Error('the switch phases need the bench build, dist/bench/agent.cjs');
  const control = process.env.ISOSCOPE_BENCH_SWITCH_CONTROL === '1';
  const logRatios = [];
  const logCpuRatios = [];
  for (let i = 0; i < SWITCH_PAIRS; i++) {
    const figures = {};
    for (const hooksOn of i % 2 === 0 ? [false, true] : [true, false]) {
      Atomics.store(flag, 0, hooksOn || control ? 0 : 1);
      figures[hooksOn] = await measured(segment);
    }
    logRatios.push(Math.log(figures[false].ms / figures[true].ms));
    logCpuRatios.push(Math.log(figures[true].cpuMs / figures[false].cpuMs));
  }
  Atomics.store(flag, 0, 0);
  const geo = (logs) => Math.exp(logs.reduce((a, x) => a + x, 0) / logs.length);
  return { ratio: geo(logRatios), cpuRatio: geo(logCpuRatios) };
}

/** Runs `phase` and returns its wall time plus the process CPU time and minor page faults it took. */
async function measured(phase) {
  const cpu0 = process.cpuUsage();
  const faults0 = process.resourceUsage().minorPageFault;
  const ms = await phase();
  const cpu = process.cpuUsage(cpu0);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, faults: process.resourceUsage().minorPageFault - faults0 };
}

const phases = {
  async small(w) {
    await stream(w, 20000, (i) => ({ i, s: 'warm' }));
    const count = 200000;
    const run = await measured(() => stream(w, count, (i) => ({ i, s: 'hello' })));
    return { msgsPerSec: count / (run.ms / 1000), cpuMicrosPerMsg: (run.cpuMs * 1000) / count };
  },
  async same() {
    await sameThread(20000);
    const count = 200000;
    const run = await measured(() => sameThread(count));
    return { microsPerMsg: (run.ms * 1000) / count, cpuMicrosPerMsg: (run.cpuMs * 1000) / count };
  },
  async typed(w) {
    const mb = new Uint8Array(1 << 20);
    // Warm up until the process is STEADY_AFTER_MS old: this phase measures steady-state
    // throughput, and the agent boots its exporter worker (~30–50 ms of CPU on a third thread) as
    // the app starts. The start-up cost is the exit phase's to measure (its whole-life figure).
    do await windowedStream(w, 200, () => mb, 16, 4);
    while (performance.now() < STEADY_AFTER_MS);
    const count = 4000;
    const run = await measured(() => windowedStream(w, count, () => mb, 16, 4));
    return { mbPerSec: count / (run.ms / 1000), cpuMsPerMB: run.cpuMs / count, faultsPerMB: run.faults / count };
  },
  /** The 1 MB stream with the hooks switched on and off per 256 MB segment (`switchedPairs`). */
  async typedSwitch(w) {
    const mb = new Uint8Array(1 << 20);
    do await windowedStream(w, 200, () => mb, 16, 4);
    while (performance.now() < STEADY_AFTER_MS);
    return switchedPairs(() => windowedStream(w, SEGMENT_MB, () => mb, 16, 4));
  },
  /** The small-message stream with the hooks switched on and off per 20,000-message segment. */
  async smallSwitch(w) {
    await stream(w, 20000, (i) => ({ i, s: 'warm' }));
    return switchedPairs(() => stream(w, SMALL_SEGMENT, (i) => ({ i, s: 'hello' })));
  },
  async burst(w) {
    const mb = new Uint8Array(1 << 20);
    await stream(w, 50, () => mb);
    const count = 400;
    const run = await measured(() => stream(w, count, () => mb));
    return { mbPerSec: count / (run.ms / 1000), cpuMsPerMB: run.cpuMs / count, faultsPerMB: run.faults / count };
  },
  async exit(w) {
    await stream(w, 1000, (i) => ({ i, s: 'hello' }));
    return {};
  },
};

async function main() {
  const name = process.argv[2];
  const phase = phases[name];
  if (phase === undefined) throw new Error(`unknown phase ${name}; one of ${Object.keys(phases).join(', ')}`);
  const w = new Worker(workerCode, { eval: true, name: 'bench-sink' });
  const figures = await phase(w);
  // When the app's work is done: the bench measures from here to the process's exit.
  figures.doneAtEpochMs = performance.timeOrigin + performance.now();
  console.log(JSON.stringify(figures));
  await w.terminate();
}
main();
