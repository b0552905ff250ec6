/**
 * The message ledger of one isolate: notable messages, newest first. Rendered incrementally —
 * new rows are prepended and the oldest trimmed — so 1,000 rows cost nothing per 4 Hz update.
 */
import type { LedgerEntry } from '../protocol';
import { h, icon } from './dom';
import { formatBytes, formatClock } from './format';
import type { InspectorStore } from './store';
import { locationButton } from './widgets';

/** Most ledger rows kept in the DOM. */
export const LEDGER_ROWS_SHOWN = 1000;

/** Ledger table for the selected isolate. */
export class LedgerTable {
  readonly root: HTMLElement;
  private readonly tbody: HTMLTableSectionElement;
  private readonly caption: HTMLElement;
  private isolateId: string | null = null;
  private generation = -1;
  private lastSeq = -Infinity;
  private rowCount = 0;

  constructor() {
    const cols = ['Time', 'Channel', 'Copied', 'Typed arrays', 'Transferred', 'Shape', 'Sent from'];
    const numeric = new Set(['Copied', 'Typed arrays', 'Transferred']);
    const head = h('tr');
    cols.forEach((c, i) => head.append(h('th', { scope: 'col', class: `lc-${i}${numeric.has(c) ? ' num' : ''}` }, c)));
    this.tbody = h('tbody');
    this.caption = h('p', { class: 'muted caption' });
    this.root = h(
      'div',
      { class: 'ledger' },
      this.caption,
      h(
        'div',
        { class: 'table-scroll ledger-scroll' },
        h('table', { class: 'grid ledger-table', 'aria-label': 'Message ledger' }, h('thead', null, head), this.tbody),
      ),
    );
  }

  /** Brings the table up to date for `isolateId`. */
  render(store: InspectorStore, isolateId: string): void {
    if (isolateId !== this.isolateId || store.rev.generation !== this.generation) {
      this.isolateId = isolateId;
      this.generation = store.rev.generation;
      this.lastSeq = -Infinity;
      this.rowCount = 0;
      this.tbody.replaceChildren();
    }
    const fresh: LedgerEntry[] = [];
    // The store's ledger is ordered by seq: walk back from the end to the last row we rendered.
    for (let i = store.ledger.length - 1; i >= 0; i--) {
      const row = store.ledger[i];
      if (row.seq <= this.lastSeq) break;
      if (row.isolateId === isolateId) fresh.push(row);
      if (fresh.length >= LEDGER_ROWS_SHOWN) break;
    }
    if (fresh.length) {
      this.lastSeq = Math.max(this.lastSeq, fresh[0].seq);
      const frag = document.createDocumentFragment();
      for (const row of fresh) frag.append(this.rowFor(row, store));
      this.tbody.prepend(frag);
      this.rowCount += fresh.length;
      while (this.rowCount > LEDGER_ROWS_SHOWN && this.tbody.lastElementChild) {
        this.tbody.lastElementChild.remove();
        this.rowCount--;
      }
    }
    const cap = this.rowCount >= LEDGER_ROWS_SHOWN ? ` (newest ${LEDGER_ROWS_SHOWN} shown)` : '';
    const text =
      this.rowCount === 0
        ? `No notable messages yet. Messages of at least the notable size are recorded here with their call site.`
        : `${this.rowCount} notable messages${cap}. Rows over ${formatBytes(store.oversizedBytes)} are flagged.`;
    if (this.caption.textContent !== text) this.caption.textContent = text;
  }

  private rowFor(row: LedgerEntry, store: InspectorStore): HTMLTableRowElement {
    const channel = store.channels.get(row.channelId);
    const over = row.bytes >= store.oversizedBytes;
    return h(
      'tr',
      { class: over ? 'oversized' : '' },
      h('td', { class: 'mono' }, formatClock(row.atMs)),
      h('td', { title: row.channelId }, channel?.label ?? row.channelId),
      h('td', { class: 'num' }, over ? icon('warning', 'warn') : '', formatBytes(row.bytes)),
      h('td', { class: 'num' }, formatBytes(row.typedArrayBytes)),
      h('td', { class: 'num' }, formatBytes(row.transferredBytes)),
      h('td', { class: 'mono shape', title: row.shape }, row.shape),
      h('td', null, locationButton(row.location)),
    );
  }
}
