/**
 * A fake live model for UI work, unit tests and benchmarks: produces valid ModelSnapshot /
 * ModelUpdate objects for N isolates with moving numbers, a ledger, call sites, channels and
 * findings. It implements the inspector server's model interface, so the real server can serve it.
 * (The required browser tests run against the real `isoscope run` of the demo, not this.)
 */
import type {
  CallSiteSnapshot,
  ChannelSnapshot,
  Finding,
  IsolateSeries,
  IsolateSeriesPoint,
  IsolateSnapshot,
  LedgerEntry,
  ModelSnapshot,
  ModelUpdate,
  SessionInfo,
} from '../../protocol';
import { SERIES_FIELDS } from '../../protocol/model';
import { isolateSnapshot } from './isolate-snapshot';

/** Options of the fake stream. */
export interface FakeModelOptions {
  isolates?: number;
  /** Ledger rows appended per tick. */
  ledgerPerTick?: number;
  /** Points kept per isolate in the snapshot series. */
  seriesCapacity?: number;
  /** Ledger rows kept. */
  ledgerCapacity?: number;
  startMs?: number;
  /** Adds an isolate named `<img src=x onerror=alert(1)>`. */
  hostileName?: boolean;
  /** The session's notable/oversized threshold (the agent's notable size too). */
  oversizedBytes?: number;
}

const FIELDS = SERIES_FIELDS;

/** A deterministic pseudo-random generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Where a client is in the fake stream. */
export interface FakeCursor {
  tick: number;
  ledgerSeq: number;
}

/** The fake model. */
export class FakeModel {
  nowMs: number;
  tickCount = 0;
  private readonly rand = rng(42);
  private readonly session: SessionInfo;
  private readonly isolates: IsolateSnapshot[] = [];
  private readonly points = new Map<string, IsolateSeriesPoint[]>();
  private readonly lastPointTick = new Map<string, number>();
  private readonly channels: ChannelSnapshot[] = [];
  private readonly callSites: CallSiteSnapshot[] = [];
  private ledger: LedgerEntry[] = [];
  private ledgerSeq = 0;
  private readonly findings: Finding[] = [];
  private readonly opts: Required<FakeModelOptions>;

  constructor(options: FakeModelOptions = {}) {
    this.opts = {
      isolates: 8,
      ledgerPerTick: 2,
      seriesCapacity: 240,
      ledgerCapacity: 1000,
      startMs: Date.now(),
      hostileName: true,
      oversizedBytes: 64 * 1024,
      ...options,
    };
    this.nowMs = this.opts.startMs;
    this.session = {
      id: 's1',
      runtime: 'node',
      label: 'node demo.js',
      pid: 4242,
      startedAtMs: this.nowMs,
      endedAtMs: null,
      runtimeVersion: 'v20.19.0',
    };
    for (let i = 0; i < this.opts.isolates; i++) {
      const name = i === 0 ? 'main' : this.opts.hostileName && i === 1 ? '<img src=x onerror=alert(1)>' : `worker-${i}`;
      this.isolates.push(this.makeIsolate(`iso-${i}`, name, i === 0 ? 'main' : 'worker'));
      this.points.set(`iso-${i}`, []);
      if (i > 0) {
        this.channels.push({
          id: `ch-${i}`,
          sessionId: 's1',
          label: `worker-${i}.postMessage`,
          from: 'iso-0',
          to: `iso-${i}`,
          sent: 0,
          delivered: 0,
          depth: 0,
          maxDepth: 0,
          bytesCopied: 0,
          bytesTransferred: 0,
          maxMessageBytes: 0,
          delayMsP50: 0.4,
          delayMsP95: 2.5,
          delayMsMax: 9,
        });
      }
    }
    this.callSites.push({
      file: '/app/src/pipeline.ts',
      line: 42,
      column: 10,
      isolateId: 'iso-0',
      functionName: 'dispatchChunk',
      sends: 0,
      bytesCopied: 0,
      maxMessageBytes: 0,
      transferableBytes: 0,
      bytesTransferred: 0,
    });
    this.findings.push({
      id: 'f1',
      rule: 'oversized-message',
      severity: 'warning',
      message: 'postMessage copies 1 MiB per call (structured clone)',
      location: { file: '/app/src/pipeline.ts', line: 42, column: 10 },
      isolateId: 'iso-0',
      bytes: 1024 * 1024,
      count: 10,
      totalBytes: 10 * 1024 * 1024,
      suggestion: 'Pass the ArrayBuffer in the transfer list: worker.postMessage(buf, [buf])',
    });
  }

  private makeIsolate(id: string, name: string, kind: 'main' | 'worker'): IsolateSnapshot {
    return isolateSnapshot(id, name, {
      kind,
      parentId: kind === 'main' ? null : 'iso-0',
      startedAtMs: this.nowMs,
      spawnSite: kind === 'main' ? null : { file: '/app/src/pool.ts', line: 12, column: 5 },
      heapUsedBytes: 4 << 20,
      heapCapacityBytes: 8 << 20,
      heapUsedBytesMax: 4 << 20,
      externalBytes: 1 << 20,
    });
  }

  /** Advances the simulation by one sample period, stamping every point with `sampleAtMs`. */
  tick(stepMs = 250, sampleAtMs = this.nowMs + stepMs): void {
    this.nowMs = sampleAtMs;
    this.tickCount++;
    const r = this.rand;
    for (let i = 0; i < this.isolates.length; i++) {
      const old = this.isolates[i];
      const cpu = Math.max(0, Math.min(100, (old.cpuPercent ?? 0) + (r() - 0.5) * 20));
      const heap = Math.max(1 << 20, old.heapUsedBytes + (r() - 0.45) * 300_000);
      const queue = Math.max(0, Math.round(old.queueDepth + (r() - 0.5) * 6));
      const copied = Math.round(r() * 2_000_000);
      const iso: IsolateSnapshot = {
        ...old,
        cpuPercent: cpu,
        cpuTimeMs: (old.cpuTimeMs ?? 0) + (cpu / 100) * stepMs,
        heapUsedBytes: heap,
        heapCapacityBytes: Math.max(old.heapCapacityBytes, heap * 1.3),
        heapUsedBytesMax: Math.max(old.heapUsedBytesMax, heap),
        queueDepth: queue,
        maxQueueDepth: Math.max(old.maxQueueDepth, queue),
        msgsInPerSec: Math.round(r() * 400),
        msgsOutPerSec: Math.round(r() * 400),
        bytesCopiedPerSec: copied,
        messagesSent: old.messagesSent + Math.round(r() * 100),
        messagesReceived: old.messagesReceived + Math.round(r() * 100),
        bytesCopiedOut: old.bytesCopiedOut + copied / 4,
      };
      this.isolates[i] = iso;
      const point: IsolateSeriesPoint = {
        atMs: sampleAtMs,
        heapUsedBytes: iso.heapUsedBytes,
        heapCapacityBytes: iso.heapCapacityBytes,
        externalBytes: iso.externalBytes,
        cpuPercent: cpu,
        queueDepth: queue,
        queueDelayMsP95: r() * 20,
        msgsInPerSec: iso.msgsInPerSec,
        msgsOutPerSec: iso.msgsOutPerSec,
        bytesCopiedPerSec: copied,
      };
      const pts = this.points.get(iso.id)!;
      pts.push(point);
      if (pts.length > this.opts.seriesCapacity) pts.shift();
      this.lastPointTick.set(iso.id, this.tickCount);
    }
    for (const ch of this.channels) {
      const n = Math.round(r() * 20);
      ch.sent += n;
      ch.delivered += n;
      ch.bytesCopied += n * 70_000;
      ch.maxMessageBytes = Math.max(ch.maxMessageBytes, 70_000 + Math.round(r() * 1_000_000));
    }
    const site = this.callSites[0];
    site.sends += 10;
    site.bytesCopied += 10 * 90_000;
    site.transferableBytes += 10 * 80_000;
    site.maxMessageBytes = Math.max(site.maxMessageBytes, 90_000);
    for (let k = 0; k < this.opts.ledgerPerTick; k++) {
      const target = 1 + Math.floor(r() * Math.max(1, this.isolates.length - 1));
      this.ledger.push({
        seq: ++this.ledgerSeq,
        isolateId: 'iso-0',
        channelId: `ch-${Math.min(target, this.isolates.length - 1)}`,
        atMs: sampleAtMs,
        bytes: 70_000 + Math.round(r() * 200_000),
        typedArrayBytes: 65_536,
        transferredBytes: 0,
        location: { file: '/app/src/pipeline.ts', line: 42, column: 10 },
        shape: '{ id: number, payload: Float64Array(8192) }',
      });
    }
    if (this.ledger.length > this.opts.ledgerCapacity) this.ledger = this.ledger.slice(-this.opts.ledgerCapacity);
    for (const l of this.listeners) l();
  }

  /** Marks an isolate exited. */
  exit(index: number, code = 0): void {
    this.isolates[index] = { ...this.isolates[index], state: 'exited', exitedAtMs: this.nowMs, exitCode: code };
  }

  snapshot(): ModelSnapshot {
    const series: Record<string, IsolateSeries> = {};
    for (const [id, pts] of this.points) {
      const s = { atMs: pts.map((p) => p.atMs) } as IsolateSeries;
      for (const f of FIELDS) s[f] = pts.map((p) => p[f]);
      series[id] = s;
    }
    return {
      atMs: this.nowMs,
      sessions: [this.session],
      isolates: [...this.isolates],
      series,
      channels: this.channels.map((c) => ({ ...c })),
      callSites: this.callSites.map((c) => ({ ...c })),
      ledger: [...this.ledger],
      ports: [{ isolateId: 'iso-0', portId: 'p1', name: 'main port', allocationSite: null }],
      findings: [...this.findings],
      drops: { framesRejected: 0, agentRecordsDropped: 0, ledgerEvicted: 0 },
      oversizedBytes: this.opts.oversizedBytes,
    };
  }

  initialCursor(): FakeCursor {
    return { tick: this.tickCount, ledgerSeq: this.ledgerSeq };
  }

  updateSince(cursor: FakeCursor): { update: ModelUpdate; cursor: FakeCursor } {
    const points: Record<string, IsolateSeriesPoint> = {};
    for (const [id, pts] of this.points) {
      if ((this.lastPointTick.get(id) ?? 0) > cursor.tick && pts.length) points[id] = pts[pts.length - 1];
    }
    return {
      update: {
        atMs: this.nowMs,
        sessions: [this.session],
        isolates: [...this.isolates],
        points,
        channels: this.channels.map((c) => ({ ...c })),
        callSites: this.callSites.map((c) => ({ ...c })),
        ledgerAppended: this.ledger.filter((l) => l.seq > cursor.ledgerSeq),
        ports: [],
        findings: [...this.findings],
        drops: { framesRejected: 0, agentRecordsDropped: 0, ledgerEvicted: 0 },
      },
      cursor: this.initialCursor(),
    };
  }

  private readonly listeners = new Set<() => void>();

  /** Like IsolateModel.onDidChange: called after every tick. */
  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  }

  clearExited(): void {
    for (let i = this.isolates.length - 1; i >= 0; i--) {
      if (this.isolates[i].state === 'exited') {
        this.points.delete(this.isolates[i].id);
        this.isolates.splice(i, 1);
      }
    }
  }
}

/**
 * A FakeModel as the inspector server sees it, with the values a test needs patched into every
 * snapshot and update: subclasses override the `patch…` methods (each leaves its input alone by
 * default) and drive the underlying model through `fake`.
 */
export class PatchedFakeModel {
  constructor(readonly fake: FakeModel) {}
  protected patchIsolate(iso: IsolateSnapshot): IsolateSnapshot {
    return iso;
  }
  protected patchChannel(channel: ChannelSnapshot): ChannelSnapshot {
    return channel;
  }
  protected patchFindings(findings: Finding[]): Finding[] {
    return findings;
  }
  private patch<T extends Pick<ModelSnapshot, 'isolates' | 'channels' | 'findings'>>(m: T): T {
    return {
      ...m,
      isolates: m.isolates.map((i) => this.patchIsolate(i)),
      channels: m.channels.map((c) => this.patchChannel(c)),
      findings: this.patchFindings(m.findings),
    };
  }
  snapshot(): ModelSnapshot {
    return this.patch(this.fake.snapshot());
  }
  initialCursor(): FakeCursor {
    return this.fake.initialCursor();
  }
  updateSince(cursor: FakeCursor): { update: ModelUpdate; cursor: FakeCursor } {
    const { update, cursor: next } = this.fake.updateSince(cursor);
    return { update: this.patch(update), cursor: next };
  }
  clearExited(): void {
    this.fake.clearExited();
  }
  onDidChange(listener: () => void): { dispose(): void } {
    return this.fake.onDidChange(listener);
  }
}
