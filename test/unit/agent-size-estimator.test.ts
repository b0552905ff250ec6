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

test('varint sizes follow base-128', () => {
  assert.deepEqual([0, 127, 128, 16383, 16384, 2 ** 28].map(varintBytes), [1, 1, 2, 2, 3, 5]);
});
