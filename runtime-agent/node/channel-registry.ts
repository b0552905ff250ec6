/**
 * Which ports this thread instruments and which channel slots they use. Only ports the agent
 * registered are counted: Node's own internal ports (worker stdio, script loading) go through the
 * same prototype hooks and must be ignored. Also produces this thread's `channel` records.
 */
import type { ChannelRecord } from '../../protocol/agent-frames';
import type { BroadcastReceiver } from './broadcast-hooks';
import { newCaptureState, type CaptureState } from './call-sites';
import { DelayHistogram } from './delay-histogram';
import { ChannelKind, F64, I32, SharedTable } from './shared-table';
import { newSizingState, type SizingState } from './sizing';
import { workerThreadsModule as workerThreads } from './worker-threads-module';
import {
  mapForEach,
  mapGet,
  mapHas,
  mapSet,
  max,
  setAdd,
  setDelete,
  setForEach,
  setHas,
  weakMapDelete,
  weakMapGet,
  weakMapSet,
  weakRefDeref,
  WeakRefCtor,
} from './intrinsics';

const atomicLoad = Atomics.load;

/** One end of a pair of one-way channels, as held by a port object in this thread. */
export interface PortEnd {
  /** Slot of the channel this port sends on (-1: not counted). */
  send: number;
  /** Slot of the channel this port receives from (-1: not counted). */
  recv: number;
  /** Delays of messages delivered to this port. */
  delays: DelayHistogram;
  /** Call-site sampling of the notable messages sent through this port. */
  capture: CaptureState;
  /** Which of this port's sends are sized (sizing.ts). */
  sizing: SizingState;
  /** Sampling period of `timedUntil` (-1: none yet). */
  timedPeriod: number;
  /** This sender's copy of its channel's `timedUntil` (shared-table.ts). */
  timedUntil: number;
  /** Set for a BroadcastChannel object and its internal handle (send/recv are -1 then). */
  bc: BroadcastReceiver | null;
  /** Whether the port carries the agent's private fields (see `PortSlot`): then `postVia` can send. */
  stamped: boolean;
}

function newPortEnd(send: number, recv: number, delays: DelayHistogram, bc: BroadcastReceiver | null): PortEnd {
  return {
    send,
    recv,
    delays,
    capture: newCaptureState(),
    sizing: newSizingState(),
    timedPeriod: -1,
    timedUntil: 0,
    bc,
    stamped: false,
  };
}

const kindLabel: Record<number, string> = {
  [ChannelKind.workerDown]: 'parent → worker',
  [ChannelKind.workerUp]: 'worker → parent',
  [ChannelKind.messageChannel]: 'MessageChannel',
  [ChannelKind.broadcast]: 'BroadcastChannel',
};

type RawPost = (this: unknown, ...args: unknown[]) => unknown;
/** `MessagePort.prototype.postMessage` as it was before the hooks, captured by the registry. */
let rawPost: RawPost | null = null;

/**
 * The object the send hook last looked up, and its end; the same for the delivery hook. A stream
 * sends (and receives) through one port many times in a row: comparing it with the previous one
 * skips the brand check. In a thread with a Worker, that check costs ~65 instructions a send: Node's
 * internal port of the Worker (the script load, stdio), which the agent does not count, passes
 * through the same hook, so the check has seen a stamped and an unstamped port, and the engine
 * calls the generic `in` handler instead of inlining it (callgrind, Node 20). `PortSlot.set` keeps
 * both memories up to date; `forgetRecent` (each sampling period) drops them, so a port the app
 * let go of is not kept alive for long.
 */
let recentSendPort: object | null = null;
let recentSendEnd: PortEnd | undefined;
let recentDeliveryPort: object | null = null;
let recentDeliveryEnd: PortEnd | undefined;

/** A base class whose constructor returns its argument: a subclass then adds its private fields to that object. */
class Stamp {
  constructor(target: object) {
    return target as Stamp;
  }
}

/**
 * The end of a counted port, kept in a private field stamped onto the port object. Reading it
 * costs about half a WeakMap lookup (~6 against ~13–15 ns, on every send and every delivery), and
 * the app cannot see it: a private name is not a property key (`Reflect.ownKeys`, `util.inspect`)
 * and never reaches a proxy's traps.
 */
class PortSlot extends Stamp {
  #end: PortEnd | undefined;
  /**
   * The original `postMessage`, called as a method of the port (`o.#post(m)`): the engine then
   * knows the receiver's map from the field load and calls the native function directly, where a
   * call through `Function.prototype.call` with an unknown receiver first runs a receiver check
   * (~110 instructions a send, measured with callgrind).
   */
  #post: RawPost;

  private constructor(target: object, end: PortEnd) {
    super(target);
    this.#end = end;
    this.#post = rawPost!;
  }

  /** Sends through the original `postMessage` of a stamped port, with the app's argument count. */
  static post0(o: object): unknown {
    return (o as PortSlot).#post();
  }

  static post1(o: object, message: unknown): unknown {
    return (o as PortSlot).#post(message);
  }

  static post2(o: object, message: unknown, transfer: unknown): unknown {
    return (o as PortSlot).#post(message, transfer);
  }

  /** The end stamped onto `o` (undefined when there is none, or it was released). */
  static get(o: object): PortEnd | undefined {
    return #end in o ? o.#end : undefined;
  }

  // The two hooks' lookups are separate functions on purpose: each brand check then has feedback
  // of its own hook's ports only (a shared helper would share it).

  /** `get` for the send hook, through the last port it looked up. */
  static getForSend(o: object): PortEnd | undefined {
    if (o === recentSendPort) return recentSendEnd;
    const end = #end in o ? o.#end : undefined;
    recentSendPort = o;
    recentSendEnd = end;
    return end;
  }

  /** `get` for the delivery hook, through the last port it looked up. */
  static getForDelivery(o: object): PortEnd | undefined {
    if (o === recentDeliveryPort) return recentDeliveryEnd;
    const end = #end in o ? o.#end : undefined;
    recentDeliveryPort = o;
    recentDeliveryEnd = end;
    return end;
  }

  /** Stamps or restamps `o`; false when the engine refuses to add the field. */
  static set(o: object, end: PortEnd | undefined): boolean {
    if (o === recentSendPort) recentSendEnd = end;
    if (o === recentDeliveryPort) recentDeliveryEnd = end;
    if (#end in o) {
      o.#end = end;
      return true;
    }
    if (end === undefined) return true;
    try {
      new PortSlot(o, end);
      return true;
    } catch {
      return false;
    }
  }
}

/**
 * Sends a message of a stamped port (`PortEnd.stamped`) with the original `postMessage`, called as
 * a method of the port (see `PortSlot`). `argc` is the app's argument count (0, 1 or 2): Node checks it.
 */
export function postStamped(port: object, argc: number, message: unknown, transfer: unknown): unknown {
  if (argc > 1) return PortSlot.post2(port, message, transfer);
  return argc === 0 ? PortSlot.post0(port) : PortSlot.post1(port, message);
}

/** `postStamped` for a call with exactly one argument (the common send). */
export function postStamped1(port: object, message: unknown): unknown {
  return PortSlot.post1(port, message);
}

/** Registered ports of this thread and the channel slots they touch. */
export class ChannelRegistry {
  private readonly ends = new WeakMap<object, PortEnd>();
  /** Registrations whose object refused the stamp: `get` then falls back to `ends`. */
  private unstamped = 0;
  /** BroadcastChannel messages delivered to this thread's counted channel objects (cumulative). */
  broadcastReceived = 0;
  /** Receiving slots whose port lives in this thread (their depth is this isolate's queue). */
  private readonly inbound = new Set<number>();
  /** Delay histograms by receiving slot, published into the shared table when reporting. */
  private readonly histograms = new Map<number, DelayHistogram>();
  /** Slots this thread reports, with the sent+delivered+bytes it last reported. */
  private readonly reported = new Map<number, number>();
  /** Labels of slots that are not labelled by their kind alone (BroadcastChannel names). */
  private readonly labels = new Map<number, string>();
  /**
   * This thread's BroadcastChannel objects, whose backlogs are part of its queue. Weak: an object
   * the app dropped without closing must not be kept alive.
   */
  private readonly broadcastReceivers = new Set<WeakRef<BroadcastReceiver>>();
  /** Broadcast delays seen by this thread, by sending slot (several threads may receive). */
  private readonly broadcastHistograms = new Map<number, DelayHistogram>();

  constructor(
    readonly table: SharedTable,
    private readonly threadId: number,
    private readonly pid: number,
  ) {
    // Constructed at start, before the message hooks replace the prototype's method.
    rawPost ??= workerThreads.MessagePort.prototype.postMessage as RawPost;
  }

  /** Starts counting `port`: it sends on `send` and receives from `recv` (-1 for none). */
  register(port: object, send: number, recv: number): PortEnd {
    let delays = recv >= 0 ? mapGet(this.histograms, recv) : undefined;
    if (delays === undefined) {
      delays = new DelayHistogram();
      if (recv >= 0) mapSet(this.histograms, recv, delays);
    }
    const end = newPortEnd(send, recv, delays, null);
    this.setEnd(port, end);
    if (send >= 0) {
      this.table.setSenderThread(send, this.threadId);
      if (!mapHas(this.reported, send)) mapSet(this.reported, send, -1);
    }
    if (recv >= 0) {
      this.table.setReceiverThread(recv, this.threadId);
      setAdd(this.inbound, recv);
      if (!mapHas(this.reported, recv)) mapSet(this.reported, recv, -1);
    }
    return end;
  }

  /** Counts a BroadcastChannel object (or its internal handle) through `receiver`. */
  registerBroadcast(target: object, receiver: BroadcastReceiver): void {
    this.registerBroadcastHandle(target, receiver);
    setAdd(this.broadcastReceivers, new WeakRefCtor(receiver));
  }

  /** Counts the internal handle of a BroadcastChannel object already registered with `receiver`. */
  registerBroadcastHandle(handle: object, receiver: BroadcastReceiver): void {
    this.setEnd(handle, newPortEnd(-1, -1, new DelayHistogram(), receiver));
  }

  private setEnd(port: object, end: PortEnd): void {
    weakMapSet(this.ends, port, end);
    end.stamped = PortSlot.set(port, end);
    if (!end.stamped) this.unstamped++;
  }

  /** Reports `slot` from this thread under `label` (BroadcastChannel slots, senders and receivers). */
  track(slot: number, label: string): void {
    mapSet(this.labels, slot, label);
    if (!mapHas(this.reported, slot)) mapSet(this.reported, slot, -1);
  }

  /** This thread's delay histogram of deliveries from broadcast sending slot `slot`. */
  broadcastDelays(slot: number, label: string): DelayHistogram {
    let h = mapGet(this.broadcastHistograms, slot);
    if (h === undefined) {
      h = new DelayHistogram();
      mapSet(this.broadcastHistograms, slot, h);
      this.track(slot, label);
    }
    return h;
  }

  /** The end registered for `port`, if the agent counts it. */
  get(port: unknown): PortEnd | undefined {
    // The hooks pass `this`, which an odd call can make a primitive, null or undefined.
    if (typeof port !== 'object' || port === null) return undefined;
    const end = PortSlot.get(port);
    if (end !== undefined || this.unstamped === 0) return end;
    return weakMapGet(this.ends, port);
  }

  /** `get` for the send hook (`PortSlot.getForSend`). */
  getForSend(port: unknown): PortEnd | undefined {
    if (typeof port !== 'object' || port === null) return undefined;
    const end = PortSlot.getForSend(port);
    if (end !== undefined || this.unstamped === 0) return end;
    return weakMapGet(this.ends, port);
  }

  /** `get` for the delivery hook (`PortSlot.getForDelivery`). */
  getForDelivery(port: unknown): PortEnd | undefined {
    if (typeof port !== 'object' || port === null) return undefined;
    const end = PortSlot.getForDelivery(port);
    if (end !== undefined || this.unstamped === 0) return end;
    return weakMapGet(this.ends, port);
  }

  /** Drops the hooks' last-looked-up ports (each sampling period), so neither is kept alive for long. */
  forgetRecent(): void {
    recentSendPort = null;
    recentSendEnd = undefined;
    recentDeliveryPort = null;
    recentDeliveryEnd = undefined;
  }

  /** The port was transferred away: its queue no longer belongs to this isolate. */
  release(port: object): void {
    const end = weakMapGet(this.ends, port);
    if (end === undefined) return;
    weakMapDelete(this.ends, port);
    PortSlot.set(port, undefined);
    if (end.recv >= 0) setDelete(this.inbound, end.recv);
  }

  /** Messages waiting in this isolate's counted inbound queues. */
  queueDepth(): number {
    let depth = 0;
    // forEach of the collections themselves: no (app-patchable) iterator protocol.
    setForEach(this.inbound, (slot) => (depth += this.table.depth(slot)));
    setForEach(this.broadcastReceivers, (ref) => {
      const r = weakRefDeref(ref);
      if (r === undefined || r.closed) setDelete(this.broadcastReceivers, ref);
      else depth += r.pending();
    });
    return depth;
  }

  /** Shared-table channel id. */
  channelId(slot: number): string {
    return `${this.pid}:c${slot}`;
  }

  /**
   * Channel records for every slot this thread touches whose counters moved since last time, or
   * (`all`) every slot with traffic: the main thread's final snapshot, which must be the last word.
   */
  records(atMs: number, all = false): ChannelRecord[] {
    const t = this.table;
    // forEach of the maps themselves, Atomics and Math captured at load: no app-patchable builtin.
    mapForEach(this.histograms, (delays, slot) => {
      if (!setHas(this.inbound, slot)) return;
      const s = delays.stats();
      if (s.count === 0) return;
      const base = slot * F64.stride;
      t.f64[base + F64.delayP50Ms] = s.p50Ms;
      t.f64[base + F64.delayP95Ms] = s.p95Ms;
      t.f64[base + F64.delayMaxMs] = s.maxMs;
    });
    mapForEach(this.broadcastHistograms, (delays, slot) => {
      // Several receiving threads: percentiles are the last reporter's, the max is everyone's.
      const s = delays.stats();
      if (s.count === 0) return;
      const base = slot * F64.stride;
      t.f64[base + F64.delayP50Ms] = s.p50Ms;
      t.f64[base + F64.delayP95Ms] = s.p95Ms;
      if (s.maxMs > t.f64[base + F64.delayMaxMs]!) t.f64[base + F64.delayMaxMs] = s.maxMs;
    });
    const out: ChannelRecord[] = [];
    mapForEach(this.reported, (last, slot) => {
      const ib = slot * I32.stride;
      const fb = slot * F64.stride;
      const sent = atomicLoad(t.i32, ib + I32.sent);
      const delivered = atomicLoad(t.i32, ib + I32.delivered);
      const fingerprint = sent * 1e6 + delivered + t.f64[fb + F64.delayMaxMs]!;
      if ((fingerprint === last && !all) || (sent === 0 && delivered === 0)) return;
      mapSet(this.reported, slot, fingerprint);
      const from = atomicLoad(t.i32, ib + I32.fromThread) - 1;
      const to = atomicLoad(t.i32, ib + I32.toThread) - 1;
      out[out.length] = {
        type: 'channel',
        channelId: this.channelId(slot),
        fromIsolateId: `${this.pid}:${from < 0 ? 0 : from}`,
        toIsolateId: to < 0 ? null : `${this.pid}:${to}`,
        label: mapGet(this.labels, slot) ?? kindLabel[t.i32[ib + I32.kind]!] ?? 'channel',
        atMs,
        sent: max(0, sent),
        delivered: max(0, delivered),
        depth: t.depth(slot),
        maxDepth: max(0, t.i32[ib + I32.maxDepth]!),
        bytesCopied: t.f64[fb + F64.bytesCopied]!,
        bytesTransferred: t.f64[fb + F64.bytesTransferred]!,
        maxMessageBytes: t.f64[fb + F64.maxMessageBytes]!,
        delayMsP50: t.f64[fb + F64.delayP50Ms]!,
        delayMsP95: t.f64[fb + F64.delayP95Ms]!,
        delayMsMax: t.f64[fb + F64.delayMaxMs]!,
      };
    });
    return out;
  }
}
