/**
 * Replaces `worker_threads.Worker` and `MessageChannel` with subclasses (then syncs the ESM named
 * exports), so an unmodified app — CJS or ESM — creates instrumented workers and channels.
 * A new worker is recorded from the parent side: `isolate-start` at construction and
 * `isolate-exit` on its 'exit' event, so even a worker that lives a few ms and never flushes its
 * own records shows up from spawn to exit.
 */
import { syncBuiltinESMExports } from 'node:module';
import type * as WT from 'node:worker_threads';
import { types } from 'node:util';
import { captureCallSite } from './call-sites';
import { epochMs } from './clock';
import { debugLog } from './debug-log';
import { mirrorShape, rawPost } from './raw-apis';
import { clip } from './record-sink';
import { ChannelKind } from './shared-table';
import { HANDOFF_FLAG_KEY, HANDOFF_TAG, isolateIdOf, type HandoffMessage, type ThreadContext } from './thread-context';
import { findPorts, transfersPort, withPreload, workerName, type WorkerOptionsLike } from './worker-options';
import { workerThreadsModule as workerThreads } from './worker-threads-module';

/** Longest a new worker waits for its parent's hand-off flag (normally microseconds). */
export const HANDOFF_WAIT_MS = 10_000;

/** Finds a Node-internal symbol-keyed field by its description (internal API: may be absent). */
function internalField(target: object, description: string): unknown {
  for (const sym of Object.getOwnPropertySymbols(target)) {
    if (sym.description === description) return (target as Record<symbol, unknown>)[sym];
  }
  return undefined;
}

/** Installs the Worker and MessageChannel replacements for this thread. */
export function installWorkerPatch(ctx: ThreadContext): void {
  const { raw, registry, table, config } = ctx;
  const isPort = (v: object): boolean => v instanceof raw.MessagePort && !types.isProxy(v);

  /** Everything the agent does after the real constructor returned; never throws. */
  function instrument(
    worker: WT.Worker,
    filename: unknown,
    options: WorkerOptionsLike | undefined,
    flag: Int32Array | null,
  ): void {
    const childId = isolateIdOf(ctx.pid, worker.threadId);
    const { name, script } = workerName(filename, options);
    const down = table.allocate(ChannelKind.workerDown, ctx.threadId, worker.threadId);
    const up = table.allocate(ChannelKind.workerUp, worker.threadId, ctx.threadId);
    const publicPort = internalField(worker, 'kPublicPort');
    if (publicPort instanceof raw.MessagePort) registry.register(publicPort, down, up);
    else debugLog('Worker has no kPublicPort: its messages are not counted');

    let exporterLink: WT.MessagePort | null = null;
    const transfer: unknown[] = [];
    if (ctx.exporterLink !== null) {
      const { port1, port2 } = new raw.MessageChannel();
      rawPost(raw, ctx.exporterLink, { t: 'port', port: port1 }, [port1]);
      exporterLink = port2;
      transfer.push(port2);
    }
    // A port in workerData must be in the transfer list (else the clone refuses it): without one
    // there, neither side walks workerData. Every port found was transferred.
    const workerDataPorts = transfersPort(options?.transferList, isPort)
      ? findPorts(options?.workerData, isPort).map((p) => {
          const end = registry.get(p);
          if (end !== undefined) registry.release(p);
          return end !== undefined ? { send: end.send, recv: end.recv } : null;
        })
      : [];
    const handoff: HandoffMessage = {
      [HANDOFF_TAG]: 1,
      name: clip(name),
      parentIsolateId: ctx.isolateId,
      down,
      up,
      exporterLink,
      workerDataPorts,
    };
    if (publicPort instanceof raw.MessagePort) rawPost(raw, publicPort, handoff, transfer);
    if (flag !== null) {
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
    }
    ctx.sink.push({
      type: 'isolate-start',
      isolateId: childId,
      name: clip(name),
      kind: 'worker',
      parentId: ctx.isolateId,
      groupId: null,
      threadId: worker.threadId,
      atMs: epochMs(),
      spawnSite: captureCallSite(PatchedWorker),
      scriptPath: script === null ? null : clip(script),
    });
    worker.on('exit', (exitCode: number) => {
      ctx.sink.push({ type: 'isolate-exit', isolateId: childId, atMs: epochMs(), exitCode });
      ctx.sink.flush();
    });
  }

  const Original = raw.Worker;
  class PatchedWorker extends Original {
    constructor(filename: string | URL, options?: WT.WorkerOptions) {
      let flag: Int32Array | null = null;
      let effective = options as WorkerOptionsLike | undefined;
      try {
        effective = withPreload(
          options as WorkerOptionsLike | undefined,
          config.agentPath,
          process.execArgv,
          process.env,
          workerThreads.SHARE_ENV,
        );
        // Environment data is copied into the worker at construction: this flag is the worker's own.
        flag = new Int32Array(new SharedArrayBuffer(4));
        workerThreads.setEnvironmentData(HANDOFF_FLAG_KEY, flag);
      } catch (err) {
        debugLog(`could not prepare worker options: ${String(err)}`);
        effective = options as WorkerOptionsLike | undefined;
      }
      // Errors from the real constructor (bad path, bad options) reach the app unchanged.
      super(filename, effective as WT.WorkerOptions | undefined);
      try {
        instrument(this, filename, options as WorkerOptionsLike | undefined, flag);
      } catch (err) {
        debugLog(`could not instrument worker: ${String(err)}`);
        if (flag !== null && Atomics.load(flag, 0) === 0) {
          Atomics.store(flag, 0, 2); // 2 = no hand-off: the worker must not wait or read
          Atomics.notify(flag, 0);
        }
      }
    }
  }
  mirrorShape(PatchedWorker, Original);

  const OriginalChannel = raw.MessageChannel;
  class PatchedMessageChannel extends OriginalChannel {
    constructor() {
      super();
      try {
        const a = table.allocate(ChannelKind.messageChannel, ctx.threadId, ctx.threadId);
        const b = table.allocate(ChannelKind.messageChannel, ctx.threadId, ctx.threadId);
        registry.register(this.port1, a, b);
        registry.register(this.port2, b, a);
      } catch (err) {
        debugLog(`could not instrument MessageChannel: ${String(err)}`);
      }
    }
  }
  mirrorShape(PatchedMessageChannel, OriginalChannel);

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
