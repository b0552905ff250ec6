// The parent sends 50 messages to a worker on a port the worker got through a getter in workerData.
// The agent cannot pair that port with its channel in the worker (its walk does not call getters),
// so the channel is not counted there: its sends must not pile up as a queue nobody drains.
const { Worker, MessageChannel } = require('node:worker_threads');
const { port1, port2 } = new MessageChannel();
const w = new Worker(
  `const { workerData, parentPort } = require('node:worker_threads');
   let n = 0;
   workerData.port.on('message', () => {
     if (++n === 50) parentPort.postMessage(n);
   });`,
  {
    eval: true,
    name: 'getter-port',
    workerData: {
      get port() {
        return port2;
      },
    },
    transferList: [port2],
  },
);
for (let i = 0; i < 50; i++) port1.postMessage(i);
// Exits with both ports still open: no close event writes the channel off.
w.once('message', (n) => {
  console.log(`REPORT ${JSON.stringify({ received: n })}`);
  process.exit(0);
});
