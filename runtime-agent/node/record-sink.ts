/**
 * Per-thread record buffer. Each thread serializes its own records to a JSON string (cheap for
 * the app's main thread compared with handing objects over) and posts the string to the
 * exporter worker. Bounded: when no exporter link exists or the thread produces faster than it
 * flushes, the oldest records are dropped and counted.
 */
import type { MessagePort } from 'node:worker_threads';
import type { AgentRecord } from '../../protocol/agent-frames';
import { FRAME_LIMITS } from '../../protocol/agent-frames';
import { uncurryThis } from './raw-apis';
import { recordsJson } from './record-json';

// Builtins captured at load (the agent is preloaded before any app code): buffering and shipping
// records calls no Array, JSON or String method an app could replace later.
const stringSlice = uncurryThis(String.prototype.slice as (this: string, start: number, end?: number) => string);

/** The records of `list` from `start` to `end` (exclusive), as a new array. */
function slice<T>(list: readonly T[], start: number, end: number): T[] {
  const out: T[] = [];
  for (let i = start; i < end && i < list.length; i++) out[out.length] = list[i]!;
  return out;
}

/** Records kept per thread while waiting for a flush. */
export const MAX_PENDING_RECORDS = 5000;
/** Records per chunk handed to the exporter (keeps each string well under the frame limit). */
export const CHUNK_RECORDS = 1000;

/** A batch of records as the exporter receives it. */
export interface ChunkMessage {
  t: 'chunk';
  count: number;
  /** JSON array text of the records. */
  json: string;
  dropped: number;
}

/** Posts without going through the agent's own postMessage hook. */
export type RawPost = (port: MessagePort, message: unknown, transfer?: readonly unknown[]) => void;

/** Buffers one thread's records and ships them to the exporter. */
export class RecordSink {
  private pending: AgentRecord[] = [];
  private dropped = 0;
  private link: MessagePort | null = null;

  constructor(private readonly rawPost: RawPost) {}

  /** Sets (or clears) the port to the exporter. */
  connect(link: MessagePort | null): void {
    this.link = link;
  }

  /** Adds a record; drops the oldest quarter when full. */
  push(record: AgentRecord): void {
    if (this.pending.length >= MAX_PENDING_RECORDS) {
      const drop = MAX_PENDING_RECORDS >> 2;
      this.pending = slice(this.pending, drop, this.pending.length);
      this.dropped += drop;
    }
    this.pending[this.pending.length] = record;
    // A burst (e.g. a flood of notable messages) ships early rather than dropping here.
    if (this.pending.length >= CHUNK_RECORDS && this.link !== null) this.flush();
  }

  /** Records dropped so far and not yet reported. */
  droppedCount(): number {
    return this.dropped;
  }

  /** Everything pending as chunks, without sending (the main thread's final records ride on `bye`). */
  takeChunks(): ChunkMessage[] {
    const records = this.pending;
    this.pending = [];
    const chunks: ChunkMessage[] = [];
    for (let i = 0; i < records.length; i += CHUNK_RECORDS) {
      const part = records.length <= CHUNK_RECORDS ? records : slice(records, i, i + CHUNK_RECORDS);
      chunks[chunks.length] = { t: 'chunk', count: part.length, json: recordsJson(part), dropped: this.dropped };
      this.dropped = 0;
    }
    return chunks;
  }

  /** Sends everything pending to the exporter. Never throws. */
  flush(): void {
    if (this.link === null || this.pending.length === 0) return;
    const count = this.pending.length;
    try {
      const chunks = this.takeChunks();
      for (let i = 0; i < chunks.length; i++) this.rawPost(this.link, chunks[i]!);
    } catch {
      // A closed exporter port: the records are lost, counted as dropped, and the app goes on.
      this.dropped += count;
      this.link = null;
    }
  }
}

/** Cuts a string to the collector's limit (names, paths and shapes come from the app). */
export function clip(text: string): string {
  return text.length <= FRAME_LIMITS.maxStringLength
    ? text
    : stringSlice(text, 0, FRAME_LIMITS.maxStringLength - 1) + '…';
}
