/** Walking a TypeScript syntax tree by position. */
import ts from 'typescript';

/**
 * The child of `node` whose range (leading trivia included) covers [start, end), or undefined.
 * Node arrays are searched by binary search: a flat list of thousands of top-level statements
 * must not be scanned linearly for each lookup.
 */
export function childCovering(node: ts.Node, start: number, end: number): ts.Node | undefined {
  const covers = (c: ts.Node): boolean => c.pos <= start && end <= c.end;
  let child: ts.Node | undefined;
  ts.forEachChild(
    node,
    (c) => (covers(c) ? (child = c) : undefined),
    (list) => {
      let lo = 0;
      let hi = list.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const c = list[mid];
        if (c.end < end) lo = mid + 1;
        else if (c.pos > start) hi = mid - 1;
        else return covers(c) ? (child = c) : undefined;
      }
      return undefined;
    },
  );
  return child;
}
