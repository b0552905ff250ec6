/**
 * Pure helpers for patched Worker construction: making sure the preload survives the app's own
 * `execArgv`/`env`, naming the worker, and finding MessagePorts handed over in `workerData`.
 */
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { types } from 'node:util';
import { mapEntries, mapIteratorNext, setIteratorNext, setValues } from './size-estimator';

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

/** `value` as one NODE_OPTIONS word (double-quoted, as Node's NODE_OPTIONS parser reads it). */
function nodeOptionsWord(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * Options with the preload added where the worker would otherwise lose it. An app's own `execArgv`
 * drops `--require` from the command line: `--require <agent>` is appended to it. A custom `env`
 * drops NODE_OPTIONS (Node builds the worker's options from the custom env's NODE_OPTIONS and the
 * process's flags): unless the process's flags carry the preload, it goes into that env's
 * NODE_OPTIONS. Not into `execArgv`: Node re-checks an explicit `execArgv` and refuses process-wide
 * flags such as `--max-old-space-size` (ERR_WORKER_INVALID_EXEC_ARGV), which it accepts inherited.
 * Returns the app's object untouched when nothing needs changing.
 */
export function withPreload(
  options: WorkerOptionsLike | undefined,
  agentPath: string,
  processExecArgv: readonly string[],
  processEnv: unknown,
  shareEnv: symbol,
): WorkerOptionsLike | undefined {
  if (options === undefined) return options;
  if (Array.isArray(options.execArgv)) {
    const argv = options.execArgv as string[];
    return hasPreload(argv, agentPath) ? options : { ...options, execArgv: [...argv, '--require', agentPath] };
  }
  const env = options.env;
  if (env === undefined || env === null || env === processEnv || env === shareEnv || typeof env !== 'object') {
    return options;
  }
  if (hasPreload(processExecArgv, agentPath)) return options;
  const own = (env as Record<string, unknown>).NODE_OPTIONS;
  const current = own === undefined || own === null ? null : String(own);
  if (current !== null && current.includes(agentPath)) return options;
  const preload = `--require ${nodeOptionsWord(agentPath)}`;
  return {
    ...options,
    env: {
      ...(env as Record<string, unknown>),
      NODE_OPTIONS: current === null || current === '' ? preload : `${current} ${preload}`,
      [WORKER_ENV_KEY]: JSON.stringify(current),
    },
  };
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
    original = JSON.parse(saved);
  } catch {
    // Not ours after all: leave NODE_OPTIONS as it is.
    return;
  }
  if (typeof original === 'string') env.NODE_OPTIONS = original;
  else delete env.NODE_OPTIONS;
}

function hasPreload(argv: readonly string[], agentPath: string): boolean {
  const same = (p: string | undefined): boolean => p !== undefined && resolve(p) === agentPath;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if ((a === '--require' || a === '-r') && same(argv[i + 1])) return true;
    if (a.startsWith('--require=') && same(a.slice('--require='.length))) return true;
  }
  return false;
}

/** Debug name: the `name` option, else the script's file name (`[eval]` for eval workers, `[data URL]` for a data: URL). */
export function workerName(
  filename: unknown,
  options: WorkerOptionsLike | undefined,
): { name: string; script: string | null } {
  const isEval = options !== undefined && options.eval === true;
  let script: string | null = null;
  try {
    if (!isEval) {
      if (filename instanceof URL) script = filename.protocol === 'file:' ? fileURLToPath(filename) : filename.href;
      else if (typeof filename === 'string') script = filename.startsWith('file:') ? fileURLToPath(filename) : filename;
    }
  } catch {
    // A malformed URL: the Worker constructor reports it to the app; the name just stays generic.
    script = null;
  }
  const explicit =
    options !== undefined && typeof options.name === 'string' && options.name !== '' ? options.name : null;
  const name =
    explicit ??
    (isEval ? '[eval]' : script === null ? 'worker' : script.startsWith('data:') ? '[data URL]' : basename(script));
  return { name, script };
}

/**
 * MessagePorts inside `value`, in a fixed depth-first order. The parent walks the app's workerData
 * and the worker walks its clone the same way, so the i-th port on both sides is the same port.
 * The walk runs no app code: proxies are skipped (a clone refuses them), properties and array
 * elements are read through their descriptors (a getter is never called), and maps and sets are
 * iterated with the engine's own iterators (a patched `Map.prototype.entries` never runs).
 */
export function findPorts(value: unknown, isPort: (v: object) => boolean, limit = 64): object[] {
  const found: object[] = [];
  const seen = new Set<object>();
  let budget = 2000;
  const visit = (v: unknown, depth: number): void => {
    if (v === null || typeof v !== 'object' || depth > 8 || found.length >= limit || --budget < 0) return;
    if (seen.has(v) || types.isProxy(v)) return;
    seen.add(v);
    if (isPort(v)) {
      found.push(v);
      return;
    }
    if (types.isArrayBufferView(v) || types.isAnyArrayBuffer(v)) return;
    if (types.isMap(v)) {
      const entries = mapEntries.call(v as Map<unknown, unknown>);
      for (let r = mapIteratorNext.call(entries); r.done !== true; r = mapIteratorNext.call(entries)) {
        // Indexed: destructuring would run the (patchable) array iterator.
        const pair = r.value as unknown[];
        visit(pair[0], depth + 1);
        visit(pair[1], depth + 1);
      }
      return;
    }
    if (types.isSet(v)) {
      const values = setValues.call(v as Set<unknown>);
      for (let r = setIteratorNext.call(values); r.done !== true; r = setIteratorNext.call(values)) {
        visit(r.value, depth + 1);
      }
      return;
    }
    const keys = Array.isArray(v) ? arrayIndexes(v) : Object.keys(v);
    for (let i = 0; i < keys.length; i++) {
      const d = Object.getOwnPropertyDescriptor(v, keys[i]!);
      if (d !== undefined && 'value' in d) visit(d.value, depth + 1);
    }
  };
  visit(value, 0);
  return found;
}

/** The first 256 indexes of `a`, as keys (`length` of an array is an own data property). */
function arrayIndexes(a: unknown[]): string[] {
  const keys: string[] = [];
  for (let i = 0; i < a.length && i < 256; i++) keys.push(String(i));
  return keys;
}

/** Whether `list` (an app's transfer list, read through descriptors) holds anything `isPort` accepts. */
export function transfersPort(list: unknown, isPort: (v: object) => boolean): boolean {
  if (!Array.isArray(list) || types.isProxy(list)) return false;
  for (let i = 0; i < list.length; i++) {
    const item = Object.getOwnPropertyDescriptor(list, i)?.value as unknown;
    if (item !== null && typeof item === 'object' && !types.isProxy(item) && isPort(item)) return true;
  }
  return false;
}
