// Workers that receive broadcasts and are terminated as soon as they report them, before their
// next sample: their BroadcastChannel receive counts must still reach the collector.
const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads');

const N = 5;
if (isMainThread) {
  const bc = new BroadcastChannel('jobs');
  const names = ['bw1', 'bw2', 'bw3'];
  const received = {};
  let ready = 0;
  let done = 0;
  const workers = names.map((name) => new Worker(__filename, { name, workerData: { name } }));
  for (const w of workers) {
    w.on('message', (m) => {
      if (m === 'ready') {
        if (++ready === workers.length) for (let i = 0; i < N; i++) bc.postMessage({ i });
        return;
      }
      received[m.name] = m.received;
      void w.terminate().then(() => {
        if (++done === workers.length) {
          bc.close();
          console.log(`REPORT ${JSON.stringify({ received })}`);
        }
      });
    });
  }
} else {
  const bc = new BroadcastChannel('jobs');
  let received = 0;
  bc.onmessage = () => {
    if (++received === N) parentPort.postMessage({ name: workerData.name, received });
  };
  parentPort.postMessage('ready');
}
