/**
 * Helpers for patched Worker construction: a view of the app's options that adds the preload where
 * the worker would otherwise lose it (`execArgv`/`env`) and records what Node read, naming the
 * worker, and finding MessagePorts handed over in `workerData`. Nothing here runs app code beyond
 * what Node's own constructor runs: values are read through descriptors, and the options' own
 * getters and proxy traps run exactly as often as without the agent (Node's reads go through the
 * view; the agent reads nothing else).
 */
import { basename, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { types } from 'node:util';
import { isDataDescriptor, ownDescriptor, reflectApply, uncurryThis } from './raw-apis';
import { mapEntriesOf, mapNext, setNext, setValuesOf } from './intrinsics';

/** The subset of WorkerOptions the agent looks at or changes. */
export interface WorkerOptionsLike {
  name?: unknown;
  eval?: unknown;
  execArgv?: unknown;
  env?: unknown;
  workerData?: unknown;
  transferList?: unknown;
  [key: string]: unknown;
}

/**
 * Environment variable the agent sets in a worker's custom `env` to carry the preload: the app's own
 * `NODE_OPTIONS` value as JSON (`null`: it had none). The agent in the worker puts that value back
 * and deletes this variable before the app's code runs (`restoreWorkerEnv`).
 */
export const WORKER_ENV_KEY = 'ISOSCOPE_WORKER_NODE_OPTIONS';

// Builtins captured at load: an app that patches them later never sees the agent's calls.
const getOwnDescriptor = Object.getOwnPropertyDescriptor;
const defineProperty = Object.defineProperty;
const objectKeys = Object.keys;
const isArray = Array.isArray;
const reflectGet = Reflect.get;
const { isProxy, isArrayBufferView, isAnyArrayBuffer, isMap, isSet } = types;
const weakSetHas = uncurryThis(WeakSet.prototype.has as (this: WeakSet<object>, v: object) => boolean);
const weakSetAdd = uncurryThis(WeakSet.prototype.add as (this: WeakSet<object>, v: object) => WeakSet<object>);
const jsonStringify = JSON.stringify;
const jsonParse = JSON.parse;
const stringReplace = uncurryThis(String.prototype.replace as (this: string, re: RegExp, to: string) => string);
const stringIncludes = uncurryThis(String.prototype.includes as (this: string, part: string) => boolean);
const stringSlice = uncurryThis(String.prototype.slice as (this: string, start: number, end?: number) => string);
const processCwd = process.cwd;
const urlHref = uncurryThis(getOwnDescriptor(URL.prototype, 'href')!.get as (this: URL) => string);
/** Longest execArgv the agent copies (a longer one is passed on untouched). */
const MAX_EXEC_ARGV = 4096;

/** Whether `s` starts with `prefix`, without the app-patchable String.prototype methods. */
function startsWith(s: string, prefix: string): boolean {
  if (s.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (s[i] !== prefix[i]) return false;
  return true;
}

/** `value` as one NODE_OPTIONS word (double-quoted, as Node's NODE_OPTIONS parser reads it). */
function nodeOptionsWord(value: string): string {
  return `"${stringReplace(stringReplace(value, /\\/g, '\\\\'), /"/g, '\\"')}"`;
}

/**
 * The elements of `list` read through their descriptors, or null when reading them would run app
 * code or differ from what Node reads (a proxy, an accessor, a hole, an absurd length).
 */
function dataElements(list: unknown): unknown[] | null {
  if (isProxy(list) || !isArray(list) || list.length > MAX_EXEC_ARGV) return null;
  const out: unknown[] = [];
  for (let i = 0; i < list.length; i++) {
    const d = getOwnDescriptor(list, i);
    if (!isDataDescriptor(d)) return null;
    out[i] = d.value;
  }
  return out;
}

/**
 * A copy of `env` as Node's `Object.entries` sees it (own enumerable string keys, same order), or
 * null when copying would run app code: a proxy, or an enumerable accessor.
 */
function dataEntries(env: object): Record<string, unknown> | null {
  if (isProxy(env)) return null;
  const copy: Record<string, unknown> = {};
  const keys = objectKeys(env);
  for (let i = 0; i < keys.length; i++) {
    const d = getOwnDescriptor(env, keys[i]!);
    if (!isDataDescriptor(d)) return null;
    setData(copy, keys[i]!, d.value);
  }
  return copy;
}

/** Defines `key` on `target` as a plain data property: not assigned, so a `__proto__` key stays a key and no setter up the chain runs. */
function setData(target: object, key: string, value: unknown): void {
  defineProperty(target, key, ownDescriptor({ value, writable: true, enumerable: true, configurable: true }));
}

/**
 * A plain options record with the preload added where the worker would otherwise lose it. An app's
 * own `execArgv` drops `--require` from the command line: `--require <agent>` is appended to a copy.
 * A custom `env` drops NODE_OPTIONS (Node builds the worker's options from the custom env's
 * NODE_OPTIONS and the process's flags): unless the process's flags carry the preload, it goes into
 * a copy of that env's NODE_OPTIONS. Not into `execArgv`: Node re-checks an explicit `execArgv` and
 * refuses process-wide flags such as `--max-old-space-size` (ERR_WORKER_INVALID_EXEC_ARGV), which it
 * accepts inherited. Returns `options` itself when nothing needs changing, or when changing it would
 * run app code (an accessor or a proxy in `execArgv`/`env`: that worker then runs without the agent,
 * see `workerGetsPreload`). The Worker patch applies it to each value as Node reads it (`watchOptions`).
 */
export function withPreload(
  options: WorkerOptionsLike | undefined,
  agentPath: string,
  processExecArgv: readonly string[],
  processEnv: unknown,
  shareEnv: symbol,
): WorkerOptionsLike | undefined {
  if (options === undefined) return options;
  const execArgv = options.execArgv;
  if (isProxy(execArgv)) return options; // Node reads it through the app's traps: left as it is
  if (isArray(execArgv)) {
    const argv = dataElements(execArgv);
    if (argv === null || hasPreload(argv, agentPath)) return options;
    argv[argv.length] = '--require';
    argv[argv.length] = agentPath;
    return { ...options, execArgv: argv };
  }
  const env = options.env;
  if (!isCustomEnv(env, processEnv, shareEnv) || hasPreload(processExecArgv, agentPath)) return options;
  const copy = dataEntries(env);
  if (copy === null) return options;
  const own = getOwnDescriptor(copy, 'NODE_OPTIONS')?.value;
  // Node turns each value into a string itself; anything but a string is left for it to handle.
  if (own !== undefined && typeof own !== 'string') return options;
  if (own !== undefined && stringIncludes(own, agentPath)) return options;
  const preload = `--require ${nodeOptionsWord(agentPath)}`;
  setData(copy, 'NODE_OPTIONS', own === undefined || own === '' ? preload : `${own} ${preload}`);
  setData(copy, WORKER_ENV_KEY, jsonStringify(own ?? null));
  return { ...options, env: copy };
}

function isCustomEnv(env: unknown, processEnv: unknown, shareEnv: symbol): env is object {
  return env !== null && typeof env === 'object' && env !== processEnv && env !== (shareEnv as unknown);
}

/** How the preload reaches a worker: the agent bundle, and the process's own flags and env. */
export interface PreloadPlan {
  agentPath: string;
  processExecArgv: readonly string[];
  processEnv: unknown;
  shareEnv: symbol;
}

/** What Node's Worker constructor read from the app's options (its last read of each), as it read them. */
export interface SeenOptions {
  eval: unknown;
  name: unknown;
  workerData: unknown;
  transferList: unknown;
  /** The values the view handed Node (with the preload, when it was added). */
  execArgv: unknown;
  env: unknown;
}

/** Options as the agent passes them to Node's constructor, and what Node read through them. */
export interface WatchedOptions {
  options: unknown;
  seen: SeenOptions;
}

/**
 * A view of the app's `options` for Node's Worker constructor, which only ever reads properties of
 * it. Each read goes to the app's object once, with the app's object as receiver (its getters and
 * proxy traps run exactly as without the agent, with the same `this`), and inherited or
 * non-enumerable options are found as Node would find them. `execArgv` and `env` come back with the
 * preload added (`withPreload`); `eval`, `name`, `workerData` and `transferList` are recorded as
 * Node read them, so the agent never reads the app's options itself.
 */
export function watchOptions(options: unknown, plan: PreloadPlan): WatchedOptions {
  const seen: SeenOptions = {
    eval: undefined,
    name: undefined,
    workerData: undefined,
    transferList: undefined,
    execArgv: undefined,
    env: undefined,
  };
  if (options === null || (typeof options !== 'object' && typeof options !== 'function')) return { options, seen };
  const app = options;
  /** The app's execArgv as Node last read it (Node reads it before `env`, whose preload depends on it). */
  let appExecArgv: unknown = undefined;
  const preloaded = (record: WorkerOptionsLike): WorkerOptionsLike | undefined =>
    withPreload(record, plan.agentPath, plan.processExecArgv, plan.processEnv, plan.shareEnv);
  const handler: ProxyHandler<object> = {
    get(_target, key) {
      const value: unknown = reflectGet(app, key, app);
      try {
        switch (key) {
          case 'execArgv':
            appExecArgv = value;
            seen.execArgv = preloaded({ execArgv: value })?.execArgv;
            return seen.execArgv;
          case 'env':
            seen.env = preloaded({ execArgv: appExecArgv, env: value })?.env;
            return seen.env;
          case 'eval':
          case 'name':
          case 'workerData':
          case 'transferList':
            seen[key] = value;
        }
      } catch {
        // The agent's own bookkeeping failed (an exotic value): Node gets the app's value as is.
        if (key === 'execArgv' || key === 'env') seen[key] = value;
      }
      return value;
    },
  };
  return { options: new Proxy(viewTarget(app), handler), seen };
}

/**
 * The view's proxy target. Only `get` is trapped, and V8 checks a trap's result against the target's
 * own property when that is non-configurable and read-only (a frozen options object): such an
 * `execArgv`/`env` could not be replaced, so an empty object stands in then, and for an app proxy
 * (checking the target would run its traps). Otherwise the app's object itself, so that
 * `util.inspect` of the view (Node's NODE_DEBUG=worker line) prints the app's options.
 */
function viewTarget(options: object): object {
  if (isProxy(options)) return {};
  const frozen = (d: PropertyDescriptor | undefined): boolean =>
    isDataDescriptor(d) && d.configurable === false && d.writable === false;
  return frozen(getOwnDescriptor(options, 'execArgv')) || frozen(getOwnDescriptor(options, 'env')) ? {} : options;
}

/**
 * Whether a worker Node started from the options `seen` loads the agent: its own `execArgv`
 * carries the preload, or the process's flags or NODE_OPTIONS reach it (inherited, or added to its
 * custom env). False when the agent could not add it (an accessor or proxy in the app's
 * `execArgv`/`env`): the parent then sends no hand-off, which the app's code would receive.
 */
export function workerGetsPreload(seen: SeenOptions, plan: PreloadPlan): boolean {
  if (isProxy(seen.execArgv)) return false;
  if (isArray(seen.execArgv)) {
    const argv = dataElements(seen.execArgv);
    return argv !== null && hasPreload(argv, plan.agentPath);
  }
  if (hasPreload(plan.processExecArgv, plan.agentPath)) return true;
  const env = isCustomEnv(seen.env, plan.processEnv, plan.shareEnv) ? seen.env : plan.processEnv;
  if (env === null || typeof env !== 'object' || isProxy(env)) return false;
  const own = getOwnDescriptor(env, 'NODE_OPTIONS');
  if (!isDataDescriptor(own) || typeof own.value !== 'string') return false;
  // As written, or quoted: inside double quotes a path's `\` and `"` are escaped (nodeOptionsWord).
  const quoted = nodeOptionsWord(plan.agentPath);
  return stringIncludes(own.value, plan.agentPath) || stringIncludes(own.value, stringSlice(quoted, 1, -1));
}

/**
 * In a worker started with `withPreload`'s env: puts the app's NODE_OPTIONS back as it gave it and
 * removes the agent's variable, so the worker's `process.env` is the one the app passed.
 */
export function restoreWorkerEnv(env: Record<string, string | undefined>): void {
  const saved = env[WORKER_ENV_KEY];
  if (saved === undefined) return;
  delete env[WORKER_ENV_KEY];
  let original: unknown = null;
  try {
    original = jsonParse(saved);
  } catch {
    // Not ours after all: leave NODE_OPTIONS as it is.
    return;
  }
  if (typeof original === 'string') env.NODE_OPTIONS = original;
  else delete env.NODE_OPTIONS;
}

function hasPreload(argv: readonly unknown[], agentPath: string): boolean {
  const same = (p: unknown): boolean =>
    typeof p === 'string' &&
    (isAbsolute(p) ? resolve(p) : resolve(reflectApply(processCwd, process, []), p)) === agentPath;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if ((a === '--require' || a === '-r') && same(argv[i + 1])) return true;
    if (typeof a === 'string' && startsWith(a, '--require=') && same(stringSlice(a, '--require='.length))) return true;
  }
  return false;
}

/**
 * Debug name: the `name` option, else the script's file name (`[eval]` for eval workers, `[data URL]`
 * for a data: URL). `options` holds the values Node read (`SeenOptions`): nothing is read from the
 * app's options here, and a URL is read through the engine's own `href` getter.
 */
export function workerName(
  filename: unknown,
  options: { eval?: unknown; name?: unknown } | undefined,
): { name: string; script: string | null } {
  // Node tests `options.eval` for truthiness.
  const isEval = options !== undefined && !!options.eval;
  let script: string | null = null;
  try {
    if (!isEval) {
      const href = typeof filename === 'string' ? filename : urlHrefOf(filename);
      if (href !== null) script = startsWith(href, 'file:') ? fileURLToPath(href) : href;
    }
  } catch {
    // A malformed URL: the Worker constructor reports it to the app; the name just stays generic.
    script = null;
  }
  const explicit =
    options !== undefined && typeof options.name === 'string' && options.name !== '' ? options.name : null;
  const name =
    explicit ??
    (isEval ? '[eval]' : script === null ? 'worker' : startsWith(script, 'data:') ? '[data URL]' : basename(script));
  return { name, script };
}

/** `url.href` through the engine's getter (which refuses anything but a real URL), else null. */
function urlHrefOf(url: unknown): string | null {
  if (url === null || typeof url !== 'object' || isProxy(url)) return null;
  try {
    return urlHref(url as URL);
  } catch {
    // Not a URL.
    return null;
  }
}

/** Ports found by a walk, and whether the walk saw the whole value as a structured clone would. */
interface PortWalk {
  ports: object[];
  /**
   * False when the clone may hold ports the walk did not see, or in other places: it met an accessor
   * (the clone calls it and keeps a data property), a proxy, or ran out of its node budget or port limit.
   */
  exact: boolean;
}

/**
 * MessagePorts inside `value`, in a fixed depth-first order. The parent walks the app's workerData
 * and the worker walks its clone the same way, so the i-th port on both sides is the same port.
 * The walk runs no app code: proxies are skipped (a clone refuses them), properties and array
 * elements are read through their descriptors (a getter is never called), and maps and sets are
 * iterated with the engine's own iterators (a patched `Map.prototype.entries` never runs).
 */
export function findPorts(value: unknown, isPort: (v: object) => boolean, limit = 64): object[] {
  return walkPorts(value, isPort, limit).ports;
}

/**
 * `findPorts` for pairing with a clone by position: null when the walk was not exact (see
 * `PortWalk.exact`), since the clone's ports may then sit in other positions.
 */
export function findPortsExactly(value: unknown, isPort: (v: object) => boolean, limit = 64): object[] | null {
  const walk = walkPorts(value, isPort, limit);
  return walk.exact ? walk.ports : null;
}

function walkPorts(value: unknown, isPort: (v: object) => boolean, limit: number): PortWalk {
  const found: object[] = [];
  const seen = new WeakSet<object>();
  let budget = 2000;
  let exact = true;
  const visit = (v: unknown, depth: number): void => {
    if (v === null || typeof v !== 'object' || depth > 8) return;
    if (found.length >= limit || --budget < 0) {
      exact = false;
      return;
    }
    if (weakSetHas(seen, v)) return;
    if (isProxy(v)) {
      exact = false;
      return;
    }
    weakSetAdd(seen, v);
    if (isPort(v)) {
      found[found.length] = v;
      return;
    }
    if (isArrayBufferView(v) || isAnyArrayBuffer(v)) return;
    if (isMap(v)) {
      const entries = mapEntriesOf(v as Map<unknown, unknown>);
      for (let r = mapNext(entries); r.done !== true; r = mapNext(entries)) {
        // Indexed: destructuring would run the (patchable) array iterator.
        const pair = r.value as unknown[];
        visit(pair[0], depth + 1);
        visit(pair[1], depth + 1);
      }
      return;
    }
    if (isSet(v)) {
      const values = setValuesOf(v as Set<unknown>);
      for (let r = setNext(values); r.done !== true; r = setNext(values)) visit(r.value, depth + 1);
      return;
    }
    const keys = isArray(v) ? arrayIndexes(v) : objectKeys(v);
    for (let i = 0; i < keys.length; i++) {
      const d = getOwnDescriptor(v, keys[i]!);
      if (isDataDescriptor(d)) visit(d.value, depth + 1);
      else if (d !== undefined) exact = false;
    }
  };
  visit(value, 0);
  return { ports: found, exact };
}

/** The first 256 indexes of `a`, as keys (`length` of an array is an own data property). */
function arrayIndexes(a: unknown[]): string[] {
  const keys: string[] = [];
  for (let i = 0; i < a.length && i < 256; i++) keys[i] = `${i}`;
  return keys;
}

/** Whether `list` (an app's transfer list, read through descriptors) holds anything `isPort` accepts. */
export function transfersPort(list: unknown, isPort: (v: object) => boolean): boolean {
  if (isProxy(list) || !isArray(list)) return false;
  for (let i = 0; i < list.length; i++) {
    const d = getOwnDescriptor(list, i);
    const item = isDataDescriptor(d) ? (d.value as unknown) : undefined;
    if (item !== null && typeof item === 'object' && !isProxy(item) && isPort(item)) return true;
  }
  return false;
}
