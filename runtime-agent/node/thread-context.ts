/**
 * Everything the agent keeps for the current thread (isolate): one instance per thread,
 * created at preload time and shared by the hooks, the sampler and the exporter link.
 */
import type { MessagePort } from 'node:worker_threads';
import type { CallSiteTable } from './call-sites';
import type { ChannelRegistry } from './channel-registry';
import type { AgentConfig } from './config';
import type { RawApis } from './raw-apis';
import type { RecordSink } from './record-sink';
import type { SharedBuffers, SharedTable } from './shared-table';

/** State of the agent in one thread. */
export interface ThreadContext {
  config: AgentConfig;
  raw: RawApis;
  table: SharedTable;
  registry: ChannelRegistry;
  sink: RecordSink;
  sites: CallSiteTable;
  pid: number;
  threadId: number;
  isolateId: string;
  isolateName: string;
  /** Port to the exporter worker (null when there is no collector). */
  exporterLink: MessagePort | null;
}

/** What the main thread hands every worker through environment data. */
export interface SharedAgentData {
  config: AgentConfig;
  buffers: SharedBuffers;
}

/** Environment-data key of `SharedAgentData`. */
export const AGENT_DATA_KEY = 'isoscope:agent';
/** Environment-data key marking the thread an agent copy already runs in (its value: that thread's id). */
export const LOADED_KEY = 'isoscope:loaded';
/** Environment-data key of the per-worker hand-off flag (an Int32Array over a SharedArrayBuffer). */
export const HANDOFF_FLAG_KEY = 'isoscope:handoff';
/** Tag on the one message the agent sends a new worker before the app can post anything. */
export const HANDOFF_TAG = '__isoscopeHandoff';

/** The agent's first message to a new worker: who it is and where its records go. */
export interface HandoffMessage {
  [HANDOFF_TAG]: 1;
  name: string;
  parentIsolateId: string;
  /** Slot the parent sends on (the worker's parentPort receives from it). */
  down: number;
  /** Slot the worker's parentPort sends on. */
  up: number;
  exporterLink: MessagePort | null;
  /** Channel slots of registered ports found in workerData, in walk order (null: not counted). */
  workerDataPorts: ({ send: number; recv: number } | null)[];
}

/** Isolate id of a thread of this process. */
export function isolateIdOf(pid: number, threadId: number): string {
  return `${pid}:${threadId}`;
}
