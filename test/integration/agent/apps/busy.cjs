// Steady workload for the collector-failure and CPU tests: a worker burns CPU for a while and
// exchanges messages; the output depends only on the work, never on timing.
const { Worker } = require('node:worker_threads');
const ms = Number(process.argv[2] ?? 600);
const code = `
const { parentPort, workerData } = require('node:worker_threads');
const threadCpuMs = () => Number(require('node:fs').readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
// Registered after the agent's own exit hook (the preload runs first), so this reading is taken
// after the agent's final sample: the CPU test brackets the agent's figure between two readings.
if (workerData.printCpu) process.on('exit', () => require('node:fs').writeSync(2, \`CPU-END \${threadCpuMs()}\\n\`));
const end = Date.now() + workerData.ms;
let n = 0;
while (Date.now() < end) n++;
// The thread's own CPU time as Linux reports it, for the CPU test to compare with the agent's.
const cpuMs = threadCpuMs();
parentPort.postMessage({ burned: n > 0, cpuMs });
let got = 0;
parentPort.on('message', (m) => { got++; if (m === 'stop') { parentPort.postMessage({ got }); parentPort.close(); } });
`;
const w = new Worker(code, {
  eval: true,
  name: 'burner',
  workerData: { ms, printCpu: Boolean(process.env.PRINT_CPU) },
});
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
