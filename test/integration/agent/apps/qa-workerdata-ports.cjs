// Ports handed to workers in workerData. Worker 'getter-port' gets port A through a getter (the
// clone calls it; the agent's walk does not) next to port B as a data property; worker
// 'data-ports' gets C and D as data properties. Each worker sends 5 messages on its first port
// and 3 on its second; the parent counts what arrives.
const { Worker, MessageChannel } = require('node:worker_threads');
const code = `
  const { workerData } = require('node:worker_threads');
  for (let i = 0; i < 5; i++) workerData.first.postMessage('first' + i);
  for (let i = 0; i < 3; i++) workerData.second.postMessage('second' + i);
  workerData.first.close();
  workerData.second.close();
`;
const channels = { A: new MessageChannel(), B: new MessageChannel(), C: new MessageChannel(), D: new MessageChannel() };
const counts = { A: 0, B: 0, C: 0, D: 0 };
for (const [key, { port1 }] of Object.entries(channels)) port1.on('message', () => counts[key]++);
const start = (name, workerData, transferList) =>
  new Promise((resolve) => new Worker(code, { eval: true, name, workerData, transferList }).on('exit', resolve));
(async () => {
  const { A, B, C, D } = channels;
  await start(
    'getter-port',
    {
      get first() {
        return A.port2;
      },
      second: B.port2,
    },
    [A.port2, B.port2],
  );
  await start('data-ports', { first: C.port2, second: D.port2 }, [C.port2, D.port2]);
  setTimeout(() => {
    console.log('app counted', JSON.stringify(counts));
    for (const { port1 } of Object.values(channels)) port1.close();
  }, 50);
})();
