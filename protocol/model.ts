/**
 * Snapshots of the common model, as views (webview, tree view, CLI) read them.
 * Pure data: JSON-safe, no classes.
 */
import type { RuntimeKind } from './agent-frames';
import type { Bytes, EpochMs, Micros, Millis, Percent } from './units';

export type IsolateState = 'running' | 'exited';

export interface IsolateSnapshot {
  id: string;
  /** Which process/session the isolate belongs to. */
  sessionId: string;
  name: string;
  runtime: RuntimeKind;
  kind: 'main' | 'worker';
  state: IsolateState;
  parentId: string | null;
  groupId: string | null;
  startedAtMs: EpochMs;
  exitedAtMs: EpochMs | null;
  exitCode: number | null;
  spawnSite: SourceLocation | null;
  cpuTimeMs: Millis | null;
  /** CPU utilization of this isolate's thread over the last sample window (100 = one core). */
  cpuPercent: Percent | null;
  heapUsedBytes: Bytes;
  heapCapacityBytes: Bytes;
  heapUsedBytesMax: Bytes;
  externalBytes: Bytes;
  heapShared: boolean;
  queueDepth: number;
  maxQueueDepth: number;
  messagesSent: number;
  messagesReceived: number;
  bytesCopiedOut: Bytes;
  msgsInPerSec: number;
  msgsOutPerSec: number;
  bytesCopiedPerSec: Bytes;
  /**
   * When the isolate's own thread last sampled it (heap, CPU). A running isolate whose last sample
   * is old is busy in one long turn of its event loop: its CPU and heap figures are that old.
   * Absent or null: not sampled yet.
   */
  lastSampleAtMs?: EpochMs | null | undefined;
}

/** Bounded time series for one isolate; all arrays have the same length. */
export interface IsolateSeries {
  atMs: EpochMs[];
  heapUsedBytes: Bytes[];
  heapCapacityBytes: Bytes[];
  externalBytes: Bytes[];
  cpuPercent: Percent[];
  queueDepth: number[];
  queueDelayMsP95: Millis[];
  msgsInPerSec: number[];
  msgsOutPerSec: number[];
  bytesCopiedPerSec: Bytes[];
}

export interface ChannelSnapshot {
  id: string;
  sessionId: string;
  label: string;
  from: string;
  to: string | null;
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

/** A position in a source file, original (source-mapped) where a map exists. 1-based. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
  /** Present when `file` came from a source map; the compiled position it was mapped from. */
  generated?: { file: string; line: number; column: number };
}

export interface CallSiteSnapshot extends SourceLocation {
  isolateId: string;
  functionName: string | null;
  sends: number;
  bytesCopied: Bytes;
  maxMessageBytes: Bytes;
  transferableBytes: Bytes;
  bytesTransferred: Bytes;
}

export interface LedgerEntry {
  seq: number;
  isolateId: string;
  channelId: string;
  atMs: EpochMs;
  bytes: Bytes;
  typedArrayBytes: Bytes;
  transferredBytes: Bytes;
  location: SourceLocation | null;
  shape: string;
}

export interface PortSnapshot {
  isolateId: string;
  portId: string;
  name: string;
  allocationSite: string | null;
}

/** Every finding rule; the page's validator accepts these and no other. */
export const FINDING_RULES = [
  'oversized-message',
  'queue-backlog',
  'copy-array-buffer',
  'copy-typed-data',
  'materialize-twice',
  'view-sends-whole-buffer',
  'use-isolate-exit',
  'worker-churn',
] as const;

export type FindingRule = (typeof FINDING_RULES)[number];

export type Severity = 'error' | 'warning' | 'info' | 'hint';

export interface Finding {
  id: string;
  rule: FindingRule;
  severity: Severity;
  message: string;
  location: SourceLocation | null;
  isolateId: string | null;
  /** Largest message seen at this location. */
  bytes: Bytes;
  count: number;
  totalBytes: Bytes;
  suggestion: string;
}

export interface SessionInfo {
  id: string;
  runtime: RuntimeKind;
  label: string;
  pid: number | null;
  startedAtMs: EpochMs;
  endedAtMs: EpochMs | null;
  runtimeVersion: string;
}

export interface DropCounters {
  /** Frames the collector refused (bad JSON, bad shape, too big, bad version). */
  framesRejected: number;
  /** Records the agents reported dropping because their buffers were full. */
  agentRecordsDropped: number;
  /** Ledger rows evicted from the bounded ledger. */
  ledgerEvicted: number;
  /** Isolates, channels and call sites the model evicted to stay under its caps (optional: older producers). */
  entitiesEvicted?: number;
  /** One-way channels the agents could not count (their channel table was full; optional: older producers). */
  channelsNotCounted?: number;
}

export interface ModelSnapshot {
  atMs: EpochMs;
  sessions: SessionInfo[];
  isolates: IsolateSnapshot[];
  series: Record<string, IsolateSeries>;
  channels: ChannelSnapshot[];
  callSites: CallSiteSnapshot[];
  ledger: LedgerEntry[];
  ports: PortSnapshot[];
  findings: Finding[];
  drops: DropCounters;
  /** Threshold above which a message is "oversized". */
  oversizedBytes: Bytes;
}

/** A change since the previous update: current values plus newly appended rows. */
export interface ModelUpdate {
  atMs: EpochMs;
  sessions: SessionInfo[];
  isolates: IsolateSnapshot[];
  /** One new point per isolate that was sampled since the last update. */
  points: Record<string, IsolateSeriesPoint>;
  channels: ChannelSnapshot[];
  callSites: CallSiteSnapshot[];
  /** Ledger rows appended since the last update. */
  ledgerAppended: LedgerEntry[];
  ports: PortSnapshot[];
  findings: Finding[];
  drops: DropCounters;
}

export interface IsolateSeriesPoint {
  atMs: EpochMs;
  heapUsedBytes: Bytes;
  heapCapacityBytes: Bytes;
  externalBytes: Bytes;
  cpuPercent: Percent;
  queueDepth: number;
  queueDelayMsP95: Millis;
  msgsInPerSec: number;
  msgsOutPerSec: number;
  bytesCopiedPerSec: Bytes;
}

/** The numeric fields of a series point besides `atMs`, in a fixed order (shared by producers and views). */
export const SERIES_FIELDS = [
  'heapUsedBytes',
  'heapCapacityBytes',
  'externalBytes',
  'cpuPercent',
  'queueDepth',
  'queueDelayMsP95',
  'msgsInPerSec',
  'msgsOutPerSec',
  'bytesCopiedPerSec',
] as const satisfies readonly (keyof IsolateSeriesPoint)[];

export type { Micros };
