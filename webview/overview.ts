/**
 * The overview: every isolate, live and exited, in a sortable, filterable table with sparklines.
 * The table is virtualized: the body is a fixed-height box (`contain: strict`) holding a fixed pool
 * of absolutely positioned, size-contained rows (about one screenful plus overscan) that are
 * re-bound to the isolates in the visible window. Rows are never inserted or removed on a re-sort
 * or a scroll; only changed texts are written, and a text change lays out one row, not the table.
 * The visible rows' sparklines are drawn on four canvases (one per sparkline column). Layout is
 * read once at the start of a frame (`measure`), before any write.
 */
import { h, icon, setText } from './dom';
import { formatCount } from './format';
import { OverviewRow } from './overview-row';
import type { SeriesField } from './series';
import { SPARK_POINTS, SparkColumn } from './sparkline';
import type { IsolateSnapshot } from '../protocol';
import { defaultDirFor, matchesFilter, sortAndFilter, type SortKey } from './sort';
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
/**
 * Rows whose content changes that one animation frame may rewrite. A 4 Hz update re-sorts and
 * changes every visible row; writing them all in one frame (texts, then their layout and paint)
 * made that frame miss its vsync. Spread over a few frames, visible rows first, no frame does.
 */
const ROW_WRITES_PER_FRAME = 16;
/** Sticky header + footer heights that cover rows at the edges of the viewport (px). */
const TOP_COVER_PX = 64;
const BOTTOM_COVER_PX = 28;
/** Row height in CSS pixels (fixed by the stylesheet: rows are size-contained). */
export const ROW_PX = 25;
/** The sparkline columns: series field, theme colour index, and the floor that keeps noise flat. */
const SPARK_COLUMNS: { field: SeriesField; color: number; floor: number; label: string }[] = [
  { field: 'cpuPercent', color: 0, floor: 10, label: 'CPU over time' },
  { field: 'heapUsedBytes', color: 1, floor: 0, label: 'Heap used over time' },
  { field: 'queueDepth', color: 2, floor: 4, label: 'Queue depth over time' },
  { field: 'bytesCopiedPerSec', color: 3, floor: 1024, label: 'Bytes copied per second over time' },
];
const scratch = new Float32Array(SPARK_POINTS);

/** Viewport height assumed while the page has none yet (a webview not laid out yet reports 0). */
const FALLBACK_VIEWPORT_PX = 1200;
/** Upper bound of the row pool, whatever the viewport (bounded DOM). */
const MAX_POOL_ROWS = 160;

/** The slice of `total` sorted rows to bind: never empty while there are rows (pure: unit-tested). */
export function visibleWindow(
  total: number,
  viewTopPx: number,
  viewportPx: number,
  rowPx: number,
  overscan = OVERSCAN_ROWS,
): { first: number; count: number } {
  const rowH = Math.max(1, rowPx);
  const viewH = viewportPx > 0 ? viewportPx : FALLBACK_VIEWPORT_PX;
  const capacity = Math.min(MAX_POOL_ROWS, Math.ceil(viewH / rowH) + 2 * overscan);
  // A stale scroll offset (the list shrank, the page is not laid out yet) must not leave the
  // window past the end or before the start: clamp it so the last screenful is still shown.
  const wanted = Math.floor(Math.max(0, viewTopPx) / rowH) - overscan;
  const first = Math.max(0, Math.min(wanted, total - capacity));
  return { first, count: Math.max(0, Math.min(capacity, total - first)) };
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
  private readonly table: HTMLTableElement;
  private readonly tbody: HTMLTableSectionElement;
  private readonly scroller: HTMLElement;
  private readonly sparkColumns = SPARK_COLUMNS.map((c) => new SparkColumn(c.label));
  private sparkKey = '';
  private readonly filterInput: HTMLInputElement;
  private readonly summary: HTMLSpanElement;
  /** Says so when the filter matches no isolate (the table would show only its header). */
  private readonly noMatch: HTMLElement;
  private readonly headerCells = new Map<SortKey, HTMLTableCellElement>();
  /** The row pool, in DOM order; row i shows order[first + i] (but a focused row keeps its isolate). */
  private readonly pool: OverviewRow[] = [];
  /** All filtered and sorted ids; only a window of them is bound to pool rows. */
  private order: string[] = [];
  private readonly rowHeightPx = ROW_PX;
  /** Layout read at the start of the frame (see `measure`). */
  private measured = { tbodyTop: 0, scrollY: 0, viewportPx: 0, tbodyOffsetPx: 0, sparkLeftPx: [] as number[] };
  private lastKey = '';
  private sortKey = '';
  /** The UI part of lastKey, the window bound last frame: the user's changes are drawn at once. */
  private uiKey = '';
  private boundWindow = '';
  private userChange = false;
  private selectedId: string | null = null;
  private pendingFocus: string | null = null;
  /**
   * The row order is held while the pointer is over the table or a row has keyboard focus: a data
   * update changes the values but not the order, so the row under the pointer (or the row ArrowDown
   * goes to) stays put. The rows re-sort when the pointer leaves, focus leaves, or the user sorts.
   */
  private pointerOver = false;
  private orderGeneration = -1;

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
    this.noMatch = h('p', { class: 'muted empty-inline', role: 'status', hidden: true });
    const headRow = h('tr');
    for (const col of COLUMNS) {
      const btn = h('button', { type: 'button', class: 'sort', title: col.title }, col.label, icon('', 'sort-icon'));
      btn.addEventListener('click', () => {
        const [key, dir] = this.sortKey.split('|');
        const next = key === col.key ? (dir === 'asc' ? 'desc' : 'asc') : defaultDirFor(col.key);
        actions.changeSort(col.key, next);
      });
      const th = h('th', { scope: 'col', class: `${col.numeric ? 'num ' : ''}c-${col.key}`, 'aria-sort': 'none' }, btn);
      this.headerCells.set(col.key, th);
      headRow.append(th);
    }
    this.tbody = h('tbody');
    this.tbody.addEventListener('click', (ev) => this.onClick(ev));
    this.tbody.addEventListener('dblclick', (ev) => {
      const id = this.rowIdOf(ev.target);
      if (id) actions.open(id);
    });
    this.tbody.addEventListener('keydown', (ev) => this.onKey(ev));
    this.tbody.addEventListener('focusout', (ev) => {
      const to = ev.relatedTarget as Node | null;
      if (!to || !this.tbody.contains(to)) queueMicrotask(() => this.releaseOrder());
    });
    this.table = h(
      'table',
      { class: 'grid overview', 'aria-label': 'Isolates' },
      h('thead', null, headRow),
      this.tbody,
    );
    this.table.addEventListener('pointerenter', () => (this.pointerOver = true));
    this.table.addEventListener('pointerleave', () => {
      this.pointerOver = false;
      this.releaseOrder();
    });
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
      (this.scroller = h('div', { class: 'table-scroll' }, this.table, ...this.sparkColumns.map((c) => c.canvas))),
      this.noMatch,
    );
    window.addEventListener('scroll', () => actions.requestRender(), { passive: true });
    window.addEventListener('resize', () => actions.requestRender());
  }

  /** Focuses the filter box (the `/` shortcut). */
  focusFilter(): void {
    this.filterInput.focus();
    this.filterInput.select();
  }

  /** Clears a non-empty filter box (Esc); false when it was empty already. */
  clearFilter(): boolean {
    if (this.filterInput.value === '') return false;
    this.filterInput.value = '';
    this.actions.changeFilter('');
    return true;
  }

  /** Focuses the selected row, or the first one. */
  focusRows(): void {
    const id = this.selectedId !== null && this.order.includes(this.selectedId) ? this.selectedId : this.order[0];
    if (id) this.moveFocus(id);
  }

  /**
   * Reads the layout the virtual window needs. Called at the start of the frame, before any DOM
   * write of that frame, so it never forces a synchronous layout.
   */
  measure(): void {
    const scrollY = window.scrollY;
    const top = this.tbody.getBoundingClientRect().top;
    // A hidden overview has no box: keep the last figures instead of reading zeros.
    if (top === 0 && this.root.hidden) return;
    const scrollerRect = this.scroller.getBoundingClientRect();
    // Where the sparkline slots sit (same in every row): read from the first bound row.
    const sparkLeftPx: number[] = [];
    const firstRow = this.pool.find((r) => r.boundId !== null);
    if (firstRow) {
      firstRow.tr
        .querySelectorAll('.spark-slot')
        .forEach((slot) =>
          sparkLeftPx.push(slot.getBoundingClientRect().left - scrollerRect.left + this.scroller.scrollLeft),
        );
    }
    this.measured = {
      tbodyTop: top + scrollY,
      scrollY,
      viewportPx: window.innerHeight,
      tbodyOffsetPx: top - scrollerRect.top,
      sparkLeftPx,
    };
  }

  /**
   * Brings the table up to date with the store and UI state, one frame's slice at a time: returns
   * false while rows or sparklines are still to be drawn (the caller renders again next frame).
   */
  render(store: InspectorStore, ui: UiState, theme: ThemeColors, themeChanged: boolean): boolean {
    if (this.filterInput.value !== ui.filter && document.activeElement !== this.filterInput) {
      this.filterInput.value = ui.filter;
    }
    const key = `${ui.sortKey}|${ui.sortDir}|${ui.filter}|${store.rev.isolates}|${store.rev.generation}`;
    const uiKey = `${ui.sortKey}|${ui.sortDir}|${ui.filter}`;
    const uiChanged = uiKey !== this.uiKey;
    if (uiChanged) {
      this.uiKey = uiKey;
      this.userChange = true;
    }
    if (key !== this.lastKey) {
      this.lastKey = key;
      this.sortKey = `${ui.sortKey}|${ui.sortDir}`;
      const hold = !uiChanged && this.orderHeld() && this.orderGeneration === store.rev.generation;
      if (hold) this.refreshHeldOrder(store, ui);
      else this.resort(store, ui);
      this.orderGeneration = store.rev.generation;
    }
    this.selectedId = ui.selectedIsolateId;
    return this.bindWindow(store, theme, themeChanged);
  }

  /**
   * Binds the pool rows to the isolates in the visible window and updates them in place, at most
   * ROW_WRITES_PER_FRAME changed rows per frame (rows on screen first); the sparklines are drawn in
   * a frame of their own once every row is bound. Returns true when nothing is left to draw.
   */
  private bindWindow(store: InspectorStore, theme: ThemeColors, themeChanged: boolean): boolean {
    const rowH = this.rowHeightPx;
    const n = this.order.length;
    const { tbodyTop, scrollY, viewportPx } = this.measured;
    const { first, count } = visibleWindow(n, scrollY - tbodyTop, viewportPx, rowH);
    setHeight(this.tbody, n * rowH);
    // Keyboard focus follows the isolate, not the pool row, when the rows re-bind.
    const active = document.activeElement;
    const focusedRow = this.pool.find((r) => r.tr === active);
    const focusedId = this.pendingFocus ?? focusedRow?.boundId ?? null;
    // The focused row keeps its isolate wherever a re-sort put it, off screen too (placed at its
    // index, outside the window): a row that kept focus while it was re-bound to another isolate
    // made ↓ move from that one, and left a screen reader on it.
    const keepIndex = this.pendingFocus === null && focusedRow?.boundId ? this.order.indexOf(focusedRow.boundId) : -1;
    const kept = keepIndex >= 0 ? focusedRow! : null;
    const keptInWindow = keepIndex >= first && keepIndex < first + count;
    while (this.pool.length < count + (kept && !keptInWindow ? 1 : 0)) {
      const row = new OverviewRow();
      this.pool.push(row);
      this.tbody.append(row.tr);
    }
    // rows[i] shows order[first + i]: the pool in DOM order, with the kept row at its isolate's place.
    const rows = kept ? this.pool.filter((r) => r !== kept) : this.pool.slice();
    if (kept && keptInWindow) rows.splice(keepIndex - first, 0, kept);
    let tabbable = false;
    for (let i = count; i < rows.length; i++) rows[i].bind(null, 0, rowH, false);
    if (kept && !keptInWindow) {
      kept.bind(
        store.isolates.get(this.order[keepIndex]) ?? null,
        keepIndex,
        rowH,
        this.order[keepIndex] === this.selectedId,
      );
      if (this.order[keepIndex] === this.selectedId) tabbable = true;
    }
    // Rows on screen first, then the overscan above them.
    const onScreen = Math.max(0, Math.min(count, Math.floor((scrollY - tbodyTop) / rowH) - first));
    // A scroll, resize or the user's sort/filter moves rows: bind them all now (a deferred row
    // would show an old isolate at a new place). Data updates keep every row in place, so a row
    // left for a later frame shows its previous isolate where it was.
    const windowKey = `${first}|${count}`;
    const unlimited = this.userChange || windowKey !== this.boundWindow || this.pendingFocus !== null;
    this.boundWindow = windowKey;
    this.userChange = false;
    let writes = 0;
    let pending = false;
    for (let k = 0; k < count; k++) {
      const i = (onScreen + k) % count;
      const row = rows[i];
      const id = this.order[first + i];
      const iso = store.isolates.get(id) ?? null;
      const selected = id === this.selectedId;
      if (iso && !row.shows(iso)) {
        if (!unlimited && writes >= ROW_WRITES_PER_FRAME && row !== kept) {
          pending = true;
          continue;
        }
        writes++;
      }
      row.bind(iso, first + i, rowH, selected);
      if (selected) tabbable = true;
    }
    // Keep one row reachable with Tab even when the selection is scrolled away.
    if (!tabbable && count > 0) rows[0].tr.tabIndex = 0;
    if (focusedId) {
      const target = this.pool.find((r) => r.boundId === focusedId);
      if (target) {
        if (target.tr !== active) target.tr.focus({ preventScroll: true });
        this.pendingFocus = null;
      }
    }
    if (pending || writes > 0) {
      // Sparklines follow in a later frame, over rows that show the same isolates.
      if (themeChanged) this.sparkKey = '';
      return false;
    }
    return this.drawSparks(store, theme, themeChanged, first, count);
  }

  /** Redraws the sparkline canvases when the series, the window or the order moved (true: settled). */
  private drawSparks(store: InspectorStore, theme: ThemeColors, force: boolean, first: number, count: number): boolean {
    const { tbodyOffsetPx, sparkLeftPx } = this.measured;
    if (sparkLeftPx.length !== this.sparkColumns.length) {
      // No geometry yet (first frame with rows): measure it on the next frame.
      if (count > 0) this.actions.requestRender();
      return count === 0;
    }
    const key = `${store.rev.series}|${store.rev.isolates}|${first}|${count}|${this.lastKey}|${sparkLeftPx.join(',')}|${tbodyOffsetPx}`;
    if (!force && key === this.sparkKey) return true;
    this.sparkKey = key;
    const rowH = this.rowHeightPx;
    this.sparkColumns.forEach((col, c) => {
      const style = col.canvas.style;
      const left = `${sparkLeftPx[c]}px`;
      const top = `${tbodyOffsetPx + first * rowH}px`;
      if (style.left !== left) style.left = left;
      if (style.top !== top) style.top = top;
      col.begin(count, rowH);
    });
    for (let i = 0; i < count; i++) {
      const id = this.order[first + i];
      const ring = store.series.get(id);
      if (!ring) continue;
      const alpha = store.isolates.get(id)?.state === 'exited' ? 0.55 : 1;
      SPARK_COLUMNS.forEach((spec, c) => {
        const n = ring.tail(spec.field, scratch);
        this.sparkColumns[c].draw(i, scratch, n, theme.series[spec.color], spec.floor, alpha);
      });
    }
    return true;
  }

  /** True while the row order is held (pointer over the table, or a row has keyboard focus). */
  private orderHeld(): boolean {
    if (this.pointerOver) return true;
    // Keyboard focus only: a row focused by a mouse click is not :focus-visible, and stops holding
    // the order once the pointer has left.
    const active = document.activeElement;
    return !!active && this.tbody.contains(active) && active.matches(':focus-visible');
  }

  /** The hold ended: re-sort on the next frame. */
  private releaseOrder(): void {
    if (this.orderHeld()) return;
    this.lastKey = '';
    this.userChange = true;
    this.actions.requestRender();
  }

  /**
   * A data update while the order is held: rows keep their places; isolates that went away (or no
   * longer match the filter) are dropped, new ones are appended at the end in sort order.
   */
  private refreshHeldOrder(store: InspectorStore, ui: UiState): void {
    const kept: string[] = [];
    const seen = new Set<string>();
    for (const id of this.order) {
      const iso = store.isolates.get(id);
      if (iso && matchesFilter(iso, ui.filter)) {
        kept.push(id);
        seen.add(id);
      }
    }
    const fresh: IsolateSnapshot[] = [];
    for (const iso of store.isolates.values()) if (!seen.has(iso.id)) fresh.push(iso);
    for (const iso of sortAndFilter(fresh, ui.sortKey, ui.sortDir, ui.filter)) kept.push(iso.id);
    this.setOrder(store, ui, kept);
  }

  private resort(store: InspectorStore, ui: UiState): void {
    const sorted = sortAndFilter(store.isolates.values(), ui.sortKey, ui.sortDir, ui.filter);
    this.setOrder(
      store,
      ui,
      sorted.map((iso) => iso.id),
    );
  }

  private setOrder(store: InspectorStore, ui: UiState, order: string[]): void {
    for (const [k, th] of this.headerCells) {
      const active = k === ui.sortKey;
      th.setAttribute('aria-sort', active ? (ui.sortDir === 'asc' ? 'ascending' : 'descending') : 'none');
      const ic = th.querySelector('.sort-icon');
      if (ic)
        ic.className = `codicon sort-icon${active ? ` codicon-triangle-${ui.sortDir === 'asc' ? 'up' : 'down'}` : ''}`;
    }
    this.order = order;
    this.table.setAttribute('aria-rowcount', String(this.order.length + 1));
    let running = 0;
    for (const iso of store.isolates.values()) if (iso.state === 'running') running++;
    const total = store.isolates.size;
    const shown = order.length === total ? '' : ` · ${formatCount(order.length)} shown`;
    const none = order.length === 0 && total > 0;
    if (this.noMatch.hidden !== !none) this.noMatch.hidden = !none;
    if (none) setText(this.noMatch, `No isolate matches “${ui.filter.trim()}”.`);
    setText(
      this.summary,
      `${formatCount(total)} isolates · ${formatCount(running)} running · ${formatCount(total - running)} exited${shown}`,
    );
  }

  /** Scrolls a row into the virtual window if needed and focuses it after the next render. */
  private moveFocus(id: string): void {
    const index = this.order.indexOf(id);
    if (index < 0) return;
    // An input handler, not a frame: reading layout here forces nothing the frame would not do.
    const rowTop = this.tbody.getBoundingClientRect().top + window.scrollY + index * this.rowHeightPx;
    if (rowTop < window.scrollY + TOP_COVER_PX) window.scrollTo(0, rowTop - TOP_COVER_PX);
    else if (rowTop + this.rowHeightPx > window.scrollY + window.innerHeight - BOTTOM_COVER_PX) {
      window.scrollTo(0, rowTop + this.rowHeightPx - window.innerHeight + BOTTOM_COVER_PX);
    }
    this.pendingFocus = id;
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

function setHeight(el: HTMLElement, px: number): void {
  const v = `${px}px`;
  if (el.style.height !== v) el.style.height = v;
}
