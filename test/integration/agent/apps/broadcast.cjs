// BroadcastChannel test app: the main thread and two workers share the channel 'news'. Every
// thread counts what it sends and, per sender, what it receives; main prints the totals.
// One worker uses the global BroadcastChannel, the other the worker_threads export.
const {
  Worker,
  isMainThread,
  parentPort,
  workerData,
  BroadcastChannel: WtBroadcastChannel,
} = require('node:worker_threads');

const N_MAIN = 300;
const N_WORKER = 200;

if (isMainThread) {
  const bc = new BroadcastChannel('news');
  const received = { main: 0, w1: 0, w2: 0 };
  bc.onmessage = (e) => {
    received[e.data.from] = (received[e.data.from] ?? 0) + 1;
  };
  // Things the app can observe about a send must not change under the agent.
  let cloneError = 'none';
  try {
    bc.postMessage({ f() {} });
  } catch (err) {
    cloneError = `${err.name}`;
  }
  const returned = String(bc.postMessage({ from: 'nobody-listens-yet' }));
  const workers = ['w1', 'w2'].map(
    (name, i) => new Worker(__filename, { name, workerData: { name, useGlobal: i === 0 } }),
  );
  const reports = {};
  let ready = 0;
  for (const w of workers) {
    w.on('message', (m) => {
      if (m === 'ready') {
        if (++ready === workers.length) {
          for (const other of workers) other.postMessage('go');
          for (let i = 0; i < N_MAIN; i++) bc.postMessage({ from: 'main', i, text: 'x'.repeat(i % 50) });
        }
        return;
      }
      reports[m.name] = m;
      if (Object.keys(reports).length === workers.length) finish();
    });
  }
  const finish = () => {
    const wait = () => {
      if ((received.w1 ?? 0) + (received.w2 ?? 0) < 2 * N_WORKER) return setTimeout(wait, 5);
      bc.close();
      const sent = { main: N_MAIN + 1, w1: reports.w1.sent, w2: reports.w2.sent };
      const receivedBy = { main: received, w1: reports.w1.received, w2: reports.w2.received };
      console.log(`REPORT ${JSON.stringify({ sent, receivedBy, cloneError, returned })}`);
    };
    wait();
  };
} else {
  const Ctor = workerData.useGlobal ? globalThis.BroadcastChannel : WtBroadcastChannel;
  const bc = new Ctor('news');
  const received = { main: 0, w1: 0, w2: 0 };
  let total = 0;
  const expected = N_MAIN + N_WORKER; // main's messages and the other worker's
  // Done only when this worker has both sent its own messages and received everyone else's: the
  // others' messages can all arrive before this worker has handled its 'go'.
  let sentAll = false;
  const finishIfDone = () => {
    if (!sentAll || total !== expected) return;
    bc.close();
    parentPort.postMessage({ name: workerData.name, sent: N_WORKER, received });
  };
  bc.onmessage = (e) => {
    received[e.data.from] = (received[e.data.from] ?? 0) + 1;
    total++;
    finishIfDone();
  };
  parentPort.once('message', () => {
    for (let i = 0; i < N_WORKER; i++) bc.postMessage({ from: workerData.name, i });
    sentAll = true;
    finishIfDone();
  });
  parentPort.postMessage('ready');
}
