/**
 * The UI's copy of the model: applies `hydrate` and `update` messages into bounded maps and rings.
 * Views read it and compare revision counters to know what to redraw; nothing here touches the DOM.
 */
import type {
  CallSiteSnapshot,
  ChannelSnapshot,
  DropCounters,
  Finding,
  IsolateSnapshot,
  LedgerEntry,
  ModelSnapshot,
  ModelUpdate,
  PortSnapshot,
  SessionInfo,
} from '../protocol';
import { SeriesRing } from './series';

/**
 * Caps on what the UI keeps, so a long stream cannot grow memory without bound. They are at least
 * the model's own caps (5,000 isolates, 20,000 channels, 5,000 call sites: `IsolateModel`), and
 * what the latest message carries is never evicted (see mergeCapped): the UI never holds less than
 * the model sends.
 */
export const STORE_LIMITS = {
  isolates: 5000,
  ledger: 2000,
  callSites: 5000,
  channels: 20_000,
  ports: 4096,
  findings: 1024,
  sessions: 64,
};

/** Revision counters per area; a view redraws an area only when its counter moved. */
export interface Revisions {
  /** Bumped on every hydrate: views that render incrementally must start over. */
  generation: number;
  isolates: number;
  series: number;
  channels: number;
  callSites: number;
  ledger: number;
  ports: number;
  findings: number;
  sessions: number;
}

/** Deletes the oldest entries of a Map (insertion order) until it holds at most `cap`. */
export function capMap<K, V>(map: Map<K, V>, cap: number, keep?: (v: V, k: K) => boolean): number {
  let evicted = 0;
  if (map.size <= cap) return 0;
  for (const [k, v] of map) {
    if (map.size <= cap) break;
    if (keep?.(v, k)) continue;
    map.delete(k);
    evicted++;
  }
  return evicted;
}

/**
 * Merges a message's entries into `map` by key, then caps it, evicting only entries the message did
 * not carry (oldest first; those matching `evictFirst` before the others). The host sends current
 * values in every update: an entry it still sends that was evicted anyway would come back with the
 * next update and push another one out, on every update. Returns how many were evicted.
 */
export function mergeCapped<V>(
  map: Map<string, V>,
  entries: readonly V[],
  keyOf: (v: V) => string,
  cap: number,
  evictFirst?: (v: V) => boolean,
): number {
  for (const v of entries) map.set(keyOf(v), v);
  if (map.size <= cap) return 0;
  const carried = new Set<string>();
  for (const v of entries) carried.add(keyOf(v));
  let evicted = 0;
  if (evictFirst) evicted += capMap(map, cap, (v, k) => carried.has(k) || !evictFirst(v));
  evicted += capMap(map, cap, (_v, k) => carried.has(k));
  return evicted;
}

function callSiteKey(c: CallSiteSnapshot): string {
  return `${c.isolateId}\u0000${c.file}\u0000${c.line}\u0000${c.column}`;
}

function portKey(p: PortSnapshot): string {
  return `${p.isolateId}\u0000${p.portId}`;
}

function isExited(iso: IsolateSnapshot): boolean {
  return iso.state === 'exited';
}

/** The client-side model. */
export class InspectorStore {
  host: 'vscode' | 'browser' | null = null;
  hydrated = false;
  readonly sessions = new Map<string, SessionInfo>();
  readonly isolates = new Map<string, IsolateSnapshot>();
  readonly series = new Map<string, SeriesRing>();
  readonly channels = new Map<string, ChannelSnapshot>();
  readonly callSites = new Map<string, CallSiteSnapshot>();
  readonly ports = new Map<string, PortSnapshot>();
  readonly findings = new Map<string, Finding>();
  /** Newest ledger rows, oldest first, at most STORE_LIMITS.ledger. */
  ledger: LedgerEntry[] = [];
  drops: DropCounters = { framesRejected: 0, agentRecordsDropped: 0, ledgerEvicted: 0 };
  oversizedBytes = 64 * 1024;
  /** Model time of the last message. */
  atMs = 0;
  /** Newest agent sample time seen in any series point (for sample→DOM latency). */
  latestSampleMs = 0;
  /** Rows the UI itself evicted because of its caps. */
  uiEvicted = 0;
  readonly rev: Revisions = {
    generation: 0,
    isolates: 0,
    series: 0,
    channels: 0,
    callSites: 0,
    ledger: 0,
    ports: 0,
    findings: 0,
    sessions: 0,
  };

  constructor(private readonly seriesCapacity?: number) {}

  /** Replaces everything with a full snapshot. */
  applyHydrate(s: ModelSnapshot, host: 'vscode' | 'browser'): void {
    this.host = host;
    this.hydrated = true;
    for (const m of [this.sessions, this.isolates, this.series, this.channels, this.callSites, this.ports]) m.clear();
    this.findings.clear();
    this.ledger = [];
    this.rev.generation++;
    this.oversizedBytes = s.oversizedBytes;
    for (const [id, ser] of Object.entries(s.series)) {
      const ring = new SeriesRing(this.seriesCapacity);
      ring.loadSnapshot(ser);
      this.series.set(id, ring);
      const last = ring.lastAtMs;
      if (last !== null && last > this.latestSampleMs) this.latestSampleMs = last;
    }
    this.applyCommon(s);
    this.appendLedger(s.ledger);
  }

  /** Merges an incremental update. */
  applyUpdate(u: ModelUpdate): void {
    this.applyCommon(u);
    const pointIds = Object.keys(u.points);
    for (const id of pointIds) {
      const p = u.points[id];
      let ring = this.series.get(id);
      if (!ring) {
        ring = new SeriesRing(this.seriesCapacity);
        this.series.set(id, ring);
      }
      ring.push(p);
      if (p.atMs > this.latestSampleMs) this.latestSampleMs = p.atMs;
    }
    if (pointIds.length) this.rev.series++;
    this.appendLedger(u.ledgerAppended);
  }

  /** Drops exited isolates locally (the host is asked to do the same and re-hydrates). */
  clearExited(): void {
    for (const [id, iso] of this.isolates) {
      if (iso.state === 'exited') {
        this.isolates.delete(id);
        this.series.delete(id);
      }
    }
    this.rev.isolates++;
    this.rev.series++;
  }

  private applyCommon(m: ModelSnapshot | ModelUpdate): void {
    this.atMs = m.atMs;
    this.drops = m.drops;
    if (m.sessions.length) {
      mergeCapped(this.sessions, m.sessions, (s) => s.id, STORE_LIMITS.sessions);
      this.rev.sessions++;
    }
    if (m.isolates.length) {
      // Exited isolates go first; running ones are only dropped past the cap as a last resort.
      this.uiEvicted += mergeCapped(this.isolates, m.isolates, (i) => i.id, STORE_LIMITS.isolates, isExited);
      for (const id of this.series.keys()) if (!this.isolates.has(id)) this.series.delete(id);
      this.rev.isolates++;
    }
    if (m.channels.length) {
      this.uiEvicted += mergeCapped(this.channels, m.channels, (c) => c.id, STORE_LIMITS.channels);
      this.rev.channels++;
    }
    if (m.callSites.length) {
      this.uiEvicted += mergeCapped(this.callSites, m.callSites, callSiteKey, STORE_LIMITS.callSites);
      this.rev.callSites++;
    }
    if (m.ports.length) {
      this.uiEvicted += mergeCapped(this.ports, m.ports, portKey, STORE_LIMITS.ports);
      this.rev.ports++;
    }
    if (m.findings.length) {
      this.uiEvicted += mergeCapped(this.findings, m.findings, (f) => f.id, STORE_LIMITS.findings);
      this.rev.findings++;
    }
  }

  private appendLedger(rows: LedgerEntry[]): void {
    if (rows.length === 0) return;
    const lastSeq = this.ledger.length ? this.ledger[this.ledger.length - 1].seq : -Infinity;
    for (const r of rows) if (r.seq > lastSeq) this.ledger.push(r);
    const over = this.ledger.length - STORE_LIMITS.ledger;
    if (over > 0) {
      this.ledger.splice(0, over);
      this.uiEvicted += over;
    }
    this.rev.ledger++;
  }

  /** The session start time (earliest), used as the origin of relative time axes. */
  originMs(): number {
    let min = Infinity;
    for (const s of this.sessions.values()) min = Math.min(min, s.startedAtMs);
    for (const i of this.isolates.values()) min = Math.min(min, i.startedAtMs);
    return Number.isFinite(min) ? min : this.atMs;
  }
}
