// BroadcastChannel sends, deliveries and close after the app replaced the builtins the agent's
// BroadcastChannel hooks used to call per message (Function.prototype.call/apply, Atomics, Math.max):
// the counts the app sees must be the same with and without the agent.
const counts = {};
let active = false;
const wrap = (obj, key, label) => {
  const orig = obj[key];
  const d = Object.getOwnPropertyDescriptor(obj, key);
  Object.defineProperty(obj, key, {
    ...d,
    value: function (...args) {
      if (active) counts[label] = (counts[label] || 0) + 1;
      return Reflect.apply(orig, this, args);
    },
  });
};
const a = new BroadcastChannel('builtins');
const b = new BroadcastChannel('builtins');
let got = 0;
b.onmessage = (e) => {
  got++;
  if (e.data === 0)
    start(); // the warm-up send has been delivered: the channel exists everywhere
  else if (got === 4) done();
};
a.postMessage(0);

function start() {
  for (const key of ['call', 'apply', 'bind']) wrap(Function.prototype, key, `Function.prototype.${key}`);
  for (const key of ['add', 'sub', 'load', 'store', 'compareExchange', 'wait', 'notify'])
    wrap(Atomics, key, `Atomics.${key}`);
  wrap(Math, 'max', 'Math.max');
  wrap(Math, 'imul', 'Math.imul');
  active = true;
  a.postMessage(1);
  a.postMessage(2);
  a.postMessage(3);
}

function done() {
  a.close();
  b.close();
  active = false;
  console.log('received', got, 'builtins called', JSON.stringify(counts));
}
