/**
 * IsolateModel: the one common model every source feeds (Node collector, Dart VM-service source)
 * and every view reads. Sources call `openSession/ingest/closeSession` with protocol records;
 * views call `snapshot/updateSince/onDidChange`; the CLI calls `toReport`.
 *
 * Source mapping: records with call sites are applied once their positions are mapped. The first
 * record from a new compiled file waits (async) for its map; later ones map synchronously. Order
 * is kept. `await model.settled()` before reading when a test or report needs every record in.
 */
import type {
  AgentRecord,
  CallSite,
  ChannelSnapshot,
  DropCounters,
  Finding,
  IsolateSnapshot,
  ModelSnapshot,
  ModelUpdate,
  Report,
  RuntimeKind,
  SessionInfo,
  SourceLocation,
} from '../../../protocol';
import { displayName, visibleControls } from '../../../protocol';
import { buildReport } from '../report/build-report';
import { unmappedLocation, type SourceMapper } from '../source-map/mapper';
import {
  backlogFinding,
  churnFinding,
  oversizedFinding,
  type BacklogThresholds,
  type ChurnInput,
  type ChurnThresholds,
} from './findings';
import { OrderedApplier } from './ordered-applier';
import { ModelStore } from './store';

/** Options of the model; all optional. */
export interface IsolateModelOptions {
  /** Copy size above which a message is "oversized" (default 64 KiB). */
  oversizedBytes?: number;
  /** Points kept per isolate time series (default 600). */
  seriesCapacity?: number;
  /** Notable messages kept in the ledger (default 1000). */
  ledgerCapacity?: number;
  sourceMapper?: SourceMapper;
  /** Queue-backlog rule thresholds. */
  backlog?: Partial<BacklogThresholds>;
  /** Worker-churn rule thresholds (default: 10 isolates from one site that lived < 1 s each). */
  churn?: Partial<ChurnThresholds>;
  /** Coalescing window of `onDidChange` (default 100 ms). */
  changeDelayMs?: number;
  /** Clock, for tests. */
  nowMs?: () => number;
}

/** Where a view is in the stream of updates; opaque to views. */
export interface UpdateCursor {
  ledgerSeq: number;
  pointSeq: number;
}

interface SessionEntry {
  info: SessionInfo;
  isolateIds: Map<string, string>;
  channelIds: Map<string, string>;
}

/** Default 64 KiB: below tens of KB a transfer does not pay (see ARCHITECTURE.md). */
export const DEFAULT_OVERSIZED_BYTES = 64 * 1024;

/** The common isolate model. Pure: no vscode, no I/O except through the optional SourceMapper. */
export class IsolateModel {
  private thresholdBytes: number;
  private readonly store: ModelStore;
  private readonly sessions = new Map<string, SessionEntry>();
  /**
   * Isolates (and ended sessions) that "Clear exited" took out of the views. They stay in the
   * model: the report still counts them, and a channel record that arrives after the clear still
   * finds its isolates (deleting them made such records re-create them as nameless placeholders
   * and count their messages twice).
   */
  private readonly clearedIsolates = new Set<string>();
  private readonly clearedSessions = new Set<string>();
  private readonly applier: OrderedApplier;
  private readonly mapper: SourceMapper | undefined;
  private readonly backlog: BacklogThresholds;
  private readonly churn: ChurnThresholds;
  private readonly listeners = new Set<() => void>();
  private readonly changeDelayMs: number;
  private readonly now: () => number;
  private changeTimer: NodeJS.Timeout | null = null;
  private framesRejected = 0;
  private agentRecordsDropped = 0;
  private channelsNotCounted = 0;
  private readonly createdAtMs: number;
  /** Errors raised while applying records (a bug, never the peer's fault); kept for diagnostics. */
  readonly errors: string[] = [];

  constructor(opts: IsolateModelOptions = {}) {
    this.thresholdBytes = opts.oversizedBytes ?? DEFAULT_OVERSIZED_BYTES;
    this.mapper = opts.sourceMapper;
    this.now = opts.nowMs ?? Date.now;
    this.createdAtMs = this.now();
    this.changeDelayMs = opts.changeDelayMs ?? 100;
    this.backlog = { deepQueueDepth: 500, growingSamples: 8, growingBy: 50, ...opts.backlog };
    this.churn = { minShortLived: 10, shortLifetimeMs: 1000, ...opts.churn };
    this.store = new ModelStore(
      {
        seriesCapacity: opts.seriesCapacity ?? 600,
        ledgerCapacity: opts.ledgerCapacity ?? 1000,
        maxIsolates: 5000,
        maxChannels: 20_000,
        maxCallSites: 5000,
        maxOversizedSites: 2000,
      },
      () => this.oversizedBytes,
    );
    this.applier = new OrderedApplier(this.mapper, (err) => {
      if (this.errors.length < 50) this.errors.push(err instanceof Error ? (err.stack ?? err.message) : String(err));
    });
  }

  /** Copy size above which a message is "oversized". */
  get oversizedBytes(): number {
    return this.thresholdBytes;
  }

  /**
   * Changes the threshold live (the user edited the setting). Call-site findings are re-judged at
   * once against their exact maxima; a raised threshold hides sites whose largest message is now
   * under it; message records count against the new value from now on (earlier small ones were
   * not aggregated, so a lowered threshold finds them only through their call sites).
   */
  setOversizedBytes(bytes: number): void {
    if (!Number.isFinite(bytes) || bytes <= 0) throw new RangeError(`oversized threshold must be > 0, got ${bytes}`);
    if (bytes === this.thresholdBytes) return;
    this.thresholdBytes = bytes;
    this.changed();
  }

  /** Registers a process/VM; records for it follow through `ingest`. Re-opening revives it. */
  openSession(info: Omit<SessionInfo, 'endedAtMs'>): void {
    // A new process may run files rebuilt since the last one read them (`node --watch`).
    this.mapper?.revalidate();
    this.clearedSessions.delete(info.id);
    const existing = this.sessions.get(info.id);
    if (existing) existing.info = { ...existing.info, ...info, endedAtMs: null };
    else
      this.sessions.set(info.id, { info: { ...info, endedAtMs: null }, isolateIds: new Map(), channelIds: new Map() });
    this.changed();
  }

  /** Folds one record from a session in (after source-mapping its call sites). */
  ingest(sessionId: string, record: AgentRecord): void {
    const session = this.sessions.get(sessionId);
    if (!session) throw new Error(`ingest for unknown session '${sessionId}': call openSession first`);
    if (record.type === 'source-map') {
      // Given to the mapper as it arrives, not in turn: the records after it, whose call sites are
      // in that script, look their positions up as they are queued.
      this.mapper?.provide(record.file, record.map);
      return;
    }
    this.applier.enqueue(sitesOf(record), () => {
      this.apply(session, record);
      this.changed();
    });
  }

  /** Counts a frame the collector refused. */
  noteRejectedFrame(): void {
    this.framesRejected++;
    this.changed();
  }

  /** Counts records an agent dropped because its buffers were full. */
  noteAgentDropped(n: number): void {
    if (n > 0) this.agentRecordsDropped += n;
  }

  /** Counts one-way channels an agent could not count because its channel table was full. */
  noteChannelsNotCounted(n: number): void {
    if (n > 0) {
      this.channelsNotCounted += n;
      this.changed();
    }
  }

  /**
   * Marks a session ended; its isolates that are still running exit at `atMs`. With
   * `isolatesRunOn` (a detach from a VM that keeps running) they are not marked exited: they stay
   * running with `exitedAtMs` null, "still running when the run ended" in contract 6, and only
   * their rates stop (nothing measures them any more).
   */
  closeSession(sessionId: string, atMs: number, opts: { isolatesRunOn?: boolean } = {}): void {
    this.applier.enqueue([], () => {
      const session = this.sessions.get(sessionId);
      if (!session) return;
      session.info.endedAtMs = atMs;
      for (const e of this.store.isolates.values()) {
        if (e.snap.sessionId === sessionId && e.snap.state === 'running') {
          if (opts.isolatesRunOn === true) {
            stopRates(e.snap);
            continue;
          }
          e.snap.state = 'exited';
          e.snap.exitedAtMs = Math.max(atMs, e.snap.startedAtMs);
          e.snap.queueDepth = 0;
          stopRates(e.snap);
          e.endedWithSession = true;
        }
      }
      this.changed();
    });
  }

  /** Resolves once every ingested record has been applied (source maps loaded). */
  settled(): Promise<void> {
    return this.applier.settled();
  }

  /**
   * A full, JSON-safe copy of the model, as the views show it: without what "Clear exited" took
   * out, unless `includeCleared` (the report).
   */
  snapshot(opts: { includeCleared?: boolean } = {}): ModelSnapshot {
    const all = opts.includeCleared === true;
    const series: ModelSnapshot['series'] = {};
    for (const [id, e] of this.store.isolates) if (all || !this.hidden(id)) series[id] = e.series.toSeries();
    return {
      atMs: this.now(),
      sessions: this.sessionList(all),
      isolates: this.isolateList(all),
      series,
      channels: this.channelList(all),
      callSites: [...this.store.callSites.values()].map((c) => ({ ...c })),
      ledger: this.store.ledger.toArray(),
      ports: this.portList(all),
      findings: this.findings(),
      drops: this.drops(),
      oversizedBytes: this.oversizedBytes,
    };
  }

  /** The cursor of a view that has just been hydrated with `snapshot()`. */
  initialCursor(): UpdateCursor {
    return { ledgerSeq: this.store.ledgerSeq, pointSeq: this.store.pointSeq };
  }

  /** Current values plus the series points and ledger rows added since `cursor`. */
  updateSince(cursor: UpdateCursor): { update: ModelUpdate; cursor: UpdateCursor } {
    const points: ModelUpdate['points'] = {};
    for (const [id, e] of this.store.isolates) {
      if (this.hidden(id)) continue;
      const p = e.series.latestAfter(cursor.pointSeq);
      if (p) points[id] = p;
    }
    const ledgerAppended = this.store.ledger.tailWhile((row) => row.seq > cursor.ledgerSeq);
    return {
      update: {
        atMs: this.now(),
        sessions: this.sessionList(false),
        isolates: this.isolateList(false),
        points,
        channels: this.channelList(false),
        callSites: [...this.store.callSites.values()].map((c) => ({ ...c })),
        ledgerAppended,
        ports: this.portList(false),
        findings: this.findings(),
        drops: this.drops(),
      },
      cursor: this.initialCursor(),
    };
  }

  /** Calls `listener` after changes, at most once per coalescing window. */
  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  }

  /**
   * Takes exited isolates (with the channels they send on and their ports), and ended sessions
   * left with nothing to show, out of the views. The report keeps them (`toReport`).
   */
  clearExited(): void {
    for (const [id, e] of this.store.isolates) if (e.snap.state === 'exited') this.clearedIsolates.add(id);
    const shown = new Set<string>();
    for (const [id, e] of this.store.isolates) if (!this.hidden(id)) shown.add(e.snap.sessionId);
    for (const [id, s] of this.sessions) if (s.info.endedAtMs !== null && !shown.has(id)) this.clearedSessions.add(id);
    this.changed();
  }

  /**
   * Contract 6: the report, from the current state. Call `await settled()` first for a final report.
   * `endedAtMs` is when the run ended (default now): sessions still open then (a process that
   * outlives the run) count as ending there, so they do not stretch `durationMs`.
   */
  toReport(opts: { gates?: Report['gates']; endedAtMs?: number } = {}): Report {
    return buildReport(
      this.snapshot({ includeCleared: true }),
      this.createdAtMs,
      opts.endedAtMs ?? this.now(),
      opts.gates,
    );
  }

  /** Cheap live totals for status lines (no snapshot copy). */
  liveTotals(): {
    isolates: number;
    running: number;
    msgsPerSec: number;
    bytesCopiedPerSec: number;
    deepest: { name: string; depth: number } | null;
  } {
    let running = 0;
    let msgsPerSec = 0;
    let bytesCopiedPerSec = 0;
    let deepest: IsolateSnapshot | null = null;
    for (const { snap } of this.store.isolates.values()) {
      if (snap.state !== 'running') continue;
      running++;
      msgsPerSec += snap.msgsOutPerSec;
      bytesCopiedPerSec += snap.bytesCopiedPerSec;
      if (!deepest || snap.queueDepth > deepest.queueDepth) deepest = snap;
    }
    return {
      isolates: this.store.isolates.size,
      running,
      msgsPerSec,
      bytesCopiedPerSec,
      deepest: deepest && { name: displayName(deepest), depth: deepest.queueDepth },
    };
  }

  /** Stops change notifications. */
  dispose(): void {
    if (this.changeTimer) clearTimeout(this.changeTimer);
    this.changeTimer = null;
    this.listeners.clear();
    this.mapper?.dispose();
  }

  private changed(): void {
    if (this.changeTimer || this.listeners.size === 0) return;
    this.changeTimer = setTimeout(() => {
      this.changeTimer = null;
      for (const l of [...this.listeners]) {
        try {
          l();
        } catch (err) {
          // A view's listener bug must not break the model or other views.
          if (this.errors.length < 50) this.errors.push(String(err));
        }
      }
    }, this.changeDelayMs);
    this.changeTimer.unref?.();
  }

  private locate(site: CallSite): SourceLocation {
    return this.mapper?.peek(site) ?? unmappedLocation(site);
  }

  private isolateId(s: SessionEntry, raw: string): string {
    let id = s.isolateIds.get(raw);
    if (id === undefined) {
      // Two processes may both call their main thread "0": keep model ids unique.
      id = this.store.isolates.has(raw) ? `${s.info.id}/${raw}` : raw;
      s.isolateIds.set(raw, id);
    }
    return id;
  }

  private channelId(s: SessionEntry, raw: string): string {
    let id = s.channelIds.get(raw);
    if (id === undefined) {
      id = this.store.channels.has(raw) ? `${s.info.id}/${raw}` : raw;
      s.channelIds.set(raw, id);
    }
    return id;
  }

  private entry(s: SessionEntry, raw: string, atMs: number) {
    return this.store.isolate(this.isolateId(s, raw), s.info.id, s.info.runtime as RuntimeKind, atMs);
  }

  /** Whether `r` names an isolate evicted to stay under the cap (then it is dropped, see `ModelStore.wasEvicted`). */
  private namesEvicted(s: SessionEntry, r: AgentRecord): boolean {
    // Call-site aggregates are kept (findings come from them): that case creates no placeholder.
    const ids = r.type === 'channel' ? [r.fromIsolateId, r.toIsolateId] : r.type === 'call-site' ? [] : [r.isolateId];
    for (const raw of ids) if (raw !== null && this.store.wasEvicted(this.isolateId(s, raw))) return true;
    return false;
  }

  private apply(s: SessionEntry, r: AgentRecord): void {
    if (r.type === 'isolate-start') this.store.forgetEvicted(this.isolateId(s, r.isolateId));
    else if (this.namesEvicted(s, r)) return;
    switch (r.type) {
      case 'isolate-start': {
        const e = this.entry(s, r.isolateId, r.atMs);
        Object.assign(e.snap, {
          name: r.name,
          kind: r.kind,
          parentId: r.parentId === null ? null : this.isolateId(s, r.parentId),
          groupId: r.groupId,
          startedAtMs: r.atMs,
          spawnSite: r.spawnSite ? this.locate(r.spawnSite) : null,
        } satisfies Partial<IsolateSnapshot>);
        // An exit that came first, or one stamped before the start by another thread's clock:
        // a lifetime never ends before it begins (the timeline and contract 6 read it as a span).
        if (e.snap.exitedAtMs !== null && e.snap.exitedAtMs < r.atMs) e.snap.exitedAtMs = r.atMs;
        return;
      }
      case 'isolate-exit': {
        const e = this.entry(s, r.isolateId, r.atMs);
        e.snap.state = 'exited';
        e.snap.exitedAtMs = Math.max(r.atMs, e.snap.startedAtMs);
        e.snap.exitCode = r.exitCode;
        e.snap.queueDepth = 0;
        if (r.broadcastReceived !== undefined) this.store.addBroadcastReceived(e, r.broadcastReceived);
        stopRates(e.snap);
        e.endedWithSession = false;
        return;
      }
      case 'sample': {
        const e = this.entry(s, r.isolateId, r.atMs);
        if (e.endedWithSession && e.snap.exitedAtMs !== null && r.atMs >= e.snap.exitedAtMs) {
          // The connection dropped without `bye` and the agent came back (it reconnects and its
          // session id is reused): a sample taken since then shows this isolate is still alive.
          e.snap.state = 'running';
          e.snap.exitedAtMs = null;
          e.endedWithSession = false;
        }
        this.store.applySample(e, r);
        // An exited isolate's final sample (it can arrive after the exit) updates its totals,
        // not its rates: nothing runs there any more.
        if (e.snap.state === 'exited') stopRates(e.snap);
        return;
      }
      case 'channel': {
        const from = this.entry(s, r.fromIsolateId, r.atMs);
        const to = r.toIsolateId === null ? null : this.entry(s, r.toIsolateId, r.atMs);
        this.store.applyChannel(s.info.id, this.channelId(s, r.channelId), from, to, r);
        return;
      }
      case 'message': {
        const e = this.entry(s, r.isolateId, r.atMs);
        const loc = r.callSite ? this.locate(r.callSite) : null;
        this.store.applyMessage(e.snap.id, this.channelId(s, r.channelId), r, loc);
        return;
      }
      case 'call-site': {
        const id = this.isolateId(s, r.isolateId);
        if (!this.store.wasEvicted(id)) this.entry(s, r.isolateId, this.now());
        const loc = this.locate(r.site);
        const key = `${id}\u0000${r.site.file}:${r.site.line}:${r.site.column}`;
        this.store.applyCallSite(key, {
          ...loc,
          isolateId: id,
          functionName: r.site.functionName,
          sends: r.sends,
          bytesCopied: r.bytesCopied,
          maxMessageBytes: r.maxMessageBytes,
          transferableBytes: r.transferableBytes,
          bytesTransferred: r.bytesTransferred,
        });
        return;
      }
      case 'ports': {
        const e = this.entry(s, r.isolateId, r.atMs);
        const ports = r.ports.map((p) => ({ isolateId: e.snap.id, ...p }));
        this.store.ports.set(e.snap.id, ports);
        return;
      }
      case 'queue': {
        const e = this.entry(s, r.isolateId, r.atMs);
        e.snap.queueDepth = r.messages.length;
        e.snap.maxQueueDepth = Math.max(e.snap.maxQueueDepth, r.messages.length);
        return;
      }
      case 'source-map':
        return; // Taken by `ingest` before it is queued.
      default: {
        const never: never = r;
        throw new Error(`unhandled record ${JSON.stringify(never)}`);
      }
    }
  }

  private sessionList(all: boolean): SessionInfo[] {
    const out: SessionInfo[] = [];
    for (const [id, s] of this.sessions) if (all || !this.clearedSessions.has(id)) out.push({ ...s.info });
    return out;
  }

  private isolateList(all: boolean): IsolateSnapshot[] {
    const out: IsolateSnapshot[] = [];
    for (const [id, e] of this.store.isolates) if (all || !this.hidden(id)) out.push({ ...e.snap });
    return out;
  }

  /** Channels, without those sent from a cleared isolate unless `all`. */
  private channelList(all: boolean): ChannelSnapshot[] {
    const out: ChannelSnapshot[] = [];
    for (const c of this.store.channels.values()) if (all || !this.hidden(c.from)) out.push({ ...c });
    return out;
  }

  private portList(all: boolean): ModelSnapshot['ports'] {
    const out: ModelSnapshot['ports'] = [];
    for (const [id, ports] of this.store.ports) if (all || !this.hidden(id)) out.push(...ports);
    return out;
  }

  /** Whether "Clear exited" took isolate `id` out of the views (one that runs again, after a reconnect, is back). */
  private hidden(id: string): boolean {
    return this.clearedIsolates.has(id) && this.store.isolates.get(id)?.snap.state !== 'running';
  }

  /** An isolate's name as findings quote it: controls and bidi overrides shown as code points (names.ts). */
  private nameOf = (id: string): string => {
    const snap = this.store.isolates.get(id)?.snap;
    return snap ? displayName(snap) : visibleControls(id);
  };

  private receiverOf = (channelId: string): string | null => this.store.channels.get(channelId)?.to ?? null;

  private runtimeOf = (id: string): RuntimeKind | null => this.store.isolates.get(id)?.snap.runtime ?? null;

  private findings(): Finding[] {
    const out: Finding[] = [];
    // Merge call-site aggregates into the per-location oversized aggregates.
    const bySite = new Map<
      string,
      { sends: number; copied: number; transferable: number; max: number; loc: SourceLocation; iso: string }
    >();
    for (const c of this.store.callSites.values()) {
      const k = `${c.file}:${c.line}:${c.column}`;
      const prev = bySite.get(k);
      if (prev) {
        prev.sends += c.sends;
        prev.copied += c.bytesCopied;
        prev.transferable += c.transferableBytes;
        prev.max = Math.max(prev.max, c.maxMessageBytes);
      } else {
        const { file, line, column, generated } = c;
        const loc: SourceLocation = generated ? { file, line, column, generated } : { file, line, column };
        bySite.set(k, {
          sends: c.sends,
          copied: c.bytesCopied,
          transferable: c.transferableBytes,
          max: c.maxMessageBytes,
          loc,
          iso: c.isolateId,
        });
      }
    }
    const aggs = new Map(this.store.oversized);
    for (const [k, site] of bySite) {
      const base = aggs.get(k);
      if (!base && site.max <= this.oversizedBytes) continue;
      const agg = base ? { ...base, payers: new Map(base.payers) } : { ...emptyFromSite(k, site) };
      agg.sitesSends = site.sends;
      agg.sitesBytesCopied = site.copied;
      agg.sitesTransferableBytes = site.transferable;
      aggs.set(k, agg);
    }
    for (const [k, agg] of aggs) {
      // Aggregated under a lower threshold that has since been raised: no longer oversized.
      if (Math.max(agg.maxBytes, bySite.get(k)?.max ?? 0) <= this.oversizedBytes) continue;
      out.push(oversizedFinding(agg, this.oversizedBytes, this.nameOf, this.receiverOf, this.runtimeOf));
    }
    for (const e of this.store.isolates.values()) {
      const delay = this.store.inboundDelay(e);
      const f = backlogFinding(
        {
          isolateId: e.snap.id,
          name: displayName(e.snap),
          location: e.snap.spawnSite,
          maxQueueDepth: e.snap.maxQueueDepth,
          recentDepths: e.series.recent(this.backlog.growingSamples).map((p) => p.queueDepth),
          delayMsP95: delay.p95,
          delayMsMax: delay.max,
        },
        this.backlog,
      );
      if (f) out.push(f);
    }
    for (const input of this.churnGroups()) {
      const f = churnFinding(input, this.churn);
      if (f) out.push(f);
    }
    return out.sort((a, b) => b.totalBytes - a.totalBytes || b.count - a.count);
  }

  /**
   * Short-lived worker isolates grouped by where they were started (by session and name when the
   * spawn site is unknown, as for Dart isolates), for the `worker-churn` rule.
   */
  private churnGroups(): ChurnInput[] {
    const groups = new Map<string, ChurnInput>();
    for (const { snap } of this.store.isolates.values()) {
      if (snap.kind !== 'worker' || snap.exitedAtMs === null) continue;
      const lifetime = snap.exitedAtMs - snap.startedAtMs;
      if (!(lifetime < this.churn.shortLifetimeMs)) continue;
      const site = snap.spawnSite;
      const key = site ? `${site.file}:${site.line}:${site.column}` : `${snap.sessionId}\u0000${snap.name}`;
      let g = groups.get(key);
      if (!g) {
        g = {
          key,
          location: site,
          runtime: snap.runtime,
          names: [],
          spans: [],
          isolateId: snap.parentId ?? snap.id,
        };
        groups.set(key, g);
      }
      if (g.names.length < 3) g.names.push(displayName(snap));
      g.spans.push({ startMs: snap.startedAtMs, exitMs: snap.exitedAtMs });
    }
    return [...groups.values()];
  }

  private drops(): DropCounters {
    return {
      framesRejected: this.framesRejected,
      agentRecordsDropped: this.agentRecordsDropped + this.applier.dropped,
      ledgerEvicted: this.store.ledger.evicted,
      entitiesEvicted: this.store.entitiesEvicted,
      ...(this.channelsNotCounted > 0 ? { channelsNotCounted: this.channelsNotCounted } : {}),
    };
  }
}

/** An exited isolate does no work: no CPU share, no message or copy rates. */
function stopRates(snap: IsolateSnapshot): void {
  snap.cpuPercent = null;
  snap.msgsInPerSec = 0;
  snap.msgsOutPerSec = 0;
  snap.bytesCopiedPerSec = 0;
}

function emptyFromSite(
  key: string,
  site: { max: number; transferable: number; loc: SourceLocation; iso: string; sends: number; copied: number },
) {
  // Only call-site counters are known here (no message record crossed the threshold).
  return {
    key,
    location: site.loc,
    count: 0,
    totalBytes: 0,
    maxBytes: site.max,
    maxTypedArrayBytes: site.sends > 0 ? Math.min(site.max, site.transferable / site.sends) : 0,
    typedArrayBytesTotal: site.transferable,
    payers: new Map([[site.iso, site.copied]]),
    channels: new Set<string>(),
    shape: '',
    sitesSends: 0,
    sitesBytesCopied: 0,
    sitesTransferableBytes: 0,
  };
}

function sitesOf(r: AgentRecord): CallSite[] {
  switch (r.type) {
    case 'message':
      return r.callSite ? [r.callSite] : [];
    case 'call-site':
      return [r.site];
    case 'isolate-start':
      return r.spawnSite ? [r.spawnSite] : [];
    default:
      return [];
  }
}
