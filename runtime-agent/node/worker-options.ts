/**
 * Pure helpers for patched Worker construction: making sure the preload survives the app's own
 * `execArgv`/`env`, naming the worker, and finding MessagePorts handed over in `workerData`.
 */
import { basename } from 'node:path';
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
 * Options with `--require <agent>` added when the worker would otherwise lose the preload: `--require`
 * on the command line is dropped when the app passes its own `execArgv`, and NODE_OPTIONS does not
 * survive a custom `env`. Returns the app's object untouched when nothing needs changing.
 */
export function withPreload(
  options: WorkerOptionsLike | undefined,
  agentPath: string,
  processExecArgv: readonly string[],
  processEnv: unknown,
  shareEnv: symbol,
): WorkerOptionsLike | undefined {
  const customArgv = options !== undefined && Array.isArray(options.execArgv);
  const customEnv =
    options !== undefined &&
    options.env !== undefined &&
    options.env !== null &&
    options.env !== processEnv &&
    options.env !== shareEnv;
  if (!customArgv && !customEnv) return options;
  const base = customArgv ? (options.execArgv as string[]) : [...processExecArgv];
  if (hasPreload(base, agentPath)) return options;
  return { ...options, execArgv: [...base, '--require', agentPath] };
}

function hasPreload(argv: readonly string[], agentPath: string): boolean {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if ((a === '--require' || a === '-r') && argv[i + 1] === agentPath) return true;
    if (a === `--require=${agentPath}`) return true;
  }
  return false;
}

/** Debug name: the `name` option, else the script's file name (`[eval]` for eval workers). */
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
  const name = explicit ?? (isEval ? '[eval]' : script !== null ? basename(script) : 'worker');
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
