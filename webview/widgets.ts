/** Small shared widgets: location links, copied-vs-transferable bars, simple rebuildable tables. */
import type { SourceLocation } from '../protocol';
import { h, icon } from './dom';
import { formatBytes, formatLocation, shortPath } from './format';

/** A button that shows a source location and asks the host to open it (data-location holds JSON). */
export function locationButton(loc: SourceLocation | null, segments = 2): HTMLElement {
  if (!loc) return h('span', { class: 'muted' }, 'unknown');
  const full = formatLocation(loc);
  const btn = h(
    'button',
    { type: 'button', class: 'link location', title: `Open ${full}`, 'data-location': JSON.stringify(loc) },
    icon('go-to-file'),
    `${shortPath(loc.file, segments)}:${loc.line}`,
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

/** Column of a simple table. */
export interface Column<T> {
  label: string;
  numeric?: boolean;
  title?: string;
  cell(row: T): Node | string;
}

/** A table whose body is rebuilt when its data changes (for small lists: ports, channels, call sites). */
export class SimpleTable<T> {
  readonly root: HTMLElement;
  private readonly tbody: HTMLTableSectionElement;
  private readonly empty: HTMLElement;

  constructor(
    label: string,
    private readonly columns: Column<T>[],
    emptyText: string,
  ) {
    const head = h('tr');
    for (const c of columns)
      head.append(h('th', { scope: 'col', class: c.numeric ? 'num' : '', title: c.title }, c.label));
    this.tbody = h('tbody');
    this.empty = h('p', { class: 'muted empty-inline' }, emptyText);
    this.root = h(
      'div',
      { class: 'simple-table' },
      h(
        'div',
        { class: 'table-scroll' },
        h('table', { class: 'grid', 'aria-label': label }, h('thead', null, head), this.tbody),
      ),
      this.empty,
    );
  }

  /** Replaces the rows. */
  setRows(rows: T[]): void {
    const frag = document.createDocumentFragment();
    for (const r of rows) {
      const tr = h('tr');
      for (const c of this.columns) {
        const v = c.cell(r);
        tr.append(h('td', { class: c.numeric ? 'num' : '' }, v));
      }
      frag.append(tr);
    }
    this.tbody.replaceChildren(frag);
    this.empty.hidden = rows.length > 0;
  }
}
