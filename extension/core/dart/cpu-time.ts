/**
 * Per-isolate CPU time from profiler samples. The VM has no public per-isolate CPU counter,
 * so CPU time ≈ (samples of that isolate in a window) × samplePeriod, summed over the poll
 * windows since attach. It is an estimate with the profiler's resolution (default 1 ms
 * period on desktop, 250 µs in some embedders).
 */
import type { Micros } from '../../../protocol';
import type { CpuSamples } from './vm-types';

/** CPU time the samples in `[originMicros, originMicros + extentMicros)` account for. */
export function cpuMicrosInWindow(samples: CpuSamples, originMicros: Micros, extentMicros: Micros): Micros {
  // An answer without a usable period or count (a proxy's, an older VM's) adds nothing: one
  // undefined * period made the cumulative time NaN for the rest of the session.
  const period = typeof samples.samplePeriod === 'number' && samples.samplePeriod > 0 ? samples.samplePeriod : 0;
  if (!Array.isArray(samples.samples)) {
    const count = samples.sampleCount;
    return typeof count === 'number' && count > 0 && count * period < Number.MAX_SAFE_INTEGER ? count * period : 0;
  }
  const end = originMicros + extentMicros;
  let inWindow = 0;
  // The VM returns samples whose timestamps fall in the window, but both ends are inclusive
  // there; filtering half-open keeps a sample on the boundary from being counted twice.
  for (const s of samples.samples)
    if (typeof s === 'object' && s !== null && s.timestamp >= originMicros && s.timestamp < end) inWindow++;
  return inWindow * period;
}

/** Cumulative CPU time of one isolate across consecutive poll windows. */
export class CpuTimeAccumulator {
  private totalMicros: Micros = 0;

  constructor(private cursorMicros: Micros) {}

  /** Start of the next window to ask for (end of the last one counted). */
  get windowStartMicros(): Micros {
    return this.cursorMicros;
  }

  /** Cumulative CPU time counted so far. */
  get cumulativeMicros(): Micros {
    return this.totalMicros;
  }

  /** Adds the samples of the window `[windowStart, nowMicros)` and moves the cursor to `nowMicros`. */
  addWindow(samples: CpuSamples, nowMicros: Micros): Micros {
    const extent = Math.max(0, nowMicros - this.cursorMicros);
    const added = cpuMicrosInWindow(samples, this.cursorMicros, extent);
    this.totalMicros += added;
    this.cursorMicros = nowMicros;
    return added;
  }
}
