/**
 * Finds the source map of a compiled JS file: the last `//# sourceMappingURL=` comment, either an
 * inline `data:` URL or a path/URL relative to the file, else a sibling `<file>.map`. Reads files
 * only; never runs them, never fetches http(s) maps.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Generated files or maps bigger than this are not read (bounded memory). */
export const MAX_SOURCE_MAP_INPUT_BYTES = 64 * 1024 * 1024;

/** A raw source map plus the URL its relative `sources` resolve against. */
export interface LocatedMap {
  rawJson: string;
  /** file:// URL of the .map file (or of the generated file, for an inline map). */
  mapUrl: string;
}

/** Turns a runtime-reported script name (path or file:// URL) into a local path, or null. */
export function scriptPathOf(file: string): string | null {
  if (file.startsWith('file://')) {
    try {
      return fileURLToPath(file);
    } catch {
      // A malformed file URL from the agent is just not mappable.
      return null;
    }
  }
  // node:internal/…, evalmachine.<anonymous>, http(s) URLs and the like have no local map.
  if (file.startsWith('/') || /^[A-Za-z]:[\\/]/.test(file)) return file;
  return null;
}

const MAPPING_URL = /\/\/[#@] ?sourceMappingURL=([^\s'"]+)\s*$/gm;

/** The last sourceMappingURL in a file's text (the spec says the last one wins). */
export function lastSourceMappingUrl(code: string): string | null {
  let found: string | null = null;
  for (const m of code.matchAll(MAPPING_URL)) found = m[1] ?? null;
  return found;
}

function decodeDataUrl(url: string): string | null {
  const comma = url.indexOf(',');
  if (comma < 0) return null;
  const meta = url.slice(5, comma);
  const body = url.slice(comma + 1);
  if (meta.endsWith(';base64')) return Buffer.from(body, 'base64').toString('utf8');
  try {
    return decodeURIComponent(body);
  } catch {
    // Not percent-encoded after all: take it literally.
    return body;
  }
}

async function readBounded(path: string): Promise<string | null> {
  try {
    const info = await stat(path);
    if (!info.isFile() || info.size > MAX_SOURCE_MAP_INPUT_BYTES) return null;
    return await readFile(path, 'utf8');
  } catch {
    // Missing or unreadable files simply have no map.
    return null;
  }
}

/** Loads the map for a compiled script path, or null when it has none (or it can't be read). */
export async function locateSourceMap(scriptPath: string): Promise<LocatedMap | null> {
  const code = await readBounded(scriptPath);
  if (code === null) return null;
  const url = lastSourceMappingUrl(code);
  if (url === null) {
    // No comment (e.g. esbuild `sourcemap: 'external'`): a sibling `<file>.map` is the convention.
    const sibling = `${scriptPath}.map`;
    const rawJson = await readBounded(sibling);
    return rawJson === null ? null : { rawJson, mapUrl: pathToFileURL(sibling).href };
  }
  if (url.startsWith('data:')) {
    const rawJson = decodeDataUrl(url);
    return rawJson === null ? null : { rawJson, mapUrl: pathToFileURL(scriptPath).href };
  }
  let mapPath: string;
  if (url.startsWith('file://')) {
    const p = scriptPathOf(url);
    if (p === null) return null;
    mapPath = p;
  } else if (/^[a-z][a-z0-9+.-]*:/i.test(url)) {
    return null; // http(s) maps are never fetched: the profiler does not touch the network.
  } else {
    mapPath = resolve(dirname(scriptPath), decodeURIComponent(url));
  }
  const rawJson = await readBounded(mapPath);
  return rawJson === null ? null : { rawJson, mapUrl: pathToFileURL(mapPath).href };
}
