/**
 * The original worker_threads APIs, captured before the agent patches anything. The agent's own
 * traffic (exporter link, hand-off to new workers) goes through these so it is never counted,
 * and the exporter worker is created with the original, uninstrumented Worker class.
 */
import type * as WT from 'node:worker_threads';
import { workerThreadsModule as workerThreads } from './worker-threads-module';

type PostMessage = (this: WT.MessagePort, ...args: unknown[]) => void;

/** Originals of everything the agent replaces. */
export interface RawApis {
  Worker: typeof WT.Worker;
  MessageChannel: typeof WT.MessageChannel;
  MessagePort: typeof WT.MessagePort;
  BroadcastChannel: typeof WT.BroadcastChannel;
  postMessage: PostMessage;
  receiveMessageOnPort: typeof WT.receiveMessageOnPort;
  /** `MessagePort.prototype[kHybridDispatch]`: Node-internal, per delivered message (20/22/24). */
  hybridDispatch: ((this: unknown, ...args: unknown[]) => unknown) | null;
}

/**
 * Gives a replacement the `name` and `length` of the function it stands in for, so the app sees
 * the same values (the bundler may rename, and the agent's signatures differ).
 */
export function mirrorShape<T extends object>(replacement: T, original: object): T {
  for (const key of ['name', 'length'] as const) {
    const d = Object.getOwnPropertyDescriptor(original, key);
    if (d !== undefined) Object.defineProperty(replacement, key, { ...d });
  }
  return replacement;
}

/** Symbol of Node's internal per-message dispatch on MessagePort (an internal API: may vanish). */
export const kHybridDispatch = Symbol.for('nodejs.internal.kHybridDispatch');
/** Set by Node on the receiving port to the ports transferred with the message being dispatched. */
export const kCurrentlyReceivingPorts = Symbol.for('nodejs.internal.kCurrentlyReceivingPorts');

/** Captures the originals; call once per thread before patching. */
export function captureRawApis(): RawApis {
  const proto = workerThreads.MessagePort.prototype as unknown as Record<symbol | string, unknown>;
  const dispatch = proto[kHybridDispatch];
  return {
    Worker: workerThreads.Worker,
    MessageChannel: workerThreads.MessageChannel,
    MessagePort: workerThreads.MessagePort,
    BroadcastChannel: workerThreads.BroadcastChannel,
    postMessage: proto.postMessage as PostMessage,
    receiveMessageOnPort: workerThreads.receiveMessageOnPort,
    hybridDispatch: typeof dispatch === 'function' ? (dispatch as RawApis['hybridDispatch']) : null,
  };
}

/** Posts with the original postMessage (not counted, not estimated). */
export function rawPost(raw: RawApis, port: WT.MessagePort, message: unknown, transfer?: readonly unknown[]): void {
  if (transfer === undefined) raw.postMessage.call(port, message);
  else raw.postMessage.call(port, message, transfer);
}
