// Size test app: sends notable messages of several shapes and prints v8.serialize's byte count
// for each, plus the line of the send, so the test can compare the agent's estimates.
const { Worker } = require('node:worker_threads');
const { serialize } = require('node:v8');
const w = new Worker('require("node:worker_threads").parentPort.on("message", () => {})', { eval: true, name: 'sink' });
const shapes = [
  new Uint8Array(200_000),
  Array.from({ length: 5000 }, (_, i) => ({ id: i, name: `item-${i}`, ok: i % 2 === 0 })),
  '€'.repeat(60_000),
  { pixels: new Float64Array(20_000), meta: { w: 100, h: 200 } },
  new Map(Array.from({ length: 5000 }, (_, i) => [`k${i}`, [i, i * 0.5]])),
];
const sizes = shapes.map((s) => serialize(s).length);
const line = 15; // the postMessage below
for (const s of shapes) w.postMessage(s);
const moved = new ArrayBuffer(1 << 20);
w.postMessage({ moved }, [moved]);
console.log(`REPORT ${JSON.stringify({ sizes, line })}`);
setTimeout(() => w.terminate(), 100);
