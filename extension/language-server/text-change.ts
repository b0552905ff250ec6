/**
 * The one edited region between two versions of a document: how many characters at the start and
 * at the end are unchanged. Both incremental parsers (TypeScript's and tree-sitter's) are told the
 * edit in these terms.
 */

/** Lengths of the common prefix (`start`) and of the common suffix after it (`tail`). */
export function unchangedEnds(before: string, after: string): { start: number; tail: number } {
  const max = Math.min(before.length, after.length);
  let start = 0;
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let tail = 0;
  while (
    tail < max - start &&
    before.charCodeAt(before.length - 1 - tail) === after.charCodeAt(after.length - 1 - tail)
  )
    tail++;
  return { start, tail };
}
