// Re-entrant send test app: while one message is being copied, an app getter on it sends another
// message through the same port; then a send fails with a DataCloneError. Prints what it sent.
const { MessageChannel } = require('node:worker_threads');
const { port1, port2 } = new MessageChannel();
let received = 0;
port2.on('message', () => {
  if (++received === 3) {
    port1.close();
    console.log(`REPORT ${JSON.stringify({ received, inner: innerSends, cloneError })}`);
  }
});
let innerSends = 0;
port1.postMessage(new Uint8Array(100_000));
port1.postMessage({
  get x() {
    innerSends++;
    port1.postMessage(new Uint8Array(200_000));
    return 1;
  },
});
let cloneError = null;
try {
  port1.postMessage({ big: new Uint8Array(300_000), f: () => {} });
} catch (err) {
  cloneError = err.name;
}
