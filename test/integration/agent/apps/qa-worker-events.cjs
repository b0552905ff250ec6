// What a Worker's own events and overrides show: a subclass overriding on/emit/threadId, a wrapped
// EventEmitter.prototype.on, and 'newListener'/'removeListener' listeners the app adds. The agent's
// bookkeeping of the worker's exit must show in none of them. The worker is terminated (exit code 1),
// so its exit is recorded by the parent only.
const EventEmitter = require('node:events');
const { Worker } = require('node:worker_threads');
const seen = [];
const originalOn = EventEmitter.prototype.on;
EventEmitter.prototype.on = function (event, fn) {
  if (this instanceof Worker) seen.push(`EventEmitter.on:${String(event)}`);
  return originalOn.call(this, event, fn);
};
class MyWorker extends Worker {
  on(event, fn) {
    seen.push(`on:${String(event)}`);
    return super.on(event, fn);
  }
  emit(event, ...args) {
    seen.push(`emit:${String(event)}`);
    return super.emit(event, ...args);
  }
  get threadId() {
    seen.push('get threadId');
    return super.threadId;
  }
}
const w = new MyWorker("require('node:worker_threads').parentPort.postMessage('up'); setInterval(() => {}, 1000);", {
  eval: true,
  name: 'events-worker',
});
console.log('during construction', JSON.stringify(seen));
console.log('exit listeners', w.listenerCount('exit'), 'events', JSON.stringify(w.eventNames()));
w.on('newListener', (event) => seen.push(`newListener:${String(event)}`));
w.on('removeListener', (event) => seen.push(`removeListener:${String(event)}`));
w.once('message', () => w.terminate());
w.on('exit', (code) => {
  console.log('exit', code, 'exit listeners', w.listenerCount('exit'), JSON.stringify(w.rawListeners('exit').length));
  setImmediate(() => console.log('after exit', JSON.stringify(seen)));
});
