/**
 * Shared state of `BroadcastChannel` names, so a receiving isolate can tell which sender each
 * delivery came from. Per name (process-wide): a lock, the next message sequence number, how many
 * channel objects are open, and a ring of (seq, sender channel slot, sender instance, send time).
 * A sender takes the name's lock around the real postMessage, so sequence order is exactly the
 * order Node enqueues into every receiver; each receiver keeps a cursor and walks the ring.
 */
import { uncurryThis } from './raw-apis';

// Builtins captured at load (the agent is preloaded before any app code): sends and deliveries
// call no Atomics, Map or String method an app could replace later.
const {
  load: atomicLoad,
  store: atomicStore,
  add: atomicAdd,
  sub: atomicSub,
  compareExchange: atomicCompareExchange,
  wait: atomicWait,
  notify: atomicNotify,
} = Atomics;
const imul = Math.imul;
const charCodeAt = uncurryThis(String.prototype.charCodeAt);
const mapGet = uncurryThis(Map.prototype.get as (this: Map<string, number>, k: string) => number | undefined);
const mapSet = uncurryThis(Map.prototype.set as (this: Map<string, number>, k: string, v: number) => unknown);

/** Names tracked per process; channels on further names are not counted (the agent says so). */
export const MAX_NAMES = 64;
/** Ring entries per name: a receiver lagging more than this loses attribution for old messages. */
export const NAME_RING = 8192;

/** Int32 fields of a name entry. */
const N = { key1: 0, key2: 1, owner: 2, depth: 3, next: 4, open: 5, instances: 6, stride: 8 } as const;
const RING_STRIDE = 4; // seq, sender slot, sender instance, send time (ms)
/**
 * Per-thread counts of broadcasts received, in shared memory so that a worker's parent can report
 * them when the worker is terminated before its last sample. Entry `threadId % RECEIVED_SLOTS`
 * holds (threadId + 1, count); a later thread with the same entry takes it over.
 */
const RECEIVED_SLOTS = 4096;
/** Lock waits of 1 ms before a holder that never releases (a terminated thread) is overridden. */
const LOCK_WAITS = 200;

/** Buffers of the broadcast table (SharedArrayBuffers clone by reference). */
export interface BroadcastBuffers {
  names: SharedArrayBuffer;
  rings: SharedArrayBuffer;
  received: SharedArrayBuffer;
}

function hash(s: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) h = imul(h ^ charCodeAt(s, i), 0x01000193);
  return h | 1; // never 0: 0 marks a free entry
}

/** Typed views over the broadcast buffers, one per thread. */
export class BroadcastTable {
  private readonly names: Int32Array;
  private readonly rings: Float64Array;
  private readonly received: Int32Array;
  /** Whether this thread holds its entry of `received`. */
  private receivedClaimed = false;
  /** Entry index by name, cached per thread (names are few). */
  private readonly indexes = new Map<string, number>();

  constructor(
    readonly buffers: BroadcastBuffers,
    private readonly threadId: number,
  ) {
    this.names = new Int32Array(buffers.names);
    this.rings = new Float64Array(buffers.rings);
    this.received = new Int32Array(buffers.received);
  }

  /** Allocates the buffers (main thread, once). Untouched ring pages cost no RSS. */
  static createBuffers(): BroadcastBuffers {
    return {
      names: new SharedArrayBuffer(MAX_NAMES * N.stride * 4),
      rings: new SharedArrayBuffer(MAX_NAMES * NAME_RING * RING_STRIDE * 8),
      received: new SharedArrayBuffer(RECEIVED_SLOTS * 2 * 4),
    };
  }

  /** Counts one broadcast received by this thread (its entry is claimed on the first). */
  noteReceived(): void {
    const at = (this.threadId % RECEIVED_SLOTS) * 2;
    if (!this.receivedClaimed || atomicLoad(this.received, at) !== this.threadId + 1) {
      if (this.receivedClaimed) return; // taken over by a later thread: its parent reads that one's
      this.receivedClaimed = true;
      atomicStore(this.received, at + 1, 0);
      atomicStore(this.received, at, this.threadId + 1);
    }
    atomicAdd(this.received, at + 1, 1);
  }

  /** Broadcasts thread `threadId` received so far, or null when its entry holds another thread's. */
  receivedBy(threadId: number): number | null {
    const at = (threadId % RECEIVED_SLOTS) * 2;
    return atomicLoad(this.received, at) === threadId + 1 ? atomicLoad(this.received, at + 1) : null;
  }

  /** Entry index of `name` (claimed on first use), or -1 when the table is full. */
  indexOf(name: string): number {
    const cached = mapGet(this.indexes, name);
    if (cached !== undefined) return cached;
    const k1 = hash(name, 0x811c9dc5);
    const k2 = hash(name, 0x2f5a1c3d);
    const start = (k1 >>> 0) % MAX_NAMES;
    for (let probe = 0; probe < MAX_NAMES; probe++) {
      const i = (start + probe) % MAX_NAMES;
      const at = i * N.stride;
      let key = atomicLoad(this.names, at + N.key1);
      if (key === 0) {
        key = atomicCompareExchange(this.names, at + N.key1, 0, k1);
        if (key === 0) {
          atomicStore(this.names, at + N.key2, k2);
          mapSet(this.indexes, name, i);
          return i;
        }
      }
      if (key !== k1) continue;
      // Claimed by this name or, while key2 is being written, possibly another: wait for key2.
      while (atomicLoad(this.names, at + N.key2) === 0) atomicWait(this.names, at + N.key2, 0, 1);
      if (atomicLoad(this.names, at + N.key2) === k2) {
        mapSet(this.indexes, name, i);
        return i;
      }
    }
    return -1;
  }

  /** Takes the name's lock (re-entrant per thread: serializing a message can run app getters). */
  lock(index: number): void {
    const at = index * N.stride;
    const me = this.threadId + 1;
    if (atomicLoad(this.names, at + N.owner) === me) {
      this.names[at + N.depth]++;
      return;
    }
    for (let waits = 0; ; waits++) {
      const holder = atomicCompareExchange(this.names, at + N.owner, 0, me);
      if (holder === 0) break;
      if (waits >= LOCK_WAITS) {
        // The holder never let go (a thread terminated inside postMessage): take the lock over.
        if (atomicCompareExchange(this.names, at + N.owner, holder, me) === holder) break;
        waits = 0;
        continue;
      }
      atomicWait(this.names, at + N.owner, holder, 1);
    }
    this.names[at + N.depth] = 1;
  }

  /** Releases the lock taken by `lock`. */
  unlock(index: number): void {
    const at = index * N.stride;
    if (--this.names[at + N.depth] > 0) return;
    atomicStore(this.names, at + N.owner, 0);
    atomicNotify(this.names, at + N.owner, 1);
  }

  /** A new channel object on this name opened (under the lock); returns its instance id and start seq. */
  open(index: number): { instance: number; startSeq: number } {
    const at = index * N.stride;
    atomicAdd(this.names, at + N.open, 1);
    const instance = atomicAdd(this.names, at + N.instances, 1) + 1;
    return { instance, startSeq: atomicLoad(this.names, at + N.next) };
  }

  /** A channel object on this name closed (under the lock). */
  close(index: number): void {
    atomicSub(this.names, index * N.stride + N.open, 1);
  }

  /** Open channel objects on this name. */
  openCount(index: number): number {
    return atomicLoad(this.names, index * N.stride + N.open);
  }

  /** Next sequence number of this name (messages posted so far). */
  nextSeq(index: number): number {
    return atomicLoad(this.names, index * N.stride + N.next);
  }

  /**
   * Records one message about to be posted (under the lock, *before* the real post: a receiver in
   * another thread may be handed the message before postMessage even returns here).
   */
  recordSend(index: number, senderSlot: number, instance: number, timeMs: number): void {
    const at = index * N.stride;
    const seq = this.names[at + N.next];
    const r = (index * NAME_RING + (seq % NAME_RING)) * RING_STRIDE;
    this.rings[r] = seq;
    this.rings[r + 1] = senderSlot;
    this.rings[r + 2] = instance;
    this.rings[r + 3] = timeMs;
    atomicStore(this.names, at + N.next, seq + 1);
  }

  /** Takes back the last `recordSend` (under the lock) when the real post threw. */
  unrecordSend(index: number): void {
    atomicSub(this.names, index * N.stride + N.next, 1);
  }

  /**
   * Ring entry `seq` of a name: writes sender slot, instance and send time into `out`. False when
   * the entry was overwritten (the receiver lagged more than NAME_RING messages).
   */
  entry(index: number, seq: number, out: BroadcastEntry): boolean {
    const r = (index * NAME_RING + (seq % NAME_RING)) * RING_STRIDE;
    if (this.rings[r] !== seq) return false;
    out.senderSlot = this.rings[r + 1];
    out.instance = this.rings[r + 2];
    out.timeMs = this.rings[r + 3];
    return true;
  }
}

/** One ring entry, read into a reused object. */
export interface BroadcastEntry {
  senderSlot: number;
  instance: number;
  timeMs: number;
}
