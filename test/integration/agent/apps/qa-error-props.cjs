// The agent's call-site captures around Error.prepareStackTrace / Error.stackTraceLimit: the app's
// own prepareStackTrace is never called, accessors on them never run, a deleted stackTraceLimit
// stays deleted, and Error's own keys stay as they were (names and order).
const { Worker, MessageChannel } = require('node:worker_threads');
const show = (label) =>
  console.log(label, JSON.stringify(Object.getOwnPropertyNames(Error)), Object.keys(Error).join(','));
const { port1, port2 } = new MessageChannel();
port2.on('message', () => {});
const notable = () => port1.postMessage(new Uint8Array(1 << 17));
const spawn = () => new Worker('0', { eval: true });

show('start');
let prepareCalls = 0;
Error.prepareStackTrace = (err, sites) => {
  prepareCalls++;
  return `custom ${sites.length}`;
};
Error.stackTraceLimit = 3;
for (let i = 0; i < 3; i++) notable();
spawn();
console.log('own prepareStackTrace calls', prepareCalls, 'limit', Error.stackTraceLimit);

// Accessors: the agent must neither call the getters nor the setters.
let prepare;
let limit = 5;
const calls = { prepareGet: 0, prepareSet: 0, limitGet: 0, limitSet: 0 };
Object.defineProperty(Error, 'prepareStackTrace', {
  configurable: true,
  get() {
    calls.prepareGet++;
    return prepare;
  },
  set(v) {
    calls.prepareSet++;
    prepare = v;
  },
});
Object.defineProperty(Error, 'stackTraceLimit', {
  configurable: true,
  enumerable: true,
  get() {
    calls.limitGet++;
    return limit;
  },
  set(v) {
    calls.limitSet++;
    limit = v;
  },
});
for (let i = 0; i < 3; i++) notable();
spawn();
console.log('accessor calls', JSON.stringify(calls));
show('accessors');

// Plain data again, then deleted: a capture must not bring stackTraceLimit back.
Object.defineProperty(Error, 'prepareStackTrace', { value: undefined, writable: true, configurable: true });
Object.defineProperty(Error, 'stackTraceLimit', { value: 10, writable: true, enumerable: true, configurable: true });
delete Error.stackTraceLimit;
for (let i = 0; i < 3; i++) notable();
spawn();
show('deleted');
console.log('stackTraceLimit' in Error, typeof new Error('x').stack);
delete Error.prepareStackTrace;
notable();
spawn();
show('both deleted');
setTimeout(() => port1.close(), 50);
