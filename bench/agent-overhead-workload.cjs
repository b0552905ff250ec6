// Workloads for bench/agent-overhead.bench.ts, run in a child process with or without the agent.
// Prints one JSON line: cross-thread small-message stream (msgs/s), same-thread send+dispatch
// (µs/msg) and a 1 MB typed-array stream (MB/s).
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

async function main() {
  const w = new Worker(workerCode, { eval: true, name: 'bench-sink' });
  await stream(w, 20000, (i) => ({ i, s: 'warm' })); // warm-up
  const small = 200000;
  const smallMs = await stream(w, small, (i) => ({ i, s: 'hello' }));
  const sameCount = 200000;
  await sameThread(20000);
  const sameMs = await sameThread(sameCount);
  const mb = new Uint8Array(1 << 20);
  await stream(w, 50, () => mb);
  const bigCount = 400;
  const bigMs = await stream(w, bigCount, () => mb);
  console.log(
    JSON.stringify({
      smallMsgsPerSec: small / (smallMs / 1000),
      sameThreadMicrosPerMsg: (sameMs * 1000) / sameCount,
      typedMBPerSec: bigCount / (bigMs / 1000),
    }),
  );
  await w.terminate();
}
main();
