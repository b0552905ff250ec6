// The delivery hook remembers the last port a message came through (channel-registry.ts,
// recentDeliveryPort). Here that port then moves to a worker, and Node fires 'close' on this
// thread's old handle of it: that close must not write the channel off. The worker is busy for a
// second while 100 messages wait for it, so the channel's depth is 100 in the samples meanwhile.
const { Worker, MessageChannel } = require('node:worker_threads');
const QUEUED = 100;
const code = `
const { parentPort } = require('node:worker_threads');
parentPort.once('message', ({ port }) => {
  const until = Date.now() + 1000;
  while (Date.now() < until);
  let received = 0;
  port.on('message', () => {
    if (++received === ${QUEUED}) {
      parentPort.postMessage(received);
      port.close();
    }
  });
});`;
const { port1, port2 } = new MessageChannel();
port2.once('message', () => {
  const w = new Worker(code, { eval: true, name: 'recent-delivery' });
  w.postMessage({ port: port2 }, [port2]);
  for (let i = 0; i < QUEUED; i++) port1.postMessage(i);
  w.once('message', (received) => {
    console.log(`REPORT ${JSON.stringify({ queued: QUEUED, received })}`);
    port1.close();
    w.terminate();
  });
});
port1.postMessage('first');
