/**
 * One pooled row of the overview table. The overview keeps a fixed pool of these (about one
 * screenful) and re-binds them to whichever isolates are in the visible window: a re-sort changes
 * what a row shows, never where the row is in the DOM. Every text write is skipped when the text
 * is the one already shown (compared against a cache, so no DOM read either).
 */
import type { IsolateSnapshot } from '../protocol';
import { h, icon } from './dom';
import { formatBytes, formatBytesPerSec, formatCount, formatDurationMs, formatPercent, formatRate } from './format';
import { displayName, nameTitle } from '../protocol/names';

/** The text an isolate shows in each cell (pure: unit-tested). */
export function rowTexts(iso: IsolateSnapshot): string[] {
  const exited = iso.state === 'exited';
  return [
    displayName(iso),
    iso.runtime,
    exited ? (iso.exitCode === null ? 'exited' : `exited (${iso.exitCode})`) : 'running',
    formatPercent(iso.cpuPercent),
    formatDurationMs(iso.cpuTimeMs),
    `${formatBytes(iso.heapUsedBytes)} / ${formatBytes(iso.heapCapacityBytes)}`,
    formatCount(iso.queueDepth),
    formatRate(iso.msgsInPerSec),
    formatRate(iso.msgsOutPerSec),
    formatBytesPerSec(iso.bytesCopiedPerSec),
  ];
}

export { displayName };

/** Index of the state text in `rowTexts`. */
const STATE_CELL = 2;

/** DOM for one pooled row. */
export class OverviewRow {
  readonly tr: HTMLTableRowElement;
  /** The isolate this row currently shows (null: the row is spare and hidden). */
  boundId: string | null = null;
  private readonly nameBtn: HTMLButtonElement;
  private readonly kindIcon: HTMLSpanElement;
  private readonly queue: HTMLSpanElement;
  private readonly stateCell: HTMLTableCellElement;
  private readonly cells: HTMLElement[];
  private readonly texts: string[] = [];
  /** The snapshot last rendered; the store replaces objects on change, so identity means "same". */
  private shown: IsolateSnapshot | null = null;
  private flags = '';
  private topPx = -1;

  constructor() {
    this.kindIcon = icon('circle-filled', 'kind');
    this.nameBtn = h('button', { class: 'link name', type: 'button', tabindex: -1 });
    const runtime = h('td', { class: 'runtime c-runtime' });
    const stateText = h('span');
    const cpu = h('span', { class: 'num' });
    const cpuTime = h('td', { class: 'num c-cpuTimeMs' });
    const heap = h('span', { class: 'num' });
    this.queue = h('span', { class: 'num' });
    const msgsIn = h('td', { class: 'num c-msgsInPerSec' });
    const msgsOut = h('td', { class: 'num c-msgsOutPerSec' });
    const copied = h('span', { class: 'num' });
    // The sparkline itself is drawn by the overview on one canvas per column, over this slot.
    const sparkCell = (value: HTMLElement, col: string) =>
      h('td', { class: `num spark-cell c-${col}` }, h('span', { class: 'spark-slot' }), value);
    this.cells = [this.nameBtn, runtime, stateText, cpu, cpuTime, heap, this.queue, msgsIn, msgsOut, copied];
    this.tr = h(
      'tr',
      { tabindex: -1, 'aria-selected': 'false', hidden: true },
      h('td', { class: 'name-cell c-name' }, this.kindIcon, this.nameBtn),
      runtime,
      (this.stateCell = h('td', { class: 'state c-state' }, stateText)),
      sparkCell(cpu, 'cpuPercent'),
      cpuTime,
      sparkCell(heap, 'heapUsedBytes'),
      sparkCell(this.queue, 'queueDepth'),
      msgsIn,
      msgsOut,
      sparkCell(copied, 'bytesCopiedPerSec'),
    );
  }

  /** True when the row already shows exactly this snapshot (binding it again writes nothing but position). */
  shows(iso: IsolateSnapshot): boolean {
    return this.shown === iso;
  }

  /** Shows `iso` as row `rowIndex` of the list (or hides the row for null); cheap when nothing changed. */
  bind(iso: IsolateSnapshot | null, rowIndex: number, rowPx: number, selected: boolean): void {
    const id = iso?.id ?? null;
    if (id !== this.boundId) {
      this.boundId = id;
      this.shown = null;
      this.tr.hidden = id === null;
      if (id === null) {
        delete this.tr.dataset.isolateId;
        delete this.nameBtn.dataset.open;
      } else {
        this.tr.dataset.isolateId = id;
        this.nameBtn.dataset.open = id;
      }
    }
    if (!iso) return;
    const topPx = rowIndex * rowPx;
    if (topPx !== this.topPx) {
      this.topPx = topPx;
      this.tr.style.transform = `translateY(${topPx}px)`;
    }
    const flags = `${rowIndex}|${selected}`;
    if (flags !== this.flags) {
      this.flags = flags;
      this.tr.setAttribute('aria-rowindex', String(rowIndex + 2));
      this.tr.setAttribute('aria-selected', String(selected));
      this.tr.classList.toggle('selected', selected);
      this.tr.tabIndex = selected ? 0 : -1;
    }
    if (this.shown === iso) return;
    const before = this.shown;
    this.shown = iso;
    const texts = rowTexts(iso);
    for (let i = 0; i < texts.length; i++) {
      if (this.texts[i] !== texts[i]) {
        this.texts[i] = texts[i];
        this.cells[i].textContent = texts[i];
        // The column fits "exited (255)"; a longer exit code (a Windows status) is in the tooltip.
        if (i === STATE_CELL) this.stateCell.title = texts[i];
      }
    }
    if (!before || before.name !== iso.name || before.id !== iso.id) this.nameBtn.title = nameTitle(iso);
    if (!before || before.kind !== iso.kind || before.state !== iso.state || before.queueDepth !== iso.queueDepth) {
      const main = iso.kind === 'main';
      this.kindIcon.className = `codicon ${main ? 'codicon-circle-filled' : 'codicon-primitive-dot'} kind`;
      this.tr.classList.toggle('exited', iso.state === 'exited');
      this.queue.classList.toggle('hot', iso.queueDepth >= 100);
    }
  }
}
