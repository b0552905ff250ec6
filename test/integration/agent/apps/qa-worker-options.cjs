// Worker options the agent must pass on exactly as the app gave them: inherited (class instance,
// Object.create), non-enumerable and private-field-backed options, getters counted, a proxy's
// traps logged, frozen options, and an env whose NODE_OPTIONS is an accessor. Each worker answers
// with what it saw; the parent prints that, the reads it counted and the exit codes, in order.
const { Worker } = require('node:worker_threads');

const code = `const wt = require('node:worker_threads');
wt.parentPort.postMessage({ wd: wt.workerData ?? null, argv: process.execArgv.filter((a) => a === '--no-warnings'), a: process.env.A ?? null });`;
const reads = {};
const counted = (base) => {
  const o = {};
  for (const k of Object.keys(base)) {
    Object.defineProperty(o, k, {
      enumerable: true,
      get() {
        reads[k] = (reads[k] || 0) + 1;
        return base[k];
      },
    });
  }
  return o;
};
class ClassOptions {
  #data = { hi: 1 };
  constructor() {
    this.execArgv = ['--no-warnings'];
  }
  get eval() {
    reads.classEval = (reads.classEval || 0) + 1;
    return true;
  }
  get workerData() {
    return this.#data;
  } // a private field: `this` must be the app's object
}
const traps = [];
const logged = new Proxy(
  { eval: true, name: 'px', execArgv: [], workerData: 'proxied' },
  {
    get(t, k, r) {
      traps.push(`get:${String(k)}`);
      return Reflect.get(t, k, r);
    },
    ownKeys(t) {
      traps.push('ownKeys');
      return Reflect.ownKeys(t);
    },
    getOwnPropertyDescriptor(t, k) {
      traps.push(`gopd:${String(k)}`);
      return Reflect.getOwnPropertyDescriptor(t, k);
    },
    has(t, k) {
      traps.push(`has:${String(k)}`);
      return Reflect.has(t, k);
    },
  },
);
let envReads = 0;
const accessorEnv = { A: '1' };
Object.defineProperty(accessorEnv, 'NODE_OPTIONS', {
  enumerable: true,
  get() {
    envReads++;
    return '--no-warnings';
  },
});
const argvWithIterator = ['--no-warnings'];
let iterations = 0;
argvWithIterator[Symbol.iterator] = function () {
  iterations++;
  return Array.prototype[Symbol.iterator].call(this);
};

const cases = [
  ['class-instance', () => new ClassOptions()],
  ['object-create-execArgv', () => Object.assign(Object.create({ eval: true, workerData: 7 }), { execArgv: [] })],
  ['object-create-env', () => Object.assign(Object.create({ eval: true, workerData: 8 }), { env: { A: '1' } })],
  [
    'non-enumerable',
    () => Object.defineProperty({ eval: true, execArgv: [] }, 'workerData', { value: 9, enumerable: false }),
  ],
  ['frozen', () => Object.freeze({ eval: true, execArgv: Object.freeze(['--no-warnings']), workerData: 10 })],
  ['getters-execArgv', () => counted({ eval: true, name: 'a', execArgv: ['--no-warnings'] })],
  ['getters-env', () => counted({ eval: true, env: { A: '2' } })],
  ['getters-plain', () => counted({ eval: true, workerData: { x: 1 } })],
  ['proxy', () => logged],
  ['accessor-env', () => ({ eval: true, env: accessorEnv })],
  ['execArgv-iterator', () => ({ eval: true, execArgv: argvWithIterator })],
];

const run = (label, options) =>
  new Promise((resolve) => {
    let w;
    try {
      w = new Worker(code, options);
    } catch (e) {
      console.log(label, 'throws', e.code, e.message);
      return resolve();
    }
    console.log(label, 'reads', JSON.stringify(reads));
    for (const k of Object.keys(reads)) delete reads[k];
    w.on('message', (m) => console.log(label, 'message', JSON.stringify(m)));
    w.on('error', (e) => console.log(label, 'error', e.code, e.message));
    w.on('exit', (c) => {
      console.log(label, 'exit', c);
      resolve();
    });
  });

(async () => {
  for (const [label, make] of cases) await run(label, make());
  console.log('proxy traps', traps.join(' '));
  console.log('env NODE_OPTIONS reads', envReads, 'execArgv iterations', iterations);
})();
