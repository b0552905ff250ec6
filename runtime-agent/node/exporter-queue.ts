/**
 * The exporter's bounded queue of record chunks (JSON array text from the threads) and the
 * packing of chunks into `batch` frames under the collector's limits. When the collector is
 * missing or slow, the oldest chunks are dropped and counted, so memory stays bounded.
 */
import { FRAME_LIMITS } from '../../protocol/agent-frames';

/** Characters of queued JSON kept while the collector is unreachable. */
export const MAX_QUEUED_CHARS = 8 * 1024 * 1024;
/** Frame text budget, leaving room for the batch envelope. */
const FRAME_BUDGET_CHARS = FRAME_LIMITS.maxFrameBytes - 1024;

/** One thread's records as JSON array text. */
export interface QueuedChunk {
  count: number;
  json: string;
  /** Records the thread dropped before this chunk. */
  dropped: number;
}

/** FIFO of chunks with a character budget. */
export class FrameQueue {
  private chunks: QueuedChunk[] = [];
  private head = 0;
  private chars = 0;
  private droppedRecords = 0;

  constructor(private readonly maxChars = MAX_QUEUED_CHARS) {}

  /** Queued characters right now (for the bounded-memory check). */
  get queuedChars(): number {
    return this.chars;
  }

  /** Records dropped and not yet reported in a frame. */
  get pendingDropped(): number {
    return this.droppedRecords;
  }

  /** Chunks waiting. */
  get length(): number {
    return this.chunks.length - this.head;
  }

  /** Adds a chunk, dropping the oldest ones while over budget. */
  add(chunk: QueuedChunk): void {
    this.droppedRecords += chunk.dropped;
    if (chunk.count === 0) return;
    if (chunk.json.length > FRAME_BUDGET_CHARS) {
      this.droppedRecords += chunk.count; // cannot fit any frame; never happens with 1000-record chunks
      return;
    }
    this.chunks.push({ count: chunk.count, json: chunk.json, dropped: 0 });
    this.chars += chunk.json.length;
    while (this.chars > this.maxChars && this.length > 1) {
      const old = this.chunks[this.head++];
      this.chars -= old.json.length;
      this.droppedRecords += old.count;
    }
    if (this.head > 1024) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }

  /** The next `batch` frame text (seq as given), or null when nothing is queued. */
  nextFrame(seq: number): string | null {
    if (this.length === 0 && this.droppedRecords === 0) return null;
    const parts: string[] = [];
    let records = 0;
    let chars = 0;
    while (this.length > 0) {
      const c = this.chunks[this.head];
      if (
        parts.length > 0 &&
        (records + c.count > FRAME_LIMITS.maxRecordsPerBatch || chars + c.json.length > FRAME_BUDGET_CHARS)
      )
        break;
      this.head++;
      this.chars -= c.json.length;
      records += c.count;
      chars += c.json.length;
      parts.push(c.json.slice(1, -1)); // strip the array brackets: chunks are joined into one array
    }
    const dropped = this.droppedRecords;
    this.droppedRecords = 0;
    return `{"type":"batch","seq":${seq},"droppedRecords":${dropped},"records":[${parts.join(',')}]}`;
  }
}
