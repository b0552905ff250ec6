/**
 * Time helpers. `performance.timeOrigin` is the same in every thread of a process, so
 * `performance.now()` is a clock all threads share (used for queueing delay across threads).
 */
import { performance } from 'node:perf_hooks';

/** Milliseconds on the process-wide monotonic clock. */
export const nowMs = (): number => performance.now();

/** Wall-clock epoch milliseconds derived from the shared clock (consistent across threads). */
export const epochMs = (): number => performance.timeOrigin + performance.now();
