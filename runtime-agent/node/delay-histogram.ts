/**
 * Queueing-delay distribution of one channel, kept by the receiving thread: log-spaced buckets
 * (×1.2 from 1 µs), so memory is fixed and percentiles are within ~10 %.
 */

const FIRST_MS = 0.001;
const FACTOR = 1.2;
const BUCKETS = 112; // up to ~1.5e5 ms
const LOG_FACTOR = Math.log(FACTOR);

/** Percentiles of a delay distribution, in ms. */
export interface DelayStats {
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  count: number;
}

/** Fixed-size histogram of delays in milliseconds. */
export class DelayHistogram {
  private readonly counts = new Uint32Array(BUCKETS);
  private total = 0;
  private max = 0;

  /** Adds one delay. */
  add(delayMs: number): void {
    const b =
      delayMs <= FIRST_MS ? 0 : Math.min(BUCKETS - 1, 1 + Math.floor(Math.log(delayMs / FIRST_MS) / LOG_FACTOR));
    this.counts[b]++;
    this.total++;
    if (delayMs > this.max) this.max = delayMs;
  }

  /** Current percentiles (bucket midpoints, capped at the exact max). */
  stats(): DelayStats {
    return { p50Ms: this.quantile(0.5), p95Ms: this.quantile(0.95), maxMs: this.max, count: this.total };
  }

  private quantile(q: number): number {
    if (this.total === 0) return 0;
    const rank = Math.ceil(q * this.total);
    let seen = 0;
    for (let b = 0; b < BUCKETS; b++) {
      seen += this.counts[b];
      if (seen >= rank) {
        if (b === 0) return Math.min(FIRST_MS, this.max);
        const lo = FIRST_MS * Math.pow(FACTOR, b - 1);
        return Math.min(lo * Math.sqrt(FACTOR), this.max);
      }
    }
    return this.max;
  }
}
