/**
 * Timeline: spawn and exit of every isolate on one time axis, so short-lived isolates and pool
 * churn are visible. One row per isolate (bars reused and moved in place, not rebuilt).
 */
import { h, setClass, setText } from './dom';
import { formatCount, formatDurationMs } from './format';
import { displayName, nameTitle } from './names';
import type { InspectorStore } from './store';

/** Most isolates drawn (the newest by start time). */
const MAX_ROWS = 1000;

interface Row {
  el: HTMLElement;
  label: HTMLButtonElement;
  bar: HTMLElement;
}

/** "Nice" tick step for a span in ms, so ticks land on 1/2/5 × 10^n. */
export function tickStepMs(spanMs: number, maxTicks = 8): number {
  const raw = Math.max(1, spanMs / maxTicks);
  const pow = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of [1, 2, 5, 10]) if (raw <= m * pow) return m * pow;
  return 10 * pow;
}

/** The timeline view. */
export class TimelineView {
  readonly root: HTMLElement;
  private readonly axis: HTMLElement;
  private readonly rowsEl: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly rows = new Map<string, Row>();
  private order = '';

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

  /** Positions every bar for the current time span. */
  render(store: InspectorStore): void {
    const isolates = [...store.isolates.values()]
      .sort((a, b) => a.startedAtMs - b.startedAtMs || (a.id < b.id ? -1 : 1))
      .slice(-MAX_ROWS);
    const origin = store.originMs();
    const end = Math.max(store.atMs, origin + 1000);
    const span = end - origin;
    const order = isolates.map((i) => i.id).join('\n');
    for (const [id, row] of this.rows) {
      if (!store.isolates.has(id)) {
        row.el.remove();
        this.rows.delete(id);
      }
    }
    let shortLived = 0;
    for (const iso of isolates) {
      let row = this.rows.get(iso.id);
      if (!row) {
        const label = h('button', { type: 'button', class: 'link tl-label', 'data-open': iso.id });
        const bar = h('span', { class: 'tl-bar', 'data-open': iso.id });
        row = {
          el: h('div', { class: 'tl-row', role: 'listitem' }, label, h('div', { class: 'tl-track' }, bar)),
          label,
          bar,
        };
        this.rows.set(iso.id, row);
      }
      setText(row.label, displayName(iso));
      if (row.label.title !== nameTitle(iso)) row.label.title = nameTitle(iso);
      const from = iso.startedAtMs;
      const to = iso.exitedAtMs ?? end;
      const life = Math.max(0, to - from);
      if (iso.exitedAtMs !== null && life < 5000) shortLived++;
      row.bar.style.left = `${(((from - origin) / span) * 100).toFixed(3)}%`;
      row.bar.style.width = `${Math.max(0.2, (life / span) * 100).toFixed(3)}%`;
      row.bar.title = `${displayName(iso)}: ${iso.exitedAtMs === null ? 'running for' : 'lived'} ${formatDurationMs(life)}`;
      setClass(row.el, 'exited', iso.state === 'exited');
    }
    if (order !== this.order) {
      this.order = order;
      const frag = document.createDocumentFragment();
      for (const iso of isolates) frag.append(this.rows.get(iso.id)!.el);
      this.rowsEl.replaceChildren(frag);
    }
    this.renderAxis(span);
    setText(
      this.summary,
      `${formatCount(store.isolates.size)} isolates over ${formatDurationMs(span)} · ${formatCount(shortLived)} exited within 5 s${store.isolates.size > MAX_ROWS ? ` · newest ${MAX_ROWS} shown` : ''}`,
    );
  }

  private renderAxis(spanMs: number): void {
    const step = tickStepMs(spanMs);
    const key = `${step}|${Math.floor(spanMs / step - 0.4)}`;
    if (this.axis.dataset.key === key) {
      // Same ticks: only their positions move as the span grows.
      let i = 0;
      for (const tick of this.axis.children) (tick as HTMLElement).style.left = `${((i++ * step) / spanMs) * 100}%`;
      return;
    }
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
