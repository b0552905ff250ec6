/**
 * Bounded per-isolate time series in the UI: a fixed-capacity ring of typed arrays (oldest points
 * are overwritten), plus min/max-preserving downsampling for charts and sparklines.
 */
import type { IsolateSeries, IsolateSeriesPoint } from '../protocol';
import { SERIES_FIELDS } from '../protocol/model';

/** The numeric fields of a series point, in a fixed order (declared once in protocol/). */
export { SERIES_FIELDS };

/** One numeric series field name. */
export type SeriesField = (typeof SERIES_FIELDS)[number];

/** Default ring capacity: 600 points = 2.5 minutes at the agent's default 4 Hz. */
export const DEFAULT_SERIES_CAPACITY = 600;

/** A fixed-capacity ring of series points; memory is allocated once and never grows. */
export class SeriesRing {
  private readonly atMs: Float64Array;
  private readonly values: Record<SeriesField, Float32Array>;
  private start = 0;
  private count = 0;
  /** Points overwritten because the ring was full (for "showing the last N" hints). */
  overwritten = 0;

  constructor(readonly capacity = DEFAULT_SERIES_CAPACITY) {
    this.atMs = new Float64Array(capacity);
    const values = {} as Record<SeriesField, Float32Array>;
    for (const f of SERIES_FIELDS) values[f] = new Float32Array(capacity);
    this.values = values;
  }

  /** Number of points held. */
  get length(): number {
    return this.count;
  }

  /** Timestamp of the newest point, or null when empty. */
  get lastAtMs(): number | null {
    return this.count === 0 ? null : this.atMs[(this.start + this.count - 1) % this.capacity];
  }

  /** Appends a point; points not newer than the last one are ignored (replays after re-hydrate). */
  push(p: IsolateSeriesPoint): void {
    const last = this.lastAtMs;
    if (last !== null && p.atMs <= last) return;
    let slot: number;
    if (this.count < this.capacity) {
      slot = (this.start + this.count) % this.capacity;
      this.count++;
    } else {
      slot = this.start;
      this.start = (this.start + 1) % this.capacity;
      this.overwritten++;
    }
    this.atMs[slot] = p.atMs;
    for (const f of SERIES_FIELDS) this.values[f][slot] = Number.isFinite(p[f]) ? p[f] : 0;
  }

  /** Loads a snapshot series (column arrays of equal length), keeping only the newest points. */
  loadSnapshot(s: IsolateSeries): void {
    const n = s.atMs.length;
    for (let i = Math.max(0, n - this.capacity); i < n; i++) {
      const point = { atMs: s.atMs[i] } as IsolateSeriesPoint;
      for (const f of SERIES_FIELDS) point[f] = s[f]?.[i] ?? 0;
      this.push(point);
    }
  }

  /** The i-th oldest timestamp. */
  timeAt(i: number): number {
    return this.atMs[(this.start + i) % this.capacity];
  }

  /** The i-th oldest value of a field. */
  valueAt(field: SeriesField, i: number): number {
    return this.values[field][(this.start + i) % this.capacity];
  }

  /** Newest value of a field (0 when empty). */
  last(field: SeriesField): number {
    return this.count === 0 ? 0 : this.valueAt(field, this.count - 1);
  }

  /** Copies the newest `maxPoints` values of a field into `out` (oldest first); returns the count. */
  tail(field: SeriesField, out: Float32Array): number {
    const n = Math.min(out.length, this.count);
    const from = this.count - n;
    for (let i = 0; i < n; i++) out[i] = this.valueAt(field, from + i);
    return n;
  }
}

/** A chart point. */
export interface XY {
  x: number;
  y: number;
}

/**
 * Which of `n` points to keep so that at most `maxPoints` remain: the points are split into buckets
 * and each bucket keeps its minimum and maximum (in time order), so spikes survive — averaging
 * would hide a 1-sample burst. Calls `keep` with each kept index, in order.
 */
export function forEachMinMaxIndex(
  n: number,
  yAt: (i: number) => number,
  maxPoints: number,
  keep: (i: number) => void,
): void {
  if (n <= maxPoints || maxPoints < 4) {
    for (let i = 0; i < n; i++) keep(i);
    return;
  }
  const buckets = Math.floor(maxPoints / 2);
  const size = n / buckets;
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor(b * size);
    const to = Math.min(n, Math.floor((b + 1) * size));
    let minI = from;
    let maxI = from;
    for (let i = from + 1; i < to; i++) {
      const y = yAt(i);
      if (y < yAt(minI)) minI = i;
      if (y > yAt(maxI)) maxI = i;
    }
    keep(Math.min(minI, maxI));
    if (maxI !== minI) keep(Math.max(minI, maxI));
  }
}

/** Reduces points to at most `maxPoints` with `forEachMinMaxIndex`. */
export function downsampleMinMax(
  n: number,
  xAt: (i: number) => number,
  yAt: (i: number) => number,
  maxPoints: number,
): XY[] {
  const out: XY[] = [];
  forEachMinMaxIndex(n, yAt, maxPoints, (i) => out.push({ x: xAt(i), y: yAt(i) }));
  return out;
}

/** Downsamples one field of a ring into chart points with x in seconds relative to `originMs`. */
export function ringToPoints(ring: SeriesRing, field: SeriesField, originMs: number, maxPoints: number): XY[] {
  return downsampleMinMax(
    ring.length,
    (i) => (ring.timeAt(i) - originMs) / 1000,
    (i) => ring.valueAt(field, i),
    maxPoints,
  );
}

/**
 * Like `ringToPoints`, but writes into `out`, reusing its point objects (no garbage per update);
 * `out` is truncated or grown to the result's length, which is returned.
 */
export function ringToPointsInto(
  ring: SeriesRing,
  field: SeriesField,
  originMs: number,
  maxPoints: number,
  out: XY[],
): number {
  let k = 0;
  const put = (i: number) => {
    const x = (ring.timeAt(i) - originMs) / 1000;
    const y = ring.valueAt(field, i);
    const p = out[k];
    if (p) {
      p.x = x;
      p.y = y;
    } else out.push({ x, y });
    k++;
  };
  forEachMinMaxIndex(ring.length, (i) => ring.valueAt(field, i), maxPoints, put);
  out.length = k;
  return k;
}
