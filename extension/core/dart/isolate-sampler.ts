/**
 * One poll of one isolate: memory (the shared group heap where isolates share one), the pending
 * message queue from `getStack`, CPU time from profiler samples, and open ports from `getPorts`.
 * Memory comes first and is required; the rest are optional RPCs (see optional-rpcs.ts). When a
 * later call fails or times out, what was fetched before it is still returned, with the failure:
 * one slow or failing call never throws away the isolate's memory. An isolate that exits
 * mid-request answers with a Sentinel (or error 105 while it is not runnable): the sampler
 * reports that instead of throwing, and the caller exits it.
 */
import type { AgentRecord, EpochMs, IsolateSampleRecord, Micros, PortRecord } from '../../../protocol';
import { bytes, clip, finite, isRow, text } from './coerce';
import { ProtocolError, RpcErrorCode } from './connection';
import type { KnownIsolate } from './isolate-registry';
import type { OptionalRpcs } from './optional-rpcs';
import type { VmService } from './vm-service';
import { isSentinel, type MemoryUsage, type PortList, type QueuedMessage, type Sentinel } from './vm-types';

/** The outcome of sampling one isolate. */
export type SampleOutcome =
  /** `failure`: the error that cut the sample short (the records hold what came before it), or null. */
  | { type: 'sampled'; records: AgentRecord[]; signature: string; failure: unknown }
  | { type: 'gone' } // Sentinel: the isolate exited
  | { type: 'not-runnable' }; // error 105: try again next tick

/** Shared state for one tick: the timeline clock and per-group memory fetched once. */
export interface TickContext {
  atMs: EpochMs;
  /** Timeline clock now, or null when CPU sampling is off for this tick. */
  nowMicros: Micros | null;
  /** Group heap per group id (fetched once per tick for groups with >1 isolate). */
  groupMemory: Map<string, MemoryUsage>;
  groupSize(groupId: string | null): number;
}

const maxQueueRows = 200;
const maxPortRows = 200;

/** Thrown inside a sample when an answer is a Sentinel: the isolate is gone. */
class IsolateGone extends Error {}

/** Samples one isolate; never throws for Sentinel / 105 / optional-RPC errors. */
export async function sampleIsolate(
  service: VmService,
  rpcs: OptionalRpcs,
  iso: KnownIsolate,
  ctx: TickContext,
): Promise<SampleOutcome> {
  try {
    // Required: when memory cannot be had, nothing is known about this isolate this tick.
    const shared = ctx.groupSize(iso.groupId) > 1;
    const groupMem = iso.groupId !== null ? ctx.groupMemory.get(iso.groupId) : undefined;
    const memory = live(shared && groupMem ? groupMem : await service.getMemoryUsage(iso.id));

    const steps = new OptionalSteps();
    const stack = await steps.run(async () =>
      liveOrNull(await rpcs.call('getStack', iso.id, () => service.getStack(iso.id, 1))),
    );
    const messages = stack && Array.isArray(stack.messages) ? stack.messages : null;
    if (messages) iso.lastQueueDepth = messages.length;
    const cpuTimeMicros = await steps.run(() => cpuTime(service, rpcs, iso, ctx.nowMicros));
    const records: AgentRecord[] = [];
    // The queue record first: the model takes the depth from the last record, and the sample
    // carries the full depth while the queue record keeps only the first rows.
    if (messages) records.push(queueRecord(iso.id, ctx.atMs, messages));
    const sample = sampleRecord(iso, ctx.atMs, memory, shared, cpuTimeMicros);
    records.push(sample);
    const ports = service.supports('getPorts')
      ? await steps.run(async () => liveOrNull(await rpcs.call('getPorts', iso.id, () => service.getPorts(iso.id))))
      : null;
    const portRecord = ports ? portsRecord(iso.id, ctx.atMs, ports) : null;
    if (portRecord) records.push(portRecord);

    const signature = [
      sample.heapUsedBytes,
      sample.heapTotalBytes,
      sample.queueDepth,
      (messages ?? []).reduce((sum, m) => sum + (isRow(m) ? bytes(m.size) : 0), 0),
      cpuTimeMicros,
      portRecord?.ports.map((p) => p.portId).join(',') ?? '',
    ].join('|');
    return { type: 'sampled', records, signature, failure: steps.failure };
  } catch (err) {
    if (err instanceof IsolateGone) return { type: 'gone' };
    if (isNotRunnable(err)) return { type: 'not-runnable' };
    throw err;
  }
}

/**
 * The optional steps of one sample, in order. The first failure (a timeout, a closed
 * connection) is kept and the steps after it are skipped, so what came before survives.
 */
class OptionalSteps {
  failure: unknown = null;

  async run<T>(step: () => Promise<T | null>): Promise<T | null> {
    if (this.failure !== null) return null;
    try {
      return await step();
    } catch (err) {
      if (err instanceof IsolateGone || isNotRunnable(err)) throw err;
      this.failure = err;
      return null;
    }
  }
}

function sampleRecord(
  iso: KnownIsolate,
  atMs: EpochMs,
  memory: MemoryUsage,
  shared: boolean,
  cpuTimeMicros: Micros | null,
): IsolateSampleRecord {
  const m: Partial<MemoryUsage> = typeof memory === 'object' && memory !== null ? memory : {};
  return {
    type: 'sample',
    isolateId: iso.id,
    atMs,
    heapUsedBytes: bytes(m.heapUsage),
    heapTotalBytes: bytes(m.heapCapacity),
    externalBytes: bytes(m.externalUsage),
    arrayBuffersBytes: 0,
    heapShared: shared,
    cpuTimeMicros,
    // Without a queue this tick (getStack unavailable or failed), the last depth seen.
    queueDepth: iso.lastQueueDepth,
  };
}

/** Cumulative CPU time after adding this tick's window; null when unavailable. */
async function cpuTime(
  service: VmService,
  rpcs: OptionalRpcs,
  iso: KnownIsolate,
  nowMicros: Micros | null,
): Promise<Micros | null> {
  if (nowMicros === null || !service.supports('getCpuSamples')) return null;
  const start = iso.cpu.windowStartMicros;
  const samples = liveOrNull(
    await rpcs.call('getCpuSamples', iso.id, () =>
      service.getCpuSamples(iso.id, start, Math.max(0, nowMicros - start)),
    ),
  );
  if (!samples) return null;
  iso.cpu.addWindow(samples, nowMicros);
  return iso.cpu.cumulativeMicros;
}

function queueRecord(isolateId: string, atMs: EpochMs, messages: QueuedMessage[]): AgentRecord {
  return {
    type: 'queue',
    isolateId,
    atMs,
    // A row that is not an object (a null from a buggy service) is skipped, not the whole sample.
    messages: messages.slice(0, maxQueueRows).flatMap((m, i) =>
      isRow(m)
        ? [
            {
              index: finite(m.index, i),
              name: text(m.name, ''),
              sizeBytes: bytes(m.size),
              handler: isRow(m.handler) && typeof m.handler.name === 'string' ? clip(m.handler.name) : null,
            },
          ]
        : [],
    ),
  };
}

function portsRecord(isolateId: string, atMs: EpochMs, list: PortList): PortRecord {
  const rows: unknown[] = isRow(list) && Array.isArray(list.ports) ? list.ports : [];
  const ports = rows
    .slice(0, maxPortRows)
    .filter(isRow)
    .map((p) => ({
      portId: text(p.portId ?? p.id, '?'),
      name: text(p.debugName, 'N/A'),
      allocationSite:
        isRow(p.allocationLocation) && typeof p.allocationLocation.valueAsString === 'string'
          ? clip(p.allocationLocation.valueAsString)
          : null,
    }));
  return { type: 'ports', isolateId, atMs, ports };
}

function live<T>(value: T | Sentinel): T {
  if (isSentinel(value)) throw new IsolateGone();
  return value;
}

function liveOrNull<T>(value: T | Sentinel | null): T | null {
  return value === null ? null : live(value);
}

function isNotRunnable(err: unknown): boolean {
  return err instanceof ProtocolError && err.code === RpcErrorCode.isolateMustBeRunnable;
}
