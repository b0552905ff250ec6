// A port received with receiveMessageOnPort (no 'message' event), then used: in this thread, and
// handed on to a worker the same way. Prints what the app itself counted.
const { MessageChannel, receiveMessageOnPort, Worker } = require('node:worker_threads');
const carrier = new MessageChannel();
const local = new MessageChannel();
carrier.port1.postMessage({ p: local.port2 }, [local.port2]);
const { p } = receiveMessageOnPort(carrier.port2).message;
for (let i = 0; i < 7; i++) p.postMessage(i);
let received = 0;
local.port1.on('message', () => {
  if (++received < 7) return;
  local.port1.close();
  const remote = new MessageChannel();
  const w = new Worker(
    `const { parentPort, receiveMessageOnPort } = require('node:worker_threads');
     parentPort.once('message', ({ carrier }) => {
       const { p } = receiveMessageOnPort(carrier).message;
       for (let i = 0; i < 5; i++) p.postMessage(i);
       p.close();
       carrier.close();
     });`,
    { eval: true, name: 'rmop-worker' },
  );
  const hand = new MessageChannel();
  hand.port1.postMessage({ p: remote.port2 }, [remote.port2]);
  w.postMessage({ carrier: hand.port2 }, [hand.port2]);
  let fromWorker = 0;
  remote.port1.on('message', () => {
    if (++fromWorker === 5) {
      remote.port1.close();
      hand.port1.close();
      carrier.port1.close();
      w.terminate();
      console.log(`REPORT ${JSON.stringify({ local: received, fromWorker })}`);
    }
  });
});
