/**
 * Which sends of a port the size estimator walks. Walking a small object costs ~240 ns (the
 * accessor check per key and the proxy check are most of it), about half of a same-thread
 * postMessage, so a port that has sent nothing but small object messages for a while sizes one in
 * SIZE_EVERY of them, and that one stands for all of them in the byte counters. Everything else
 * is sized on every send: primitives and typed arrays (cheap to size), sends with a transfer
 * argument, and every send of a port that is not quiet. A sized send of SMALL_FRACTION of the
 * notable threshold or more puts the port back to sizing every send.
 *
 * What a quiet port can miss: a single oversized object message between small ones is sized (and
 * reaches the ledger) with probability 1 / SIZE_EVERY; once one is sized, every later send is.
 */

/** Sends sized in a row, each below the small limit, before a port sizes by sample. */
export const QUIET_SENDS = 1024;
/** A quiet port sizes one object message in this many (a power of two). */
export const SIZE_EVERY = 16;
/** A send is small below this fraction of the notable threshold. */
export const SMALL_FRACTION = 1 / 16;

export interface SizingState {
  /** Sized sends in a row below the small limit (capped at QUIET_SENDS). */
  quiet: number;
  /** Object sends seen while quiet (picks every SIZE_EVERY-th). */
  seen: number;
}

export function newSizingState(): SizingState {
  return { quiet: 0, seen: 0 };
}

/**
 * How many sends this object send's size stands for: 1 (a port that sizes every send),
 * SIZE_EVERY (the sampled send of a quiet port) or 0 (not sized).
 */
export function sizingWeight(s: SizingState): number {
  if (s.quiet < QUIET_SENDS) return 1;
  return (++s.seen & (SIZE_EVERY - 1)) === 0 ? SIZE_EVERY : 0;
}

/** Records a sized send of `bytes`; `smallBytes` is the small limit. */
export function noteSized(s: SizingState, bytes: number, smallBytes: number): void {
  if (bytes >= smallBytes) s.quiet = 0;
  else if (s.quiet < QUIET_SENDS) s.quiet++;
}
