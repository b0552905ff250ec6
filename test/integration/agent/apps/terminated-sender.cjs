// A worker replies with one copied 80 KB typed array, and the parent terminates it at once: the
// worker's ledger record must still reach the collector (terminate() skips the worker's exit hook).
const { Worker } = require('node:worker_threads');
const w = new Worker(
  `const { parentPort } = require('node:worker_threads');
   parentPort.on('message', (n) => parentPort.postMessage(new Float64Array(n)));`,
  { eval: true, name: 'calc' },
);
w.on('message', (r) => {
  console.log(`REPORT ${JSON.stringify({ bytes: r.byteLength })}`);
  w.terminate();
});
w.postMessage(10000);
