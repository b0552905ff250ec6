/**
 * Minimal DOM moves for a keyed list whose order changed: rows that keep their relative order (the
 * longest such run) stay where they are, only the others are moved. Re-inserting every row of a
 * 50-row table on each 4 Hz re-sort made the browser restyle, reshape and lay out all of them.
 */

/**
 * The ids of `next` that can stay in place when the list goes from `prev` to `next`: the longest
 * subsequence of `next` whose ids appear in `prev` in the same relative order (pure: unit-tested).
 */
export function idsThatStay(prev: readonly string[], next: readonly string[]): Set<string> {
  const prevIndex = new Map<string, number>();
  prev.forEach((id, i) => prevIndex.set(id, i));
  // Longest increasing subsequence of the old positions, in next's order (patience sorting).
  const positions: number[] = [];
  const ids: string[] = [];
  for (const id of next) {
    const p = prevIndex.get(id);
    if (p !== undefined) {
      positions.push(p);
      ids.push(id);
    }
  }
  const tails: number[] = []; // tails[k]: index (into positions) ending the best run of length k+1
  const back: number[] = new Array<number>(positions.length).fill(-1);
  for (let i = 0; i < positions.length; i++) {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (positions[tails[mid]] < positions[i]) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) back[i] = tails[lo - 1];
    tails[lo] = i;
  }
  const stay = new Set<string>();
  for (let i = tails.length ? tails[tails.length - 1] : -1; i >= 0; i = back[i]) stay.add(ids[i]);
  return stay;
}

/**
 * Puts `parent`'s keyed children into `nextIds` order (rows are looked up with `node`), moving only
 * the rows that are not in `idsThatStay(prevIds, nextIds)`; rows not in `nextIds` must already be
 * removed. Returns the number of rows moved or inserted.
 */
export function reorderChildren(
  parent: Node,
  prevIds: readonly string[],
  nextIds: readonly string[],
  node: (id: string) => Node,
): number {
  const stay = idsThatStay(prevIds, nextIds);
  let moved = 0;
  let anchor: Node | null = null;
  for (let i = nextIds.length - 1; i >= 0; i--) {
    const el = node(nextIds[i]);
    if (!stay.has(nextIds[i]) || el.parentNode !== parent) {
      parent.insertBefore(el, anchor);
      moved++;
    }
    anchor = el;
  }
  return moved;
}
