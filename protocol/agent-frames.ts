/**
 * Contract 1: frames an agent (Node preload, or a Dart source acting as one) sends to the
 * collector. JSON text frames over WebSocket. The first frame is always `hello`.
 * Counters in records are cumulative since the isolate/channel started, so a lost batch
 * loses resolution, never totals.
 */
import type { Bytes, EpochMs, Micros, Millis } from './units';

/** The only protocol version this build speaks. Bump it on any incompatible change. */
export const AGENT_PROTOCOL_VERSION = 1;

/** Capabilities an agent may announce in `hello`; the collector never guesses them. */
export type AgentCapability =
  | 'thread-cpu' // cpuTimeMicros is per-thread CPU, not wall time
  | 'heap' // heap statistics per isolate
  | 'channels' // per-channel counters and queue depth
  | 'queue-delay' // queueing delay percentiles per channel
  | 'size-estimate' // per-message copy-size estimates
  | 'call-sites' // sampled call-site capture
  | 'ports'; // named receive ports (Dart)

export type RuntimeKind = 'node' | 'dart';

export interface HelloFrame {
  type: 'hello';
  protocol: number;
  runtime: RuntimeKind;
  pid: number;
  agentVersion: string;
  runtimeVersion: string;
  capabilities: AgentCapability[];
  /** Wall-clock time the agent started. */
  startedAtMs: EpochMs;
  /** Copy threshold the agent uses to decide what goes into the ledger. */
  notableMessageBytes: Bytes;
  /** Working directory of the profiled process (to resolve relative paths and source maps). */
  cwd: string;
  argv: string[];
}

export interface BatchFrame {
  type: 'batch';
  /** Monotonic per connection; gaps mean the agent dropped batches while disconnected. */
  seq: number;
  records: AgentRecord[];
  /** Records the agent dropped since the previous batch because its buffers were full. */
  droppedRecords: number;
}

/** Sent by an agent right before it closes on purpose (process exit). */
export interface ByeFrame {
  type: 'bye';
  atMs: EpochMs;
  exitCode: number | null;
  /**
   * One-way channels the agent could not count because its channel table was full (4,096 per
   * process, never reused); absent when there were none.
   */
  channelsNotCounted?: number | undefined;
}

export type AgentFrame = HelloFrame | BatchFrame | ByeFrame;

export interface CallSite {
  /** As the runtime reports it: a path or a file:// URL of the compiled code. */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  functionName: string | null;
}

export interface IsolateStartRecord {
  type: 'isolate-start';
  isolateId: string;
  name: string;
  kind: 'main' | 'worker';
  parentId: string | null;
  /** Dart isolate group; Node workers are their own group (null). */
  groupId: string | null;
  threadId: number;
  atMs: EpochMs;
  /** Where the isolate was spawned (the `new Worker(...)` line), when captured. */
  spawnSite: CallSite | null;
  scriptPath: string | null;
}

export interface IsolateExitRecord {
  type: 'isolate-exit';
  isolateId: string;
  atMs: EpochMs;
  exitCode: number | null;
  /** BroadcastChannel messages the isolate received, as its parent read them at the exit (see `sample`). */
  broadcastReceived?: number | undefined;
}

export interface IsolateSampleRecord {
  type: 'sample';
  isolateId: string;
  atMs: EpochMs;
  heapUsedBytes: Bytes;
  heapTotalBytes: Bytes;
  externalBytes: Bytes;
  arrayBuffersBytes: Bytes;
  /** True when the heap is shared by an isolate group (Dart) and so is not per isolate. */
  heapShared: boolean;
  /** Cumulative CPU time of this isolate's thread, or null when unavailable (profiler off). */
  cpuTimeMicros: Micros | null;
  /** Messages waiting in this isolate's inbound queues right now. */
  queueDepth: number;
  /**
   * BroadcastChannel messages this isolate's channel objects received so far (cumulative). A
   * broadcast channel has no single receiver, so its deliveries reach `messagesReceived` this way.
   * Absent from agents that do not count them (the Dart adapter).
   */
  broadcastReceived?: number | undefined;
}

export interface ChannelRecord {
  type: 'channel';
  channelId: string;
  /** Isolate that sends on this one-way channel. */
  fromIsolateId: string;
  /** Isolate that receives, when known. */
  toIsolateId: string | null;
  label: string;
  atMs: EpochMs;
  sent: number;
  delivered: number;
  depth: number;
  maxDepth: number;
  bytesCopied: Bytes;
  bytesTransferred: Bytes;
  maxMessageBytes: Bytes;
  delayMsP50: Millis;
  delayMsP95: Millis;
  delayMsMax: Millis;
}

export interface MessageRecord {
  type: 'message';
  isolateId: string;
  channelId: string;
  atMs: EpochMs;
  /** Estimated structured-clone bytes copied. */
  bytes: Bytes;
  /** Part of `bytes` that is typed-array / ArrayBuffer payload (could be transferred). */
  typedArrayBytes: Bytes;
  /** Bytes moved through the transfer list (not copied). */
  transferredBytes: Bytes;
  callSite: CallSite | null;
  /** Short description of the message, e.g. `{pixels: Uint8Array(4194304)}`. */
  shape: string;
}

export interface CallSiteRecord {
  type: 'call-site';
  isolateId: string;
  site: CallSite;
  sends: number;
  bytesCopied: Bytes;
  maxMessageBytes: Bytes;
  /** Copied bytes that were typed-array payload and could have been transferred. */
  transferableBytes: Bytes;
  bytesTransferred: Bytes;
}

/** A named receive port of an isolate (Dart `getPorts`). */
export interface PortRecord {
  type: 'ports';
  isolateId: string;
  atMs: EpochMs;
  ports: { portId: string; name: string; allocationSite: string | null }[];
}

/** A snapshot of the pending message queue of an isolate (Dart `getStack().messages`). */
export interface QueueSnapshotRecord {
  type: 'queue';
  isolateId: string;
  atMs: EpochMs;
  messages: { index: number; name: string; sizeBytes: Bytes; handler: string | null }[];
}

/**
 * A source map the runtime holds only in memory: a loader such as tsx compiled the script as it
 * loaded it, so no map file sits next to it for the collector to read. Sent once per script, before
 * the first record whose call site is in it. Source map v3 fields, without `sourcesContent`.
 */
export interface SourceMapRecord {
  type: 'source-map';
  isolateId: string;
  /** The script as call sites name it (path or file:// URL). */
  file: string;
  map: { version: 3; sources: string[]; names: string[]; mappings: string; sourceRoot?: string | undefined };
}

export type AgentRecord =
  | IsolateStartRecord
  | IsolateExitRecord
  | IsolateSampleRecord
  | ChannelRecord
  | MessageRecord
  | CallSiteRecord
  | PortRecord
  | QueueSnapshotRecord
  | SourceMapRecord;

/** Hard limits the collector enforces; agents stay under them. */
export const FRAME_LIMITS = {
  maxFrameBytes: 4 * 1024 * 1024,
  maxRecordsPerBatch: 10_000,
  maxStringLength: 4096,
  /** A shipped source map's `mappings`, sources and names together; bigger maps are not sent. */
  maxSourceMapChars: 1024 * 1024,
} as const;
