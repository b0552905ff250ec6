/**
 * Messages from agent threads to the exporter worker, and the exporter's start-up data.
 */
import type { MessagePort } from 'node:worker_threads';
import type { HelloFrame } from '../../protocol/agent-frames';
import type { ChunkMessage } from './record-sink';

/** workerData key that marks the exporter worker (the preload does nothing there). */
export const EXPORTER_MARKER = '__isoscopeExporter';

/** What the exporter worker is started with. */
export interface ExporterData {
  [EXPORTER_MARKER]: true;
  url: string;
  token: string | null;
  hello: HelloFrame;
  debug: boolean;
  /** The main thread's link. */
  link: MessagePort;
  /** Set to 1 (and notified) once the final frames are written, or when there is nothing to wait for. */
  byeFlag: Int32Array;
}

/** A new thread's link to the exporter. */
export interface PortMessage {
  t: 'port';
  port: MessagePort;
}

/** The process is exiting: send everything, then `bye`. */
export interface ByeMessage {
  t: 'bye';
  exitCode: number | null;
  atMs: number;
  /** One-way channels not counted because the channel table was full. */
  channelsNotCounted: number;
  /**
   * The main thread's final records. Carried here, not posted before, so the exporter queues them
   * after draining every other link: they are the newest snapshot of the shared channel counters
   * and must arrive after any older worker record of the same channel (the collector keeps the last).
   */
  final: ChunkMessage[];
}

/** Everything a thread can send the exporter. */
export type ToExporterMessage = ChunkMessage | PortMessage | ByeMessage;
