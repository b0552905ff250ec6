/**
 * Counters every thread of the process can read and write: one slot per one-way channel in a
 * SharedArrayBuffer, handed to all threads through `worker_threads.setEnvironmentData` (nested
 * workers inherit it). Any thread can read a channel's depth at any time, even while the
 * receiving thread is blocked in sync code. Send timestamps live in per-channel rings so the
 * receiver can compute queueing delay by FIFO matching on the shared `performance.now()` clock.
 */
import { BroadcastTable, type BroadcastBuffers } from './broadcast-table';

// Captured at load, like every builtin the per-message paths call (intrinsics.ts).
const { load: atomicLoad, store: atomicStore, add: atomicAdd, compareExchange: atomicCompareExchange } = Atomics;
const { abs, imul, min, max } = Math;

/** Channel slots per process; channels past this are not counted (and the agent says so). */
export const MAX_CHANNELS = 4096;
/** Channels that get a send-timestamp ring (the rest report counts but no delay). */
export const MAX_RINGS = 64;
/** Timestamps per ring: floods deeper than this lose delay samples for their oldest messages. */
export const RING_SLOTS = 32768;
/** Entries in the mailbox that tells a receiver which channel a transferred port belongs to. */
export const MAILBOX_ENTRIES = 1024;

/**
 * Int32 fields of a channel slot, in three 64-byte cache lines: fields written only at setup
 * (read by both sides), the sender's counters, and the receiver's counter. Sender and receiver
 * write different lines, so a busy channel does not bounce one line between two cores.
 */
export const I32 = {
  /** threadId + 1 of the sending end's thread (0 = unknown). */
  fromThread: 0,
  /** threadId + 1 of the receiving end's thread (0 = unknown). */
  toThread: 1,
  kind: 2,
  /** ring index + 1 (0 = not assigned yet, -1 = none left). */
  ring: 3,
  /** Sends with a sequence number below this are timed (the sender's per-period budget; see TIMED_EVERY). */
  timedUntil: 4,
  /** 1 once a send on this channel has transferred a port (set once; the receiver then looks in the mailbox). */
  portsSent: 5,
  /** 1 once either port of the channel closed: what is still queued was discarded (depth 0 from then on). */
  closed: 6,
  sent: 16,
  maxDepth: 17,
  /** BroadcastChannel only: deliveries owed (receivers open at each send, summed). */
  expected: 18,
  delivered: 32,
  stride: 48,
} as const;

/**
 * Which sends are timed: the first TIMED_PER_PERIOD of each channel in each sampling period of its
 * sending thread, and beyond that every send whose sequence number is a multiple of TIMED_EVERY.
 * The rule depends only on the sequence number and `timedUntil` (in the slot's read-mostly line), so
 * the receiver knows which deliveries to look up in the ring and leaves the ring's cache lines alone
 * for the others. Reading the clock costs ~60–70 ns on each side of a timed message.
 */
export const TIMED_PER_PERIOD = 128;
/** Beyond the budget, one send in this many (a power of two) is timed. */
export const TIMED_EVERY = 16;

/** Float64 fields of a channel slot (one 64-byte line per slot: neighbouring slots have other writers). */
export const F64 = {
  bytesCopied: 0,
  bytesTransferred: 1,
  maxMessageBytes: 2,
  delayP50Ms: 3,
  delayP95Ms: 4,
  delayMaxMs: 5,
  stride: 8,
} as const;

/** What kind of link a channel is (for its label). */
export const ChannelKind = { workerDown: 1, workerUp: 2, messageChannel: 3, broadcast: 4 } as const;
export type ChannelKindCode = (typeof ChannelKind)[keyof typeof ChannelKind];

const MAILBOX_STRIDE = 5; // key channel+1, seq, index, sendSlot+1, recvSlot+1

/** The shared buffers, as handed between threads (SharedArrayBuffers clone by reference). */
export interface SharedBuffers {
  control: SharedArrayBuffer;
  i32: SharedArrayBuffer;
  f64: SharedArrayBuffer;
  rings: SharedArrayBuffer;
  mailbox: SharedArrayBuffer;
  broadcast: BroadcastBuffers;
}

/** Typed views over the shared buffers, one set per thread. */
export class SharedTable {
  readonly control: Int32Array;
  readonly i32: Int32Array;
  readonly f64: Float64Array;
  readonly rings: Float64Array;
  readonly mailbox: Int32Array;

  /**
   * The per-message counter operations (send, delivery, bytes), as closures over this thread's
   * views. A hook that keeps them in its own constants lets the compiler inline them with the views
   * as constants (direct addressing, no map or bounds checks on the view objects): fewer than half
   * the instructions of the same code as methods reading `this.i32`.
   */
  readonly ops: CounterOps;

  constructor(readonly buffers: SharedBuffers) {
    this.control = new Int32Array(buffers.control);
    this.i32 = new Int32Array(buffers.i32);
    this.f64 = new Float64Array(buffers.f64);
    this.rings = new Float64Array(buffers.rings);
    this.mailbox = new Int32Array(buffers.mailbox);
    this.ops = counterOps(this);
  }

  /** Allocates the buffers (main thread, once). Untouched pages of the rings cost no RSS. */
  static create(): SharedTable {
    return new SharedTable({
      control: new SharedArrayBuffer(16),
      i32: new SharedArrayBuffer(MAX_CHANNELS * I32.stride * 4),
      f64: new SharedArrayBuffer(MAX_CHANNELS * F64.stride * 8),
      rings: new SharedArrayBuffer(MAX_RINGS * RING_SLOTS * 2 * 8),
      mailbox: new SharedArrayBuffer(MAILBOX_ENTRIES * MAILBOX_STRIDE * 4),
      broadcast: BroadcastTable.createBuffers(),
    });
  }

  /** A new channel slot, or -1 when the table is full. */
  allocate(kind: ChannelKindCode, fromThreadId: number, toThreadId: number | null): number {
    const slot = atomicAdd(this.control, 0, 1);
    if (slot >= MAX_CHANNELS) return -1;
    const base = slot * I32.stride;
    atomicStore(this.i32, base + I32.kind, kind);
    atomicStore(this.i32, base + I32.fromThread, fromThreadId + 1);
    if (toThreadId !== null) atomicStore(this.i32, base + I32.toThread, toThreadId + 1);
    return slot;
  }

  /** Gives a channel a timestamp ring on its first send (rings are few; unused channels get none). */
  /** @internal For `counterOps`. */
  assignRing(base: number): number {
    const ring = atomicAdd(this.control, 1, 1);
    const value = ring < MAX_RINGS ? ring + 1 : -1;
    atomicStore(this.i32, base + I32.ring, value);
    return value;
  }

  /** Channels allocated so far, and how many were refused because the table was full. */
  usage(): { channels: number; refused: number } {
    const n = atomicLoad(this.control, 0);
    return { channels: min(n, MAX_CHANNELS), refused: max(0, n - MAX_CHANNELS) };
  }

  /** The sequence number the next send on `slot` gets (its sender's own counter). */
  nextSeq(slot: number): number {
    return this.ops.nextSeq(slot);
  }

  /** Whether the send numbered `seq` is to be timed, given the channel's `timedUntil`. */
  static isTimed(seq: number, timedUntil: number): boolean {
    return seq < timedUntil || (seq & (TIMED_EVERY - 1)) === 0;
  }

  /**
   * Starts the sender's budget of timed sends for a new sampling period: the next `budget` sends
   * are timed. Returns the new `timedUntil`, which the sender keeps a copy of.
   */
  timeNext(slot: number, budget = TIMED_PER_PERIOD): number {
    const base = slot * I32.stride;
    const until = this.i32[base + I32.sent] + budget;
    atomicStore(this.i32, base + I32.timedUntil, until);
    return until;
  }

  /** Counts one send; returns its sequence number (see `CounterOps.noteSend`). */
  noteSend(slot: number, sendMs: number): number {
    return this.ops.noteSend(slot, sendMs);
  }

  /** Undoes a send that threw (DataCloneError): the message never entered the queue. */
  undoSend(slot: number): void {
    this.i32[slot * I32.stride + I32.sent]--;
  }

  /** Sequence number of the last delivery counted by `noteDelivery` in this thread. */
  lastDeliveredSeq = -1;

  /** Counts one delivery; returns its queueing delay in ms or -1 (see `CounterOps.noteDelivery`). */
  noteDelivery(slot: number, clock: () => number): number {
    return this.ops.noteDelivery(slot, clock);
  }

  /** Messages sent but not yet delivered (BroadcastChannel: deliveries owed but not made). */
  depth(slot: number): number {
    const base = slot * I32.stride;
    const owed =
      this.i32[base + I32.kind] === ChannelKind.broadcast
        ? atomicLoad(this.i32, base + I32.expected)
        : atomicLoad(this.i32, base + I32.sent);
    const d = owed - atomicLoad(this.i32, base + I32.delivered);
    return d > 0 && atomicLoad(this.i32, base + I32.closed) === 0 ? d : 0;
  }

  /** A port of the channel closed: Node discarded its queue, so it no longer counts as waiting. */
  markClosed(slot: number): void {
    atomicStore(this.i32, slot * I32.stride + I32.closed, 1);
  }

  /** Adds the sender-side byte counters of one message (see `CounterOps.addBytes`). */
  addBytes(slot: number, copiedBytes: number, transferredBytes: number, messageBytes = copiedBytes): number {
    return this.ops.addBytes(slot, copiedBytes, transferredBytes, messageBytes);
  }

  /**
   * Takes back `addBytes` for a send that threw. The largest message goes back to `previousMax`
   * unless a later send (one from an app getter the copy ran) has raised it since.
   */
  undoBytes(
    slot: number,
    copiedBytes: number,
    transferredBytes: number,
    messageBytes: number,
    previousMax: number,
  ): void {
    const base = slot * F64.stride;
    this.f64[base + F64.bytesCopied] -= copiedBytes;
    this.f64[base + F64.bytesTransferred] -= transferredBytes;
    if (this.f64[base + F64.maxMessageBytes] === messageBytes && messageBytes > previousMax) {
      this.f64[base + F64.maxMessageBytes] = previousMax;
    }
  }

  /** Marks which thread now holds the receiving end (after a port moved). */
  setReceiverThread(slot: number, threadId: number): void {
    atomicStore(this.i32, slot * I32.stride + I32.toThread, threadId + 1);
  }

  /** Marks which thread now holds the sending end (after a port moved). */
  setSenderThread(slot: number, threadId: number): void {
    atomicStore(this.i32, slot * I32.stride + I32.fromThread, threadId + 1);
  }

  /**
   * Leaves word that the `index`-th port transferred with message `seq` of channel `slot` is the
   * port whose channels are `sendSlot`/`recvSlot`. False when the mailbox is full.
   */
  post(slot: number, seq: number, index: number, sendSlot: number, recvSlot: number): boolean {
    const base = slot * I32.stride;
    if (this.i32[base + I32.portsSent] === 0) atomicStore(this.i32, base + I32.portsSent, 1);
    const start = this.hash(slot, seq, index);
    for (let probe = 0; probe < 32; probe++) {
      const at = ((start + probe) % MAILBOX_ENTRIES) * MAILBOX_STRIDE;
      if (atomicCompareExchange(this.mailbox, at, 0, -1) !== 0) continue; // taken; -1 = being written
      this.mailbox[at + 1] = seq;
      this.mailbox[at + 2] = index;
      this.mailbox[at + 3] = sendSlot + 1;
      this.mailbox[at + 4] = recvSlot + 1;
      atomicStore(this.mailbox, at, slot + 1);
      return true;
    }
    return false;
  }

  /** Whether any send on `slot` has transferred a port (so `take` can find something). */
  portsSent(slot: number): boolean {
    return this.ops.portsSent(slot);
  }

  /** Takes the entry left by `post`, or null when there is none. */
  take(slot: number, seq: number, index: number): { sendSlot: number; recvSlot: number } | null {
    const start = this.hash(slot, seq, index);
    for (let probe = 0; probe < 32; probe++) {
      const at = ((start + probe) % MAILBOX_ENTRIES) * MAILBOX_STRIDE;
      if (atomicLoad(this.mailbox, at) !== slot + 1) continue;
      if (this.mailbox[at + 1] !== seq || this.mailbox[at + 2] !== index) continue;
      const found = { sendSlot: this.mailbox[at + 3] - 1, recvSlot: this.mailbox[at + 4] - 1 };
      atomicStore(this.mailbox, at, 0);
      return found;
    }
    return null;
  }

  private hash(slot: number, seq: number, index: number): number {
    return abs(imul(slot + 1, 0x9e3779b1) ^ imul(seq, 0x85ebca6b) ^ index) % MAILBOX_ENTRIES;
  }
}

/** The counter operations of one thread's `SharedTable` (see `SharedTable.ops`). */
export interface CounterOps {
  /** The sequence number the next send on `slot` gets (its sender's own counter). */
  nextSeq(slot: number): number;
  /**
   * Counts one send; returns its sequence number. `sendMs` (the shared clock, or -1 for a send
   * that is not timed) is recorded for delay matching. Max depth is exact up to 64 and within
   * 1/64 above: the receiver's counter is re-read only when the upper bound could beat the max
   * by more than that slack.
   */
  noteSend(slot: number, sendMs: number): number;
  /**
   * Counts one delivery; returns its queueing delay in ms, or -1 when the send was not timed or
   * its time was lost. The clock is read only for timed sends. The delivery's sequence number is
   * left in the table's `lastDeliveredSeq` (no object per message).
   */
  noteDelivery(slot: number, clock: () => number): number;
  /**
   * Adds the sender-side byte counters of one message (`copiedBytes` may stand for several sends
   * of a port sized by sample); returns the largest message before it.
   */
  addBytes(slot: number, copiedBytes: number, transferredBytes: number, messageBytes: number): number;
  /**
   * Whether any send on `slot` has transferred a port. A plain read: the flag is set before the
   * port's message is posted, and the message's delivery orders it before any read that matters.
   */
  portsSent(slot: number): boolean;
}

function counterOps(table: SharedTable): CounterOps {
  const { i32, f64, rings } = table;
  /**
   * `delivered` as this thread last read it, per slot: a lower bound of the real count (it only
   * grows), so `sent - deliveredSeen` is an upper bound of the depth. Reading the receiver's
   * counter on every send would pull its cache line across cores twice per message.
   */
  const deliveredSeen = new Int32Array(MAX_CHANNELS);
  return {
    nextSeq: (slot) => i32[slot * I32.stride + I32.sent]!,
    noteSend(slot, sendMs) {
      const base = slot * I32.stride;
      // One writer: a port sends from one thread at a time (a transfer hands it over through the
      // port's own queue, which orders the writes). A plain store costs a third of Atomics.add.
      const seq = i32[base + I32.sent]!;
      i32[base + I32.sent] = seq + 1;
      const max = i32[base + I32.maxDepth]!;
      if (seq + 1 - deliveredSeen[slot]! > max + (max >> 6)) {
        const delivered = atomicLoad(i32, base + I32.delivered);
        deliveredSeen[slot] = delivered;
        if (seq + 1 - delivered > max) atomicStore(i32, base + I32.maxDepth, seq + 1 - delivered);
      }
      if (sendMs >= 0) {
        let ringField = i32[base + I32.ring]!;
        if (ringField === 0) ringField = table.assignRing(base);
        const ring = ringField - 1;
        if (ring >= 0) {
          const at = (ring * RING_SLOTS + (seq % RING_SLOTS)) * 2;
          rings[at + 1] = sendMs;
          rings[at] = seq + 1; // + 1: a zeroed entry never matches seq 0
        }
      }
      return seq;
    },
    noteDelivery(slot, clock) {
      const base = slot * I32.stride;
      // One writer, the thread that holds the receiving port (see noteSend).
      const seq = i32[base + I32.delivered]!;
      i32[base + I32.delivered] = seq + 1;
      table.lastDeliveredSeq = seq;
      // Only timed sends are in the ring: the others never touch its cache lines.
      if (!SharedTable.isTimed(seq, i32[base + I32.timedUntil]!)) return -1;
      const ring = i32[base + I32.ring]! - 1;
      if (ring < 0) return -1; // no ring: -1 (none left) or 0 (never sent through the hook)
      const at = (ring * RING_SLOTS + (seq % RING_SLOTS)) * 2;
      if (rings[at] !== seq + 1) return -1; // not timed, or overwritten by a deeper flood
      const delay = clock() - rings[at + 1]!;
      return delay > 0 ? delay : 0;
    },
    portsSent: (slot) => i32[slot * I32.stride + I32.portsSent] === 1,
    addBytes(slot, copiedBytes, transferredBytes, messageBytes) {
      const base = slot * F64.stride;
      f64[base + F64.bytesCopied] += copiedBytes;
      f64[base + F64.bytesTransferred] += transferredBytes;
      const max = f64[base + F64.maxMessageBytes]!;
      if (messageBytes > max) f64[base + F64.maxMessageBytes] = messageBytes;
      return max;
    },
  };
}
