/**
 * The message ledger of one isolate: notable messages, newest first, up to 1,000. The table is
 * windowed inside its own fixed-height scroller: a small pool of row elements is re-bound to the
 * entries in view, so new rows at 4 Hz cost a few cell writes, not the layout of a 1,000-row table.
 */
import type { LedgerEntry, SourceLocation } from '../protocol';
import { h, icon } from './dom';
import { formatBytes, formatClock, formatCount, formatLocation, shortPath } from './format';
import type { InspectorStore } from './store';

/** Most ledger rows the table holds (scrollable). */
export const LEDGER_ROWS_SHOWN = 1000;
/** Height of the scroller (CSS `.ledger-scroll`), used until the real one is measured. */
const VIEW_PX = 400;
/** Rows bound above and below the visible ones. */
const OVERSCAN = 6;

/** The newest `max` ledger rows of an isolate, newest first (pure: unit-tested). */
export function ledgerRowsFor(
  ledger: readonly LedgerEntry[],
  isolateId: string,
  max = LEDGER_ROWS_SHOWN,
): LedgerEntry[] {
  const out: LedgerEntry[] = [];
  for (let i = ledger.length - 1; i >= 0 && out.length < max; i--)
    if (ledger[i].isolateId === isolateId) out.push(ledger[i]);
  return out;
}

/**
 * One pooled row. New ledger entries arrive at the top, so at 4 Hz every pooled row shows another
 * entry: its texts and its location button are edited in place (text node data, attributes), never
 * rebuilt, which keeps the ledger's frame to a few milliseconds.
 */
class LedgerRow {
  readonly tr: HTMLTableRowElement;
  private readonly cells: HTMLTableCellElement[];
  /** The text node of each text cell (index 6, the location, has none). */
  private readonly texts: Text[];
  private readonly warn: HTMLElement;
  private readonly location: HTMLElement;
  private readonly locationText: Text;
  private readonly unknown: HTMLElement;
  private seq = -1;
  private oversized = false;
  private locationKey: string | null = null;

  constructor() {
    this.cells = Array.from({ length: 7 }, (_, i) =>
      h('td', { class: i === 0 || i === 5 ? 'mono' : i >= 2 && i <= 4 ? 'num' : '' }),
    );
    this.cells[5].classList.add('shape');
    this.warn = icon('warning', 'warn');
    this.warn.hidden = true;
    this.texts = this.cells.slice(0, 6).map((cell) => cell.appendChild(document.createTextNode('')));
    this.cells[2].prepend(this.warn);
    // Same markup as widgets' locationButton, kept so that only its texts change.
    this.locationText = document.createTextNode('');
    this.location = h('button', { type: 'button', class: 'link location' }, icon('go-to-file'), this.locationText);
    this.unknown = h('span', { class: 'muted' }, 'unknown');
    this.tr = h('tr', { hidden: true }, ...this.cells);
  }

  bind(row: LedgerEntry | null, store: InspectorStore): void {
    if (!row) {
      if (this.seq !== -1) {
        this.seq = -1;
        this.tr.hidden = true;
      }
      return;
    }
    if (row.seq === this.seq) return;
    if (this.seq === -1) this.tr.hidden = false;
    this.seq = row.seq;
    // Oversized means over the threshold, as the model's findings and the caption say: a message of
    // exactly the threshold is not flagged.
    const over = row.bytes > store.oversizedBytes;
    if (over !== this.oversized) {
      this.oversized = over;
      this.tr.classList.toggle('oversized', over);
      this.warn.hidden = !over;
    }
    const channel = store.channels.get(row.channelId);
    const t = this.texts;
    setData(t[0], formatClock(row.atMs));
    setData(t[1], channel?.label ?? row.channelId);
    setTitle(this.cells[1], row.channelId);
    setData(t[2], formatBytes(row.bytes));
    setData(t[3], formatBytes(row.typedArrayBytes));
    setData(t[4], formatBytes(row.transferredBytes));
    setData(t[5], row.shape);
    setTitle(this.cells[5], row.shape);
    this.setLocation(row.location);
  }

  private setLocation(loc: SourceLocation | null): void {
    const key = loc ? JSON.stringify(loc) : '';
    if (key === this.locationKey) return;
    const wasKnown = !!this.locationKey;
    this.locationKey = key;
    if (!loc) {
      this.cells[6].replaceChildren(this.unknown);
      return;
    }
    this.location.dataset.location = key;
    this.location.title = `Open ${formatLocation(loc)}`;
    this.locationText.data = `${shortPath(loc.file, 2)}:${loc.line}`;
    if (!wasKnown) this.cells[6].replaceChildren(this.location);
  }
}

/** Writes a text node only when its text changed. */
function setData(text: Text, value: string): void {
  if (text.data !== value) text.data = value;
}

function setTitle(el: HTMLElement, title: string): void {
  if (el.title !== title) el.title = title;
}

/** Ledger table for the selected isolate. */
export class LedgerTable {
  readonly root: HTMLElement;
  private readonly scroller: HTMLElement;
  private readonly tbody: HTMLTableSectionElement;
  private readonly topSpacer: HTMLTableRowElement;
  private readonly bottomSpacer: HTMLTableRowElement;
  private readonly caption: HTMLElement;
  private readonly pool: LedgerRow[] = [];
  private rows: LedgerEntry[] = [];
  private key = '';
  private scrollTopPx = 0;
  private viewPx = VIEW_PX;
  private rowPx = 24;

  constructor(requestRender: () => void) {
    const cols = ['Time', 'Channel', 'Copied', 'Typed arrays', 'Transferred', 'Shape', 'Sent from'];
    const numeric = new Set(['Copied', 'Typed arrays', 'Transferred']);
    const head = h('tr');
    cols.forEach((c, i) => head.append(h('th', { scope: 'col', class: `lc-${i}${numeric.has(c) ? ' num' : ''}` }, c)));
    this.topSpacer = h('tr', { class: 'spacer-row', 'aria-hidden': 'true' });
    this.bottomSpacer = h('tr', { class: 'spacer-row', 'aria-hidden': 'true' });
    this.tbody = h('tbody', null, this.topSpacer, this.bottomSpacer);
    this.caption = h('p', { class: 'muted caption' });
    this.scroller = h(
      'div',
      { class: 'table-scroll ledger-scroll' },
      h('table', { class: 'grid ledger-table', 'aria-label': 'Message ledger' }, h('thead', null, head), this.tbody),
    );
    // The scroll handler runs with layout clean, so reading scrollTop here costs nothing extra.
    this.scroller.addEventListener(
      'scroll',
      () => {
        this.scrollTopPx = this.scroller.scrollTop;
        requestRender();
      },
      { passive: true },
    );
    this.root = h('div', { class: 'ledger' }, this.caption, this.scroller);
  }

  /** Reads layout at the start of a frame (before writes): scroller height and row height. */
  measure(): void {
    const hgt = this.scroller.clientHeight;
    if (hgt > 0) this.viewPx = hgt;
    const first = this.pool[0];
    if (first && !first.tr.hidden) {
      const r = first.tr.getBoundingClientRect().height;
      if (r > 0) this.rowPx = r;
    }
  }

  /** Takes the isolate's current ledger rows and shows them (the isolate page's ledger slice). */
  refresh(store: InspectorStore, isolateId: string): void {
    const key = `${isolateId}|${store.rev.generation}|${store.rev.ledger}`;
    if (key !== this.key) {
      const switched = !this.key.startsWith(`${isolateId}|${store.rev.generation}|`);
      this.key = key;
      this.rows = ledgerRowsFor(store.ledger, isolateId);
      if (switched && this.scrollTopPx !== 0) {
        this.scroller.scrollTop = 0;
        this.scrollTopPx = 0;
      }
      this.root.dataset.rows = String(this.rows.length);
      const n = this.rows.length;
      const cap = n >= LEDGER_ROWS_SHOWN ? ` (newest ${LEDGER_ROWS_SHOWN} kept)` : '';
      const text =
        n === 0
          ? 'No notable messages yet. Messages of at least the notable size are recorded here with their call site.'
          : `${formatCount(n)} notable ${n === 1 ? 'message' : 'messages'}${cap}. Rows over ${formatBytes(store.oversizedBytes)} are flagged.`;
      if (this.caption.textContent !== text) this.caption.textContent = text;
    }
    this.bindWindow(store);
  }

  /** Binds the pool to the rows in the scroller's window (cheap when nothing moved: run every frame). */
  bindWindow(store: InspectorStore): void {
    const n = this.rows.length;
    const rowPx = Math.max(1, this.rowPx);
    const capacity = Math.ceil(this.viewPx / rowPx) + 2 * OVERSCAN;
    const first = Math.max(0, Math.min(Math.floor(this.scrollTopPx / rowPx) - OVERSCAN, n - capacity));
    const count = Math.max(0, Math.min(capacity, n - first));
    setHeight(this.topSpacer, first * rowPx);
    setHeight(this.bottomSpacer, Math.max(0, n - first - count) * rowPx);
    while (this.pool.length < count) {
      const row = new LedgerRow();
      this.pool.push(row);
      this.bottomSpacer.before(row.tr);
    }
    for (let i = 0; i < this.pool.length; i++) this.pool[i].bind(i < count ? this.rows[first + i] : null, store);
  }
}

function setHeight(el: HTMLElement, px: number): void {
  const v = `${px}px`;
  if (el.style.height !== v) el.style.height = v;
}
