/** Bounded per-isolate time series: one ring of points, each tagged with a global sequence number. */
import type { IsolateSeries, IsolateSeriesPoint } from '../../../protocol';
import { RingBuffer } from './ring-buffer';

interface SeqPoint {
  seq: number;
  point: IsolateSeriesPoint;
}

/** The time series of one isolate, capped at `capacity` points (oldest dropped first). */
export class SeriesRing {
  private readonly ring: RingBuffer<SeqPoint>;

  constructor(capacity: number) {
    this.ring = new RingBuffer(capacity);
  }

  /** Appends a point stamped with the model-wide sequence number `seq`. */
  push(seq: number, point: IsolateSeriesPoint): void {
    this.ring.push({ seq, point });
  }

  /** The newest point, if any. */
  latest(): IsolateSeriesPoint | undefined {
    return this.ring.last()?.point;
  }

  /** The newest point appended after `seq`, if any. */
  latestAfter(seq: number): IsolateSeriesPoint | undefined {
    const last = this.ring.last();
    return last && last.seq > seq ? last.point : undefined;
  }

  /** The newest `n` points, oldest first. */
  recent(n: number): IsolateSeriesPoint[] {
    const out: IsolateSeriesPoint[] = [];
    for (let i = Math.max(0, this.ring.length - n); i < this.ring.length; i++) out.push(this.ring.at(i)!.point);
    return out;
  }

  /** Column-wise copy for snapshots (all arrays the same length). */
  toSeries(): IsolateSeries {
    const s: IsolateSeries = {
      atMs: [],
      heapUsedBytes: [],
      heapCapacityBytes: [],
      externalBytes: [],
      cpuPercent: [],
      queueDepth: [],
      queueDelayMsP95: [],
      msgsInPerSec: [],
      msgsOutPerSec: [],
      bytesCopiedPerSec: [],
    };
    for (const { point: p } of this.ring.toArray()) {
      s.atMs.push(p.atMs);
      s.heapUsedBytes.push(p.heapUsedBytes);
      s.heapCapacityBytes.push(p.heapCapacityBytes);
      s.externalBytes.push(p.externalBytes);
      s.cpuPercent.push(p.cpuPercent);
      s.queueDepth.push(p.queueDepth);
      s.queueDelayMsP95.push(p.queueDelayMsP95);
      s.msgsInPerSec.push(p.msgsInPerSec);
      s.msgsOutPerSec.push(p.msgsOutPerSec);
      s.bytesCopiedPerSec.push(p.bytesCopiedPerSec);
    }
    return s;
  }
}
