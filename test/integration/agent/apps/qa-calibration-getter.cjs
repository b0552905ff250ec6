// Oversized messages with a getter the size walk does not sample (element 1 of a big array, key k1
// of a big object): the clone calls each getter once, and the agent's calibration must not call it
// again by serializing the message itself.
const { MessageChannel } = require('node:worker_threads');
const { port1, port2 } = new MessageChannel();
let reads = 0;
const arr = Array.from({ length: 10000 }, (_, i) => 'item-' + String(i).padStart(6, '0'));
Object.defineProperty(arr, 1, {
  enumerable: true,
  get() {
    reads++;
    return 'got';
  },
});
const obj = {};
for (let i = 0; i < 5000; i++) obj['k' + i] = 'v'.repeat(20);
Object.defineProperty(obj, 'k1', {
  enumerable: true,
  get() {
    reads++;
    return 'got';
  },
});
port1.postMessage(arr);
console.log('getter calls after array send', reads);
port1.postMessage(obj);
console.log('getter calls after object send', reads);
port2.on('message', (m) => {
  if (!Array.isArray(m)) {
    console.log('received', typeof m.k1);
    port1.close();
  }
});
