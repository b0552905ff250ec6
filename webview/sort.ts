/**
 * Sorting and filtering of overview rows. Pure, so the same order can be unit-tested and kept
 * stable across updates (ties break on start time, then id: rows never jump for no reason).
 */
import type { IsolateSnapshot } from '../protocol';
import { displayName } from '../protocol/names';

/** Columns the overview can sort by. */
export type SortKey =
  | 'name'
  | 'runtime'
  | 'state'
  | 'cpuPercent'
  | 'cpuTimeMs'
  | 'heapUsedBytes'
  | 'queueDepth'
  | 'msgsInPerSec'
  | 'msgsOutPerSec'
  | 'bytesCopiedPerSec'
  | 'startedAtMs';

/** Sort direction. */
export type SortDir = 'asc' | 'desc';

/** All sort keys, for validating persisted state. */
export const SORT_KEYS: readonly SortKey[] = [
  'name',
  'runtime',
  'state',
  'cpuPercent',
  'cpuTimeMs',
  'heapUsedBytes',
  'queueDepth',
  'msgsInPerSec',
  'msgsOutPerSec',
  'bytesCopiedPerSec',
  'startedAtMs',
];

/** Direction a column sorts in when first clicked: numbers biggest-first, text A→Z. */
export function defaultDirFor(key: SortKey): SortDir {
  return key === 'name' || key === 'runtime' || key === 'state' || key === 'startedAtMs' ? 'asc' : 'desc';
}

function sortValue(iso: IsolateSnapshot, key: SortKey): number | string {
  switch (key) {
    case 'name':
      return iso.name.toLowerCase();
    case 'runtime':
      return iso.runtime;
    case 'state':
      return iso.state;
    case 'cpuPercent':
      return iso.cpuPercent ?? -1;
    case 'cpuTimeMs':
      return iso.cpuTimeMs ?? -1;
    case 'heapUsedBytes':
      return iso.heapUsedBytes;
    case 'queueDepth':
      return iso.queueDepth;
    case 'msgsInPerSec':
      return iso.msgsInPerSec;
    case 'msgsOutPerSec':
      return iso.msgsOutPerSec;
    case 'bytesCopiedPerSec':
      return iso.bytesCopiedPerSec;
    case 'startedAtMs':
      return iso.startedAtMs;
    default: {
      const never: never = key;
      return never;
    }
  }
}

/** Text columns sort in natural order: worker-2 before worker-10. */
const collator = new Intl.Collator(undefined, { numeric: true });

/** Compares two isolates by a column; ties break on start time then id, for a stable order. */
export function compareIsolates(a: IsolateSnapshot, b: IsolateSnapshot, key: SortKey, dir: SortDir): number {
  const va = sortValue(a, key);
  const vb = sortValue(b, key);
  let c = 0;
  if (typeof va === 'number' && typeof vb === 'number') c = va - vb;
  else c = collator.compare(String(va), String(vb));
  if (c !== 0 && !Number.isNaN(c)) return dir === 'asc' ? c : -c;
  if (a.startedAtMs !== b.startedAtMs) return a.startedAtMs - b.startedAtMs;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * True when the isolate's name as shown ("(unnamed)", "main⟨U+202E⟩gnp.exe"), its raw name or its
 * id contains the filter text, case-insensitively: what the row reads must find the row.
 */
export function matchesFilter(iso: IsolateSnapshot, filter: string): boolean {
  const f = filter.trim().toLowerCase();
  if (f === '') return true;
  return (
    iso.name.toLowerCase().includes(f) || iso.id.toLowerCase().includes(f) || displayName(iso).toLowerCase().includes(f)
  );
}

/** Filters and sorts isolates for the overview table (returns a new array). */
export function sortAndFilter(
  isolates: Iterable<IsolateSnapshot>,
  key: SortKey,
  dir: SortDir,
  filter: string,
): IsolateSnapshot[] {
  const rows: IsolateSnapshot[] = [];
  for (const iso of isolates) if (matchesFilter(iso, filter)) rows.push(iso);
  rows.sort((a, b) => compareIsolates(a, b, key, dir));
  return rows;
}
