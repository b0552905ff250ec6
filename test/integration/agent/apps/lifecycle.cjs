// Lifecycle test app (CJS): named, unnamed, nested, eval, custom-execArgv, env:{} and short-lived workers.
const { Worker } = require('node:worker_threads');
const path = require('node:path');
const hello = path.join(__dirname, 'hello-worker.cjs');
const specs = [
  [hello, { name: 'named-one' }],
  [hello, undefined],
  [path.join(__dirname, 'nest-parent-worker.cjs'), { name: 'nest-parent' }],
  ["require('node:worker_threads').parentPort.postMessage('eval hello')", { eval: true, name: 'eval-named' }],
  ["require('node:worker_threads').parentPort.postMessage('eval hello')", { eval: true }],
  [hello, { name: 'custom-argv', execArgv: ['--no-warnings'] }],
  [hello, { name: 'empty-env', env: {} }],
];
for (let i = 0; i < 5; i++) specs.push(['process.exit(0)', { eval: true, name: `short-${i}` }]);
let messages = 0;
let exits = 0;
for (const [file, options] of specs) {
  const w = new Worker(file, options);
  w.on('message', () => messages++);
  w.on('exit', () => {
    if (++exits === specs.length) console.log(`REPORT ${JSON.stringify({ workers: specs.length, messages })}`);
  });
}
