// Flood test app: the main thread posts `total` small messages to a worker that is blocked, and
// the worker measures its own backlog and queueing delay. Prints what the app itself counted.
const { Worker } = require('node:worker_threads');
const path = require('node:path');
const total = Number(process.argv[2] ?? 20000);
const sent = new Int32Array(new SharedArrayBuffer(4));
const w = new Worker(path.join(__dirname, 'flood-worker.cjs'), { name: 'flooded', workerData: { sent, total } });
w.once('online', () => {
  for (let i = 0; i < total; i++) {
    w.postMessage({ i, t: performance.now() });
    Atomics.add(sent, 0, 1);
  }
});
w.once('message', (m) => console.log(`REPORT ${JSON.stringify({ ...m, sent: Atomics.load(sent, 0) })}`));
