// A worker with its own env, in a process started with a process-wide V8 flag: the worker must
// start, and see exactly the env it was given.
const { Worker } = require('node:worker_threads');
const code = `require('node:worker_threads').parentPort.postMessage({
  env: Object.keys(process.env).sort(),
  nodeOptions: process.env.NODE_OPTIONS ?? null,
});`;
const w = new Worker(code, { eval: true, name: 'env-worker', env: { A: '1' } });
w.on('message', (m) => console.log(`REPORT ${JSON.stringify(m)}`));
w.on('exit', (c) => console.log(`exit ${c}`));
