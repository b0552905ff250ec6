// What the app can see of the agent's replacements and state: global symbols, the replaced classes'
// own keys, prototypes, inspect output, constructor identity, subclassing, new.target and calling
// them without `new`.
const util = require('node:util');
const wt = require('node:worker_threads');
const { Worker, MessageChannel, BroadcastChannel } = wt;
console.log('global symbols', Object.getOwnPropertySymbols(globalThis).map(String));
const isNative = (f) => /native code/.test(Function.prototype.toString.call(f)); // Vue 2's check
console.log('isNative(MessageChannel)', isNative(MessageChannel));
for (const [label, C] of [
  ['Worker', Worker],
  ['MessageChannel', MessageChannel],
  ['BroadcastChannel', BroadcastChannel],
]) {
  console.log(label, 'inspect', util.inspect(C));
  console.log(label, 'own names', JSON.stringify(Object.getOwnPropertyNames(C)));
  const d = Object.getOwnPropertyDescriptor(C, 'prototype');
  console.log(label, 'prototype descriptor', d.writable, d.enumerable, d.configurable);
  console.log(label, 'proto of class', Object.getPrototypeOf(C).name);
  console.log(label, 'prototype keys', JSON.stringify(Reflect.ownKeys(C.prototype).map(String)));
  console.log(label, 'prototype.constructor', C.prototype.constructor === C, C.name, C.length);
  try {
    C();
  } catch (e) {
    console.log(label, 'without new', e.name, e.code, e.message);
  }
}
console.log('globals', globalThis.MessageChannel === MessageChannel, globalThis.BroadcastChannel === BroadcastChannel);
const mc = new MessageChannel();
console.log(
  'instance',
  mc.constructor === MessageChannel,
  mc instanceof MessageChannel,
  Object.getPrototypeOf(mc) === MessageChannel.prototype,
);
class MyChannel extends MessageChannel {
  constructor() {
    super();
    this.target = new.target === MyChannel;
  }
}
const mine = new MyChannel();
console.log(
  'subclass',
  mine instanceof MyChannel,
  mine instanceof MessageChannel,
  mine.target,
  mine.constructor === MyChannel,
  mine.port1 instanceof wt.MessagePort,
);
class MyBroadcast extends BroadcastChannel {}
const bc = new MyBroadcast('visible');
console.log('broadcast subclass', bc instanceof MyBroadcast, bc instanceof BroadcastChannel, util.inspect(bc));
bc.close();
mc.port1.close();
mine.port1.close();
