/**
 * Layer 3 of the VM-service client: typed calls written from service.md, with the
 * protocol-version feature switches. Every isolate-scoped call may answer a `Sentinel`
 * (the isolate exited); callers check with `isSentinel`.
 */
import type { Micros } from '../../../protocol';
import type { CallOptions, VmConnection } from './connection';
import type {
  CpuSamples,
  Isolate,
  IsolateGroup,
  MemoryUsage,
  PortList,
  Sentinel,
  Stack,
  Success,
  Timestamp,
  VM,
  Version,
} from './vm-types';

/** Protocol features and the version (major.minor) that introduced them. */
export const FEATURE_VERSIONS = {
  getMemoryUsage: [3, 16],
  getVMTimelineMicros: [3, 21],
  getCpuSamples: [3, 27],
  isolateSentinels: [3, 30],
  systemIsolates: [3, 38],
  getPorts: [3, 41],
  getStackLimit: [3, 42],
  isolateGroupId: [3, 61],
} as const satisfies Record<string, readonly [number, number]>;

export type VmFeature = keyof typeof FEATURE_VERSIONS;

/** Options of the typed calls. */
export interface VmServiceOptions {
  /**
   * Timeout of the calls one isolate answers itself (memory, stack, CPU samples, ports). An
   * isolate blocked in a long synchronous or native call cannot answer until it returns, and
   * must not hold up the others for the connection's full timeout (default 3 s).
   */
  isolateRequestTimeoutMs?: number;
}

/** An answer that must be an object: a clear error naming the call, not a TypeError later on. */
function objectAnswer(method: string, value: unknown): Record<string, unknown> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  const got = value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value;
  throw new Error(
    `the VM service answered ${method} with ${got}, not an object: it does not follow the VM service protocol`,
  );
}

/** Typed VM-service RPCs over one connection. Call `getVersion()` first to enable feature checks. */
export class VmService {
  private version: { major: number; minor: number } | null = null;
  private readonly isolateCall: CallOptions;

  constructor(
    readonly connection: VmConnection,
    opts: VmServiceOptions = {},
  ) {
    this.isolateCall = { timeoutMs: opts.isolateRequestTimeoutMs ?? 3000 };
  }

  /** The protocol version from `getVersion`, or null before it was asked. */
  get protocolVersion(): { major: number; minor: number } | null {
    return this.version;
  }

  /** True when the VM's protocol version has `feature`. Unknown version → false. */
  supports(feature: VmFeature): boolean {
    if (!this.version) return false;
    const [major, minor] = FEATURE_VERSIONS[feature];
    return this.version.major > major || (this.version.major === major && this.version.minor >= minor);
  }

  /** `Version getVersion()`: the protocol version served by the VM; remembered for `supports`. */
  async getVersion(): Promise<Version> {
    const v = objectAnswer('getVersion', await this.connection.call<unknown>('getVersion'));
    // Numbers it lacks count as 0.0: no optional feature is assumed.
    const major = typeof v.major === 'number' && Number.isFinite(v.major) ? v.major : 0;
    const minor = typeof v.minor === 'number' && Number.isFinite(v.minor) ? v.minor : 0;
    this.version = { major, minor };
    return { ...v, type: 'Version', major, minor };
  }

  /** `VM getVM()`: global VM info: isolates (name = debugName), isolate groups, pid, version. */
  async getVM(): Promise<VM> {
    return objectAnswer('getVM', await this.connection.call<unknown>('getVM')) as unknown as VM;
  }

  /** `Isolate|Sentinel getIsolate(isolateId)`: runnable, livePorts, startTime and private `_heaps`. */
  getIsolate(isolateId: string): Promise<Isolate | Sentinel> {
    return this.connection.call('getIsolate', { isolateId }, this.isolateCall);
  }

  /** `IsolateGroup|Sentinel getIsolateGroup(isolateGroupId)`: the isolates sharing one heap. */
  getIsolateGroup(isolateGroupId: string): Promise<IsolateGroup | Sentinel> {
    return this.connection.call('getIsolateGroup', { isolateGroupId });
  }

  /** `MemoryUsage|Sentinel getMemoryUsage(isolateId)`: heap used/capacity and external bytes. */
  getMemoryUsage(isolateId: string): Promise<MemoryUsage | Sentinel> {
    return this.connection.call('getMemoryUsage', { isolateId }, this.isolateCall);
  }

  /** `MemoryUsage|Sentinel getIsolateGroupMemoryUsage(isolateGroupId)`: the shared group heap. */
  getIsolateGroupMemoryUsage(isolateGroupId: string): Promise<MemoryUsage | Sentinel> {
    return this.connection.call('getIsolateGroupMemoryUsage', { isolateGroupId });
  }

  /**
   * `CpuSamples|Sentinel getCpuSamples(isolateId, timeOriginMicros, timeExtentMicros)`: profiler
   * samples of one isolate in a window of the timeline clock. Fails with code 100 (feature
   * disabled) when the VM runs without the profiler.
   */
  getCpuSamples(isolateId: string, timeOriginMicros: Micros, timeExtentMicros: Micros): Promise<CpuSamples | Sentinel> {
    return this.connection.call('getCpuSamples', { isolateId, timeOriginMicros, timeExtentMicros }, this.isolateCall);
  }

  /** `Timestamp getVMTimelineMicros()`: now, on the clock CPU samples are stamped with. */
  getVMTimelineMicros(): Promise<Timestamp> {
    return this.connection.call('getVMTimelineMicros');
  }

  /** `PortList|Sentinel getPorts(isolateId)`: open ReceivePorts with debugName and allocation site (3.41+). */
  getPorts(isolateId: string): Promise<PortList | Sentinel> {
    return this.connection.call('getPorts', { isolateId }, this.isolateCall);
  }

  /**
   * `Stack|Sentinel getStack(isolateId, limit?)`: the stack and the pending message queue
   * (`messages`, each with its encoded `size`). Works without pausing the isolate. `limit`
   * (3.42+) keeps the frame list short since Isoscope only reads the queue.
   */
  getStack(isolateId: string, limit?: number): Promise<Stack | Sentinel> {
    const params: Record<string, unknown> = { isolateId };
    if (limit !== undefined && this.supports('getStackLimit')) params.limit = limit;
    return this.connection.call('getStack', params, this.isolateCall);
  }

  /** `Success streamListen(streamId)`: subscribe to `Isolate`, `Extension`, … events. */
  streamListen(streamId: string): Promise<Success> {
    return this.connection.call('streamListen', { streamId });
  }

  /** `Success streamCancel(streamId)`. */
  streamCancel(streamId: string): Promise<Success> {
    return this.connection.call('streamCancel', { streamId });
  }
}
