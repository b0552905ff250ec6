// A worker that starts its own worker (nested), forwards the child's hello, then ends.
const { parentPort, Worker } = require('node:worker_threads');
const path = require('node:path');
const child = new Worker(path.join(__dirname, 'hello-worker.cjs'), { name: 'nest-child' });
child.on('message', () => parentPort.postMessage({ nestedHello: true }));
child.on('exit', () => parentPort.postMessage({ nestedExit: true }));
