/** Small shared widgets: location links, copied-vs-transferable bars, simple rebuildable tables. */
import type { SourceLocation } from '../protocol';
import { h, icon, setText } from './dom';
import { reorderChildren } from './reorder';
import { formatBytes, formatLocation, shortPath } from './format';

/**
 * A button that shows a source location and asks the host to open it (data-location holds JSON).
 * Table cells show path:line; `withColumn` adds the column (findings show path:line:column).
 */
export function locationButton(loc: SourceLocation | null, segments = 2, withColumn = false): HTMLElement {
  if (!loc) return h('span', { class: 'muted' }, 'unknown');
  const full = formatLocation(loc);
  const btn = h(
    'button',
    { type: 'button', class: 'link location', title: `Open ${full}`, 'data-location': JSON.stringify(loc) },
    icon('go-to-file'),
    `${shortPath(loc.file, segments)}:${loc.line}${withColumn && loc.column > 0 ? `:${loc.column}` : ''}`,
  );
  return btn;
}

/** Reads the location stored on a clicked location button (or null when the click was elsewhere). */
export function locationFromEvent(ev: Event): SourceLocation | null {
  const el = (ev.target as HTMLElement | null)?.closest?.('[data-location]') as HTMLElement | null;
  if (!el?.dataset.location) return null;
  try {
    const loc = JSON.parse(el.dataset.location) as SourceLocation;
    return typeof loc.file === 'string' && typeof loc.line === 'number' ? loc : null;
  } catch {
    // The attribute is written by us; a parse failure would mean tampering, so ignore the click.
    return null;
  }
}

/**
 * A horizontal bar splitting what a call site moved: copied bytes that were transferable (the fix
 * would save them), other copied bytes, and bytes actually transferred.
 */
export function copySplitBar(copiedBytes: number, transferableBytes: number, transferredBytes: number): HTMLElement {
  const avoidable = Math.min(transferableBytes, copiedBytes);
  const otherCopied = Math.max(0, copiedBytes - avoidable);
  const total = copiedBytes + transferredBytes;
  const bar = h('span', {
    class: 'split-bar',
    role: 'img',
    'aria-label': `copied ${formatBytes(copiedBytes)} of which transferable ${formatBytes(avoidable)}, transferred ${formatBytes(transferredBytes)}`,
    title: `Copied but transferable: ${formatBytes(avoidable)}\nOther copied: ${formatBytes(otherCopied)}\nTransferred: ${formatBytes(transferredBytes)}`,
  });
  if (total <= 0) return bar;
  for (const [cls, v] of [
    ['seg-avoidable', avoidable],
    ['seg-copied', otherCopied],
    ['seg-transferred', transferredBytes],
  ] as const) {
    if (v <= 0) continue;
    const seg = h('span', { class: `seg ${cls}` });
    seg.style.width = `${((v / total) * 100).toFixed(2)}%`;
    bar.append(seg);
  }
  return bar;
}

/** Column of a keyed table. */
export interface Column<T> {
  label: string;
  numeric?: boolean;
  title?: string;
  /** Cell content; a string is set as text, a Node replaces the cell's children. */
  cell(row: T): Node | string;
  /** For Node cells: a string that changes when the node would (skips rebuilding unchanged cells). */
  key?(row: T): string;
}

interface KeyedRow {
  tr: HTMLTableRowElement;
  cells: HTMLTableCellElement[];
  keys: string[];
}

/**
 * A table with rows keyed by id: rows are reused and only changed cells are touched, so a 4 Hz
 * refresh of a few hundred channels costs text updates, not a rebuild.
 */
export class SimpleTable<T> {
  readonly root: HTMLElement;
  private readonly tbody: HTMLTableSectionElement;
  private readonly empty: HTMLElement;
  private readonly more: HTMLElement;
  private readonly rows = new Map<string, KeyedRow>();
  private order: string[] = [];

  constructor(
    label: string,
    private readonly columns: Column<T>[],
    emptyText: string,
    private readonly keyOf: (row: T) => string,
  ) {
    const head = h('tr');
    for (const c of columns) {
      head.append(h('th', { scope: 'col', class: c.numeric ? 'num' : '', title: c.title }, c.label));
    }
    this.tbody = h('tbody');
    this.empty = h('p', { class: 'muted empty-inline' }, emptyText);
    this.more = h('p', { class: 'muted empty-inline', hidden: true });
    this.root = h(
      'div',
      { class: 'simple-table' },
      h(
        'div',
        { class: 'table-scroll' },
        h('table', { class: 'grid', 'aria-label': label }, h('thead', null, head), this.tbody),
      ),
      this.empty,
      this.more,
    );
  }

  /** Replaces the text shown while the table has no rows. */
  setEmptyText(text: string): void {
    setText(this.empty, text);
  }

  /** Shows the first `limit` of `rows` in this order, saying how many were left out. */
  setRows(allRows: T[], limit = Infinity): void {
    const rows = allRows.length > limit ? allRows.slice(0, limit) : allRows;
    const more = allRows.length - rows.length;
    if (this.more.hidden !== (more === 0)) this.more.hidden = more === 0;
    if (more > 0) setText(this.more, `Showing the top ${rows.length} of ${allRows.length}.`);
    const seen = new Set<string>();
    const order: string[] = [];
    for (const r of rows) {
      const id = this.keyOf(r);
      if (seen.has(id)) continue;
      seen.add(id);
      order.push(id);
      let row = this.rows.get(id);
      if (!row) {
        const cells = this.columns.map((c) => h('td', { class: c.numeric ? 'num' : '' }));
        row = { tr: h('tr', null, ...cells), cells, keys: cells.map(() => '\u0000') };
        this.rows.set(id, row);
      }
      this.columns.forEach((c, i) => {
        const cell = row.cells[i];
        if (c.key) {
          const k = c.key(r);
          if (k === row.keys[i]) return;
          row.keys[i] = k;
          const v = c.cell(r);
          if (typeof v === 'string') cell.textContent = v;
          else cell.replaceChildren(v);
          return;
        }
        // Text cells: compare with the text last written (a cache, not a DOM read).
        const v = c.cell(r);
        if (typeof v === 'string') {
          if (v === row.keys[i]) return;
          row.keys[i] = v;
          // Change the text node's data rather than replace the node (cheaper to restyle and lay out).
          const text = cell.firstChild;
          if (text instanceof Text && text === cell.lastChild) text.data = v;
          else cell.textContent = v;
        } else {
          row.keys[i] = '\u0000';
          cell.replaceChildren(v);
        }
      });
    }
    for (const [id, row] of this.rows) {
      if (!seen.has(id)) {
        row.tr.remove();
        this.rows.delete(id);
      }
    }
    if (order.length !== this.order.length || order.some((id, i) => id !== this.order[i])) {
      // Move only the rows that changed place: re-inserting all of them restyles and lays out each.
      reorderChildren(this.tbody, this.order, order, (id) => this.rows.get(id)!.tr);
      this.order = order;
    }
    // Same-value writes of `hidden` still invalidate style.
    if (this.empty.hidden !== rows.length > 0) this.empty.hidden = rows.length > 0;
  }
}
