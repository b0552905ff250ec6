// More MessageChannels than the agent's channel table holds: one message on each, then done.
const { MessageChannel } = require('node:worker_threads');
const count = Number(process.argv[2] ?? 2100);
let received = 0;
for (let i = 0; i < count; i++) {
  const { port1, port2 } = new MessageChannel();
  port2.once('message', () => {
    port2.close();
    if (++received === count) console.log(`REPORT ${JSON.stringify({ received })}`);
  });
  port1.postMessage(i);
}
