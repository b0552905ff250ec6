/**
 * The one edited region between two versions of a document: how many characters at the start and
 * at the end are unchanged. Both incremental parsers (TypeScript's and tree-sitter's) are told the
 * edit in these terms.
 */

/** Characters compared per step as substrings: string equality is much faster than charCodeAt. */
const CHUNK = 4096;

/** Lengths of the common prefix (`start`) and of the common suffix after it (`tail`). */
export function unchangedEnds(before: string, after: string): { start: number; tail: number } {
  const max = Math.min(before.length, after.length);
  let start = 0;
  while (start + CHUNK <= max && before.slice(start, start + CHUNK) === after.slice(start, start + CHUNK)) {
    start += CHUNK;
  }
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  const room = max - start;
  let tail = 0;
  while (
    tail + CHUNK <= room &&
    before.slice(before.length - tail - CHUNK, before.length - tail) ===
      after.slice(after.length - tail - CHUNK, after.length - tail)
  ) {
    tail += CHUNK;
  }
  while (tail < room && before.charCodeAt(before.length - 1 - tail) === after.charCodeAt(after.length - 1 - tail)) {
    tail++;
  }
  return { start, tail };
}
