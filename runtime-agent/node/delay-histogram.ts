/**
 * Queueing-delay distribution of one channel, kept by the receiving thread. Buckets are
 * log-linear on integer microseconds (8 per power of two, found with Math.clz32: no Math.log per
 * delivery), so memory is fixed and percentiles (bucket midpoints) are within ~6 %.
 */
import { ceil, clz32, min } from './intrinsics';

const SUB_BITS = 3;
const SUBS = 1 << SUB_BITS;
/** Powers of two of µs covered: up to 2^31 µs (~36 min); longer delays land in the last bucket. */
const BUCKETS = 32 * SUBS;

/** Percentiles of a delay distribution, in ms. */
export interface DelayStats {
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  count: number;
}

/** Bucket of a delay in whole µs: values below 2^SUB_BITS get their own buckets. */
export function bucketOf(micros: number): number {
  if (micros < SUBS) return micros;
  const exp = 31 - clz32(micros); // floor(log2)
  return (exp - SUB_BITS + 1) * SUBS + ((micros >>> (exp - SUB_BITS)) & (SUBS - 1));
}

/** Lowest µs value of a bucket. */
function bucketLowMicros(b: number): number {
  if (b < SUBS) return b;
  const exp = (b >> SUB_BITS) + SUB_BITS - 1;
  return (SUBS + (b & (SUBS - 1))) * 2 ** (exp - SUB_BITS);
}

/** Fixed-size histogram of delays in milliseconds. */
export class DelayHistogram {
  private readonly counts = new Uint32Array(BUCKETS);
  private total = 0;
  private max = 0;

  /** Adds one delay. */
  add(delayMs: number): void {
    const micros = delayMs * 1000;
    // `>>> 0` truncates to an unsigned int; delays past 2^31 µs share the last bucket.
    const b = micros >= 0x7fffffff ? BUCKETS - 1 : bucketOf(micros >>> 0);
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
    const rank = ceil(q * this.total);
    let seen = 0;
    for (let b = 0; b < BUCKETS; b++) {
      seen += this.counts[b];
      if (seen >= rank) {
        const lo = bucketLowMicros(b);
        const hi = b + 1 < BUCKETS ? bucketLowMicros(b + 1) : lo * 2;
        return min((lo + hi) / 2 / 1000, this.max);
      }
    }
    return this.max;
  }
}
