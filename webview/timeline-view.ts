/**
 * Timeline: spawn and exit of every isolate on one time axis, so short-lived isolates and pool
 * churn are visible. One row per isolate (bars reused and moved in place, not rebuilt).
 */
import type { IsolateSnapshot } from '../protocol';
import { h, setClass, setText } from './dom';
import { formatCount, formatDurationMs } from './format';
import { displayName, nameTitle } from '../protocol/names';
import { reorderChildren } from './reorder';
import type { InspectorStore } from './store';

/** Most isolates drawn. */
const MAX_ROWS = 1000;
/** An isolate that exited within this long of its start counts as short-lived. */
const SHORT_LIVED_MS = 5000;

interface Row {
  el: HTMLElement;
  label: HTMLButtonElement;
  bar: HTMLElement;
  /** What the row shows now, so an update writes only what changed. */
  name: string | null;
  shownName: string;
  left: string;
  width: string;
  tip: string;
}

/** "Nice" tick step for a span in ms, so ticks land on 1/2/5 × 10^n. */
export function tickStepMs(spanMs: number, maxTicks = 8): number {
  const raw = Math.max(1, spanMs / maxTicks);
  const pow = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of [1, 2, 5, 10]) if (raw <= m * pow) return m * pow;
  return 10 * pow;
}

/**
 * The span the axis covers: the time so far rounded up to a whole tick step (pure). Bars are placed
 * in percent of it, so as time passes only the running bars change until the span reaches the next
 * step, instead of every bar's style on every update (1,000 bars took 100–300 ms a frame).
 */
export function axisSpanMs(spanMs: number): number {
  const step = tickStepMs(spanMs);
  return Math.ceil(spanMs / step) * step;
}

/**
 * The isolates the timeline draws, in start order (pure: unit-tested). Past `max`, main threads
 * and running isolates are kept first, then the newest exited ones: the main thread started first
 * and would otherwise be the first to go.
 */
export function timelineRows(isolates: Iterable<IsolateSnapshot>, max = MAX_ROWS): IsolateSnapshot[] {
  const rows = [...isolates];
  if (rows.length > max) {
    const rank = (i: IsolateSnapshot): number => (i.kind === 'main' ? 0 : i.state === 'running' ? 1 : 2);
    rows.sort((a, b) => rank(a) - rank(b) || b.startedAtMs - a.startedAtMs || (a.id < b.id ? -1 : 1));
    rows.length = max;
  }
  return rows.sort((a, b) => a.startedAtMs - b.startedAtMs || (a.id < b.id ? -1 : 1));
}

/** Isolates that exited within SHORT_LIVED_MS of their start (pure: counts all, drawn or not). */
export function countShortLived(isolates: Iterable<IsolateSnapshot>): number {
  let n = 0;
  for (const i of isolates) if (i.exitedAtMs !== null && i.exitedAtMs - i.startedAtMs < SHORT_LIVED_MS) n++;
  return n;
}

/** The timeline view. */
export class TimelineView {
  readonly root: HTMLElement;
  private readonly axis: HTMLElement;
  private readonly rowsEl: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly rows = new Map<string, Row>();
  private order: string[] = [];

  constructor() {
    this.axis = h('div', { class: 'tl-axis', 'aria-hidden': 'true' });
    this.rowsEl = h('div', { class: 'tl-rows', role: 'list' });
    this.summary = h('span', { class: 'summary' });
    this.root = h(
      'section',
      { class: 'view timeline-view', 'aria-label': 'Timeline' },
      h('div', { class: 'toolbar' }, this.summary),
      h(
        'div',
        { class: 'tl' },
        h('div', { class: 'tl-head' }, h('span', { class: 'tl-label' }, 'Isolate'), this.axis),
        this.rowsEl,
      ),
    );
  }

  /** Positions every bar for the current time span (writing only the bars that moved). */
  render(store: InspectorStore): void {
    const isolates = timelineRows(store.isolates.values());
    const origin = store.originMs();
    const end = Math.max(store.atMs, origin + 1000);
    const span = end - origin;
    const axisSpan = axisSpanMs(span);
    const order = isolates.map((i) => i.id);
    const shown = new Set(order);
    for (const [id, row] of this.rows) {
      if (!shown.has(id)) {
        row.el.remove();
        this.rows.delete(id);
      }
    }
    for (const iso of isolates) {
      let row = this.rows.get(iso.id);
      if (!row) {
        const label = h('button', { type: 'button', class: 'link tl-label', 'data-open': iso.id });
        const bar = h('span', { class: 'tl-bar', 'data-open': iso.id });
        row = {
          el: h('div', { class: 'tl-row', role: 'listitem' }, label, h('div', { class: 'tl-track' }, bar)),
          label,
          bar,
          name: null,
          shownName: '',
          left: '',
          width: '',
          tip: '',
        };
        this.rows.set(iso.id, row);
      }
      if (iso.name !== row.name) {
        row.name = iso.name;
        row.shownName = displayName(iso);
        setText(row.label, row.shownName);
        row.label.title = nameTitle(iso);
      }
      const lifeMs = Math.max(0, (iso.exitedAtMs ?? end) - iso.startedAtMs);
      const left = `${(((iso.startedAtMs - origin) / axisSpan) * 100).toFixed(3)}%`;
      const width = `${Math.max(0.2, (lifeMs / axisSpan) * 100).toFixed(3)}%`;
      if (left !== row.left) {
        row.left = left;
        row.bar.style.left = left;
      }
      if (width !== row.width) {
        row.width = width;
        row.bar.style.width = width;
      }
      const tip = `${row.shownName}: ${iso.exitedAtMs === null ? 'running for' : 'lived'} ${formatDurationMs(lifeMs)}`;
      if (tip !== row.tip) {
        row.tip = tip;
        row.bar.title = tip;
      }
      setClass(row.el, 'exited', iso.state === 'exited');
    }
    if (order.length !== this.order.length || order.some((id, i) => id !== this.order[i])) {
      // New isolates mostly start last: insert those, leave the other rows where they are.
      reorderChildren(this.rowsEl, this.order, order, (id) => this.rows.get(id)!.el);
      this.order = order;
    }
    this.renderAxis(axisSpan);
    const total = store.isolates.size;
    setText(
      this.summary,
      `${formatCount(total)} isolates over ${formatDurationMs(span)} · ${formatCount(countShortLived(store.isolates.values()))} exited within 5 s${total > isolates.length ? ` · ${formatCount(isolates.length)} shown (running, then the newest)` : ''}`,
    );
  }

  private renderAxis(spanMs: number): void {
    const step = tickStepMs(spanMs);
    const key = `${step}|${spanMs}`;
    // The span moves in whole steps (axisSpanMs): the ticks change only when it does.
    if (this.axis.dataset.key === key) return;
    this.axis.dataset.key = key;
    const frag = document.createDocumentFragment();
    // The last tick is skipped when it would be clipped at the right edge.
    for (let t = 0; t <= spanMs - step * 0.4; t += step) {
      const tick = h('span', { class: 'tl-tick' }, step >= 1000 ? `${t / 1000} s` : formatDurationMs(t));
      tick.style.left = `${(t / spanMs) * 100}%`;
      frag.append(tick);
    }
    this.axis.replaceChildren(frag);
  }
}
