// Oversized messages whose classes override length/size/byteLength/constructor with getters: the
// clone never calls them, and neither may the agent's shape description.
const { MessageChannel } = require('node:worker_threads');
const calls = [];
class BigMap extends Map {
  get size() {
    calls.push('Map size');
    return super.size;
  }
}
class Pixels extends Uint8Array {
  get length() {
    calls.push('Pixels length');
    return super.length;
  }
}
class Buf extends ArrayBuffer {
  get byteLength() {
    calls.push('ArrayBuffer byteLength');
    return super.byteLength;
  }
}
Object.defineProperty(Pixels.prototype, 'constructor', {
  get() {
    calls.push('Pixels constructor');
    return Pixels;
  },
});
class Named {
  static get name() {
    calls.push('class name');
    return 'Named';
  }
}
const { port1, port2 } = new MessageChannel();
let got = 0;
port2.on('message', () => got++);
const m = new BigMap();
for (let i = 0; i < 2000; i++) m.set(i, 'x'.repeat(50));
port1.postMessage(m);
port1.postMessage(new Pixels(100000));
port1.postMessage({ px: new Pixels(100000), big: 'y'.repeat(70000) });
port1.postMessage(new Buf(100000));
port1.postMessage([new BigMap([[1, 'y'.repeat(70000)]])]);
port1.postMessage(Object.assign(new Named(), { text: 'z'.repeat(70000) }));
console.log('calls during sends', JSON.stringify(calls));
setTimeout(() => {
  console.log('got', got);
  port1.close();
}, 50);
