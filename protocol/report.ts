/** Contract 6: the JSON report written by `isoscope run --report` and `isoscope connect --report`. */
import type { RuntimeKind } from './agent-frames';
import type { Bytes, EpochMs, Millis } from './units';

export const REPORT_SCHEMA = 'isoscope-report/1';

export interface ReportIsolate {
  id: string;
  name: string;
  kind: 'main' | 'worker';
  parentId: string | null;
  startedAtMs: EpochMs;
  exitedAtMs: EpochMs | null;
  cpuTimeMs: Millis | null;
  heapUsedBytesMax: Bytes;
  messagesSent: number;
  messagesReceived: number;
  bytesCopiedOut: Bytes;
  maxQueueDepth: number;
}

export interface ReportChannel {
  id: string;
  from: string;
  to: string | null;
  label: string;
  sent: number;
  delivered: number;
  maxDepth: number;
  bytesCopied: Bytes;
  bytesTransferred: Bytes;
  maxMessageBytes: Bytes;
  queueDelayMsP95: Millis;
  queueDelayMsMax: Millis;
}

export interface ReportCallSite {
  file: string;
  line: number;
  column: number;
  sends: number;
  bytesCopied: Bytes;
  maxMessageBytes: Bytes;
  transferableBytes: Bytes;
}

export interface ReportFinding {
  rule: string;
  severity: 'error' | 'warning' | 'info' | 'hint';
  message: string;
  file: string | null;
  line: number | null;
  column: number | null;
  bytes: Bytes;
  suggestion: string;
  /** Extra: occurrences (oversized sends, or max queue depth for queue-backlog). */
  count?: number;
  /** Extra: bytes copied in total at this location. */
  totalBytes?: Bytes;
  /** Extra: the isolate that paid (sender) or whose queue backed up. */
  isolateId?: string | null;
}

export interface Report {
  schema: typeof REPORT_SCHEMA;
  runtime: RuntimeKind;
  startedAt: string;
  durationMs: Millis;
  isolates: ReportIsolate[];
  channels: ReportChannel[];
  callSites: ReportCallSite[];
  findings: ReportFinding[];
  /** Extra: gate results and drop counters. */
  gates?: { name: string; limit: number; actual: number; passed: boolean }[];
  drops?: {
    framesRejected: number;
    agentRecordsDropped: number;
    ledgerEvicted: number;
    entitiesEvicted?: number;
    channelsNotCounted?: number;
  };
}
