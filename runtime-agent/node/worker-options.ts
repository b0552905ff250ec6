/**
 * Pure helpers for patched Worker construction: making sure the preload survives the app's own
 * `execArgv`/`env`, naming the worker, and finding MessagePorts handed over in `workerData`.
 */
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

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
 */
export function findPorts(value: unknown, isPort: (v: object) => boolean, limit = 64): object[] {
  const found: object[] = [];
  const seen = new Set<object>();
  let budget = 2000;
  const visit = (v: unknown, depth: number): void => {
    if (v === null || typeof v !== 'object' || depth > 8 || found.length >= limit || --budget < 0) return;
    if (seen.has(v)) return;
    seen.add(v);
    if (isPort(v)) {
      found.push(v);
      return;
    }
    if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length && i < 256; i++) visit(v[i], depth + 1);
      return;
    }
    if (v instanceof Map) {
      for (const [k, val] of v) {
        visit(k, depth + 1);
        visit(val, depth + 1);
      }
      return;
    }
    if (v instanceof Set) {
      for (const val of v) visit(val, depth + 1);
      return;
    }
    for (const key of Object.keys(v)) {
      const d = Object.getOwnPropertyDescriptor(v, key);
      if (d !== undefined && d.get === undefined) visit(d.value, depth + 1);
    }
  };
  visit(value, 0);
  return found;
}
