/**
 * The original worker_threads APIs, captured before the agent patches anything. The agent's own
 * traffic (exporter link, hand-off to new workers) goes through these so it is never counted,
 * and the exporter worker is created with the original, uninstrumented Worker class. Also the
 * small set of builtins and helpers the hooks use to run no app code: builtins captured at load
 * (the agent is preloaded before the app), descriptor reads, and stand-ins for replaced classes.
 */
import type * as WT from 'node:worker_threads';
import { workerThreadsModule as workerThreads } from './worker-threads-module';

type PostMessage = (this: WT.MessagePort, ...args: unknown[]) => void;

/**
 * `uncurryThis(f)(self, ...args)` calls `f` with `this` = `self` through the engine's own
 * `Function.prototype.call`, captured at load: an app that later replaces `call` (or `apply`,
 * `bind`) on Function.prototype never sees the agent's calls. Captured before any app code runs.
 */
export const uncurryThis = Function.prototype.bind.bind(Function.prototype.call) as <T, A extends unknown[], R>(
  fn: (this: T, ...args: A) => R,
) => (self: T, ...args: A) => R;
/** `Reflect.apply`, captured at load (the app may replace the global one). */
export const reflectApply = Reflect.apply;
const ownSymbols = Object.getOwnPropertySymbols;
const getOwnDescriptor = Object.getOwnPropertyDescriptor;
const hasOwn = Object.hasOwn;
const objectCreate = Object.create;
const defineProperty = Object.defineProperty;

/**
 * Whether `d` describes a data property. Checked as an own key of the descriptor: `'value' in d`
 * would also find a `value` an app put on Object.prototype.
 */
export function isDataDescriptor(d: PropertyDescriptor | undefined): d is PropertyDescriptor & { value: unknown } {
  return d !== undefined && hasOwn(d, 'value');
}
const symbolDescription = uncurryThis(
  getOwnDescriptor(Symbol.prototype, 'description')!.get as (this: symbol) => string | undefined,
);

/**
 * A property descriptor with no prototype, for `defineProperty`: an ordinary object literal would also
 * pick up a `get`, `set` or `enumerable` an app put on Object.prototype (the descriptor is read
 * with [[HasProperty]]), and defining would then fail or make an accessor.
 */
export function ownDescriptor(d: PropertyDescriptor): PropertyDescriptor {
  const out = objectCreate(null) as Record<string, unknown>;
  const fields = ['value', 'writable', 'get', 'set', 'enumerable', 'configurable'] as const;
  for (let i = 0; i < fields.length; i++) {
    if (hasOwn(d, fields[i]!)) out[fields[i]!] = d[fields[i]!];
  }
  return out as PropertyDescriptor;
}

/**
 * A Node-internal symbol-keyed own data property of `target`, found by the symbol's description
 * (an internal API: may be absent). Runs no app code: the builtins are the ones captured at load,
 * the symbols are listed with an indexed loop (no array iterator) and the value is read through
 * its descriptor (an accessor is not called).
 */
export function internalField(target: object, description: string): unknown {
  const symbols = ownSymbols(target);
  for (let i = 0; i < symbols.length; i++) {
    const sym = symbols[i]!;
    if (symbolDescription(sym) !== description) continue;
    const d = getOwnDescriptor(target, sym);
    return isDataDescriptor(d) ? d.value : undefined;
  }
  return undefined;
}

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

/** Any class (a construct target or `new.target`). */
export type AnyConstructor = abstract new (...args: never[]) => object;
/** `Reflect.construct`, captured at load. */
export const reflectConstruct = Reflect.construct as (
  target: AnyConstructor,
  args: readonly unknown[],
  newTarget: AnyConstructor,
) => object;

/**
 * A stand-in for a builtin class that looks like the class itself: a Proxy around `Original` whose
 * only trap is `construct`, which calls `construct(args, newTarget)` (that builds the instance with
 * `reflectConstruct(Original, args, newTarget)`). Everything else reaches the original: `name`,
 * `length`, `prototype`, static members, its own keys, its prototype (`Object.getPrototypeOf`),
 * `util.inspect` (which prints a proxy's target), calling it without `new` (the original's own
 * error). `instanceof`, `new.target` and subclassing work as with the original, whose prototype's
 * `constructor` is pointed at the stand-in so that `obj.constructor === Class` still holds.
 * `Function.prototype.toString` of a proxy is `function () { [native code] }`: native, like
 * MessageChannel's own text, but without its name (and not the source text of a JS class).
 */
export function constructHook<C extends AnyConstructor>(
  Original: C,
  construct: (args: unknown[], newTarget: AnyConstructor) => object,
): C {
  const standIn = new Proxy(Original, {
    construct: (_target, args: unknown[], newTarget) => construct(args, newTarget as unknown as AnyConstructor),
  });
  const proto = (Original as { prototype?: unknown }).prototype;
  const d = proto !== null && typeof proto === 'object' ? getOwnDescriptor(proto, 'constructor') : undefined;
  if (isDataDescriptor(d) && d.value === Original && d.writable === true) {
    const moved = ownDescriptor(d);
    moved.value = standIn;
    defineProperty(proto, 'constructor', moved);
  }
  return standIn;
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

/** Posts with the original postMessage (not counted, not estimated), never through `Function.prototype.call`. */
export function rawPost(raw: RawApis, port: WT.MessagePort, message: unknown, transfer?: readonly unknown[]): void {
  if (transfer === undefined) reflectApply(raw.postMessage, port, [message]);
  else reflectApply(raw.postMessage, port, [message, transfer]);
}
