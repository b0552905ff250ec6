/** Small UI state persisted by the host (getState/setState): view, selection, sort, filter. */
import { SORT_KEYS, type SortDir, type SortKey } from './sort';

/** Top-level views. */
export type ViewName = 'overview' | 'isolate' | 'timeline' | 'findings';

/** What survives a reload. */
export interface UiState {
  view: ViewName;
  selectedIsolateId: string | null;
  sortKey: SortKey;
  sortDir: SortDir;
  filter: string;
}

/** Defaults for a first visit. */
export const DEFAULT_UI_STATE: UiState = {
  view: 'overview',
  selectedIsolateId: null,
  sortKey: 'cpuPercent',
  sortDir: 'desc',
  filter: '',
};

const VIEWS: readonly ViewName[] = ['overview', 'isolate', 'timeline', 'findings'];

/** Reads persisted state defensively: anything unexpected falls back to the default field. */
export function parseUiState(raw: unknown): UiState {
  const s: UiState = { ...DEFAULT_UI_STATE };
  if (typeof raw !== 'object' || raw === null) return s;
  const r = raw as Record<string, unknown>;
  if (typeof r.view === 'string' && (VIEWS as readonly string[]).includes(r.view)) s.view = r.view as ViewName;
  if (typeof r.selectedIsolateId === 'string') s.selectedIsolateId = r.selectedIsolateId.slice(0, 500);
  if (typeof r.sortKey === 'string' && (SORT_KEYS as readonly string[]).includes(r.sortKey)) {
    s.sortKey = r.sortKey as SortKey;
  }
  if (r.sortDir === 'asc' || r.sortDir === 'desc') s.sortDir = r.sortDir;
  if (typeof r.filter === 'string') s.filter = r.filter.slice(0, 200);
  return s;
}
