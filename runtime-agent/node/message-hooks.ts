/**
 * Counting hooks on the messaging prototypes: `MessagePort.prototype.postMessage` (covers
 * `worker.postMessage` and `parentPort`), the per-delivery internal dispatch, and
 * `receiveMessageOnPort`. Each hook costs a WeakMap lookup for ports the agent does not count.
 * The app must not notice: arguments pass through untouched, errors (DataCloneError) propagate
 * as the same object thrown synchronously, and the agent's own work never throws into the app.
 */
import type * as WT from 'node:worker_threads';
import { workerThreadsModule as workerThreads } from './worker-threads-module';
import {
  ArrayBufferCtor,
  arrayBufferByteLength,
  getOwnPropertyDescriptor,
  getPrototypeOf,
  isArray,
  isProxy,
  isView,
  setAdd,
  SetCtor,
  setForEach,
} from './intrinsics';
import { captureCallSite, captureWeight } from './call-sites';
import { loaderMapRecord } from './loader-maps';
import { epochMs, nowMs } from './clock';
import { postStamped, postStamped1, type PortEnd } from './channel-registry';
import { SharedTable } from './shared-table';
import { kCurrentlyReceivingPorts, kHybridDispatch, mirrorShape, uncurryThis } from './raw-apis';
import { SizeCalibration } from './calibration';
import { describeShape } from './shape';
import { estimateInto, type SizeEstimate } from './size-estimator';
import type { ThreadContext } from './thread-context';
import { debugLog } from './debug-log';
import type { NotableHook } from './broadcast-hooks';
import { hookSwitchFlag } from './hook-switch';
import { noteSized, sizingWeight, SMALL_FRACTION } from './sizing';
import { findPorts } from './worker-options';

/** What the transfer argument moves: buffers (not copied) and ports (re-registered on arrival). */
interface TransferInfo {
  buffers: Set<ArrayBufferLike> | null;
  bufferBytes: number;
  ports: object[] | null;
}

const NO_TRANSFER: TransferInfo = { buffers: null, bufferBytes: 0, ports: null };

/**
 * Bytes of the listed buffers that the send copied instead of moving: a buffer Node will not
 * transfer (marked untransferable, such as Node 20's Buffer pool) is copied whole and stays
 * attached, while a moved one is detached (length 0) once the send returns.
 */
function copiedNotMoved(buffers: Set<ArrayBufferLike>): number {
  let bytes = 0;
  // forEach of the Set itself: no (patchable) iterator protocol.
  setForEach(buffers, (b) => (bytes += arrayBufferByteLength(b as ArrayBuffer)));
  return bytes;
}

/** The transfer list of a send, or null; a proxy (list or options) is not read: its traps are app code. */
function transferList(arg: unknown): readonly unknown[] | null {
  if (arg === null || typeof arg !== 'object' || isProxy(arg)) return null;
  if (isArray(arg)) return arg;
  const d = getOwnPropertyDescriptor(arg, 'transfer');
  if (d !== undefined && isArray(d.value) && !isProxy(d.value)) return d.value as unknown[];
  return null;
}

/** Reads the transfer list before the send detaches its buffers. */
function transferInfo(arg: unknown, MessagePortClass: unknown): TransferInfo {
  const list = transferList(arg);
  if (list === null || list.length === 0) return NO_TRANSFER;
  const info: TransferInfo = { buffers: null, bufferBytes: 0, ports: null };
  // Indexed, through descriptors: neither a patched array iterator nor an index getter runs.
  for (let i = 0; i < list.length; i++) {
    const item = getOwnPropertyDescriptor(list, i)?.value as unknown;
    // Builtins captured at load: an app's replaced Set, push or ArrayBuffer is never called.
    if (item instanceof ArrayBufferCtor) {
      setAdd((info.buffers ??= new SetCtor()), item);
      info.bufferBytes += arrayBufferByteLength(item);
    } else if (item instanceof (MessagePortClass as typeof WT.MessagePort)) {
      const ports = (info.ports ??= []);
      ports[ports.length] = item;
    }
  }
  return info;
}

/** The object on `start`'s prototype chain (itself included) that owns `key`. */
function ownerOf(start: object, key: symbol): object {
  for (let o: object | null = start; o !== null; o = getPrototypeOf(o) as object | null) {
    if (getOwnPropertyDescriptor(o, key) !== undefined) return o;
  }
  return start;
}

/** What the MessagePort hooks share with the BroadcastChannel hooks. */
export interface MessageHooks {
  /** Whether deliveries can be counted on this Node version. */
  deliveries: boolean;
  /** The notable-message ledger path. */
  noteNotable: NotableHook;
  /**
   * Starts a new sampling period: every channel is timed again up to its budget, and every port may
   * capture call sites again up to its cap.
   */
  startPeriod(): void;
}

/** Installs the hooks for this thread. */
export function installMessageHooks(ctx: ThreadContext): MessageHooks {
  const { raw, registry, table } = ctx;
  // In constants of this closure, the compiler inlines them with the table's views as constants.
  const { nextSeq, noteSend, noteDelivery, addBytes, portsSent } = table.ops;
  const proto = raw.MessagePort.prototype as unknown as Record<string | symbol, unknown>;
  const originalPost = raw.postMessage;
  // Called through the engine's own `call`, captured at load: never the app's Function.prototype.call.
  const callPost = uncurryThis(originalPost);
  const notableBytes = ctx.config.notableBytes;
  const smallBytes = notableBytes * SMALL_FRACTION;
  const calibration = new SizeCalibration();
  const scratch: SizeEstimate = { bytes: 0, typedArrayBytes: 0, touchesAppCode: false, uncloneable: false };
  const inWorker = !workerThreads.isMainThread;
  const sizeAll = ctx.config.sizeAll;
  let period = 0;
  // Bench build only (hook-switch.ts); null and never read in dist/agent.cjs.
  const hooksOff = ISOSCOPE_HOOK_SWITCH ? hookSwitchFlag() : null;
  /** The end the send hook counts `port` with, unless the bench's switch turned the hooks off. */
  const countedEnd = (port: unknown): PortEnd | undefined =>
    ISOSCOPE_HOOK_SWITCH && hooksOff !== null && hooksOff[0] === 1 ? undefined : registry.getForSend(port);
  /** The same for the delivery hook (each has its own lookup: channel-registry.ts `getForSend`). */
  const deliveredEnd = (port: unknown): PortEnd | undefined =>
    ISOSCOPE_HOOK_SWITCH && hooksOff !== null && hooksOff[0] === 1 ? undefined : registry.getForDelivery(port);

  /** A message that is mostly typed-array payload: the walk sized it exactly, no calibration. */
  const mostlyTyped = (e: SizeEstimate): boolean => e.typedArrayBytes >= e.bytes - e.typedArrayBytes;

  function noteNotable(
    end: PortEnd,
    slot: number,
    walked: SizeEstimate,
    transferredBytes: number,
    message: unknown,
    below: object = postMessage,
  ): void {
    let shape: string | null = null;
    let est = walked;
    if (!mostlyTyped(walked)) {
      shape = describeShape(message);
      est = calibration.correct(`${slot}|${shape}`, message, walked);
      // The walk already went into the channel's byte counters; add the calibration's correction.
      if (est.bytes !== walked.bytes) addBytes(slot, est.bytes - walked.bytes, 0, est.bytes);
    }
    // The sampled part: the call site (standing for `weight` sends) and the ledger record.
    const weight = captureWeight(end.capture, period);
    if (weight === 0) return;
    const site = captureCallSite(below);
    if (site !== null) {
      // Before any record that names the script: the collector maps through it as they arrive.
      const map = loaderMapRecord(ctx.isolateId, site.file);
      if (map !== null) ctx.sink.push(map);
      ctx.sites.add(site, weight, est.bytes, est.typedArrayBytes, transferredBytes);
    }
    ctx.sink.push({
      type: 'message',
      isolateId: ctx.isolateId,
      channelId: registry.channelId(slot),
      atMs: epochMs(),
      bytes: est.bytes,
      typedArrayBytes: est.typedArrayBytes,
      transferredBytes,
      callSite: site,
      shape: shape ?? describeShape(message),
    });
    // A worker can end without its exit hook (terminate(), or the process exiting): its ledger
    // records, rare by the capture cap, ship now rather than at the next sample.
    if (inWorker) {
      const sites = ctx.sites.records();
      for (let i = 0; i < sites.length; i++) ctx.sink.push(sites[i]!);
      ctx.sink.flush();
    }
  }

  /** `noteNotable`, best-effort: the ledger never makes a send look different to the app. */
  function recordNotable(end: PortEnd, slot: number, est: SizeEstimate, transferred: number, message: unknown): void {
    try {
      noteNotable(end, slot, est, transferred, message, postMessage);
    } catch (err) {
      debugLog(`ledger failed: ${String(err)}`);
    }
  }

  /** Whether the next send of `end` is timed (shared-table.ts TIMED_EVERY); renews its budget each period. */
  function isTimed(end: PortEnd, slot: number): boolean {
    if (end.timedPeriod !== period) {
      end.timedPeriod = period;
      end.timedUntil = table.timeNext(slot);
    }
    return SharedTable.isTimed(nextSeq(slot), end.timedUntil);
  }

  // Fixed parameters (no rest array) keep the hot path allocation-free; `arguments.length`
  // tells whether the app passed a transfer argument at all, so the original sees the same call.
  function postMessage(this: WT.MessagePort, message: unknown, transfer?: unknown): unknown {
    const end = countedEnd(this);
    const argc = arguments.length;
    // The common send, kept small so the compiler inlines all of it: one object argument (not a
    // typed array) on a counted, stamped, quiet port, this time not sized. Object messages of a
    // quiet port are sized by sample (sizing.ts); primitives, typed arrays and sends with a
    // transfer argument always are.
    if (
      argc === 1 &&
      end !== undefined &&
      end.send >= 0 &&
      end.stamped === true &&
      !sizeAll &&
      message !== null &&
      typeof message === 'object' &&
      !isView(message)
    ) {
      const weight = sizingWeight(end.sizing);
      if (weight === 0) {
        // Counted and timed, nothing else.
        const slot = end.send;
        noteSend(slot, isTimed(end, slot) ? nowMs() : -1);
        try {
          return postStamped1(this, message);
        } catch (err) {
          table.undoSend(slot);
          throw err;
        }
      }
      return postSized(this, end, argc, message, transfer, weight);
    }
    if (end === undefined || end.send < 0) {
      if (argc > 1) return callPost(this, message, transfer);
      return argc === 0 ? callPost(this) : callPost(this, message);
    }
    return postSized(this, end, argc, message, transfer, sizeAll ? 1 : -1);
  }

  /**
   * Every other counted send: sized (standing for `weight` sends; -1 when the sampler still has to
   * decide), with its transfer list read and its notable record kept. `argc` is the app's argument count.
   */
  function postSized(
    port: WT.MessagePort,
    end: PortEnd,
    argc: number,
    message: unknown,
    transfer: unknown,
    sampled: number,
  ): unknown {
    const withTransfer = argc > 1;
    let result: unknown;
    const slot = end.send;
    let weight =
      withTransfer || message === null || typeof message !== 'object' || isView(message)
        ? 1
        : sampled >= 0
          ? sampled
          : sizingWeight(end.sizing);
    if (weight === 0) {
      // An unstamped port's unsized send (exactly one argument): counted and timed, nothing else.
      noteSend(slot, isTimed(end, slot) ? nowMs() : -1);
      try {
        return callPost(port, message);
      } catch (err) {
        table.undoSend(slot);
        throw err;
      }
    }
    const est = scratch;
    let moving = NO_TRANSFER;
    try {
      moving = withTransfer ? transferInfo(transfer, raw.MessagePort) : NO_TRANSFER;
      estimateInto(message, moving.buffers, est);
      // A sampled send that is not small is the exception, not what the skipped sends were like.
      if (est.bytes >= smallBytes) weight = 1;
      noteSized(end.sizing, est.bytes, smallBytes);
    } catch (err) {
      // The estimator must never throw into the app: count the send with an unknown size.
      est.bytes = 0;
      est.typedArrayBytes = 0;
      debugLog(`estimate failed: ${String(err)}`);
    }
    const seq = noteSend(slot, isTimed(end, slot) ? nowMs() : -1);
    const moved = moving.ports !== null ? announcePorts(slot, seq, moving.ports) : 0;
    // The byte counters move before the copy, while this path's cache lines are still warm (a 1 MB
    // copy evicts them all); a send that throws takes them back. The figures are kept in locals:
    // the copy can run app getters, and a send from one of them reuses `scratch`.
    const bytes = est.bytes;
    const copiedBytes = bytes * weight;
    const typedBytes = est.typedArrayBytes;
    let transferredBytes = moving.bufferBytes;
    let notable = bytes >= notableBytes ? { ...est } : null;
    const previousMax = addBytes(slot, copiedBytes, transferredBytes, bytes);
    if (
      notable !== null &&
      inWorker &&
      !withTransfer &&
      notable.uncloneable !== true &&
      notable.touchesAppCode !== true
    ) {
      // A worker's ledger record goes out before its message: the receiver may end the worker as
      // soon as the message arrives (terminate() skips the worker's exit hook), and this send,
      // with no transfer list and nothing that makes the clone throw, has its final figures already.
      recordNotable(end, slot, notable, 0, message);
      notable = null;
    }
    try {
      // Node returns true from a successful post: the app sees the same value.
      if (end.stamped === true) result = postStamped(port, argc, message, transfer);
      else if (withTransfer) result = callPost(port, message, transfer);
      else result = argc === 0 ? callPost(port) : callPost(port, message);
    } catch (err) {
      // Same error object, thrown synchronously, as without the agent; undo what we counted.
      table.undoSend(slot);
      table.undoBytes(slot, copiedBytes, transferredBytes, bytes, previousMax);
      if (moved > 0) withdrawPorts(slot, seq, moved);
      throw err;
    }
    if (moving.ports !== null) for (let i = 0; i < moving.ports.length; i++) registry.release(moving.ports[i]!);
    if (moving.buffers !== null) {
      const kept = copiedNotMoved(moving.buffers);
      if (kept > 0) {
        // Counted as moved before the send, but copied by it (a send with a transfer list is never
        // sized by sample, so `weight` is 1): their bytes go to the copied side.
        transferredBytes -= kept;
        addBytes(slot, kept, -kept, bytes + kept);
        if (notable !== null) {
          notable.bytes += kept;
          notable.typedArrayBytes += kept;
        } else if (bytes + kept >= notableBytes) {
          notable = { bytes: bytes + kept, typedArrayBytes: typedBytes + kept };
        }
      }
    }
    if (notable !== null) recordNotable(end, slot, notable, transferredBytes, message);
    return result;
  }

  /** Leaves the channel slots of transferred ports for the receiving thread to pick up. */
  function announcePorts(slot: number, seq: number, ports: object[]): number {
    for (let index = 0; index < ports.length; index++) {
      const moved = registry.get(ports[index]);
      if (moved !== undefined) table.post(slot, seq, index, moved.send, moved.recv);
    }
    return ports.length;
  }

  function withdrawPorts(slot: number, seq: number, count: number): void {
    for (let i = 0; i < count; i++) table.take(slot, seq, i);
  }

  /**
   * Counts the ports a message read with `receiveMessageOnPort` carried (no `kCurrentlyReceivingPorts`
   * there): the sender's announcements, matched in order with the message's ports in a fixed
   * depth-first order — exact for one port, and for several when the transfer list follows the message.
   */
  function adoptPorts(slot: number, seq: number, message: unknown): void {
    const ports = findPorts(message, (v) => v instanceof raw.MessagePort && !isProxy(v));
    for (let i = 0; i < ports.length; i++) {
      const slots = table.take(slot, seq, i);
      if (slots !== null) registry.register(ports[i]!, slots.sendSlot, slots.recvSlot);
    }
  }

  function onDelivered(port: object, end: PortEnd): void {
    const slot = end.recv;
    if (slot < 0) return;
    const delayMs = noteDelivery(slot, nowMs);
    if (delayMs >= 0) end.delays.add(delayMs);
    // Only a channel that ever carried a port has ports to adopt (the flag is in a line the
    // delivery read anyway; the port's own field would be one more lookup per message).
    if (!portsSent(slot)) return;
    const seq = table.lastDeliveredSeq;
    const ports = (port as Record<symbol, unknown>)[kCurrentlyReceivingPorts];
    if (isArray(ports) && ports.length > 0) {
      for (let i = 0; i < ports.length; i++) {
        const slots = table.take(slot, seq, i);
        if (slots !== null) registry.register(ports[i] as object, slots.sendSlot, slots.recvSlot);
      }
    }
  }

  Object.defineProperty(proto, 'postMessage', {
    value: mirrorShape(postMessage, originalPost),
    writable: true,
    configurable: true,
    enumerable: true,
  });

  let deliveries = false;
  const dispatch = raw.hybridDispatch;
  if (dispatch !== null) {
    const callDispatch = uncurryThis(dispatch);
    // Node calls this as (data, type, event) once per dispatched message or 'close'.
    const hybridDispatch = function (this: object, data: unknown, type: unknown, event: unknown): unknown {
      const end = deliveredEnd(this);
      // The same dispatch also carries 'close' events: only messages consume the queue.
      if (end !== undefined && (type === 'message' || type === 'messageerror')) {
        try {
          if (end.bc !== null) end.bc.delivered();
          else onDelivered(this, end);
        } catch (err) {
          // Counting must never break delivery to the app.
          debugLog(`delivery hook failed: ${String(err)}`);
        }
      } else if (end !== undefined && type === 'close' && end.bc === null) {
        // Either port closing ends both directions; Node drops what was still queued.
        if (end.send >= 0) table.markClosed(end.send);
        if (end.recv >= 0) table.markClosed(end.recv);
      }
      return callDispatch(this, data, type, event);
    };
    // Replaced where Node defines it (EventTarget.prototype), with its attributes: MessagePort.prototype
    // gets no own key. Other event targets pass straight through (no registered end).
    const owner = ownerOf(proto, kHybridDispatch);
    const attrs = getOwnPropertyDescriptor(owner, kHybridDispatch)!;
    Object.defineProperty(owner, kHybridDispatch, {
      value: hybridDispatch,
      writable: attrs.writable === true,
      enumerable: attrs.enumerable === true,
      configurable: attrs.configurable === true,
    });
    deliveries = true;
  } else {
    debugLog('kHybridDispatch missing: deliveries and queue depth are not counted on this Node version');
  }

  const originalReceive = raw.receiveMessageOnPort;
  const receiveMessageOnPort = function receiveMessageOnPort(
    port: WT.MessagePort | WT.BroadcastChannel,
  ): { message: unknown } | undefined {
    const result = originalReceive(port as WT.MessagePort);
    if (result !== undefined) {
      const end = registry.get(port);
      if (end !== undefined && end.bc !== null) end.bc.delivered();
      else if (end !== undefined && end.recv >= 0) {
        const delayMs = noteDelivery(end.recv, nowMs);
        if (delayMs >= 0) end.delays.add(delayMs);
        if (portsSent(end.recv)) adoptPorts(end.recv, table.lastDeliveredSeq, result.message);
      }
    }
    return result;
  };
  mirrorShape(receiveMessageOnPort, originalReceive);
  (workerThreads as { receiveMessageOnPort: unknown }).receiveMessageOnPort = receiveMessageOnPort;
  const startPeriod = (): void => {
    period++;
    registry.forgetRecent();
  };
  return { deliveries, noteNotable, startPeriod };
}
