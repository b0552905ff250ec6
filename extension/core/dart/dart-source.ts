/**
 * The Dart source: turns one VM-service connection into the common model's records. It
 * subscribes to the `Isolate` stream (lifecycle) and the `Extension` stream (the Dart agent's
 * events), and polls adaptively for memory, CPU, queue and ports (isolate-poller.ts). It feeds
 * the model only through `openSession` / `ingest` / `closeSession`.
 *
 * Times are the host's: events are stamped when they arrive, since the VM's clock (a phone's)
 * can be minutes off the host clock that stamps the polls.
 */
import type { AgentRecord, EpochMs } from '../../../protocol';
import { parseAgentEvent } from './agent-events';
import { isRow, text } from './coerce';
import { ConnectionClosedError, ProtocolError, RpcErrorCode } from './connection';
import { IsolatePoller, type PollerStats } from './isolate-poller';
import { IsolateRegistry } from './isolate-registry';
import { PollLoop, type TickResult } from './poll-loop';
import { SendAggregator } from './send-aggregator';
import { ThrottledLog } from './throttled-log';
import type { VmService } from './vm-service';
import { isSentinel, type VM, type VmEvent } from './vm-types';

/** The part of the model a source may touch (IsolateModel satisfies it). */
export interface ModelSink {
  openSession(info: {
    id: string;
    runtime: 'node' | 'dart';
    label: string;
    pid: number | null;
    startedAtMs: EpochMs;
    runtimeVersion: string;
  }): void;
  ingest(sessionId: string, record: AgentRecord): void;
  closeSession(sessionId: string, atMs: EpochMs, opts?: { isolatesRunOn?: boolean }): void;
}

/** Counters a user (or a test) can read to see what the source skipped. */
export interface DartSourceStats extends PollerStats {
  polls: number;
  pollIntervalMs: number;
  isolatesSeen: number;
  unknownEvents: number;
  foreignExtensionEvents: number;
  agentEvents: number;
  /** Agent events naming an isolate the VM never listed (dropped: they would make up isolates). */
  unknownIsolateEvents: number;
  /** Optional RPCs switched off, as `method` or `method (isolate or group id)`. */
  unavailableRpcs: string[];
}

export interface DartSourceOptions {
  service: VmService;
  model: ModelSink;
  sessionId: string;
  label: string;
  baseIntervalMs?: number;
  maxIntervalMs?: number;
  log?: (message: string) => void;
}

/** One attached VM feeding one model session. */
export class DartVmSource {
  private readonly registry: IsolateRegistry;
  private readonly poller: IsolatePoller;
  private readonly sends = new SendAggregator();
  private readonly loop: PollLoop;
  private readonly log: (message: string) => void;
  private readonly throttled: ThrottledLog;
  private service: VmService;
  private closed = false;
  private stopping: Promise<void> | null = null;
  private readonly counters: Omit<DartSourceStats, 'pollIntervalMs' | 'unavailableRpcs'> = {
    polls: 0,
    isolatesSeen: 0,
    isolatesExited: 0,
    unknownEvents: 0,
    foreignExtensionEvents: 0,
    agentEvents: 0,
    unknownIsolateEvents: 0,
    isolateGoneMidRequest: 0,
    pollErrors: 0,
    isolateTimeouts: 0,
    profiler: 'unknown',
  };

  constructor(private readonly opts: DartSourceOptions) {
    this.service = opts.service;
    this.log = opts.log ?? (() => undefined);
    this.throttled = new ThrottledLog(this.log);
    this.registry = new IsolateRegistry(
      (r) => this.ingest(r),
      () => this.poller.originMicros,
    );
    this.poller = new IsolatePoller({
      registry: this.registry,
      stats: this.counters,
      ingest: (r) => this.ingest(r),
      log: this.log,
      throttled: this.throttled,
    });
    this.loop = new PollLoop(
      (cancelled) => this.tick(cancelled),
      { baseIntervalMs: opts.baseIntervalMs ?? 500, maxIntervalMs: opts.maxIntervalMs ?? 4000 },
      (err) => {
        if (err instanceof ConnectionClosedError) return; // the connection layer reports the close
        this.counters.pollErrors++;
        this.throttled.report('poll', `poll failed: ${err instanceof Error ? err.message : String(err)}`);
      },
    );
  }

  /** A snapshot of the counters, with the current poll interval. */
  get stats(): DartSourceStats {
    return { ...this.counters, pollIntervalMs: this.loop.intervalMs, unavailableRpcs: this.poller.rpcs.unavailable };
  }

  /** Opens the model session, subscribes to streams, records the isolates present, starts polling. */
  async start(): Promise<VM> {
    const { model, sessionId, label } = this.opts;
    const service = this.service;
    const version = await service.getVersion();
    const vm = await service.getVM();
    await this.poller.timelineNow(service);
    model.openSession({
      id: sessionId,
      runtime: 'dart',
      label,
      pid: typeof vm.pid === 'number' && Number.isFinite(vm.pid) ? vm.pid : null,
      startedAtMs: Date.now(),
      runtimeVersion: text(`Dart ${text(vm.version, '?')} (VM service ${version.major}.${version.minor})`, 'Dart'),
    });
    await this.subscribe(service);
    await this.reconcile(vm, Date.now());
    this.loop.start();
    return vm;
  }

  /**
   * Carries on over a new connection to the same VM, in the same model session: after the old
   * one was closed because an answer was larger than the payload cap (see `IsolatePoller`).
   */
  async resume(service: VmService): Promise<void> {
    await service.getVersion();
    this.service = service;
    await this.subscribe(service);
    this.loop.poke();
  }

  /**
   * Stops polling and closes the model session; safe to call twice. Its running isolates are
   * marked exited then (the VM went away), unless `isolatesRunOn` (a detach from a VM that keeps
   * running: they stay running, `exitedAtMs` null).
   */
  stop(atMs: EpochMs = Date.now(), opts: { isolatesRunOn?: boolean } = {}): Promise<void> {
    this.stopping ??= this.finish(atMs, opts.isolatesRunOn === true);
    return this.stopping;
  }

  private async finish(atMs: EpochMs, isolatesRunOn: boolean): Promise<void> {
    await this.loop.stop();
    for (const r of this.sends.flush()) this.ingest(r);
    this.closed = true;
    this.registry.clear();
    this.sends.clear();
    this.opts.model.closeSession(this.opts.sessionId, atMs, { isolatesRunOn });
  }

  private ingest(record: AgentRecord): void {
    if (!this.closed) this.opts.model.ingest(this.opts.sessionId, record);
  }

  /** Listens to the `Isolate` and `Extension` streams of `service`. */
  private async subscribe(service: VmService): Promise<void> {
    service.connection.onEvent((streamId, event) => this.handleEvent(streamId, event as unknown as VmEvent));
    for (const stream of ['Isolate', 'Extension']) {
      try {
        await service.streamListen(stream);
      } catch (err) {
        // 103: another part of this client already listens (e.g. after reconnect); events still come.
        if (!(err instanceof ProtocolError && err.code === RpcErrorCode.streamAlreadySubscribed)) throw err;
      }
    }
  }

  private handleEvent(streamId: string, event: VmEvent): void {
    if (this.closed) return;
    const ref = event.isolate;
    // The host clock, not `event.timestamp`: the device's clock may be far off the host's.
    const atMs = Date.now();
    if (streamId === 'Isolate' && ref && typeof ref.id === 'string') {
      switch (event.kind) {
        case 'IsolateStart':
          if (this.registry.start(ref, atMs, null)) this.counters.isolatesSeen++;
          this.loop.poke();
          return;
        case 'IsolateExit':
          if (this.registry.get(ref.id)) this.counters.isolatesExited++;
          this.registry.exit(ref.id, atMs);
          return;
        case 'IsolateUpdate':
          if (ref.name !== undefined) this.registry.enrich(ref.id, { name: ref.name });
          return;
        case 'IsolateRunnable':
        case 'IsolateReload':
        case 'ServiceExtensionAdded':
          return;
        default:
          this.counters.unknownEvents++;
          return;
      }
    }
    if (streamId === 'Extension' && event.kind === 'Extension') {
      const parsed = parseAgentEvent(event);
      if (!parsed) {
        this.counters.foreignExtensionEvents++;
        return;
      }
      if (!this.registry.get(parsed.isolateId)) {
        // Only isolates the VM listed (getVM, or the Isolate stream, whose IsolateStart comes
        // before the isolate runs any code) are real: an event naming another one would make up
        // a placeholder isolate, and a flood of them would push real isolates out of the model.
        this.counters.unknownIsolateEvents++;
        return;
      }
      this.counters.agentEvents++;
      switch (parsed.type) {
        case 'send':
          this.ingest(this.sends.add({ ...parsed, atMs }));
          return;
        case 'isolate':
          this.registry.enrich(parsed.isolateId, {
            name: parsed.debugName,
            parentId: parsed.parentIsolateId,
            spawnSite: parsed.spawnSite,
          });
          return;
        default: {
          const never: never = parsed;
          return never;
        }
      }
    }
    this.counters.unknownEvents++;
  }

  /** Records isolates the VM lists that we have not seen, and exits the ones it no longer lists. */
  private async reconcile(vm: VM, atMs: EpochMs): Promise<boolean> {
    const refs = (Array.isArray(vm.isolates) ? vm.isolates : []).filter(
      (r) => typeof r?.id === 'string' && !r.isSystemIsolate,
    );
    const gone = this.registry.reconcile(new Set(refs.map((r) => r.id)), atMs);
    this.counters.isolatesExited += gone;
    let changed = gone > 0;
    const memberOf = new Map<string, string>();
    const needGroups = refs.some((r) => typeof r.isolateGroupId !== 'string');
    if (needGroups && !this.service.supports('isolateGroupId')) {
      for (const g of Array.isArray(vm.isolateGroups) ? (vm.isolateGroups as unknown[]) : []) {
        // A malformed entry (null, no id) is skipped, not a TypeError that ends the attach.
        if (!isRow(g) || typeof g.id !== 'string') continue;
        const id = g.id;
        const group = await this.poller.rpcs.call('getIsolateGroup', id, () => this.service.getIsolateGroup(id));
        if (!isRow(group) || isSentinel(group)) continue;
        for (const member of Array.isArray(group.isolates) ? (group.isolates as unknown[]) : [])
          if (isRow(member) && typeof member.id === 'string') memberOf.set(member.id, id);
      }
    }
    for (const ref of refs) {
      const groupId = typeof ref.isolateGroupId === 'string' ? ref.isolateGroupId : (memberOf.get(ref.id) ?? null);
      if (this.registry.start(ref, atMs, groupId)) {
        this.counters.isolatesSeen++;
        changed = true;
      } else if (groupId !== null) this.registry.setGroup(ref.id, groupId);
    }
    return changed;
  }

  private async tick(cancelled: () => boolean): Promise<TickResult> {
    const service = this.service;
    const atMs = Date.now();
    this.counters.polls++;
    let changed = await this.reconcile(await service.getVM(), atMs);
    if (await this.poller.sampleAll(service, atMs, cancelled)) changed = true;
    const aggregates = this.sends.flush();
    for (const r of aggregates) this.ingest(r);
    return { changed: changed || aggregates.length > 0 };
  }
}
