/**
 * BroadcastChannel hooks. A broadcast is one-to-many: the agent keeps one channel per (name,
 * sending isolate) with no single receiver (`toIsolateId: null`). `sent` counts postMessage calls,
 * `delivered` sums deliveries over every receiving channel object, and depth is the deliveries
 * still owed: each send owes one delivery per other channel object open on the name at that moment
 * (messages dropped by a receiver that closes are written off). A receiver attributes each
 * delivery to its sender through the name's shared sequence (see broadcast-table.ts).
 */
import { BroadcastTable, NAME_RING, type BroadcastEntry } from './broadcast-table';
import type { PortEnd } from './channel-registry';
import { nowMs } from './clock';
import { debugLog } from './debug-log';
import { ChannelKind, I32 } from './shared-table';
import { estimateInto, type SizeEstimate } from './size-estimator';
import type { ThreadContext } from './thread-context';
import { mirrorShape } from './raw-apis';
import { workerThreadsModule as workerThreads } from './worker-threads-module';

/** Reports a notable message (the ledger path of the MessagePort hooks). */
export type NotableHook = (
  end: PortEnd,
  slot: number,
  est: SizeEstimate,
  transferred: number,
  message: unknown,
  below: object,
) => void;

/** One BroadcastChannel object of this thread, as the agent tracks it. */
export class BroadcastReceiver {
  /** Next sequence number of the name this object has not been handed yet. */
  cursor: number;
  closed = false;

  constructor(
    readonly nameIndex: number,
    readonly instance: number,
    startSeq: number,
    readonly label: string,
    private readonly bt: BroadcastTable,
    private readonly onDelivery: (senderSlot: number, delayMs: number, label: string) => void,
  ) {
    this.cursor = startSeq;
  }

  /** One message reached this object: attribute it to its sender. */
  delivered(): void {
    if (this.closed) return;
    const e = scratchEntry;
    const next = this.bt.nextSeq(this.nameIndex);
    while (this.cursor < next) {
      const seq = this.cursor++;
      if (!this.bt.entry(this.nameIndex, seq, e)) return; // overwritten: lagged > NAME_RING, not attributed
      if (e.instance === this.instance) continue; // its own send: never delivered to itself
      this.onDelivery(e.senderSlot, nowMs() - e.timeMs, this.label);
      return;
    }
  }

  /**
   * Messages of others posted since this object's last delivery and not delivered to it yet: its
   * share of the isolate's queue. A message overwritten in the name's ring (lagging by more than
   * NAME_RING) is counted, since whose it was is no longer known.
   */
  pending(): number {
    if (this.closed) return 0;
    const e = scratchEntry;
    const next = this.bt.nextSeq(this.nameIndex);
    let n = 0;
    for (let seq = Math.max(this.cursor, next - NAME_RING); seq < next; seq++) {
      if (!this.bt.entry(this.nameIndex, seq, e) || e.instance !== this.instance) n++;
    }
    return n;
  }

  /** Undelivered messages of others, in order (called under the name's lock when closing). */
  forEachPending(fn: (senderSlot: number) => void): void {
    const e = scratchEntry;
    const next = this.bt.nextSeq(this.nameIndex);
    for (let seq = this.cursor; seq < next; seq++) {
      if (this.bt.entry(this.nameIndex, seq, e) && e.instance !== this.instance) fn(e.senderSlot);
    }
    this.cursor = next;
  }
}

const scratchEntry: BroadcastEntry = { senderSlot: 0, instance: 0, timeMs: 0 };

function internalField(target: object, description: string): unknown {
  for (const sym of Object.getOwnPropertySymbols(target)) {
    if (sym.description === description) return (target as Record<symbol, unknown>)[sym];
  }
  return undefined;
}

/** Installs the BroadcastChannel replacement (worker_threads export and global) for this thread. */
export function installBroadcastHooks(ctx: ThreadContext, notable: NotableHook): void {
  const { raw, registry, table } = ctx;
  const Original = raw.BroadcastChannel;
  if (typeof Original !== 'function') return;
  const bt = new BroadcastTable(ctx.table.buffers.broadcast, ctx.threadId);
  const proto = Original.prototype as unknown as Record<string, unknown>;
  const originalPost = proto.postMessage as (this: unknown, ...args: unknown[]) => unknown;
  const originalClose = proto.close as (this: unknown) => unknown;
  /** This thread's sending channel slot per name entry. */
  const senderSlots = new Map<number, number>();
  const scratch: SizeEstimate = { bytes: 0, typedArrayBytes: 0, touchesAppCode: false };
  const i32 = table.i32;

  function senderSlot(r: BroadcastReceiver): number {
    let slot = senderSlots.get(r.nameIndex);
    if (slot === undefined) {
      slot = table.allocate(ChannelKind.broadcast, ctx.threadId, null);
      senderSlots.set(r.nameIndex, slot);
      if (slot >= 0) registry.track(slot, r.label);
    }
    return slot;
  }

  function onDelivery(slot: number, delayMs: number, label: string): void {
    if (slot < 0) return;
    Atomics.add(i32, slot * I32.stride + I32.delivered, 1);
    registry.broadcastDelays(slot, label).add(delayMs > 0 ? delayMs : 0);
  }

  class PatchedBroadcastChannel extends Original {
    constructor(name: unknown) {
      if (arguments.length === 0) {
        super(...([] as unknown as [string])); // Node's own "name is required" error
        return;
      }
      const key = `${name as string}`; // converted once, as Node would
      const index = bt.indexOf(key);
      if (index < 0) {
        super(key);
        debugLog('BroadcastChannel name table full: channel not counted');
        return;
      }
      bt.lock(index);
      try {
        super(key);
        const { instance, startSeq } = bt.open(index);
        const r = new BroadcastReceiver(index, instance, startSeq, `BroadcastChannel '${key}'`, bt, onDelivery);
        const handle = internalField(this, 'kHandle');
        registry.registerBroadcast(this, r);
        if (handle !== null && typeof handle === 'object') registry.registerBroadcastHandle(handle, r);
      } finally {
        bt.unlock(index);
      }
    }
  }
  mirrorShape(PatchedBroadcastChannel, Original);

  function postMessage(this: unknown, message: unknown): unknown {
    const end = registry.get(this as object);
    const r = end?.bc;
    if (end === undefined || r == null || r.closed) {
      return arguments.length === 0 ? originalPost.call(this) : originalPost.call(this, message);
    }
    try {
      estimateInto(message, null, scratch);
    } catch (err) {
      scratch.bytes = 0;
      scratch.typedArrayBytes = 0;
      debugLog(`estimate failed: ${String(err)}`);
    }
    const bytes = scratch.bytes;
    const walked = bytes >= ctx.config.notableBytes ? { ...scratch } : null;
    bt.lock(r.nameIndex);
    let result: unknown;
    let slot = -1;
    try {
      slot = senderSlot(r);
      const base = slot * I32.stride;
      const receivers = Math.max(0, bt.openCount(r.nameIndex) - 1);
      // Announced before the real post: receivers may get the message before it returns.
      bt.recordSend(r.nameIndex, slot, r.instance, nowMs());
      if (slot >= 0) Atomics.add(i32, base + I32.expected, receivers);
      try {
        result = originalPost.call(this, message);
      } catch (err) {
        // DataCloneError or a closed channel, thrown exactly as without the agent: nothing counted.
        bt.unrecordSend(r.nameIndex);
        if (slot >= 0) Atomics.sub(i32, base + I32.expected, receivers);
        slot = -1;
        throw err;
      }
      if (slot >= 0) {
        Atomics.add(i32, base + I32.sent, 1);
        const depth = Atomics.load(i32, base + I32.expected) - Atomics.load(i32, base + I32.delivered);
        if (depth > i32[base + I32.maxDepth]) Atomics.store(i32, base + I32.maxDepth, depth);
      }
    } finally {
      bt.unlock(r.nameIndex);
    }
    if (slot >= 0) {
      // One serialized copy per send, whatever the number of receivers.
      table.addBytes(slot, bytes, 0);
      if (walked !== null) {
        try {
          notable(end, slot, walked, 0, message, postMessage);
        } catch (err) {
          debugLog(`ledger failed: ${String(err)}`);
        }
      }
    }
    return result;
  }

  function close(this: unknown): unknown {
    const r = registry.get(this as object)?.bc;
    if (r == null || r.closed) return originalClose.call(this);
    bt.lock(r.nameIndex);
    try {
      const result = originalClose.call(this);
      r.closed = true;
      bt.close(r.nameIndex);
      // Messages still queued for this object are dropped by Node: they will never be delivered.
      r.forEachPending((slot) => {
        if (slot >= 0) Atomics.sub(i32, slot * I32.stride + I32.expected, 1);
      });
      return result;
    } finally {
      bt.unlock(r.nameIndex);
    }
  }

  // Same attributes as Node's own methods; only the function differs.
  const flags = (key: string): PropertyDescriptor => {
    const d = Object.getOwnPropertyDescriptor(proto, key);
    return { writable: d?.writable ?? true, configurable: d?.configurable ?? true, enumerable: d?.enumerable ?? true };
  };
  Object.defineProperty(proto, 'postMessage', { ...flags('postMessage'), value: postMessage });
  Object.defineProperty(proto, 'close', { ...flags('close'), value: close });
  (workerThreads as unknown as Record<string, unknown>).BroadcastChannel = PatchedBroadcastChannel;
  const g = globalThis as { BroadcastChannel?: unknown };
  if (g.BroadcastChannel === Original) g.BroadcastChannel = PatchedBroadcastChannel;
}
