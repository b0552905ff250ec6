// Produces many more agent records than its buffers hold: 2000 channels, each sending 16
// notable messages (with ISOSCOPE_NOTABLE_BYTES=1 every message is notable). Output is a count.
const { MessageChannel } = require('node:worker_threads');
let delivered = 0;
for (let c = 0; c < 2000; c++) {
  const { port1, port2 } = new MessageChannel();
  for (let i = 0; i < 16; i++) port1.postMessage({ c, i, text: 'notable message '.repeat(4) });
  port2.on('message', () => {
    if (++delivered === 32000) console.log(`REPORT ${JSON.stringify({ delivered })}`);
  });
  port2.unref();
  setImmediate(() => port2.close());
}
