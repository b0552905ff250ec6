/**
 * The model's data: isolates, channels, call sites, ledger, ports and the aggregates findings are
 * built from. `apply` folds one (already source-mapped) record in. Everything is bounded.
 */
import type {
  CallSiteSnapshot,
  ChannelRecord,
  ChannelSnapshot,
  IsolateSampleRecord,
  IsolateSnapshot,
  LedgerEntry,
  MessageRecord,
  PortSnapshot,
  RuntimeKind,
  SourceLocation,
} from '../../../protocol';
import { emptyOversized, type OversizedAggregate } from './findings';
import { RingBuffer } from './ring-buffer';
import { SeriesRing } from './series';

/** Capacities of the store; every collection is capped. */
export interface StoreLimits {
  seriesCapacity: number;
  ledgerCapacity: number;
  maxIsolates: number;
  maxChannels: number;
  maxCallSites: number;
  maxOversizedSites: number;
}

/** One isolate and the running state needed to derive its rates. */
export interface IsolateEntry {
  snap: IsolateSnapshot;
  series: SeriesRing;
  inbound: Set<string>;
  prevCpu: { atMs: number; micros: number } | null;
  /** Message and byte totals at recent samples, oldest first (rates span {@link RATE_WINDOW_MS}). */
  totals: Totals[];
  /** The last sample's cumulative `broadcastReceived` (its increase adds to `messagesReceived`). */
  broadcastReceived: number;
  /** Marked exited because its session's connection ended, not by an `isolate-exit` record. */
  endedWithSession: boolean;
}

/** How many evicted isolate ids the store remembers (see `evictedIds`). */
const EVICTED_IDS_KEPT = 20_000;
/** Message and byte rates are taken over this much time (at least one sample period). */
const RATE_WINDOW_MS = 2000;
/** Totals kept per isolate for the rate window (bounds memory at short sample periods). */
const MAX_TOTALS = 64;
/**
 * A receiver whose own sample is older than this takes its queue depth from its channels' counters,
 * which the senders keep reporting: a thread busy in one long turn of its event loop (draining a
 * flooded queue, say) runs no timer, so its sampled depth would stand still.
 */
const STALE_SAMPLE_MS = 1000;

interface Totals {
  atMs: number;
  sent: number;
  received: number;
  copied: number;
}

const locKey = (l: SourceLocation): string => `${l.file}:${l.line}:${l.column}`;

/** Mutable model data plus `apply`. Ids here are the model's (session-unique) ids. */
export class ModelStore {
  readonly isolates = new Map<string, IsolateEntry>();
  readonly channels = new Map<string, ChannelSnapshot>();
  /** When each channel snapshot's point-in-time values were measured (weak: follows eviction). */
  private readonly channelAtMs = new WeakMap<ChannelSnapshot, number>();
  readonly callSites = new Map<string, CallSiteSnapshot>();
  readonly oversized = new Map<string, OversizedAggregate>();
  readonly ports = new Map<string, PortSnapshot[]>();
  readonly ledger: RingBuffer<LedgerEntry>;
  /** Entities (isolates, channels, call sites) evicted to stay under the caps. */
  entitiesEvicted = 0;
  /**
   * Ids of isolates evicted to stay under the cap (the newest EVICTED_IDS_KEPT): a late record
   * that names one (an agent re-sends the channel records of workers that have exited) must not
   * bring it back as a nameless placeholder, which would evict the next real isolate in turn.
   */
  private readonly evictedIds = new Set<string>();
  ledgerSeq = 0;
  pointSeq = 0;

  constructor(
    readonly limits: StoreLimits,
    private readonly oversizedBytes: () => number,
  ) {
    this.ledger = new RingBuffer(limits.ledgerCapacity);
  }

  /** Whether isolate `id` was evicted to stay under the cap (and has not started again). */
  wasEvicted(id: string): boolean {
    return this.evictedIds.has(id);
  }

  /** An isolate that starts (again) under an evicted id is a new one. */
  forgetEvicted(id: string): void {
    this.evictedIds.delete(id);
  }

  /** Gets an isolate, creating a placeholder when a record names one we have not seen start. */
  isolate(id: string, sessionId: string, runtime: RuntimeKind, atMs: number): IsolateEntry {
    let entry = this.isolates.get(id);
    if (entry) return entry;
    this.evictIsolatesIfFull();
    entry = {
      snap: {
        id,
        sessionId,
        name: id,
        runtime,
        kind: 'worker',
        state: 'running',
        parentId: null,
        groupId: null,
        startedAtMs: atMs,
        exitedAtMs: null,
        exitCode: null,
        spawnSite: null,
        cpuTimeMs: null,
        cpuPercent: null,
        heapUsedBytes: 0,
        heapCapacityBytes: 0,
        heapUsedBytesMax: 0,
        externalBytes: 0,
        heapShared: false,
        lastSampleAtMs: null,
        queueDepth: 0,
        maxQueueDepth: 0,
        messagesSent: 0,
        messagesReceived: 0,
        bytesCopiedOut: 0,
        msgsInPerSec: 0,
        msgsOutPerSec: 0,
        bytesCopiedPerSec: 0,
      },
      series: new SeriesRing(this.limits.seriesCapacity),
      inbound: new Set(),
      prevCpu: null,
      totals: [],
      broadcastReceived: 0,
      endedWithSession: false,
    };
    this.isolates.set(id, entry);
    return entry;
  }

  /** Folds a sample in: heap, CPU %, queue depth and per-second rates from counter deltas. */
  applySample(e: IsolateEntry, r: IsolateSampleRecord): void {
    const s = e.snap;
    s.lastSampleAtMs = Math.max(s.lastSampleAtMs ?? r.atMs, r.atMs);
    s.heapUsedBytes = r.heapUsedBytes;
    s.heapCapacityBytes = r.heapTotalBytes;
    s.heapUsedBytesMax = Math.max(s.heapUsedBytesMax, r.heapUsedBytes);
    s.externalBytes = r.externalBytes;
    s.heapShared = r.heapShared;
    s.queueDepth = r.queueDepth;
    s.maxQueueDepth = Math.max(s.maxQueueDepth, r.queueDepth);
    if (r.cpuTimeMicros !== null) {
      s.cpuTimeMs = r.cpuTimeMicros / 1000;
      const prev = e.prevCpu;
      if (prev && r.atMs > prev.atMs) {
        // micros of CPU per ms of wall time, as a percentage of one core.
        s.cpuPercent = Math.max(0, (r.cpuTimeMicros - prev.micros) / ((r.atMs - prev.atMs) * 10));
      }
      e.prevCpu = { atMs: r.atMs, micros: r.cpuTimeMicros };
    }
    if (r.broadcastReceived !== undefined) this.addBroadcastReceived(e, r.broadcastReceived);
    const now = { atMs: r.atMs, sent: s.messagesSent, received: s.messagesReceived, copied: s.bytesCopiedOut };
    // Over the last ~2 s, not one sample period: the counters of a channel come with the records of
    // the thread at its other end, which land on either side of this isolate's sample, so one
    // period's difference flips between none and two periods' worth.
    while (e.totals.length > 1 && r.atMs - e.totals[1]!.atMs >= RATE_WINDOW_MS) e.totals.shift();
    const prev = e.totals[0];
    if (prev && r.atMs > prev.atMs) {
      const perSec = 1000 / (r.atMs - prev.atMs);
      s.msgsOutPerSec = Math.max(0, (now.sent - prev.sent) * perSec);
      s.msgsInPerSec = Math.max(0, (now.received - prev.received) * perSec);
      s.bytesCopiedPerSec = Math.max(0, (now.copied - prev.copied) * perSec);
    }
    if (e.totals.length >= MAX_TOTALS) e.totals.shift();
    e.totals.push(now);
    e.series.push(++this.pointSeq, {
      atMs: r.atMs,
      heapUsedBytes: s.heapUsedBytes,
      heapCapacityBytes: s.heapCapacityBytes,
      externalBytes: s.externalBytes,
      cpuPercent: s.cpuPercent ?? 0,
      queueDepth: s.queueDepth,
      queueDelayMsP95: this.inboundDelay(e).p95,
      msgsInPerSec: s.msgsInPerSec,
      msgsOutPerSec: s.msgsOutPerSec,
      bytesCopiedPerSec: s.bytesCopiedPerSec,
    });
  }

  /** Worst queueing delay over the channels into an isolate. */
  inboundDelay(e: IsolateEntry): { p95: number; max: number } {
    let p95 = 0;
    let max = 0;
    for (const id of e.inbound) {
      const c = this.channels.get(id);
      if (!c) continue;
      p95 = Math.max(p95, c.delayMsP95);
      max = Math.max(max, c.delayMsMax);
    }
    return { p95, max };
  }

  /** Replaces a channel's cumulative counters and moves the deltas onto its isolates' totals. */
  applyChannel(sessionId: string, id: string, from: IsolateEntry, to: IsolateEntry | null, r: ChannelRecord): void {
    const old = this.channels.get(id);
    if (!old && this.channels.size >= this.limits.maxChannels) this.evictOldestChannel();
    // Several threads report the same channel, so records can arrive out of order: cumulative
    // counters only grow (take the max), and point-in-time values come from the newest record.
    const oldAtMs = old ? (this.channelAtMs.get(old) ?? -Infinity) : -Infinity;
    const stale = old !== undefined && r.atMs < oldAtMs;
    const current = stale ? old : r;
    const snap: ChannelSnapshot = {
      id,
      sessionId,
      label: r.label,
      from: from.snap.id,
      to: to ? to.snap.id : null,
      sent: Math.max(r.sent, old?.sent ?? 0),
      delivered: Math.max(r.delivered, old?.delivered ?? 0),
      depth: current.depth,
      maxDepth: Math.max(r.maxDepth, old?.maxDepth ?? 0),
      bytesCopied: Math.max(r.bytesCopied, old?.bytesCopied ?? 0),
      bytesTransferred: Math.max(r.bytesTransferred, old?.bytesTransferred ?? 0),
      maxMessageBytes: Math.max(r.maxMessageBytes, old?.maxMessageBytes ?? 0),
      delayMsP50: current.delayMsP50,
      delayMsP95: current.delayMsP95,
      delayMsMax: Math.max(r.delayMsMax, old?.delayMsMax ?? 0),
    };
    this.channels.set(id, snap);
    this.channelAtMs.set(snap, stale ? oldAtMs : r.atMs);
    this.contribute(old, snap);
    if (to) {
      to.inbound.add(id);
      to.snap.maxQueueDepth = Math.max(to.snap.maxQueueDepth, snap.maxDepth);
      const sampledAt = to.snap.lastSampleAtMs ?? null;
      if (!stale && to.snap.state === 'running' && (sampledAt === null || r.atMs - sampledAt > STALE_SAMPLE_MS)) {
        let depth = 0;
        for (const inboundId of to.inbound) depth += this.channels.get(inboundId)?.depth ?? 0;
        to.snap.queueDepth = depth;
      }
    }
  }

  /**
   * Adds what channel `c` carried since its previous record `old` to its current ends. A port that
   * moved to another isolate (transferred) takes only what it carries from then on: each holder
   * keeps what the channel carried while it held the port, as the app itself would count it.
   */
  private contribute(old: ChannelSnapshot | undefined, c: ChannelSnapshot): void {
    const from = this.isolates.get(c.from);
    if (from) {
      from.snap.messagesSent += c.sent - (old?.sent ?? 0);
      from.snap.bytesCopiedOut += c.bytesCopied - (old?.bytesCopied ?? 0);
    }
    const to = c.to === null ? undefined : this.isolates.get(c.to);
    if (to) to.snap.messagesReceived += c.delivered - (old?.delivered ?? 0);
  }

  /**
   * Broadcast deliveries have no receiving end on a channel record: the isolate's samples (or its
   * parent, at its exit) report its cumulative count, and the increase adds to `messagesReceived`.
   */
  addBroadcastReceived(e: IsolateEntry, cumulative: number): void {
    if (cumulative <= e.broadcastReceived) return;
    e.snap.messagesReceived += cumulative - e.broadcastReceived;
    e.broadcastReceived = cumulative;
  }

  /** Appends a notable message to the ledger and to its site's oversized aggregate. */
  applyMessage(isolateId: string, channelId: string, r: MessageRecord, location: SourceLocation | null): void {
    this.ledger.push({
      seq: ++this.ledgerSeq,
      isolateId,
      channelId,
      atMs: r.atMs,
      bytes: r.bytes,
      typedArrayBytes: r.typedArrayBytes,
      transferredBytes: r.transferredBytes,
      location,
      shape: r.shape,
    });
    if (r.bytes <= this.oversizedBytes()) return;
    const agg = this.oversizedFor(location ? locKey(location) : `isolate:${isolateId}`, location);
    if (!agg) return;
    agg.count++;
    agg.totalBytes += r.bytes;
    agg.typedArrayBytesTotal += r.typedArrayBytes;
    if (r.bytes >= agg.maxBytes) {
      agg.maxBytes = r.bytes;
      agg.maxTypedArrayBytes = r.typedArrayBytes;
      agg.shape = r.shape;
    }
    agg.payers.set(isolateId, (agg.payers.get(isolateId) ?? 0) + r.bytes);
    if (agg.channels.size < 16) agg.channels.add(channelId);
  }

  /** Stores a call-site aggregate (cumulative, so it replaces the previous one). */
  applyCallSite(key: string, snap: CallSiteSnapshot): void {
    if (!this.callSites.has(key) && this.callSites.size >= this.limits.maxCallSites) {
      const oldest = this.callSites.keys().next();
      if (!oldest.done) this.callSites.delete(oldest.value);
      this.entitiesEvicted++;
    }
    this.callSites.set(key, snap);
  }

  /** Oversized aggregate for a key; null when the cap is reached (counted as evicted). */
  oversizedFor(key: string, location: SourceLocation | null): OversizedAggregate | null {
    let agg = this.oversized.get(key);
    if (!agg) {
      if (this.oversized.size >= this.limits.maxOversizedSites) {
        this.entitiesEvicted++;
        return null;
      }
      agg = emptyOversized(key, location);
      this.oversized.set(key, agg);
    }
    return agg;
  }

  private evictIsolatesIfFull(): void {
    if (this.isolates.size < this.limits.maxIsolates) return;
    // Drop the oldest exited isolate. With none (thousands of threads running at once, or a peer
    // that names ids it never started), the oldest running worker goes, then the oldest of all:
    // the cap holds, so a peer cannot grow the model without bound.
    let victim: string | undefined;
    let oldestWorker: string | undefined;
    for (const [id, e] of this.isolates) {
      if (e.snap.state === 'exited') {
        victim = id;
        break;
      }
      if (oldestWorker === undefined && e.snap.kind !== 'main') oldestWorker = id;
    }
    victim ??= oldestWorker ?? this.isolates.keys().next().value;
    if (victim === undefined) return;
    this.isolates.delete(victim);
    this.entitiesEvicted++;
    this.evictedIds.add(victim);
    if (this.evictedIds.size > EVICTED_IDS_KEPT) this.evictedIds.delete(this.evictedIds.values().next().value!);
  }

  private evictOldestChannel(): void {
    const oldest = this.channels.keys().next();
    if (oldest.done) return;
    const c = this.channels.get(oldest.value)!;
    this.channels.delete(oldest.value);
    this.isolates.get(c.to ?? '')?.inbound.delete(c.id);
    this.entitiesEvicted++;
  }
}
