/**
 * Source maps that exist only in this process. A loader such as tsx compiles `app.ts` as Node loads
 * it and hands Node the map (it turns `process.sourceMapsEnabled` on), so no map file sits next to
 * the script for the collector to read, and call sites would keep the compiled positions. The
 * first call site in such a script ships Node's copy of its map once (`source-map` record, without
 * `sourcesContent`); the collector maps through it as it would through a file. Nothing is mapped
 * here: this only reads what Node already holds (`module.findSourceMap`), once per script.
 */
import { findSourceMap } from 'node:module';
import { FRAME_LIMITS, type SourceMapRecord } from '../../protocol/agent-frames';
import { isArray, regExpExec, setAdd, setHas, setSize } from './intrinsics';

/** Scripts a loader compiles from another language: a file with the map next to it is plain JS. */
const LOADER_COMPILED = /\.(?:[cm]?tsx?|jsx)$/i;
/** Scripts looked at per thread (a program with more sends from fewer files). */
const MAX_SCRIPTS_CHECKED = 1024;
/** Sources and names of a shipped map (protocol limits). */
const MAX_SOURCES = 10_000;
const MAX_NAMES = 200_000;

const hasOwn = Object.hasOwn;
/** Scripts already looked at in this thread, whether or not they had a map. */
const checked = new Set<string>();

/** A copy of an array of short strings, with their total length; null for anything else. */
function stringsOf(value: unknown, max: number): { list: string[]; chars: number } | null {
  if (!isArray(value) || value.length > max) return null;
  const list: string[] = [];
  let chars = 0;
  for (let i = 0; i < value.length; i++) {
    const v: unknown = value[i];
    if (typeof v !== 'string' || v.length > FRAME_LIMITS.maxStringLength) return null;
    list[i] = v;
    chars += v.length + 3;
  }
  return { list, chars };
}

/**
 * The `source-map` record for the script of a call site, the first time a call site is in a
 * script that a loader compiled in memory; null otherwise (and for every later call). Never throws.
 */
export function loaderMapRecord(isolateId: string, file: string): SourceMapRecord | null {
  if (setHas(checked, file) || setSize(checked) >= MAX_SCRIPTS_CHECKED) return null;
  setAdd(checked, file);
  if (regExpExec(LOADER_COMPILED, file) === null) return null;
  try {
    // Node keys maps by URL for ES modules and by path for CommonJS; it takes either form.
    const payload: unknown = findSourceMap(file)?.payload;
    if (payload === null || typeof payload !== 'object') return null;
    const raw = payload as Record<string, unknown>;
    const mappings = hasOwn(raw, 'mappings') ? raw['mappings'] : undefined;
    if (typeof mappings !== 'string' || mappings.length > FRAME_LIMITS.maxSourceMapChars) return null;
    const sources = stringsOf(hasOwn(raw, 'sources') ? raw['sources'] : undefined, MAX_SOURCES);
    const names = stringsOf(hasOwn(raw, 'names') ? raw['names'] : [], MAX_NAMES);
    // The whole map stays under the limit too: it travels in one chunk with other records.
    if (sources === null || names === null) return null;
    if (mappings.length + sources.chars + names.chars > FRAME_LIMITS.maxSourceMapChars) return null;
    const sourceRoot = hasOwn(raw, 'sourceRoot') ? raw['sourceRoot'] : undefined;
    const map: SourceMapRecord['map'] = { version: 3, sources: sources.list, names: names.list, mappings };
    if (typeof sourceRoot === 'string' && sourceRoot !== '') map.sourceRoot = sourceRoot;
    return { type: 'source-map', isolateId, file, map };
  } catch {
    // A map Node could not give (or one with odd fields): the compiled position is reported.
    return null;
  }
}
