/**
 * The subset of VM-service types Isoscope reads, written from dart-lang/sdk
 * runtime/vm/service/service.md (v3.51, plus `isolateGroupId` from 3.61). Only the fields we
 * use are declared; everything else the VM sends is ignored. Private fields start with `_`.
 */
import type { Bytes, EpochMs, Micros } from '../../../protocol';

/** Returned instead of a result when the isolate or object is gone (Collected/Expired…). */
export interface Sentinel {
  type: 'Sentinel';
  kind: string;
  valueAsString: string;
}

/** True when an RPC answered with a Sentinel rather than its normal result. */
export function isSentinel(value: unknown): value is Sentinel {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'Sentinel';
}

export interface Version {
  type: 'Version';
  major: number;
  minor: number;
}

export interface IsolateRef {
  type: '@Isolate';
  id: string;
  number: string;
  /** The isolate's debugName. Not unique. */
  name: string;
  isSystemIsolate?: boolean;
  /** Protocol 3.61+. */
  isolateGroupId?: string;
}

export interface IsolateGroupRef {
  type: '@IsolateGroup';
  id: string;
  number: string;
  name: string;
  isSystemIsolateGroup?: boolean;
}

export interface VM {
  type: 'VM';
  name: string;
  version: string;
  pid: number;
  startTime: EpochMs;
  isolates: IsolateRef[];
  isolateGroups?: IsolateGroupRef[];
  systemIsolates?: IsolateRef[];
}

export interface Isolate {
  type: 'Isolate';
  id: string;
  number: string;
  name: string;
  isSystemIsolate?: boolean;
  isolateGroupId?: string;
  startTime: EpochMs;
  runnable: boolean;
  livePorts: number;
  rootLib?: { uri: string; name: string };
  extensionRPCs?: string[];
  /** Private (unstable) heap breakdown; used only when present. */
  _heaps?: { new?: { used?: Bytes; capacity?: Bytes }; old?: { used?: Bytes; capacity?: Bytes } };
}

export interface IsolateGroup {
  type: 'IsolateGroup';
  id: string;
  number: string;
  name: string;
  isSystemIsolateGroup?: boolean;
  isolates: IsolateRef[];
}

export interface MemoryUsage {
  type: 'MemoryUsage';
  heapUsage: Bytes;
  heapCapacity: Bytes;
  externalUsage: Bytes;
}

export interface CpuSample {
  tid: number;
  timestamp: Micros;
  vmTag?: string;
  userTag?: string;
  stack: number[];
}

export interface CpuSamples {
  type: 'CpuSamples';
  /** Sampling interval of the profiler. */
  samplePeriod: Micros;
  sampleCount: number;
  timeOriginMicros: Micros;
  timeExtentMicros: Micros;
  pid: number;
  samples: CpuSample[];
}

export interface Timestamp {
  type: 'Timestamp';
  timestamp: Micros;
}

/** `@Instance` of kind ReceivePort, as in `PortList.ports`. */
export interface PortInstance {
  type: '@Instance' | 'Instance';
  kind: string;
  id: string;
  portId?: number;
  debugName?: string;
  allocationLocation?: { valueAsString?: string; id?: string };
}

export interface PortList {
  type: 'PortList';
  ports: PortInstance[];
}

/** A pending message in an isolate's queue (from `getStack`). */
export interface QueuedMessage {
  type: 'Message';
  index: number;
  name: string;
  messageObjectId: string;
  /** Encoded size of the message. */
  size: Bytes;
  handler?: { name?: string };
  location?: { script?: { uri?: string }; line?: number; tokenPos?: number };
}

export interface Stack {
  type: 'Stack';
  frames: unknown[];
  messages: QueuedMessage[];
  truncated?: boolean;
}

export interface Success {
  type: 'Success';
}

/** A `streamNotify` event (only the fields Isoscope reads). */
export interface VmEvent {
  type: 'Event';
  kind: string;
  isolate?: IsolateRef;
  timestamp?: EpochMs;
  extensionKind?: string;
  extensionData?: Record<string, unknown>;
}
