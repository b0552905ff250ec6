import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SliceScheduler, type Slice } from '../../webview/slices';
import { idsThatStay, reorderChildren } from '../../webview/reorder';

/** Slices over a mutable "store": slice i shows data[i]; draws are logged. */
function setup(n: number, costs: number[] = []) {
  const data = Array.from({ length: n }, () => 0);
  const shown = Array.from({ length: n }, () => -1);
  const log: number[] = [];
  const slices: Slice[] = data.map((_, i) => ({
    key: () => String(data[i]),
    draw: () => {
      shown[i] = data[i];
      log.push(i);
    },
    ...(costs[i] !== undefined ? { costMs: costs[i] } : {}),
  }));
  return { data, shown, log, slices };
}

test('SliceScheduler draws one slice per frame and settles only once every slice shows the data', () => {
  const { data, shown, log, slices } = setup(4);
  const s = new SliceScheduler(slices);
  assert.equal(s.runFrame(), false);
  assert.equal(s.runFrame(), false);
  assert.equal(s.runFrame(), false);
  assert.equal(s.runFrame(), true);
  assert.deepEqual(log, [0, 1, 2, 3]);
  assert.deepEqual(shown, data);
  // Nothing changed: nothing drawn, still settled.
  assert.equal(s.runFrame(), true);
  assert.deepEqual(log, [0, 1, 2, 3]);
});

test('SliceScheduler coalesces: updates arriving while slices are pending draw only the latest data, once', () => {
  const { data, shown, log, slices } = setup(3);
  const s = new SliceScheduler(slices);
  for (let i = 0; i < 3; i++) s.runFrame();
  log.length = 0;
  // Two updates before the next frame: each slice is drawn once, with the second update's data.
  data.fill(1);
  data.fill(2);
  assert.equal(s.runFrame(), false);
  // A third update while slices 1 and 2 are pending: slice 0 is stale again and waits its turn.
  data.fill(3);
  const frames = [s.runFrame(), s.runFrame(), s.runFrame()];
  assert.deepEqual(frames, [false, false, true]);
  assert.deepEqual(log, [0, 1, 2, 0]);
  assert.deepEqual(shown, [3, 3, 3]);
});

test('SliceScheduler skips slices whose data did not change and shares a frame between cheap slices', () => {
  const { data, log, slices } = setup(4, [4, 8, 4, 4]);
  const s = new SliceScheduler(slices);
  s.runAll();
  log.length = 0;
  data[0] = 1;
  data[2] = 1;
  data[3] = 1;
  // Slice 1 is unchanged (skipped); 0 and 2 (4 ms each) fill the first 8 ms frame, 3 waits for the next.
  assert.equal(s.runFrame(), false);
  assert.deepEqual(log, [0, 2]);
  assert.equal(s.runFrame(), true);
  assert.deepEqual(log, [0, 2, 3]);
});

test('SliceScheduler is round-robin: a slice that keeps going stale does not starve the others', () => {
  const { data, log, slices } = setup(3);
  const s = new SliceScheduler(slices);
  s.runAll();
  log.length = 0;
  data.fill(1);
  for (let frame = 0; frame < 3; frame++) {
    data[0]++; // slice 0 changes every frame
    s.runFrame();
  }
  assert.deepEqual(log, [0, 1, 2]);
});

test('SliceScheduler.runAll draws everything in one frame; reset and invalidate make slices stale', () => {
  const { log, slices } = setup(3);
  const s = new SliceScheduler(slices);
  assert.equal(s.runAll(), true);
  assert.deepEqual(log, [0, 1, 2]);
  s.invalidate(1);
  assert.equal(s.settled(), false);
  assert.equal(s.runFrame(), true);
  assert.deepEqual(log, [0, 1, 2, 1]);
  s.reset();
  assert.equal(s.runAll(), true);
  assert.deepEqual(log, [0, 1, 2, 1, 0, 1, 2]);
});

test('idsThatStay keeps the longest run in the same relative order (rows moved: only the rest)', () => {
  assert.deepEqual([...idsThatStay(['a', 'b', 'c', 'd'], ['a', 'b', 'c', 'd'])], ['d', 'c', 'b', 'a']);
  // One row jumped to the top: only it moves.
  assert.deepEqual(new Set(idsThatStay(['a', 'b', 'c', 'd'], ['d', 'a', 'b', 'c'])), new Set(['a', 'b', 'c']));
  // Two adjacent rows swapped: one of them moves.
  assert.equal(idsThatStay(['a', 'b', 'c', 'd'], ['a', 'c', 'b', 'd']).size, 3);
  // New ids never stay (they are inserted); removed ids are ignored.
  assert.deepEqual(new Set(idsThatStay(['a', 'x', 'b'], ['n', 'a', 'b'])), new Set(['a', 'b']));
  // Reversed: only one row can stay.
  assert.equal(idsThatStay(['a', 'b', 'c', 'd'], ['d', 'c', 'b', 'a']).size, 1);
  assert.equal(idsThatStay([], ['a']).size, 0);
});

/** A minimal stand-in for a DOM parent (children list + insertBefore), enough for reorderChildren. */
class FakeParent {
  children: FakeChild[] = [];
  insertBefore(el: FakeChild, anchor: FakeChild | null): FakeChild {
    if (el.parentNode) el.parentNode.children.splice(el.parentNode.children.indexOf(el), 1);
    const at = anchor ? this.children.indexOf(anchor) : this.children.length;
    this.children.splice(at, 0, el);
    el.parentNode = this;
    return el;
  }
}
class FakeChild {
  parentNode: FakeParent | null = null;
  constructor(readonly id: string) {}
}

test('reorderChildren puts rows in the new order, moving only rows outside the longest kept run', () => {
  const parent = new FakeParent();
  const rows = new Map<string, FakeChild>();
  const node = (id: string) => rows.get(id) ?? rows.set(id, new FakeChild(id)).get(id)!;
  const order = (ids: string[]) => {
    const prev = parent.children.map((c) => c.id);
    const moved = reorderChildren(parent as unknown as Node, prev, ids, node as unknown as (id: string) => Node);
    assert.deepEqual(
      parent.children.map((c) => c.id),
      ids,
    );
    return moved;
  };
  assert.equal(order(['a', 'b', 'c', 'd', 'e']), 5); // all inserted
  assert.equal(order(['a', 'b', 'c', 'd', 'e']), 0);
  assert.equal(order(['e', 'a', 'b', 'c', 'd']), 1); // one row jumped to the top
  assert.equal(order(['a', 'e', 'c', 'b', 'd']), 2);
  assert.equal(order(['d', 'c', 'b', 'a', 'e']), 3);
  // A new row and a removed one (the caller removes rows that left before reordering).
  parent.children.splice(parent.children.indexOf(node('c')), 1);
  node('c').parentNode = null;
  assert.equal(order(['n', 'd', 'b', 'a', 'e']), 1);
});
