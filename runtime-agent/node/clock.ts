/**
 * Time helpers. `performance.timeOrigin` is the same in every thread of a process, so
 * `performance.now()` is a clock all threads share (used for queueing delay across threads).
 * The method and its receiver are captured at load: an app that replaces `performance.now`
 * changes none of the agent's timestamps. `Reflect.apply` with a literal argument list compiles to
 * a direct, inlined call (a bound function, or one more wrapper, cost ~150 instructions per
 * message in the hooks, by callgrind).
 */
import { performance } from 'node:perf_hooks';
import { reflectApply } from './raw-apis';

const perf = performance;
const perfNow = performance.now;
const timeOrigin = performance.timeOrigin;

/** Milliseconds on the process-wide monotonic clock. */
export const nowMs = (): number => reflectApply(perfNow, perf, []) as number;

/** Wall-clock epoch milliseconds derived from the shared clock (consistent across threads). */
export const epochMs = (): number => timeOrigin + (reflectApply(perfNow, perf, []) as number);
