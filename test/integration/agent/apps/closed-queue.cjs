// 1,000 messages queued on a port that never listens, then the port is closed: Node discards them,
// so the isolate's queue is empty again. Prints what the app can tell (nothing was delivered).
const { MessageChannel } = require('node:worker_threads');
const { port1, port2 } = new MessageChannel();
for (let i = 0; i < 1000; i++) port1.postMessage(i);
port2.close();
port2.once('close', () => setTimeout(() => console.log(`REPORT ${JSON.stringify({ queued: 1000 })}`), 50));
