// Transparency test app: everything the app can observe about messaging, printed to stdout.
// Run with and without the agent; the outputs must be identical.
const { Worker, MessageChannel, receiveMessageOnPort } = require('node:worker_threads');
const path = require('node:path');
const { inspect } = require('node:util');
const mode = process.argv[2] ?? 'exitcode';

function describeError(label, fn) {
  try {
    fn();
    console.log(`${label}: no error`);
  } catch (e) {
    console.log(
      `${label}: ${e.constructor.name} ${e.name} code=${e.code} ${JSON.stringify(e.message)} dom=${e instanceof DOMException}`,
    );
  }
}

const next = (w) => new Promise((resolve) => w.once('message', resolve));

async function main() {
  const w = new Worker(path.join(__dirname, 'echo-worker.cjs'), { name: 'echo' });
  const shapes = [
    { a: 1, b: 'two', c: [3, 4.5, null, undefined, true] },
    new Map([['k', new Set([1, 2])]]),
    new Uint8Array([1, 2, 3]),
    { big: 2n ** 70n, date: new Date(0), re: /x+/gi, nested: { deep: { er: ['y'] } } },
  ];
  for (const s of shapes) {
    w.postMessage(s);
    console.log('echo', inspect(await next(w), { depth: 6 }));
  }

  describeError('function', () => w.postMessage({ f() {} }));
  describeError('symbol', () => w.postMessage(Symbol('s')));
  describeError('non-transferable', () => w.postMessage({}, [{}]));
  describeError('bad transfer arg', () => w.postMessage({}, 5));
  const kept = new ArrayBuffer(16);
  describeError('failed clone keeps buffer', () => w.postMessage({ kept, f: () => 1 }, [kept]));
  console.log('kept after failed send', kept.byteLength);
  describeError('duplicate transfer', () => w.postMessage(kept, [kept, kept]));

  const moved = new ArrayBuffer(1024);
  const view = new Float64Array(moved, 8, 4);
  w.postMessage({ view }, [moved]);
  console.log('detached', moved.byteLength, view.length, view.byteLength);
  console.log('echoed view', inspect(await next(w)));
  const opt = new Uint8Array(32);
  w.postMessage(opt, { transfer: [opt.buffer] });
  console.log('options transfer detached', opt.byteLength, (await next(w)).byteLength);

  const { port1, port2 } = new MessageChannel();
  const viaPort = [];
  port2.on('message', (m) => viaPort.push(m.viaPort));
  w.postMessage({ port: port1 }, [port1]);
  await new Promise((resolve) => port2.once('close', resolve));
  console.log('via transferred port', viaPort.join(','));

  const pair = new MessageChannel();
  pair.port1.postMessage({ n: 5 });
  console.log(
    'receiveMessageOnPort',
    inspect(receiveMessageOnPort(pair.port2)),
    inspect(receiveMessageOnPort(pair.port2)),
  );
  pair.port1.close();

  // App code that the clone itself runs (an index getter, an error's message getter read while its
  // stack is formatted) runs exactly as often, and fails the same way, as without the agent.
  const probe = new MessageChannel();
  let indexReads = 0;
  const tricky = [1, 2];
  Object.defineProperty(tricky, 0, {
    enumerable: true,
    get() {
      if (++indexReads === 1) throw new Error('first read fails');
      return 1;
    },
  });
  describeError('index getter', () => probe.port1.postMessage(tricky));
  const err = new Error('m');
  let messageReads = 0;
  Object.defineProperty(err, 'message', {
    get() {
      messageReads++;
      return 'm';
    },
  });
  describeError('error with a message getter', () => probe.port1.postMessage(err));
  let listReads = 0;
  const listed = new ArrayBuffer(8);
  const proxiedList = new Proxy([listed], {
    get(target, key, receiver) {
      listReads++;
      return Reflect.get(target, key, receiver);
    },
  });
  describeError('proxy transfer list', () => probe.port1.postMessage(listed, proxiedList));
  console.log('app code ran', indexReads, messageReads, listReads, listed.byteLength);
  probe.port1.close();

  // The agent looks for ports in workerData and in messages read with receiveMessageOnPort; doing
  // so it runs none of the app's getters or iterators (the clone reads the getter once, by itself).
  let walkReads = 0;
  const handed = new MessageChannel();
  const data = [handed.port1, 0];
  Object.defineProperty(data, 1, {
    enumerable: true,
    get() {
      walkReads++;
      return new Map([['k', 1]]);
    },
  });
  const mapIterator = Map.prototype[Symbol.iterator];
  Map.prototype[Symbol.iterator] = function () {
    walkReads += 100;
    return mapIterator.call(this);
  };
  const holder = new Worker('require("node:worker_threads").workerData[0].close()', {
    eval: true,
    workerData: data,
    transferList: [handed.port1],
  });
  const carrier = new MessageChannel();
  const inner = new MessageChannel();
  carrier.port1.postMessage({ m: new Map([['p', inner.port2]]) }, [inner.port2]);
  const got = receiveMessageOnPort(carrier.port2).message.m;
  Map.prototype[Symbol.iterator] = mapIterator;
  await new Promise((resolve) => holder.once('exit', resolve));
  console.log('walks ran app code', walkReads, got.size);

  // Builtins an app replaces are not what the agent's per-message paths call: a faked clock, a
  // wrapped Function.prototype.call, Math.floor or a Set method see no calls from sends and deliveries.
  const { performance } = require('node:perf_hooks');
  const replaced = {
    now: 0,
    call: 0,
    floor: 0,
    setHas: 0,
    mapGet: 0,
    mapSet: 0,
    arrayIterator: 0,
    stringify: 0,
    isView: 0,
    setAdd: 0,
    push: 0,
    weakSetHas: 0,
    weakSetAdd: 0,
    latin1Slice: 0,
  };
  const realIsView = ArrayBuffer.isView;
  const realSetAdd = Set.prototype.add;
  const realPush = Array.prototype.push;
  const realWeakSetHas = WeakSet.prototype.has;
  const realWeakSetAdd = WeakSet.prototype.add;
  const realLatin1Slice = Buffer.prototype.latin1Slice;
  const realMapGet = Map.prototype.get;
  const realMapSet = Map.prototype.set;
  const realArrayIterator = Array.prototype[Symbol.iterator];
  const realStringify = JSON.stringify;
  const realNow = performance.now;
  const realCall = Function.prototype.call;
  const realFloor = Math.floor;
  const realHas = Set.prototype.has;
  const busy = new MessageChannel();
  let arrived = 0;
  const allArrived = new Promise((resolve) => {
    busy.port2.on('message', () => {
      if (++arrived === 300) resolve();
    });
  });
  performance.now = function () {
    replaced.now++;
    return 1e9;
  };
  Function.prototype.call = function (...args) {
    replaced.call++;
    return Reflect.apply(realCall, this, args);
  };
  Math.floor = (x) => {
    replaced.floor++;
    return realFloor(x);
  };
  Set.prototype.has = function (v) {
    replaced.setHas++;
    return Reflect.apply(realHas, this, [v]);
  };
  Map.prototype.get = function (k) {
    replaced.mapGet++;
    return Reflect.apply(realMapGet, this, [k]);
  };
  Map.prototype.set = function (k, v) {
    replaced.mapSet++;
    return Reflect.apply(realMapSet, this, [k, v]);
  };
  Array.prototype[Symbol.iterator] = function () {
    replaced.arrayIterator++;
    return Reflect.apply(realArrayIterator, this, []);
  };
  JSON.stringify = (...args) => {
    replaced.stringify++;
    return Reflect.apply(realStringify, JSON, args);
  };
  // Replacements that throw: a send must not fail because the agent called one.
  ArrayBuffer.isView = () => {
    replaced.isView++;
    throw new Error('the app replaced ArrayBuffer.isView');
  };
  Set.prototype.add = function (v) {
    replaced.setAdd++;
    return Reflect.apply(realSetAdd, this, [v]);
  };
  Array.prototype.push = function (...items) {
    replaced.push++;
    return Reflect.apply(realPush, this, items);
  };
  WeakSet.prototype.has = function (v) {
    replaced.weakSetHas++;
    return Reflect.apply(realWeakSetHas, this, [v]);
  };
  WeakSet.prototype.add = function (v) {
    replaced.weakSetAdd++;
    return Reflect.apply(realWeakSetAdd, this, [v]);
  };
  if (realLatin1Slice !== undefined)
    Buffer.prototype.latin1Slice = function (...args) {
      replaced.latin1Slice++;
      return Reflect.apply(realLatin1Slice, this, args);
    };
  for (let i = 0; i < 297; i++) busy.port1.postMessage({ i, s: 'x'.repeat(i % 40), list: [i, i + 1] });
  // A transfer list (its buffers and ports are read), and a notable message the calibration scans.
  const handedOver = new MessageChannel();
  busy.port1.postMessage({ i: 297, buf: new ArrayBuffer(8), port: handedOver.port1 }, [
    new ArrayBuffer(16),
    handedOver.port1,
  ]);
  busy.port1.postMessage({ i: 298, text: 'y'.repeat(70_000) });
  busy.port1.postMessage({ i: 299, nested: { text: 'z'.repeat(70_000) } });
  handedOver.port2.close();
  await allArrived;
  // Long enough for the agent's periodic sample (every 250 ms) to run inside the window too.
  await new Promise((resolve) => setTimeout(resolve, 600));
  Map.prototype.get = realMapGet;
  Map.prototype.set = realMapSet;
  Array.prototype[Symbol.iterator] = realArrayIterator;
  JSON.stringify = realStringify;
  performance.now = realNow;
  Function.prototype.call = realCall;
  Math.floor = realFloor;
  Set.prototype.has = realHas;
  ArrayBuffer.isView = realIsView;
  Set.prototype.add = realSetAdd;
  Array.prototype.push = realPush;
  WeakSet.prototype.has = realWeakSetHas;
  WeakSet.prototype.add = realWeakSetAdd;
  if (realLatin1Slice !== undefined) Buffer.prototype.latin1Slice = realLatin1Slice;
  console.log('replaced builtins called', JSON.stringify(replaced));
  // The sampler's periodic memory reading is not the app's process.memoryUsage either.
  const realMemoryUsage = process.memoryUsage;
  let memoryReads = 0;
  process.memoryUsage = function memoryUsage() {
    memoryReads++;
    return Reflect.apply(realMemoryUsage, this, []);
  };
  // Nor does shipping the agent's records run an app's toJSON (JSON.stringify would look it up).
  let toJsonCalls = 0;
  Object.defineProperty(Object.prototype, 'toJSON', {
    value() {
      toJsonCalls++;
      return this;
    },
    configurable: true,
    writable: true,
  });
  await new Promise((resolve) => setTimeout(resolve, 600));
  delete Object.prototype.toJSON;
  process.memoryUsage = realMemoryUsage;
  console.log('process.memoryUsage replaced, calls', memoryReads);
  console.log('Object.prototype.toJSON calls', toJsonCalls);
  const { MessagePort: Port } = require('node:worker_threads');
  console.log('MessagePort.prototype keys', Reflect.ownKeys(Port.prototype).map(String).join(','));
  busy.port1.close();
  got.get('p').close();
  inner.port1.close();
  carrier.port1.close();
  handed.port2.close();
  const { BroadcastChannel, MessagePort } = require('node:worker_threads');
  const shape = (f) => `${f.name}/${f.length}`;
  console.log(
    'api shapes',
    [Worker, MessageChannel, BroadcastChannel, receiveMessageOnPort, MessagePort.prototype.postMessage].map(shape),
  );

  const code = await new Promise((resolve) => {
    w.once('exit', resolve);
    w.postMessage('exit3');
  });
  console.log('worker exit code', code);

  if (mode === 'exit') {
    const spinner = new Worker(path.join(__dirname, 'echo-worker.cjs'), { name: 'spinner' });
    spinner.postMessage('spin');
    await new Promise((resolve) => setTimeout(resolve, 50));
    console.log('exiting with 5 while a worker runs');
    process.exit(5);
  }
  console.log('done');
  process.exitCode = 7;
}
main();
