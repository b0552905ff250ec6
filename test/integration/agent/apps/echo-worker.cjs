// Worker for the transparency app: echoes messages, uses transferred ports, exits on request.
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (m) => {
  if (m === 'exit3') process.exit(3);
  if (m === 'spin') {
    setInterval(() => {}, 1000);
    return;
  }
  if (m && m.port) {
    for (let i = 0; i < 3; i++) m.port.postMessage({ viaPort: i });
    m.port.close();
    return;
  }
  parentPort.postMessage(m);
});
