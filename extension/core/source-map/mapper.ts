/**
 * Maps compiled call-site positions (what V8 reports) to original source positions (what the
 * user wrote), outside the profiled app, with the `source-map` package. Results and parsed maps
 * are cached in bounded LRUs.
 *
 * Note on wasm: in Node, source-map 0.7 reads `mappings.wasm` from next to its own module file
 * (`__dirname`), and `SourceMapConsumer.initialize` is a no-op that logs to stdout. Our bundles
 * live in dist/ next to a copied dist/mappings.wasm, so nothing needs initializing.
 */
import { SourceMapConsumer, type NullableMappedPosition, type RawIndexMap, type RawSourceMap } from 'source-map';
import { statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { SourceLocation, SourceMapRecord } from '../../../protocol';
import { LruMap } from './lru';
import { locateSourceMap, scriptPathOf } from './locate-map';

/** A compiled position as the runtime reports it (path or file:// URL; 1-based line and column). */
export interface GeneratedPosition {
  file: string;
  line: number;
  column: number;
}

/** Options for a SourceMapper; defaults suit one profiling session. */
export interface SourceMapperOptions {
  /** Parsed maps kept alive at once (each holds wasm memory). */
  maxConsumers?: number;
  /** Mapped positions remembered. */
  maxResults?: number;
  /** Maps that agents sent (scripts a loader compiled in memory) kept at once. */
  maxProvided?: number;
}

/** A map an agent sent for a script a loader compiled in memory (protocol `source-map` record). */
export type ProvidedMap = SourceMapRecord['map'];

/**
 * What a script's lookups go through, with the files it was read from and their `stamp` then
 * (null for a map an agent sent): `revalidate` drops it when one of them changed.
 */
type MapState = ({ kind: 'none' } | { kind: 'map'; consumer: SourceMapConsumer }) & {
  files: string[] | null;
  stamp: string;
};

/** Modification time and size of each file ('-' for a missing one): changes when a build rewrites them. */
function stampOf(files: readonly string[]): string {
  return files
    .map((f) => {
      try {
        const st = statSync(f, { throwIfNoEntry: false });
        return st ? `${st.mtimeMs}:${st.size}` : '-';
      } catch {
        // Unreadable: as good as missing.
        return '-';
      }
    })
    .join('|');
}

/** Normalizes a runtime position into a SourceLocation without any mapping. */
export function unmappedLocation(pos: GeneratedPosition): SourceLocation {
  return { file: scriptPathOf(pos.file) ?? pos.file, line: pos.line, column: pos.column };
}

function sourceToPath(source: string): string {
  if (source.startsWith('file://')) {
    try {
      return fileURLToPath(source);
    } catch {
      // Keep the URL text: still better than losing the location.
      return source;
    }
  }
  return source;
}

/** Maps compiled → original positions. `peek` is synchronous once `map` has loaded a file. */
export class SourceMapper {
  private readonly results: LruMap<string, SourceLocation>;
  private readonly states: LruMap<string, MapState>;
  private readonly loading = new Map<string, Promise<MapState>>();
  /** By script path: maps the runtime held only in memory, sent by its agent. */
  private readonly provided: LruMap<string, ProvidedMap>;
  private disposed = false;

  constructor(opts: SourceMapperOptions = {}) {
    this.results = new LruMap(opts.maxResults ?? 10_000);
    this.provided = new LruMap(opts.maxProvided ?? 64);
    this.states = new LruMap(opts.maxConsumers ?? 16, (_k, state) => {
      if (state.kind === 'map') state.consumer.destroy();
    });
  }

  /** The mapped location if it can be answered without I/O, else undefined. */
  peek(pos: GeneratedPosition): SourceLocation | undefined {
    const key = `${pos.file}:${pos.line}:${pos.column}`;
    const cached = this.results.get(key);
    if (cached) return cached;
    const path = scriptPathOf(pos.file);
    if (path === null) return unmappedLocation(pos);
    const state = this.states.get(path);
    if (!state) return undefined;
    const loc = this.lookup(state, pos);
    this.results.set(key, loc);
    return loc;
  }

  /** Maps one position, loading the file's map when needed. Never rejects. */
  async map(pos: GeneratedPosition): Promise<SourceLocation> {
    const quick = this.peek(pos);
    if (quick) return quick;
    const path = scriptPathOf(pos.file);
    if (path === null) return unmappedLocation(pos);
    await this.load(path);
    return this.peek(pos) ?? unmappedLocation(pos);
  }

  /**
   * Takes the map an agent sent for `file` (a loader such as tsx compiled it in memory, so there is
   * no map on disk to find). It wins over whatever the file system says from now on.
   */
  provide(file: string, map: ProvidedMap): void {
    const path = scriptPathOf(file);
    if (path === null || this.disposed) return;
    this.provided.set(path, map);
    // Whatever was loaded or looked up for this script without it is stale; a load still in
    // flight is superseded (`load` sees it is no longer the current one).
    this.loading.delete(path);
    this.states.delete(path);
    this.results.clear();
  }

  /**
   * Forgets what was read from files that changed since (a rebuild under `node --watch`, or a
   * new run in a long session), so later lookups read them again. Cheap: one `stat` per file of
   * the few scripts kept. The model calls it when a process connects.
   */
  revalidate(): void {
    let dropped = false;
    for (const [path, state] of this.states.entries()) {
      if (state.files === null || stampOf(state.files) === state.stamp) continue;
      this.states.delete(path);
      dropped = true;
    }
    if (dropped) this.results.clear();
  }

  /** Frees every parsed map. */
  dispose(): void {
    this.disposed = true;
    this.states.clear();
  }

  private load(path: string): Promise<MapState> {
    const pending = this.loading.get(path);
    if (pending) return pending;
    const p: Promise<MapState> = this.parse(path).then((state) => {
      if (this.loading.get(path) !== p) {
        // `provide` gave a map for this script while this load ran: the load from that wins.
        if (state.kind === 'map') state.consumer.destroy();
        return this.disposed ? state : this.load(path);
      }
      this.loading.delete(path);
      if (this.disposed) {
        if (state.kind === 'map') state.consumer.destroy();
      } else this.states.set(path, state);
      return state;
    });
    this.loading.set(path, p);
    return p;
  }

  private async parse(path: string): Promise<MapState> {
    const given = this.provided.get(path);
    if (given) {
      try {
        const { sourceRoot, ...rest } = given;
        const raw: RawSourceMap =
          sourceRoot === undefined ? { file: path, ...rest } : { file: path, ...rest, sourceRoot };
        const consumer = await new SourceMapConsumer(raw, pathToFileURL(path).href);
        return { kind: 'map', consumer, files: null, stamp: '' };
      } catch {
        // A map the agent sent that the library refuses: no map.
        return { kind: 'none', files: null, stamp: '' };
      }
    }
    // Stamped before reading: a build that rewrites them while they are read is seen next time.
    const noMap = [path, `${path}.map`];
    const stampNoMap = stampOf(noMap);
    try {
      const located = await locateSourceMap(path);
      if (!located) return { kind: 'none', files: noMap, stamp: stampNoMap };
      const mapFile = fileURLToPath(located.mapUrl);
      const files = mapFile === path ? [path] : [path, mapFile];
      const stamp = stampOf(files);
      const raw = JSON.parse(located.rawJson) as RawSourceMap | RawIndexMap;
      const consumer = await new SourceMapConsumer(raw, located.mapUrl);
      return { kind: 'map', consumer, files, stamp };
    } catch {
      // A broken map means "no map": the compiled position is still shown.
      return { kind: 'none', files: noMap, stamp: stampNoMap };
    }
  }

  private lookup(state: MapState, pos: GeneratedPosition): SourceLocation {
    const unmapped = unmappedLocation(pos);
    if (state.kind === 'none' || !(pos.line >= 1)) return unmapped;
    // source-map columns are 0-based; V8 reports 1-based columns.
    const query = { line: pos.line, column: Math.max(0, pos.column - 1) };
    let orig: NullableMappedPosition;
    try {
      orig = state.consumer.originalPositionFor({ ...query, bias: SourceMapConsumer.GREATEST_LOWER_BOUND });
      if (orig.source === null || orig.line === null) {
        orig = state.consumer.originalPositionFor({ ...query, bias: SourceMapConsumer.LEAST_UPPER_BOUND });
      }
    } catch {
      // The library parses "mappings" lazily, on the first lookup: a map whose mappings or sources
      // are broken throws here. Like a map that does not parse, it means "no map".
      return unmapped;
    }
    if (orig.source === null || orig.line === null) return unmapped;
    return {
      file: sourceToPath(orig.source),
      line: orig.line,
      column: (orig.column ?? 0) + 1,
      generated: { file: unmapped.file, line: pos.line, column: pos.column },
    };
  }
}
