import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unchangedEnds } from '../../extension/language-server/text-change';

/** The definition, one character at a time. */
function naive(before: string, after: string): { start: number; tail: number } {
  const max = Math.min(before.length, after.length);
  let start = 0;
  while (start < max && before[start] === after[start]) start++;
  let tail = 0;
  while (tail < max - start && before[before.length - 1 - tail] === after[after.length - 1 - tail]) tail++;
  return { start, tail };
}

test('unchangedEnds finds the one edited region, also across its 4 KiB comparison chunks', () => {
  let seed = 7;
  const rand = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  const base = Array.from({ length: 20_000 }, () => 'ab\n'[rand(3)]).join('');
  for (let i = 0; i < 300; i++) {
    const at = rand(base.length);
    const cut = rand(9000);
    const insert = 'ab\nx'.repeat(rand(2000)).slice(0, rand(5000));
    const after = base.slice(0, at) + insert + base.slice(Math.min(base.length, at + cut));
    assert.deepEqual(unchangedEnds(base, after), naive(base, after), `edit at ${at}, -${cut}, +${insert.length}`);
  }
  assert.deepEqual(unchangedEnds(base, base), { start: base.length, tail: 0 });
  assert.deepEqual(unchangedEnds('', base), { start: 0, tail: 0 });
});
