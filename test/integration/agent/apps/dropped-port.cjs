// A port the app lets go of is collected with the agent as without it: the hooks' memory of the
// last port they looked up (channel-registry.ts) does not keep it alive. Run with --expose-gc.
const { MessageChannel } = require('node:worker_threads');
const { setTimeout: sleep } = require('node:timers/promises');
let finalized = 0;
const registry = new FinalizationRegistry(() => finalized++);
function exchange() {
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    registry.register(port1, 'port1');
    registry.register(port2, 'port2');
    port2.once('message', () => {
      port1.close();
      port2.close();
      port2.once('close', resolve);
    });
    port1.postMessage('only');
  });
}
(async () => {
  await exchange();
  const started = Date.now();
  while (finalized < 2 && Date.now() - started < 5000) {
    globalThis.gc();
    await sleep(20);
  }
  console.log(`REPORT ${JSON.stringify({ finalized })}`);
})();
