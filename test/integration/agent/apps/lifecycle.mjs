// Lifecycle test app (ESM): named imports must see the agent's Worker too.
import { Worker, MessageChannel } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
const hello = fileURLToPath(new URL('./hello-worker.cjs', import.meta.url));
const named = new Worker(hello, { name: 'esm-named' });
const unnamed = new Worker(new URL('./hello-worker.cjs', import.meta.url));
const { port1, port2 } = new MessageChannel();
let got = 0;
port2.on('message', () => {
  got++;
  port2.close();
});
port1.postMessage('one');
let exits = 0;
for (const w of [named, unnamed]) {
  w.on('exit', () => {
    if (++exits === 2) console.log(`REPORT ${JSON.stringify({ got })}`);
  });
}
