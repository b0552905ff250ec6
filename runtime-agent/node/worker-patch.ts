/**
 * Replaces `worker_threads.Worker` and `MessageChannel` with stand-ins that look like the originals
 * (`constructHook`; then syncs the ESM named exports), so an unmodified app — CJS or ESM — creates
 * instrumented workers and channels. A new worker is recorded from the parent side: `isolate-start`
 * at construction and `isolate-exit` when its thread is gone, so even a worker that lives a few ms
 * and never flushes its own records shows up from spawn to exit. Nothing here runs app code: the
 * options go to Node through a view (worker-options.ts), and the worker's `threadId` getter,
 * `on` and `'newListener'` listeners are never involved.
 */
import { syncBuiltinESMExports } from 'node:module';
import type * as WT from 'node:worker_threads';
import { types } from 'node:util';
import { BroadcastTable } from './broadcast-table';
import { captureCallSite } from './call-sites';
import { loaderMapRecord } from './loader-maps';
import { epochMs } from './clock';
import { debugLog } from './debug-log';
import {
  constructHook,
  type AnyConstructor,
  internalField,
  isDataDescriptor,
  rawPost,
  reflectApply,
  reflectConstruct,
  uncurryThis,
} from './raw-apis';
import { clip } from './record-sink';
import { ChannelKind } from './shared-table';
import { HANDOFF_FLAG_KEY, HANDOFF_TAG, isolateIdOf, type HandoffMessage, type ThreadContext } from './thread-context';
import {
  findPorts,
  findPortsExactly,
  transfersPort,
  watchOptions,
  workerGetsPreload,
  workerName,
  type PreloadPlan,
  type SeenOptions,
  type WatchedOptions,
} from './worker-options';
import { workerThreadsModule as workerThreads } from './worker-threads-module';

/** Longest a new worker waits for its parent's hand-off flag (normally microseconds). */
export const HANDOFF_WAIT_MS = 10_000;

// Builtins captured at load (the agent is preloaded before any app code).
const getOwnDescriptor = Object.getOwnPropertyDescriptor;
const SharedBuffer = SharedArrayBuffer;
const Int32View = Int32Array;
const { load: atomicLoad, store: atomicStore, notify: atomicNotify } = Atomics;
const setEnvironmentData = workerThreads.setEnvironmentData;
const shareEnv = workerThreads.SHARE_ENV;
/** The process's own flags, as Node passes them to a worker that has no `execArgv` of its own. */
const processExecArgv: readonly string[] = process.execArgv.slice();
const originalProcessEnv = process.env;

/** `process.env` now (Node's constructor compares the app's `env` option with it), read without running a getter. */
function currentProcessEnv(): unknown {
  const d = getOwnDescriptor(process, 'env');
  return isDataDescriptor(d) ? d.value : originalProcessEnv;
}

/** Raises a hand-off flag: 1 = the hand-off message is in the queue, 2 = there is none (don't wait). */
function raiseFlag(flag: Int32Array, value: 1 | 2): void {
  atomicStore(flag, 0, value);
  atomicNotify(flag, 0);
}

/**
 * Calls `onExit(exitCode)` when the worker's thread has exited, just before Node emits the worker's
 * `'exit'` event. Hooked on the worker's internal handle (`onexit`, which Node calls once, when the
 * thread is gone) rather than with `worker.on('exit')`: an app's `'newListener'`/`'removeListener'`
 * listeners, a subclass's `on`/`emit`, a wrapped `EventEmitter.prototype.on`, `listenerCount('exit')`
 * and `eventNames()` then see only the app's own listeners. False when the handle is not there
 * (an internal API: may change).
 */
function onWorkerExit(worker: object, onExit: (exitCode: unknown) => void): boolean {
  const handle = internalField(worker, 'kHandle');
  if (handle === null || typeof handle !== 'object') return false;
  const d = getOwnDescriptor(handle, 'onexit');
  if (!isDataDescriptor(d) || typeof d.value !== 'function' || d.writable !== true) return false;
  const original = d.value as (this: unknown, ...args: unknown[]) => unknown;
  (handle as { onexit: unknown }).onexit = function (this: unknown, ...args: unknown[]): unknown {
    try {
      onExit(args[0]);
    } catch (err) {
      debugLog(`worker exit hook failed: ${String(err)}`);
    }
    return reflectApply(original, this, args);
  };
  return true;
}

/** Installs the Worker and MessageChannel replacements for this thread. */
export function installWorkerPatch(ctx: ThreadContext): void {
  const { raw, registry, table, config } = ctx;
  const broadcasts = new BroadcastTable(table.buffers.broadcast, ctx.threadId);
  const isPort = (v: object): boolean => v instanceof raw.MessagePort && !types.isProxy(v);
  const Original = raw.Worker;
  // The engine's `threadId` getter and EventEmitter's `on`, captured now: a subclass's `threadId`
  // getter or a later patch of `on` never runs for the agent.
  const threadIdOf = uncurryThis(getOwnDescriptor(Original.prototype, 'threadId')!.get as (this: WT.Worker) => number);
  const emitterOn = uncurryThis(
    (Object.getPrototypeOf(Original.prototype) as { on: (this: WT.Worker, ...args: unknown[]) => unknown }).on,
  );
  const plan = (): PreloadPlan => ({
    agentPath: config.agentPath,
    processExecArgv,
    processEnv: currentProcessEnv(),
    shareEnv,
  });

  /** Everything the agent does after the real constructor returned (the caller catches what it throws). */
  function instrument(
    worker: WT.Worker,
    filename: unknown,
    seen: SeenOptions,
    preloaded: boolean,
    flag: Int32Array | null,
  ): void {
    const threadId = threadIdOf(worker);
    const childId = isolateIdOf(ctx.pid, threadId);
    const { name, script } = workerName(filename, seen);
    // First, so that nothing below failing can lose the worker's exit.
    const onExit = (exitCode: unknown): void => {
      // A worker terminated before its last sample: what it received by broadcast is still known.
      const broadcastReceived = broadcasts.receivedBy(threadId);
      ctx.sink.push({
        type: 'isolate-exit',
        isolateId: childId,
        atMs: epochMs(),
        exitCode: typeof exitCode === 'number' ? exitCode : null,
        ...(broadcastReceived !== null ? { broadcastReceived } : {}),
      });
      ctx.sink.flush();
    };
    if (!onWorkerExit(worker, onExit)) {
      debugLog('Worker has no internal exit handle: its exit is seen through an exit listener');
      emitterOn(worker, 'exit', onExit);
    }
    let spawnSite = null;
    try {
      spawnSite = captureCallSite(constructWorker);
      const map = spawnSite === null ? null : loaderMapRecord(ctx.isolateId, spawnSite.file);
      if (map !== null) ctx.sink.push(map);
    } catch (err) {
      debugLog(`no spawn site: ${String(err)}`);
    }
    ctx.sink.push({
      type: 'isolate-start',
      isolateId: childId,
      name: clip(name),
      kind: 'worker',
      parentId: ctx.isolateId,
      groupId: null,
      threadId,
      atMs: epochMs(),
      spawnSite,
      scriptPath: script === null ? null : clip(script),
    });
    if (!preloaded) {
      // The app's execArgv or env could not carry the preload: the worker runs without the agent,
      // and a hand-off message would reach the app's own code. Its link is not counted.
      debugLog(`worker ${childId} starts without the agent: its messages are not counted`);
      if (flag !== null) raiseFlag(flag, 2);
      return;
    }
    handOff(worker, threadId, name, seen, flag);
  }

  /** Registers the worker's link and posts the hand-off message, then raises the flag. */
  function handOff(
    worker: WT.Worker,
    threadId: number,
    name: string,
    seen: SeenOptions,
    flag: Int32Array | null,
  ): void {
    const down = table.allocate(ChannelKind.workerDown, ctx.threadId, threadId);
    const up = table.allocate(ChannelKind.workerUp, threadId, ctx.threadId);
    const publicPort = internalField(worker, 'kPublicPort');
    if (publicPort instanceof raw.MessagePort) registry.register(publicPort, down, up);
    else debugLog('Worker has no kPublicPort: its messages are not counted');

    let exporterLink: WT.MessagePort | null = null;
    const transfer: unknown[] = [];
    if (ctx.exporterLink !== null) {
      const { port1, port2 } = new raw.MessageChannel();
      rawPost(raw, ctx.exporterLink, { t: 'port', port: port1 }, [port1]);
      exporterLink = port2;
      transfer[0] = port2;
    }
    const handoff: HandoffMessage = {
      [HANDOFF_TAG]: 1,
      name: clip(name),
      parentIsolateId: ctx.isolateId,
      down,
      up,
      exporterLink,
      workerDataPorts: workerDataPorts(seen),
    };
    if (publicPort instanceof raw.MessagePort) rawPost(raw, publicPort, handoff, transfer);
    if (flag !== null) raiseFlag(flag, 1);
  }

  /**
   * Channel slots of the ports in workerData, in walk order (see `findPorts`), for the worker to
   * pair with the ports of its clone. A port in workerData must be in the transfer list (else the
   * clone refuses it): without one there, neither side walks workerData. When the walk could not see
   * workerData as its clone will look (an accessor, a proxy, too big), positions may not match:
   * no slots are sent and those ports are not counted in the worker.
   */
  function workerDataPorts(seen: SeenOptions): HandoffMessage['workerDataPorts'] {
    if (!transfersPort(seen.transferList, isPort)) return [];
    const exact = findPortsExactly(seen.workerData, isPort);
    const ports = exact ?? findPorts(seen.workerData, isPort);
    const slots: HandoffMessage['workerDataPorts'] = [];
    for (let i = 0; i < ports.length; i++) {
      const port = ports[i]!;
      const end = registry.get(port);
      if (end !== undefined) registry.release(port); // transferred to the worker
      slots[i] = end !== undefined ? { send: end.send, recv: end.recv } : null;
    }
    return exact === null ? [] : slots;
  }

  /** `new Worker(filename, options)`, as the stand-in's construct trap. */
  function constructWorker(args: unknown[], newTarget: AnyConstructor): object {
    let flag: Int32Array | null = null;
    let watched: WatchedOptions | null = null;
    try {
      watched = watchOptions(args[1], plan());
      if (args.length > 1) args[1] = watched.options;
      // Environment data is copied into the worker at construction: this flag is the worker's own.
      flag = new Int32View(new SharedBuffer(4));
      setEnvironmentData(HANDOFF_FLAG_KEY, flag);
    } catch (err) {
      debugLog(`could not prepare worker options: ${String(err)}`);
    }
    // Errors from the real constructor (bad path, bad options) reach the app unchanged.
    const worker = reflectConstruct(Original, args, newTarget) as WT.Worker;
    try {
      // Without the view, nothing is known about the options: the worker gets no hand-off.
      const seen = watched?.seen ?? watchOptions(undefined, plan()).seen;
      instrument(worker, args[0], seen, watched !== null && workerGetsPreload(seen, plan()), flag);
    } catch (err) {
      debugLog(`could not instrument worker: ${String(err)}`);
      if (flag !== null && atomicLoad(flag, 0) === 0) raiseFlag(flag, 2); // no hand-off: the worker must not wait or read
    }
    return worker;
  }
  const PatchedWorker = constructHook(Original, constructWorker);

  const OriginalChannel = raw.MessageChannel;
  /** `new MessageChannel()`, as the stand-in's construct trap. */
  function constructChannel(args: unknown[], newTarget: AnyConstructor): object {
    const channel = reflectConstruct(OriginalChannel, args, newTarget);
    try {
      // Own data properties, set by the native constructor (read through descriptors all the same).
      const d1 = getOwnDescriptor(channel, 'port1');
      const d2 = getOwnDescriptor(channel, 'port2');
      const port1 = isDataDescriptor(d1) ? d1.value : undefined;
      const port2 = isDataDescriptor(d2) ? d2.value : undefined;
      if (port1 instanceof raw.MessagePort && port2 instanceof raw.MessagePort) {
        const a = table.allocate(ChannelKind.messageChannel, ctx.threadId, ctx.threadId);
        const b = table.allocate(ChannelKind.messageChannel, ctx.threadId, ctx.threadId);
        registry.register(port1, a, b);
        registry.register(port2, b, a);
      }
    } catch (err) {
      debugLog(`could not instrument MessageChannel: ${String(err)}`);
    }
    return channel;
  }
  const PatchedMessageChannel = constructHook(OriginalChannel, constructChannel);

  const mutable = workerThreads as unknown as Record<string, unknown>;
  mutable.Worker = PatchedWorker;
  mutable.MessageChannel = PatchedMessageChannel;
  if ((globalThis as { MessageChannel?: unknown }).MessageChannel === OriginalChannel) {
    (globalThis as { MessageChannel?: unknown }).MessageChannel = PatchedMessageChannel;
  }
  syncBuiltinESMExports();
}

/**
 * Worker side: takes the parent's hand-off message off `parentPort` before the app runs. The
 * parent raises the flag right after posting, so the message is first in the queue; if the
 * flag never rises (a worker the agent did not create), nothing is read.
 */
export function receiveHandoff(ctx: Pick<ThreadContext, 'raw'>): HandoffMessage | null {
  const port = workerThreads.parentPort;
  const flag = workerThreads.getEnvironmentData(HANDOFF_FLAG_KEY);
  if (port === null || !(flag instanceof Int32Array)) return null;
  // The parent raises the flag in the same synchronous constructor call that started this
  // thread, so only scheduling can delay it (on a loaded machine, beyond a second). Giving up
  // early would leave the hand-off message for the app to receive, so the bound is generous.
  if (Atomics.load(flag, 0) === 0 && Atomics.wait(flag, 0, 0, HANDOFF_WAIT_MS) === 'timed-out') {
    debugLog(`no hand-off within ${HANDOFF_WAIT_MS} ms: this worker is not instrumented`);
  }
  if (Atomics.load(flag, 0) !== 1) return null;
  const got = ctx.raw.receiveMessageOnPort(port);
  const message = got?.message as Partial<HandoffMessage> | undefined;
  if (message === undefined || message[HANDOFF_TAG] !== 1) {
    debugLog('hand-off message missing');
    return null;
  }
  return message as HandoffMessage;
}
