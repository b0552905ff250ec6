/**
 * One poll of one isolate: memory (shared group heap where isolates share one), CPU time from
 * profiler samples, the pending message queue from `getStack`, and open ports from `getPorts`.
 * An isolate that exits mid-request answers with a Sentinel (or error 105 while it is not
 * runnable): the sampler reports that instead of throwing, and the caller exits it.
 */
import type { AgentRecord, EpochMs, Micros } from '../../../protocol';
import { FRAME_LIMITS } from '../../../protocol';
import { ProtocolError, RpcErrorCode } from './connection';
import type { KnownIsolate } from './isolate-registry';
import type { VmService } from './vm-service';
import { isSentinel, type MemoryUsage, type Sentinel } from './vm-types';

/** The outcome of sampling one isolate. */
export type SampleOutcome =
  | { type: 'sampled'; records: AgentRecord[]; signature: string }
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

/** Flags the sampler flips when the VM says a feature is unavailable. */
export interface SamplerFeatures {
  profilerDisabled: boolean;
  portsUnsupported: boolean;
}

const maxQueueRows = 200;
const maxPortRows = 200;

/** Samples one isolate; never throws for Sentinel / 105 / feature-disabled answers. */
export async function sampleIsolate(
  service: VmService,
  iso: KnownIsolate,
  ctx: TickContext,
  features: SamplerFeatures,
): Promise<SampleOutcome> {
  try {
    const shared = ctx.groupSize(iso.groupId) > 1;
    const groupMem = iso.groupId !== null ? ctx.groupMemory.get(iso.groupId) : undefined;
    const memory = shared && groupMem ? groupMem : await service.getMemoryUsage(iso.id);
    if (isSentinel(memory)) return { type: 'gone' };

    const stack = await service.getStack(iso.id, 1);
    if (isSentinel(stack)) return { type: 'gone' };
    const messages = Array.isArray(stack.messages) ? stack.messages : [];

    let cpuTimeMicros: Micros | null = null;
    if (ctx.nowMicros !== null && !features.profilerDisabled) {
      const start = iso.cpu.windowStartMicros;
      const samples = await catchFeatureDisabled(
        service.getCpuSamples(iso.id, start, Math.max(0, ctx.nowMicros - start)),
        () => (features.profilerDisabled = true),
      );
      if (isSentinel(samples)) return { type: 'gone' };
      if (samples) {
        iso.cpu.addWindow(samples, ctx.nowMicros);
        cpuTimeMicros = iso.cpu.cumulativeMicros;
      }
    }

    const records: AgentRecord[] = [
      {
        type: 'sample',
        isolateId: iso.id,
        atMs: ctx.atMs,
        heapUsedBytes: memory.heapUsage,
        heapTotalBytes: memory.heapCapacity,
        externalBytes: memory.externalUsage,
        arrayBuffersBytes: 0,
        heapShared: shared,
        cpuTimeMicros,
        queueDepth: messages.length,
      },
      {
        type: 'queue',
        isolateId: iso.id,
        atMs: ctx.atMs,
        messages: messages.slice(0, maxQueueRows).map((m) => ({
          index: m.index,
          name: clip(m.name ?? ''),
          sizeBytes: typeof m.size === 'number' ? m.size : 0,
          handler: typeof m.handler?.name === 'string' ? clip(m.handler.name) : null,
        })),
      },
    ];

    let portSig = '';
    if (!features.portsUnsupported && service.supports('getPorts')) {
      const ports = await catchCodes(service.getPorts(iso.id), [RpcErrorCode.methodNotFound], () => {
        features.portsUnsupported = true;
      });
      if (isSentinel(ports)) return { type: 'gone' };
      if (ports) {
        const rows = (Array.isArray(ports.ports) ? ports.ports : []).slice(0, maxPortRows).map((p) => ({
          portId: String(p.portId ?? p.id),
          name: clip(p.debugName && p.debugName.length > 0 ? p.debugName : 'N/A'),
          allocationSite:
            typeof p.allocationLocation?.valueAsString === 'string' ? clip(p.allocationLocation.valueAsString) : null,
        }));
        records.push({ type: 'ports', isolateId: iso.id, atMs: ctx.atMs, ports: rows });
        portSig = rows.map((r) => r.portId).join(',');
      }
    }

    const signature = [
      memory.heapUsage,
      memory.heapCapacity,
      messages.length,
      messages.reduce((sum, m) => sum + (m.size ?? 0), 0),
      cpuTimeMicros,
      portSig,
    ].join('|');
    return { type: 'sampled', records, signature };
  } catch (err) {
    if (err instanceof ProtocolError && err.code === RpcErrorCode.isolateMustBeRunnable)
      return { type: 'not-runnable' };
    throw err;
  }
}

function clip(s: string): string {
  return s.length > FRAME_LIMITS.maxStringLength ? s.slice(0, FRAME_LIMITS.maxStringLength) : s;
}

/** Resolves to null (after `onDisabled`) when the VM answers "feature disabled" (profiler off). */
function catchFeatureDisabled<T>(p: Promise<T | Sentinel>, onDisabled: () => void): Promise<T | Sentinel | null> {
  return catchCodes(p, [RpcErrorCode.featureDisabled], onDisabled);
}

async function catchCodes<T>(
  p: Promise<T | Sentinel>,
  codes: number[],
  onCode: () => void,
): Promise<T | Sentinel | null> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof ProtocolError && codes.includes(err.code)) {
      onCode();
      return null;
    }
    throw err;
  }
}
