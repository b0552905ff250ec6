/**
 * The overview: every isolate, live and exited, in a sortable, filterable table with sparklines.
 * Rows are keyed by isolate id and reused; the tbody is only re-ordered when the order changes.
 */
import { h, icon, setText } from './dom';
import { OverviewRow } from './overview-row';
import { defaultDirFor, sortAndFilter, type SortKey } from './sort';
import type { InspectorStore } from './store';
import type { ThemeColors } from './theme';
import type { UiState } from './ui-state';

/** Callbacks from the overview to the app. */
export interface OverviewActions {
  select(isolateId: string): void;
  open(isolateId: string): void;
  changeSort(key: SortKey, dir: UiState['sortDir']): void;
  changeFilter(filter: string): void;
  clearExited(): void;
}

const COLUMNS: { key: SortKey; label: string; title: string; numeric: boolean }[] = [
  { key: 'name', label: 'Name', title: 'Isolate debug name / worker name', numeric: false },
  { key: 'runtime', label: 'Runtime', title: 'node or dart', numeric: false },
  { key: 'state', label: 'State', title: 'running or exited', numeric: false },
  { key: 'cpuPercent', label: 'CPU', title: 'CPU utilization of the isolate thread (100 % = one core)', numeric: true },
  { key: 'cpuTimeMs', label: 'CPU time', title: 'Total CPU time', numeric: true },
  { key: 'heapUsedBytes', label: 'Heap used / capacity', title: 'Heap used and capacity', numeric: true },
  { key: 'queueDepth', label: 'Queue', title: 'Messages waiting in the isolate’s queue', numeric: true },
  { key: 'msgsInPerSec', label: 'In/s', title: 'Messages received per second', numeric: true },
  { key: 'msgsOutPerSec', label: 'Out/s', title: 'Messages sent per second', numeric: true },
  { key: 'bytesCopiedPerSec', label: 'Copied/s', title: 'Bytes copied by structured clone per second', numeric: true },
];

/** The overview view. */
export class OverviewView {
  readonly root: HTMLElement;
  private readonly tbody: HTMLTableSectionElement;
  private readonly filterInput: HTMLInputElement;
  private readonly summary: HTMLSpanElement;
  private readonly headerButtons = new Map<SortKey, HTMLTableCellElement>();
  private readonly rows = new Map<string, OverviewRow>();
  private readonly observer: IntersectionObserver;
  private order: string[] = [];
  private lastKey = '';
  private selectedId: string | null = null;

  constructor(private readonly actions: OverviewActions) {
    this.filterInput = h('input', {
      type: 'search',
      class: 'filter',
      placeholder: 'Filter by name  ( / )',
      'aria-label': 'Filter isolates by name',
      spellcheck: 'false',
    });
    this.filterInput.addEventListener('input', () => actions.changeFilter(this.filterInput.value));
    const clearBtn = h('button', { type: 'button', class: 'tool', title: 'Remove exited isolates' });
    clearBtn.append(icon('clear-all'), ' Clear exited');
    clearBtn.addEventListener('click', () => actions.clearExited());
    this.summary = h('span', { class: 'summary' });
    const headRow = h('tr');
    for (const col of COLUMNS) {
      const btn = h('button', { type: 'button', class: 'sort', title: col.title }, col.label, icon('', 'sort-icon'));
      btn.addEventListener('click', () => {
        const current = this.lastKey.split('|');
        const sameKey = current[0] === col.key;
        const dir = sameKey ? (current[1] === 'asc' ? 'desc' : 'asc') : defaultDirFor(col.key);
        actions.changeSort(col.key, dir);
      });
      const th = h('th', { scope: 'col', class: col.numeric ? 'num' : '', 'aria-sort': 'none' }, btn);
      this.headerButtons.set(col.key, th);
      headRow.append(th);
    }
    this.tbody = h('tbody');
    this.tbody.addEventListener('click', (ev) => this.onClick(ev));
    this.tbody.addEventListener('dblclick', (ev) => {
      const id = this.rowIdOf(ev.target);
      if (id) actions.open(id);
    });
    this.tbody.addEventListener('keydown', (ev) => this.onKey(ev));
    const table = h(
      'table',
      { class: 'grid overview', 'aria-label': 'Isolates' },
      h('thead', null, headRow),
      this.tbody,
    );
    this.root = h(
      'section',
      { class: 'view overview-view', 'aria-label': 'Overview' },
      h(
        'div',
        { class: 'toolbar' },
        h('span', { class: 'filter-wrap' }, icon('search'), this.filterInput),
        this.summary,
        clearBtn,
      ),
      h('div', { class: 'table-scroll' }, table),
    );
    this.observer = new IntersectionObserver((entries) => {
      for (const e of entries) {
        const row = this.rows.get((e.target as HTMLElement).dataset.isolateId ?? '');
        if (row) row.visible = e.isIntersecting;
      }
    });
  }

  /** Focuses the filter box (the `/` shortcut). */
  focusFilter(): void {
    this.filterInput.focus();
    this.filterInput.select();
  }

  /** Focuses the selected row, or the first one. */
  focusRows(): void {
    const id = this.selectedId ?? this.order[0];
    if (id) this.rows.get(id)?.tr.focus();
  }

  /** Brings the table up to date with the store and UI state. */
  render(store: InspectorStore, ui: UiState, theme: ThemeColors, themeChanged: boolean): void {
    if (this.filterInput.value !== ui.filter && document.activeElement !== this.filterInput) {
      this.filterInput.value = ui.filter;
    }
    const key = `${ui.sortKey}|${ui.sortDir}|${ui.filter}|${store.rev.isolates}|${store.rev.generation}`;
    if (key !== this.lastKey) {
      this.lastKey = key;
      this.renderRows(store, ui);
    }
    if (this.selectedId !== ui.selectedIsolateId) {
      if (this.selectedId) this.rows.get(this.selectedId)?.setSelected(false);
      this.selectedId = ui.selectedIsolateId;
      if (this.selectedId) this.rows.get(this.selectedId)?.setSelected(true);
    }
    for (const id of this.order) {
      this.rows.get(id)?.drawSparks(store.series.get(id), store.rev.series, theme, themeChanged);
    }
  }

  private renderRows(store: InspectorStore, ui: UiState): void {
    const sorted = sortAndFilter(store.isolates.values(), ui.sortKey, ui.sortDir, ui.filter);
    for (const [k, th] of this.headerButtons) {
      th.setAttribute('aria-sort', k === ui.sortKey ? (ui.sortDir === 'asc' ? 'ascending' : 'descending') : 'none');
      const ic = th.querySelector('.sort-icon');
      if (ic)
        ic.className = `codicon sort-icon ${k === ui.sortKey ? `codicon-triangle-${ui.sortDir === 'asc' ? 'up' : 'down'}` : ''}`;
    }
    // Rows for isolates that are gone (clear-exited, re-hydrate) are dropped.
    for (const [id, row] of this.rows) {
      if (!store.isolates.has(id)) {
        this.observer.unobserve(row.tr);
        row.tr.remove();
        this.rows.delete(id);
      }
    }
    const nextOrder: string[] = [];
    for (const iso of sorted) {
      let row = this.rows.get(iso.id);
      if (!row) {
        row = new OverviewRow(iso.id);
        this.rows.set(iso.id, row);
        this.observer.observe(row.tr);
        if (iso.id === this.selectedId) row.setSelected(true);
      }
      row.update(iso);
      nextOrder.push(iso.id);
    }
    if (!sameOrder(nextOrder, this.order) || this.tbody.childElementCount !== nextOrder.length) {
      const frag = document.createDocumentFragment();
      for (const id of nextOrder) frag.append(this.rows.get(id)!.tr);
      this.tbody.replaceChildren(frag);
      this.order = nextOrder;
    }
    let running = 0;
    for (const iso of store.isolates.values()) if (iso.state === 'running') running++;
    const total = store.isolates.size;
    const shown = sorted.length === total ? '' : ` · ${sorted.length} shown`;
    setText(this.summary, `${total} isolates · ${running} running · ${total - running} exited${shown}`);
    if (this.rows.size > 0 && !this.order.some((id) => this.rows.get(id)?.tr.tabIndex === 0)) {
      const first = this.rows.get(this.order[0]);
      if (first) first.tr.tabIndex = 0;
    }
  }

  private rowIdOf(target: EventTarget | null): string | null {
    const tr = (target as HTMLElement | null)?.closest?.('tr[data-isolate-id]');
    return tr ? ((tr as HTMLElement).dataset.isolateId ?? null) : null;
  }

  private onClick(ev: MouseEvent): void {
    const open = (ev.target as HTMLElement).closest?.('[data-open]');
    const id = this.rowIdOf(ev.target);
    if (!id) return;
    if (open) this.actions.open(id);
    else this.actions.select(id);
  }

  private onKey(ev: KeyboardEvent): void {
    const id = this.rowIdOf(ev.target);
    if (!id) return;
    const i = this.order.indexOf(id);
    let next = -1;
    switch (ev.key) {
      case 'ArrowDown':
        next = Math.min(this.order.length - 1, i + 1);
        break;
      case 'ArrowUp':
        next = Math.max(0, i - 1);
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = this.order.length - 1;
        break;
      case 'Enter':
      case ' ':
        ev.preventDefault();
        this.actions.open(id);
        return;
      default:
        return;
    }
    ev.preventDefault();
    const nextId = this.order[next];
    if (nextId) {
      this.actions.select(nextId);
      this.rows.get(nextId)?.tr.focus();
    }
  }
}

function sameOrder(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
