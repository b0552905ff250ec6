/**
 * The Dart source: turns one VM-service connection into the common model's records. It
 * subscribes to the `Isolate` stream (lifecycle) and the `Extension` stream (the Dart agent's
 * events), and polls adaptively for memory, CPU, queue and ports. It feeds the model only
 * through `openSession` / `ingest` / `closeSession`.
 */
import type { AgentRecord, EpochMs, Micros } from '../../../protocol';
import { parseAgentEvent } from './agent-events';
import { ConnectionClosedError, ProtocolError, RpcErrorCode } from './connection';
import { IsolateRegistry } from './isolate-registry';
import { sampleIsolate, type SamplerFeatures, type TickContext } from './isolate-sampler';
import { PollLoop, type TickResult } from './poll-loop';
import { SendAggregator } from './send-aggregator';
import type { VmService } from './vm-service';
import { isSentinel, type MemoryUsage, type VM, type VmEvent } from './vm-types';

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
  closeSession(sessionId: string, atMs: EpochMs): void;
}

/** Counters a user (or a test) can read to see what the source skipped. */
export interface DartSourceStats {
  polls: number;
  pollIntervalMs: number;
  isolatesSeen: number;
  isolatesExited: number;
  unknownEvents: number;
  foreignExtensionEvents: number;
  agentEvents: number;
  isolateGoneMidRequest: number;
  pollErrors: number;
  profiler: 'enabled' | 'disabled' | 'unknown';
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
  private readonly sends = new SendAggregator();
  private readonly features: SamplerFeatures = { profilerDisabled: false, portsUnsupported: false };
  private readonly loop: PollLoop;
  private readonly log: (message: string) => void;
  private cpuOriginMicros: Micros = 0;
  private groupMemoryUnsupported = false;
  private closed = false;
  private stopping: Promise<void> | null = null;
  readonly stats: DartSourceStats = {
    polls: 0,
    pollIntervalMs: 0,
    isolatesSeen: 0,
    isolatesExited: 0,
    unknownEvents: 0,
    foreignExtensionEvents: 0,
    agentEvents: 0,
    isolateGoneMidRequest: 0,
    pollErrors: 0,
    profiler: 'unknown',
  };

  constructor(private readonly opts: DartSourceOptions) {
    this.log = opts.log ?? (() => undefined);
    this.registry = new IsolateRegistry(
      (r) => this.ingest(r),
      () => this.cpuOriginMicros,
    );
    this.loop = new PollLoop(
      (cancelled) => this.tick(cancelled),
      { baseIntervalMs: opts.baseIntervalMs ?? 500, maxIntervalMs: opts.maxIntervalMs ?? 4000 },
      (err) => {
        if (err instanceof ConnectionClosedError) return; // the connection layer reports the close
        this.stats.pollErrors++;
        this.log(`poll failed: ${err instanceof Error ? err.message : String(err)}`);
      },
    );
  }

  /** Opens the model session, subscribes to streams, records the isolates present, starts polling. */
  async start(): Promise<VM> {
    const { service, model, sessionId, label } = this.opts;
    const version = await service.getVersion();
    const vm = await service.getVM();
    if (service.supports('getVMTimelineMicros')) this.cpuOriginMicros = (await service.getVMTimelineMicros()).timestamp;
    model.openSession({
      id: sessionId,
      runtime: 'dart',
      label,
      pid: typeof vm.pid === 'number' ? vm.pid : null,
      startedAtMs: Date.now(),
      runtimeVersion: `Dart ${vm.version ?? '?'} (VM service ${version.major}.${version.minor})`,
    });
    service.connection.onEvent((streamId, event) => this.handleEvent(streamId, event as unknown as VmEvent));
    for (const stream of ['Isolate', 'Extension']) {
      try {
        await service.streamListen(stream);
      } catch (err) {
        // 103: another part of this client already listens (e.g. after reconnect); events still come.
        if (!(err instanceof ProtocolError && err.code === RpcErrorCode.streamAlreadySubscribed)) throw err;
      }
    }
    await this.reconcile(vm, Date.now());
    this.loop.start();
    return vm;
  }

  /** Stops polling and closes the model session; safe to call twice. */
  stop(atMs: EpochMs = Date.now()): Promise<void> {
    this.stopping ??= this.finish(atMs);
    return this.stopping;
  }

  private async finish(atMs: EpochMs): Promise<void> {
    await this.loop.stop();
    for (const r of this.sends.flush()) this.ingest(r);
    this.closed = true;
    this.registry.clear();
    this.sends.clear();
    this.opts.model.closeSession(this.opts.sessionId, atMs);
  }

  private ingest(record: AgentRecord): void {
    if (!this.closed) this.opts.model.ingest(this.opts.sessionId, record);
  }

  private handleEvent(streamId: string, event: VmEvent): void {
    if (this.closed) return;
    const ref = event.isolate;
    const atMs = typeof event.timestamp === 'number' ? event.timestamp : Date.now();
    if (streamId === 'Isolate' && ref && typeof ref.id === 'string') {
      switch (event.kind) {
        case 'IsolateStart':
          if (this.registry.start(ref, atMs, null)) this.stats.isolatesSeen++;
          this.loop.poke();
          return;
        case 'IsolateExit':
          if (this.registry.get(ref.id)) this.stats.isolatesExited++;
          this.registry.exit(ref.id, atMs);
          return;
        case 'IsolateUpdate':
          if (typeof ref.name === 'string') this.registry.enrich(ref.id, { name: ref.name });
          return;
        case 'IsolateRunnable':
        case 'IsolateReload':
        case 'ServiceExtensionAdded':
          return;
        default:
          this.stats.unknownEvents++;
          return;
      }
    }
    if (streamId === 'Extension' && event.kind === 'Extension') {
      const parsed = parseAgentEvent(event);
      if (!parsed) {
        this.stats.foreignExtensionEvents++;
        return;
      }
      this.stats.agentEvents++;
      switch (parsed.type) {
        case 'send':
          this.ingest(this.sends.add(parsed));
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
    this.stats.unknownEvents++;
  }

  /** Records isolates the VM lists that we have not seen, and exits the ones it no longer lists. */
  private async reconcile(vm: VM, atMs: EpochMs): Promise<boolean> {
    const refs = (Array.isArray(vm.isolates) ? vm.isolates : []).filter((r) => !r.isSystemIsolate);
    const gone = this.registry.reconcile(new Set(refs.map((r) => r.id)), atMs);
    this.stats.isolatesExited += gone;
    let changed = gone > 0;
    const memberOf = new Map<string, string>();
    const needGroups = refs.some((r) => r.isolateGroupId === undefined);
    if (needGroups && !this.opts.service.supports('isolateGroupId')) {
      for (const g of vm.isolateGroups ?? []) {
        const group = await this.opts.service.getIsolateGroup(g.id);
        if (isSentinel(group)) continue;
        for (const member of group.isolates ?? []) memberOf.set(member.id, g.id);
      }
    }
    for (const ref of refs) {
      const groupId = ref.isolateGroupId ?? memberOf.get(ref.id) ?? null;
      if (this.registry.start(ref, atMs, groupId)) {
        this.stats.isolatesSeen++;
        changed = true;
      } else if (groupId !== null) this.registry.setGroup(ref.id, groupId);
    }
    return changed;
  }

  private async tick(cancelled: () => boolean): Promise<TickResult> {
    const { service } = this.opts;
    const atMs = Date.now();
    this.stats.polls++;
    let changed = await this.reconcile(await service.getVM(), atMs);
    const nowMicros =
      !this.features.profilerDisabled && service.supports('getCpuSamples')
        ? (await service.getVMTimelineMicros()).timestamp
        : null;
    const ctx: TickContext = {
      atMs,
      nowMicros,
      groupMemory: await this.groupMemory(),
      groupSize: (g) => this.registry.groupSize(g),
    };
    // One isolate at a time: a tick costs the VM a handful of small requests, never a burst.
    for (const iso of this.registry.all()) {
      if (cancelled()) break;
      const outcome = await sampleIsolate(service, iso, ctx, this.features);
      switch (outcome.type) {
        case 'gone':
          this.stats.isolateGoneMidRequest++;
          this.stats.isolatesExited++;
          this.registry.exit(iso.id, Date.now());
          changed = true;
          break;
        case 'not-runnable':
          break;
        case 'sampled':
          for (const r of outcome.records) this.ingest(r);
          if (outcome.signature !== iso.lastSignature) changed = true;
          iso.lastSignature = outcome.signature;
          break;
        default: {
          const never: never = outcome;
          return never;
        }
      }
    }
    this.stats.profiler = this.features.profilerDisabled ? 'disabled' : nowMicros !== null ? 'enabled' : 'unknown';
    const aggregates = this.sends.flush();
    for (const r of aggregates) this.ingest(r);
    this.stats.pollIntervalMs = this.loop.intervalMs;
    return { changed: changed || aggregates.length > 0 };
  }

  /** The shared heap of each group that has more than one live isolate, fetched once per tick. */
  private async groupMemory(): Promise<Map<string, MemoryUsage>> {
    const out = new Map<string, MemoryUsage>();
    if (this.groupMemoryUnsupported) return out;
    const groups = new Set(
      this.registry
        .all()
        .map((i) => i.groupId)
        .filter((g): g is string => g !== null && this.registry.groupSize(g) > 1),
    );
    for (const g of groups) {
      try {
        const mem = await this.opts.service.getIsolateGroupMemoryUsage(g);
        if (!isSentinel(mem)) out.set(g, mem);
      } catch (err) {
        // Older VMs lack the RPC; per-isolate getMemoryUsage reports the same shared heap.
        if (err instanceof ProtocolError && err.code === RpcErrorCode.methodNotFound)
          this.groupMemoryUnsupported = true;
        else throw err;
      }
    }
    return out;
  }
}
