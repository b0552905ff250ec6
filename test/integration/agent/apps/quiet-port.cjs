// Sizing by sample on a quiet port: two MessageChannels. `steady` sends only small objects;
// `mixed` sends small objects, then a run of oversized ones. Prints v8.serialize's byte counts
// so the test can compare the agent's (sampled) byte counters, and the line of the big send.
const { MessageChannel } = require('node:worker_threads');
const { serialize } = require('node:v8');
const SMALL = 4096;
const BIG = 40;
const steady = new MessageChannel();
const mixed = new MessageChannel();
let steadyBytes = 0;
for (let i = 0; i < SMALL; i++) {
  const m = { i, s: i % 3 === 0 ? 'hello' : 'a somewhat longer string' };
  steadyBytes += serialize(m).length;
  steady.port1.postMessage(m);
}
// An uncloneable send on the now quiet port (an unsized send): the same DataCloneError, not counted.
let cloneError = null;
try {
  steady.port1.postMessage({ i: -1, f() {} });
} catch (err) {
  cloneError = err.name;
}
for (let i = 0; i < SMALL; i++) mixed.port1.postMessage({ i, s: 'hello' });
const big = { id: 0, blob: 'x'.repeat(100_000) };
const bigBytes = serialize(big).length;
const line = 27; // the postMessage below
for (let i = 0; i < BIG; i++) mixed.port1.postMessage(big);
let received = 0;
for (const port of [steady.port2, mixed.port2]) {
  port.on('message', () => {
    if (++received === 2 * SMALL + BIG) {
      console.log(`REPORT ${JSON.stringify({ small: SMALL, big: BIG, steadyBytes, bigBytes, line, cloneError })}`);
      steady.port2.close();
      mixed.port2.close();
    }
  });
}
