// Workloads for bench/agent-overhead.bench.ts, run in a child process with or without the agent.
// Prints one JSON line: cross-thread small-message stream (msgs/s), same-thread send+dispatch
// (µs/msg) and a 1 MB typed-array stream (MB/s), each also as process CPU time (all threads:
// app, worker, agent, exporter), which a loaded shared machine disturbs far less than wall time,
// and the typed stream's minor page faults per MB (see docs/agent.md: allocator state, not agent
// work, decides most of that phase's cost).
const { Worker, MessageChannel } = require('node:worker_threads');

const workerCode = `
const { parentPort } = require('node:worker_threads');
let n = 0; let target = Infinity;
parentPort.on('message', (m) => {
  if (m && m.target) { target = m.target; n = 0; return; }
  if (++n === target) parentPort.postMessage('done');
});`;

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

/** Runs `phase` and returns its result plus the process CPU time and minor page faults it took. */
async function measured(phase) {
  const cpu0 = process.cpuUsage();
  const faults0 = process.resourceUsage().minorPageFault;
  const ms = await phase();
  const cpu = process.cpuUsage(cpu0);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, faults: process.resourceUsage().minorPageFault - faults0 };
}

async function main() {
  const w = new Worker(workerCode, { eval: true, name: 'bench-sink' });
  await stream(w, 20000, (i) => ({ i, s: 'warm' })); // warm-up
  const small = 200000;
  const smallRun = await measured(() => stream(w, small, (i) => ({ i, s: 'hello' })));
  const sameCount = 200000;
  await sameThread(20000);
  const sameRun = await measured(() => sameThread(sameCount));
  const mb = new Uint8Array(1 << 20);
  await stream(w, 50, () => mb);
  const bigCount = 400;
  const bigRun = await measured(() => stream(w, bigCount, () => mb));
  console.log(
    JSON.stringify({
      smallMsgsPerSec: small / (smallRun.ms / 1000),
      smallCpuMicrosPerMsg: (smallRun.cpuMs * 1000) / small,
      sameThreadMicrosPerMsg: (sameRun.ms * 1000) / sameCount,
      sameThreadCpuMicrosPerMsg: (sameRun.cpuMs * 1000) / sameCount,
      typedMBPerSec: bigCount / (bigRun.ms / 1000),
      typedCpuMsPerMB: bigRun.cpuMs / bigCount,
      typedFaultsPerMB: bigRun.faults / bigCount,
    }),
  );
  await w.terminate();
}
main();
