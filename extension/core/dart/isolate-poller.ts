/**
 * The per-isolate half of a poll: reads the timeline clock and the shared group heaps once, then
 * samples every live isolate one at a time. One isolate's trouble stays its own: an error or a
 * timeout while sampling it is counted and logged (rate-limited), what was fetched before it is
 * kept, an isolate that does not answer in time (blocked in a long synchronous or native call) is
 * skipped for a while, and the others are sampled as usual. Optional RPCs the VM service lacks
 * are switched off (see optional-rpcs.ts) so memory keeps flowing.
 */
import type { AgentRecord, EpochMs, Micros } from '../../../protocol';
import { ConnectionClosedError, RpcTimeoutError } from './connection';
import { CpuTimeAccumulator } from './cpu-time';
import type { IsolateRegistry, KnownIsolate } from './isolate-registry';
import { sampleIsolate, type TickContext } from './isolate-sampler';
import { OptionalRpcs, type OptionalRpc } from './optional-rpcs';
import type { ThrottledLog } from './throttled-log';
import { CLOSE_MESSAGE_TOO_BIG } from './transport';
import type { VmService } from './vm-service';
import { isSentinel, type MemoryUsage } from './vm-types';

/** The counters the poller keeps (part of `DartSourceStats`). */
export interface PollerStats {
  isolatesExited: number;
  isolateGoneMidRequest: number;
  /** Polls that failed, plus isolates whose sample failed or timed out. */
  pollErrors: number;
  /** Isolate samples that timed out (the isolate is then skipped for a while). */
  isolateTimeouts: number;
  profiler: 'enabled' | 'disabled' | 'unknown';
}

/** What the poller works with. */
export interface IsolatePollerDeps {
  registry: IsolateRegistry;
  stats: PollerStats;
  ingest(record: AgentRecord): void;
  log(message: string): void;
  throttled: ThrottledLog;
}

/** What is lost while an optional RPC is off, for the log line that says so. */
const lostWithout: Record<OptionalRpc, string> = {
  getVMTimelineMicros: 'CPU time is not shown',
  getCpuSamples: 'CPU time is not shown',
  getStack: 'its queue depth is no longer updated',
  getPorts: 'open ports are not shown',
  getIsolateGroupMemoryUsage: 'memory comes from getMemoryUsage instead',
  getIsolateGroup: 'isolate groups are not known',
};

/** First wait before asking an isolate that timed out again; doubles up to `maxSkipMs`. */
const firstSkipMs = 2000;
const maxSkipMs = 60_000;

/** Samples the live isolates of one attached VM, tick after tick. */
export class IsolatePoller {
  /** The optional RPCs still worth asking (shared with the source's group lookups). */
  readonly rpcs: OptionalRpcs;
  /** Timeline clock at attach; null until the VM answered `getVMTimelineMicros` once. */
  private cpuOriginMicros: Micros | null = null;

  constructor(private readonly deps: IsolatePollerDeps) {
    this.rpcs = new OptionalRpcs({
      onError: (rpc, scope, err) => {
        deps.stats.pollErrors++;
        deps.throttled.report(`${rpc}:${scope ?? ''}`, `${this.label(scope)}: ${err.message}`);
      },
      onSwitchedOff: (rpc, scope, why) => {
        const where = scope === null ? '' : ` for ${this.label(scope)}`;
        deps.log(`${rpc} is switched off${where}: ${why}; ${lostWithout[rpc]}`);
      },
    });
  }

  /** Where CPU time of a new isolate starts counting (the timeline clock at attach). */
  get originMicros(): Micros {
    return this.cpuOriginMicros ?? 0;
  }

  /**
   * The timeline clock now, or null when CPU time cannot be measured this tick. The first
   * answer becomes the CPU origin: CPU time counts from there, for every isolate.
   */
  async timelineNow(service: VmService): Promise<Micros | null> {
    if (!service.supports('getVMTimelineMicros') || !service.supports('getCpuSamples')) return null;
    if (!this.rpcs.available('getCpuSamples')) return null;
    const answer = await this.rpcs.call('getVMTimelineMicros', null, () => service.getVMTimelineMicros());
    const now = typeof answer?.timestamp === 'number' && Number.isFinite(answer.timestamp) ? answer.timestamp : null;
    if (now === null || this.cpuOriginMicros !== null) return now;
    this.cpuOriginMicros = now;
    for (const iso of this.deps.registry.all()) iso.cpu = new CpuTimeAccumulator(now);
    return null;
  }

  /** Samples every live isolate that is not being skipped; true when something changed. */
  async sampleAll(service: VmService, atMs: EpochMs, cancelled: () => boolean): Promise<boolean> {
    const { registry, stats } = this.deps;
    const nowMicros = await this.timelineNow(service);
    const ctx: TickContext = {
      atMs,
      nowMicros,
      groupMemory: await this.groupMemory(service),
      groupSize: (g) => registry.groupSize(g),
    };
    let changed = false;
    // One isolate at a time: a tick costs the VM a handful of small requests, never a burst.
    for (const iso of registry.all()) {
      if (cancelled()) break;
      if (iso.skipUntilMs > Date.now()) continue;
      if (await this.sampleOne(service, iso, ctx)) changed = true;
    }
    const cpuOff = !this.rpcs.available('getCpuSamples');
    stats.profiler = cpuOff ? 'disabled' : nowMicros !== null ? 'enabled' : 'unknown';
    return changed;
  }

  /** "isolate main (isolates/1)" for a live isolate's id, the scope itself otherwise. */
  private label(scope: string | null): string {
    const iso = scope === null ? undefined : this.deps.registry.get(scope);
    return iso ? `isolate ${iso.name} (${iso.id})` : (scope ?? 'VM');
  }

  /** Samples one isolate and ingests what it got; true when something changed. */
  private async sampleOne(service: VmService, iso: KnownIsolate, ctx: TickContext): Promise<boolean> {
    let outcome;
    try {
      outcome = await sampleIsolate(service, this.rpcs, iso, ctx);
    } catch (err) {
      this.sampleFailed(iso, err);
      return false;
    }
    switch (outcome.type) {
      case 'gone':
        this.deps.stats.isolateGoneMidRequest++;
        this.deps.stats.isolatesExited++;
        this.deps.registry.exit(iso.id, Date.now());
        return true;
      case 'not-runnable':
        return false;
      case 'sampled': {
        for (const r of outcome.records) this.deps.ingest(r);
        const changed = outcome.signature !== iso.lastSignature;
        iso.lastSignature = outcome.signature;
        if (outcome.failure !== null) this.sampleFailed(iso, outcome.failure);
        else iso.timeoutsInARow = 0;
        return changed;
      }
      default: {
        const never: never = outcome;
        return never;
      }
    }
  }

  /**
   * One isolate's sample failed: counted and logged, and an isolate that did not answer in time
   * is skipped for a while. A closed connection ends the tick (rethrown).
   */
  private sampleFailed(iso: KnownIsolate, err: unknown): void {
    if (err instanceof ConnectionClosedError) {
      // An answer over the payload cap closes the socket (ws cannot skip a frame). A getStack
      // answer gets that large when the queue is very deep: stop asking for this isolate's
      // queue; the connection layer reconnects in the same session (connect.ts).
      if (err.closeCode === CLOSE_MESSAGE_TOO_BIG && err.method === 'getStack') {
        this.rpcs.switchOff('getStack', iso.id, `its message queue is too deep to fetch (${err.reason})`);
      }
      throw err;
    }
    const { stats, throttled } = this.deps;
    stats.pollErrors++;
    if (!(err instanceof RpcTimeoutError)) {
      throttled.report(`error:${iso.id}`, `${this.label(iso.id)}: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    stats.isolateTimeouts++;
    iso.timeoutsInARow++;
    const skipMs = Math.min(maxSkipMs, firstSkipMs * 2 ** (iso.timeoutsInARow - 1));
    iso.skipUntilMs = Date.now() + skipMs;
    throttled.report(
      `timeout:${iso.id}`,
      `${this.label(iso.id)}: ${err.message}; it may be blocked in a long synchronous or native call ` +
        `(asking again in ${skipMs / 1000} s)`,
    );
  }

  /** The shared heap of each group that has more than one live isolate, fetched once per tick. */
  private async groupMemory(service: VmService): Promise<Map<string, MemoryUsage>> {
    const { registry } = this.deps;
    const out = new Map<string, MemoryUsage>();
    const groups = new Set(
      registry
        .all()
        .map((i) => i.groupId)
        .filter((g): g is string => g !== null && registry.groupSize(g) > 1),
    );
    for (const g of groups) {
      // Without it (older VMs, some services), per-isolate getMemoryUsage reports the same shared heap.
      const mem = await this.rpcs.call('getIsolateGroupMemoryUsage', g, () => service.getIsolateGroupMemoryUsage(g));
      if (mem && !isSentinel(mem)) out.set(g, mem);
    }
    return out;
  }
}
