// Run with --frozen-intrinsics: Error's properties are read-only, so the agent captures no call
// sites, but it must still record the worker and the oversized messages.
const { Worker, MessageChannel } = require('node:worker_threads');
const { port1, port2 } = new MessageChannel();
let got = 0;
port2.on('message', () => got++);
for (let i = 0; i < 3; i++) port1.postMessage(new Uint8Array(1 << 17));
const w = new Worker("require('node:worker_threads').parentPort.postMessage('hi')", {
  eval: true,
  name: 'frozen-worker',
});
w.on('message', (m) => console.log('worker says', m));
w.on('exit', (c) => {
  console.log('worker exit', c, 'frozen Error', Object.isFrozen(Error));
  setTimeout(() => {
    console.log('got', got);
    port1.close();
  }, 20);
});
