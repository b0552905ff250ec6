/**
 * BroadcastChannel hooks. A broadcast is one-to-many: the agent keeps one channel per (name,
 * sending isolate) with no single receiver (`toIsolateId: null`). `sent` counts postMessage calls,
 * `delivered` sums deliveries over every receiving channel object, and depth is the deliveries
 * still owed: each send owes one delivery per other channel object open on the name at that moment
 * (messages dropped by a receiver that closes are written off). A receiver attributes each
 * delivery to its sender through the name's shared sequence (see broadcast-table.ts).
 */
import { BroadcastTable, MAX_NAMES, NAME_RING, type BroadcastEntry } from './broadcast-table';
import type { PortEnd } from './channel-registry';
import { nowMs } from './clock';
import { debugLog } from './debug-log';
import {
  constructHook,
  internalField,
  isDataDescriptor,
  mirrorShape,
  ownDescriptor,
  reflectConstruct,
  uncurryThis,
  type AnyConstructor,
} from './raw-apis';
import { ChannelKind, I32 } from './shared-table';
import { estimateInto, type SizeEstimate } from './size-estimator';
import type { ThreadContext } from './thread-context';
import { workerThreadsModule as workerThreads } from './worker-threads-module';

// Builtins captured at load: the per-send and per-delivery paths below call no builtin an app can
// replace later (Atomics, Function.prototype.call, Map methods).
const { add: atomicAdd, sub: atomicSub, load: atomicLoad, store: atomicStore } = Atomics;
const getOwnDescriptor = Object.getOwnPropertyDescriptor;
const defineProperty = Object.defineProperty;

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
    for (let seq = this.cursor > next - NAME_RING ? this.cursor : next - NAME_RING; seq < next; seq++) {
      if (!this.bt.entry(this.nameIndex, seq, e) || e.instance !== this.instance) n++;
    }
    return n;
  }

  /**
   * Undelivered messages of others, in order (called under the name's lock when closing). Only the
   * last NAME_RING messages can still be in the ring, so that is all it walks: closing costs at
   * most NAME_RING steps, however many messages were ever posted on the name.
   */
  forEachPending(fn: (senderSlot: number) => void): void {
    const e = scratchEntry;
    const next = this.bt.nextSeq(this.nameIndex);
    const from = this.cursor > next - NAME_RING ? this.cursor : next - NAME_RING;
    for (let seq = from; seq < next; seq++) {
      if (this.bt.entry(this.nameIndex, seq, e) && e.instance !== this.instance) fn(e.senderSlot);
    }
    this.cursor = next;
  }
}

const scratchEntry: BroadcastEntry = { senderSlot: 0, instance: 0, timeMs: 0 };

/** Installs the BroadcastChannel replacement (worker_threads export and global) for this thread. */
export function installBroadcastHooks(ctx: ThreadContext, notable: NotableHook): void {
  const { raw, registry, table } = ctx;
  const Original = raw.BroadcastChannel;
  if (typeof Original !== 'function') return;
  const bt = new BroadcastTable(ctx.table.buffers.broadcast, ctx.threadId);
  const proto = Original.prototype as unknown as Record<string, unknown>;
  type Method = (this: unknown, ...args: unknown[]) => unknown;
  const originalPost = proto.postMessage as Method;
  const originalClose = proto.close as Method;
  const callPost = uncurryThis(originalPost);
  const callClose = uncurryThis(originalClose);
  /** This thread's sending channel slot per name entry (-2: none yet). */
  const senderSlots = new Int32Array(MAX_NAMES).fill(-2);
  const scratch: SizeEstimate = { bytes: 0, typedArrayBytes: 0, touchesAppCode: false };
  const i32 = table.i32;

  function senderSlot(r: BroadcastReceiver): number {
    let slot = senderSlots[r.nameIndex]!;
    if (slot === -2) {
      slot = table.allocate(ChannelKind.broadcast, ctx.threadId, null);
      senderSlots[r.nameIndex] = slot;
      if (slot >= 0) registry.track(slot, r.label);
    }
    return slot;
  }

  function onDelivery(slot: number, delayMs: number, label: string): void {
    if (slot < 0) return;
    atomicAdd(i32, slot * I32.stride + I32.delivered, 1);
    registry.broadcastReceived++;
    bt.noteReceived();
    registry.broadcastDelays(slot, label).add(delayMs > 0 ? delayMs : 0);
  }

  /** `new BroadcastChannel(name)`, as the stand-in's construct trap. */
  function constructBroadcastChannel(args: unknown[], newTarget: AnyConstructor): object {
    if (args.length === 0) return reflectConstruct(Original, args, newTarget); // Node's own "name is required" error
    const key = `${args[0] as string}`; // converted once, as Node would
    args[0] = key;
    const index = bt.indexOf(key);
    if (index < 0) {
      debugLog('BroadcastChannel name table full: channel not counted');
      return reflectConstruct(Original, args, newTarget);
    }
    bt.lock(index);
    try {
      const channel = reflectConstruct(Original, args, newTarget);
      const { instance, startSeq } = bt.open(index);
      const r = new BroadcastReceiver(index, instance, startSeq, `BroadcastChannel '${key}'`, bt, onDelivery);
      const handle = internalField(channel, 'kHandle');
      registry.registerBroadcast(channel, r);
      if (handle !== null && typeof handle === 'object') registry.registerBroadcastHandle(handle, r);
      return channel;
    } finally {
      bt.unlock(index);
    }
  }
  const PatchedBroadcastChannel = constructHook(Original, constructBroadcastChannel);

  function postMessage(this: unknown, message: unknown): unknown {
    // No argument: Node throws ERR_MISSING_ARGS, and nothing was sent.
    if (arguments.length === 0) return callPost(this);
    const end = registry.get(this as object);
    const r = end?.bc;
    if (end === undefined || r == null || r.closed) return callPost(this, message);
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
      const others = bt.openCount(r.nameIndex) - 1;
      const receivers = others > 0 ? others : 0;
      // Announced before the real post: receivers may get the message before it returns.
      bt.recordSend(r.nameIndex, slot, r.instance, nowMs());
      if (slot >= 0) atomicAdd(i32, base + I32.expected, receivers);
      try {
        result = callPost(this, message);
      } catch (err) {
        // DataCloneError or a closed channel, thrown exactly as without the agent: nothing counted.
        bt.unrecordSend(r.nameIndex);
        if (slot >= 0) atomicSub(i32, base + I32.expected, receivers);
        slot = -1;
        throw err;
      }
      if (slot >= 0) {
        atomicAdd(i32, base + I32.sent, 1);
        const depth = atomicLoad(i32, base + I32.expected) - atomicLoad(i32, base + I32.delivered);
        if (depth > i32[base + I32.maxDepth]!) atomicStore(i32, base + I32.maxDepth, depth);
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
    if (r == null || r.closed) return callClose(this);
    bt.lock(r.nameIndex);
    try {
      const result = callClose(this);
      r.closed = true;
      bt.close(r.nameIndex);
      // Messages still queued for this object are dropped by Node: they will never be delivered.
      r.forEachPending((slot) => {
        if (slot >= 0) atomicSub(i32, slot * I32.stride + I32.expected, 1);
      });
      return result;
    } finally {
      bt.unlock(r.nameIndex);
    }
  }

  // Same attributes, name and length as Node's own methods; only the function differs.
  const replace = (key: string, fn: Method): void => {
    const d = getOwnDescriptor(proto, key);
    const flags = ownDescriptor(isDataDescriptor(d) ? d : { writable: true, enumerable: true, configurable: true });
    flags.value = mirrorShape(fn, proto[key] as object);
    defineProperty(proto, key, flags);
  };
  replace('postMessage', postMessage);
  replace('close', close);
  (workerThreads as unknown as Record<string, unknown>).BroadcastChannel = PatchedBroadcastChannel;
  const g = globalThis as { BroadcastChannel?: unknown };
  if (g.BroadcastChannel === Original) g.BroadcastChannel = PatchedBroadcastChannel;
}
