import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serialize } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { estimateCloneBytes, varintBytes } from '../../runtime-agent/node/size-estimator';
import { sizeCorpus } from './agent-size-corpus';

for (const [name, value] of Object.entries(sizeCorpus())) {
  test(`estimate within 10 % of v8.serialize: ${name}`, () => {
    const actual = serialize(value).length;
    const est = estimateCloneBytes(value);
    assert.ok(Math.abs(est.bytes - actual) / actual <= 0.1, `estimated ${est.bytes}, v8.serialize ${actual}`);
  });
}

test('typed-array payload is split out from the rest', () => {
  const est = estimateCloneBytes({ pixels: new Uint8Array(4096), label: 'frame' });
  assert.equal(est.typedArrayBytes, 4096);
  assert.ok(est.bytes > 4096);
  assert.equal(estimateCloneBytes({ a: 'no buffers' }).typedArrayBytes, 0);
});

test('transferred buffers are not counted as copied', () => {
  const buffer = new ArrayBuffer(1 << 20);
  const est = estimateCloneBytes({ view: new Uint8Array(buffer) }, new Set([buffer]));
  assert.equal(est.typedArrayBytes, 0);
  assert.ok(est.bytes < 100);
});

test('views of shared memory are not copied, from this realm or another; plain buffers from another realm are', () => {
  const shared = new SharedArrayBuffer(1 << 20);
  for (const view of [new Uint8Array(shared), runInNewContext('new Float64Array(new SharedArrayBuffer(1 << 20))')]) {
    const est = estimateCloneBytes(view as Uint8Array);
    assert.equal(est.typedArrayBytes, 0);
    assert.ok(est.bytes < 100, `estimated ${est.bytes}`);
  }
  const foreign = runInNewContext('new Uint8Array(4096)') as Uint8Array;
  assert.equal(estimateCloneBytes(foreign).typedArrayBytes, 4096);
  assert.equal(estimateCloneBytes(new Uint8Array(new ArrayBuffer(4096))).typedArrayBytes, 4096);
});

test('never calls getters or proxy traps, and survives cycles', () => {
  let calls = 0;
  const withGetter = {
    get trap() {
      calls++;
      return 1;
    },
  };
  const proxy = new Proxy(
    {},
    {
      ownKeys() {
        calls++;
        return [];
      },
    },
  );
  const cyclic: Record<string, unknown> = { name: 'loop' };
  cyclic.self = cyclic;
  estimateCloneBytes({ withGetter, proxy, cyclic });
  assert.equal(calls, 0);
  assert.ok(estimateCloneBytes(cyclic).bytes < 40);
  assert.equal(estimateCloneBytes({ withGetter }).touchesAppCode, true);
  assert.equal(estimateCloneBytes({ plain: 1 }).touchesAppCode, false);
});

test('runs no app code through index accessors, error getters, patched collections, subclass getters or proxies up the chain', () => {
  let calls = 0;
  const count = <T>(value: T): T => {
    calls++;
    return value;
  };
  const arr = [1, 2];
  Object.defineProperty(arr, 0, { enumerable: true, get: () => count(1) });
  const err = new Error('boom');
  Object.defineProperty(err, 'message', { get: () => count('boom') });
  const map = new Map([['k', 1]]);
  map.entries = () => count(new Map<string, number>().entries());
  Object.defineProperty(map, 'size', { get: () => count(1) });
  const set = new Set([1]);
  set.values = () => count(new Set<number>().values());
  class Pattern extends RegExp {
    override get source(): string {
      return count('x');
    }
  }
  class Bytes extends Uint8Array {
    override get byteLength(): number {
      return count(0);
    }
    override get buffer(): ArrayBuffer {
      return count(new ArrayBuffer(0));
    }
  }
  const trappedProto = new Proxy(
    {},
    {
      ownKeys: () => count([]),
      getPrototypeOf: () => count(null),
      getOwnPropertyDescriptor: () => count(undefined),
    },
  );
  const instance = Object.create(trappedProto) as Record<string, unknown>;
  instance.own = 'x';
  const iterProto = Object.getPrototypeOf(new Map().entries()) as { next: unknown };
  const originalNext = iterProto.next;
  iterProto.next = function () {
    calls++;
    return { done: true, value: undefined };
  };
  try {
    const bytes = new Bytes(1000);
    const est = estimateCloneBytes({ arr, err, map, set, re: new Pattern('abc'), bytes, instance });
    assert.equal(calls, 0, 'app code ran during the estimate');
    assert.equal(est.touchesAppCode, true, 'the index accessor is flagged');
    // The engine's own view of the subclass: its 1,000 bytes, not the getter's 0.
    assert.ok(est.typedArrayBytes >= 1000, `typedArrayBytes ${est.typedArrayBytes}`);
    assert.equal(
      estimateCloneBytes(
        new Map([
          ['a', 1],
          ['b', 2],
        ]),
      ).bytes,
      serialize(
        new Map([
          ['a', 1],
          ['b', 2],
        ]),
      ).length,
    );
  } finally {
    iterProto.next = originalNext;
  }
});

test('varint sizes follow base-128', () => {
  assert.deepEqual([0, 127, 128, 16383, 16384, 2 ** 28].map(varintBytes), [1, 1, 2, 2, 3, 5]);
});
