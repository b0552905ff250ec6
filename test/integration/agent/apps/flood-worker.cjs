// Flooded worker: blocked while the parent floods it, then drains, measuring its own backlog and delay.
const { parentPort, workerData } = require('node:worker_threads');
const { sent, total } = workerData;
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 400); // busy elsewhere: the queue grows
let received = 0;
let maxBacklog = 0;
const delays = [];
parentPort.on('message', (m) => {
  delays.push(performance.now() - m.t);
  const backlog = Atomics.load(sent, 0) - received;
  if (backlog > maxBacklog) maxBacklog = backlog;
  received++;
  if (received === total) {
    delays.sort((a, b) => a - b);
    parentPort.postMessage({
      received,
      maxBacklog,
      maxDelayMs: delays[delays.length - 1],
      p95DelayMs: delays[Math.ceil(0.95 * delays.length) - 1],
      p50DelayMs: delays[Math.ceil(0.5 * delays.length) - 1],
    });
    parentPort.close();
  }
});
