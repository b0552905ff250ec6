/**
 * The declaration files the TS analyzer loads: `lib.es2022` (no DOM: 1.8 MB the rule never needs),
 * the part of `@types/node` that types workers, ports and Buffers (the rest is served empty), and a
 * tiny browser shim for `Worker`/`ImageData`. Found next to the bundle when shipped (`dist/ts-lib`,
 * `dist/types/node`), else in the workspace or the typescript package.
 */
import { existsSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import ts from 'typescript';

/** The lib files the analyzer's programs use (`lib.es2022.d.ts` and what it references). */
export const TS_LIBS = ['lib.es2022.d.ts'];

/**
 * The `@types/node` files kept (relative to the package): workers and ports, Buffers and typed
 * arrays, and the common producers of big Buffers (fs, crypto, zlib). Any other file of the
 * package is served empty, so its modules type as `any` (the analyzer then falls back to names).
 */
export const NODE_TYPES_KEPT = [
  'index.d.ts',
  'compatibility/disposable.d.ts',
  'compatibility/index.d.ts',
  'compatibility/indexable.d.ts',
  'compatibility/iterators.d.ts',
  'globals.d.ts',
  'globals.typedarray.d.ts',
  'buffer.buffer.d.ts',
  'buffer.d.ts',
  'events.d.ts',
  'worker_threads.d.ts',
  'fs.d.ts',
  'fs/promises.d.ts',
  'crypto.d.ts',
  'zlib.d.ts',
  'package.json',
];

/** Browser globals the rule needs, instead of lib.dom: a dedicated `Worker` and `ImageData`. */
export const WEB_SHIM_FILE = '/__isoscope__/web-workers.d.ts';
export const WEB_SHIM_TEXT = `interface IsoscopeWorkerOptions { name?: string; type?: 'classic' | 'module'; credentials?: string }
declare class Worker {
  constructor(scriptURL: string | { href: string }, options?: IsoscopeWorkerOptions);
  postMessage(message: any, transfer?: readonly object[]): void;
  terminate(): void;
  onmessage: ((event: { data: any }) => any) | null;
  onerror: ((event: unknown) => any) | null;
  addEventListener(type: string, listener: (event: any) => void): void;
  removeEventListener(type: string, listener: (event: any) => void): void;
}
declare class ImageData {
  constructor(width: number, height: number);
  constructor(data: Uint8ClampedArray, width: number, height?: number);
  readonly data: Uint8ClampedArray<ArrayBuffer>;
  readonly width: number;
  readonly height: number;
}
`;

/** Where lib.*.d.ts live: next to the bundle (dist/ts-lib) when shipped, else the typescript package. */
export function libDir(): string | null {
  const candidates = [
    process.env.ISOSCOPE_TS_LIB_DIR,
    join(__dirname, 'ts-lib'),
    dirname(ts.getDefaultLibFilePath({})),
    join(process.cwd(), 'node_modules', 'typescript', 'lib'),
  ];
  return candidates.find((d): d is string => !!d && existsSync(join(d, 'lib.es2022.d.ts'))) ?? null;
}

/** `@types` folders that have `node` (workspace first, then ours next to the bundle, then the cwd). */
export function typeRoots(workspaceRoots: readonly string[]): string[] {
  const roots = [
    ...workspaceRoots.map((r) => join(r, 'node_modules', '@types')),
    join(__dirname, 'types'),
    join(process.cwd(), 'node_modules', '@types'),
  ];
  return roots.filter((r) => existsSync(join(r, 'node', 'index.d.ts')));
}

/** True for a file of a `@types/node` package (or its `undici-types` dependency) that is not kept. */
export function isTrimmedNodeType(file: string, roots: readonly string[]): boolean {
  if (file.includes(`${sep}undici-types${sep}`)) return true;
  for (const root of roots) {
    const rel = relative(join(root, 'node'), file);
    if (rel.startsWith('..') || rel.startsWith(sep)) continue;
    return !NODE_TYPES_KEPT.includes(rel.split(sep).join('/'));
  }
  return false;
}
