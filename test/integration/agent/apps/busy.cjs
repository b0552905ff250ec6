// Steady workload for the collector-failure and CPU tests: a worker burns CPU for a while and
// exchanges messages; the output depends only on the work, never on timing.
const { Worker } = require('node:worker_threads');
const ms = Number(process.argv[2] ?? 600);
const code = `
const { parentPort, workerData } = require('node:worker_threads');
const end = Date.now() + workerData.ms;
let n = 0;
while (Date.now() < end) n++;
// The thread's own CPU time as Linux reports it, for the CPU test to compare with the agent's.
const cpuMs = Number(require('node:fs').readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
parentPort.postMessage({ burned: n > 0, cpuMs });
let got = 0;
parentPort.on('message', (m) => { got++; if (m === 'stop') { parentPort.postMessage({ got }); parentPort.close(); } });
`;
const w = new Worker(code, { eval: true, name: 'burner', workerData: { ms } });
let cpuMs = 0;
w.on('message', (m) => {
  if (m.burned) {
    cpuMs = m.cpuMs;
    for (let i = 0; i < 1000; i++) w.postMessage({ i, payload: 'x'.repeat(100) });
    w.postMessage('stop');
  } else {
    console.log(`REPORT ${JSON.stringify(m)}`);
    if (process.env.PRINT_CPU) console.error(`CPU ${cpuMs}`);
  }
});
