/**
 * The overview: every isolate, live and exited, in a sortable, filterable table with sparklines.
 * The table is virtualized (only the rows in and near the viewport are in the DOM, between two
 * spacer rows) with fixed column widths, so a live re-sort of hundreds of isolates at 4 Hz costs a
 * few dozen rows of layout, not the whole table. Row objects are keyed by isolate id and reused.
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
  /** Scrolling moves the virtual window: the app schedules a render. */
  requestRender(): void;
}

/** Rows attached above and below the visible window, so fast scrolling shows no gaps. */
const OVERSCAN_ROWS = 8;
/** Sticky header + footer heights that cover rows at the edges of the viewport (px). */
const TOP_COVER_PX = 64;
const BOTTOM_COVER_PX = 28;

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
  private readonly table: HTMLTableElement;
  private readonly tbody: HTMLTableSectionElement;
  private readonly topSpacer: HTMLTableRowElement;
  private readonly bottomSpacer: HTMLTableRowElement;
  private readonly filterInput: HTMLInputElement;
  private readonly summary: HTMLSpanElement;
  private readonly headerCells = new Map<SortKey, HTMLTableCellElement>();
  private readonly rows = new Map<string, OverviewRow>();
  /** All filtered and sorted ids; only a window of them is attached. */
  private order: string[] = [];
  private attached: string[] = [];
  private rowHeightPx = 25;
  private lastKey = '';
  private sortKey = '';
  private selectedId: string | null = null;
  private pendingFocus: string | null = null;

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
    const colgroup = h('colgroup');
    for (const col of COLUMNS) {
      const btn = h('button', { type: 'button', class: 'sort', title: col.title }, col.label, icon('', 'sort-icon'));
      btn.addEventListener('click', () => {
        const [key, dir] = this.sortKey.split('|');
        const next = key === col.key ? (dir === 'asc' ? 'desc' : 'asc') : defaultDirFor(col.key);
        actions.changeSort(col.key, next);
      });
      const th = h('th', { scope: 'col', class: col.numeric ? 'num' : '', 'aria-sort': 'none' }, btn);
      this.headerCells.set(col.key, th);
      headRow.append(th);
      colgroup.append(h('col', { class: `col-${col.key}` }));
    }
    this.topSpacer = h('tr', { class: 'spacer-row', 'aria-hidden': 'true' });
    this.bottomSpacer = h('tr', { class: 'spacer-row', 'aria-hidden': 'true' });
    this.tbody = h('tbody', null, this.topSpacer, this.bottomSpacer);
    this.tbody.addEventListener('click', (ev) => this.onClick(ev));
    this.tbody.addEventListener('dblclick', (ev) => {
      const id = this.rowIdOf(ev.target);
      if (id) actions.open(id);
    });
    this.tbody.addEventListener('keydown', (ev) => this.onKey(ev));
    this.table = h(
      'table',
      { class: 'grid overview', 'aria-label': 'Isolates' },
      colgroup,
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
      h('div', { class: 'table-scroll' }, this.table),
    );
    window.addEventListener('scroll', () => actions.requestRender(), { passive: true });
    window.addEventListener('resize', () => actions.requestRender());
  }

  /** Focuses the filter box (the `/` shortcut). */
  focusFilter(): void {
    this.filterInput.focus();
    this.filterInput.select();
  }

  /** Focuses the selected row, or the first one. */
  focusRows(): void {
    const id = this.selectedId ?? this.order[0];
    if (id) this.moveFocus(id);
  }

  /** Brings the table up to date with the store and UI state. */
  render(store: InspectorStore, ui: UiState, theme: ThemeColors, themeChanged: boolean): void {
    // Layout reads first (the DOM is clean at frame start), writes after.
    const tbodyTop = this.tbody.getBoundingClientRect().top + window.scrollY;
    const firstRow = this.attached.length ? this.rows.get(this.attached[0]) : undefined;
    if (firstRow?.tr.isConnected) this.rowHeightPx = firstRow.tr.getBoundingClientRect().height || this.rowHeightPx;

    if (this.filterInput.value !== ui.filter && document.activeElement !== this.filterInput) {
      this.filterInput.value = ui.filter;
    }
    const key = `${ui.sortKey}|${ui.sortDir}|${ui.filter}|${store.rev.isolates}|${store.rev.generation}`;
    if (key !== this.lastKey) {
      this.lastKey = key;
      this.sortKey = `${ui.sortKey}|${ui.sortDir}`;
      this.resort(store, ui);
    }
    if (this.selectedId !== ui.selectedIsolateId) {
      if (this.selectedId) this.rows.get(this.selectedId)?.setSelected(false);
      this.selectedId = ui.selectedIsolateId;
      if (this.selectedId) this.rows.get(this.selectedId)?.setSelected(true);
    }
    this.attachWindow(tbodyTop);
    for (const id of this.attached) {
      const row = this.rows.get(id)!;
      const iso = store.isolates.get(id);
      if (iso) row.update(iso);
      row.drawSparks(store.series.get(id), store.rev.series, theme, themeChanged);
    }
    if (this.pendingFocus && this.attached.includes(this.pendingFocus)) {
      this.rows.get(this.pendingFocus)?.tr.focus({ preventScroll: true });
      this.pendingFocus = null;
    }
  }

  private resort(store: InspectorStore, ui: UiState): void {
    const sorted = sortAndFilter(store.isolates.values(), ui.sortKey, ui.sortDir, ui.filter);
    for (const [k, th] of this.headerCells) {
      const active = k === ui.sortKey;
      th.setAttribute('aria-sort', active ? (ui.sortDir === 'asc' ? 'ascending' : 'descending') : 'none');
      const ic = th.querySelector('.sort-icon');
      if (ic)
        ic.className = `codicon sort-icon${active ? ` codicon-triangle-${ui.sortDir === 'asc' ? 'up' : 'down'}` : ''}`;
    }
    // Row objects for isolates that are gone (clear-exited, re-hydrate) are dropped.
    for (const [id, row] of this.rows) {
      if (!store.isolates.has(id)) {
        row.tr.remove();
        this.rows.delete(id);
      }
    }
    this.order = sorted.map((iso) => iso.id);
    this.table.setAttribute('aria-rowcount', String(this.order.length + 1));
    let running = 0;
    for (const iso of store.isolates.values()) if (iso.state === 'running') running++;
    const total = store.isolates.size;
    const shown = sorted.length === total ? '' : ` · ${sorted.length} shown`;
    setText(this.summary, `${total} isolates · ${running} running · ${total - running} exited${shown}`);
  }

  /** Attaches the rows intersecting the viewport (plus overscan) between the spacers. */
  private attachWindow(tbodyTop: number): void {
    const rowH = Math.max(1, this.rowHeightPx);
    const n = this.order.length;
    const viewTop = window.scrollY - tbodyTop;
    const first = Math.max(0, Math.floor(viewTop / rowH) - OVERSCAN_ROWS);
    const last = Math.min(n, Math.ceil((viewTop + window.innerHeight) / rowH) + OVERSCAN_ROWS);
    const next = this.order.slice(first, Math.max(first, last));
    this.topSpacer.style.height = `${first * rowH}px`;
    this.bottomSpacer.style.height = `${Math.max(0, n - first - next.length) * rowH}px`;
    if (sameOrder(next, this.attached)) return;
    // Detach the old window first: appending a row to the fragment moves it, and removing it
    // afterwards would take it out of the fragment again.
    for (const id of this.attached) this.rows.get(id)?.tr.remove();
    const frag = document.createDocumentFragment();
    next.forEach((id, i) => {
      let row = this.rows.get(id);
      if (!row) {
        row = new OverviewRow(id);
        this.rows.set(id, row);
        if (id === this.selectedId) row.setSelected(true);
      }
      row.tr.setAttribute('aria-rowindex', String(first + i + 2));
      frag.append(row.tr);
    });
    this.topSpacer.after(frag);
    this.attached = next;
    // Keep one row reachable with Tab even when the selection is scrolled away.
    if (!next.some((id) => this.rows.get(id)?.tr.tabIndex === 0) && next[0]) this.rows.get(next[0])!.tr.tabIndex = 0;
  }

  /** Scrolls a row into the virtual window if needed and focuses it after the next render. */
  private moveFocus(id: string): void {
    const index = this.order.indexOf(id);
    if (index < 0) return;
    const rowTop = this.tbody.getBoundingClientRect().top + window.scrollY + index * this.rowHeightPx;
    if (rowTop < window.scrollY + TOP_COVER_PX) window.scrollTo(0, rowTop - TOP_COVER_PX);
    else if (rowTop + this.rowHeightPx > window.scrollY + window.innerHeight - BOTTOM_COVER_PX) {
      window.scrollTo(0, rowTop + this.rowHeightPx - window.innerHeight + BOTTOM_COVER_PX);
    }
    const row = this.rows.get(id);
    if (row?.tr.isConnected && this.attached.includes(id)) row.tr.focus({ preventScroll: true });
    else this.pendingFocus = id;
    this.actions.requestRender();
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
    const page = Math.max(1, Math.floor(window.innerHeight / this.rowHeightPx) - 3);
    let next: number;
    switch (ev.key) {
      case 'ArrowDown':
        next = i + 1;
        break;
      case 'ArrowUp':
        next = i - 1;
        break;
      case 'PageDown':
        next = i + page;
        break;
      case 'PageUp':
        next = i - page;
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
    const nextId = this.order[Math.max(0, Math.min(this.order.length - 1, next))];
    if (nextId) {
      this.actions.select(nextId);
      this.moveFocus(nextId);
    }
  }
}

function sameOrder(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
