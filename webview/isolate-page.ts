/**
 * The isolate page: DevTools' isolate page (General, Memory, CPU, ports) plus what DevTools lacks —
 * queue depth and delay over time, channels with copy sizes, the call-site table and the ledger.
 */
import type { IsolateSnapshot } from '../protocol';
import { chartSummary, type SummaryLine } from './chart-summary';
import { TimeChart } from './charts';
import { h, icon, setClass, setText } from './dom';
import { formatBytes, formatBytesPerSec, formatCount, formatDurationMs, formatPercent, formatRate } from './format';
import { IsolateGeneral } from './isolate-general';
import { displayName, nameTitle } from '../protocol/names';
import {
  callSiteRows,
  callSiteTable,
  callSitesEmptyText,
  channelRows,
  channelTable,
  portRows,
  portTable,
  SIDE_TABLE_MAX_ROWS,
} from './isolate-tables';
import { LedgerTable } from './ledger-table';
import { ringToPointsInto, type SeriesField } from './series';
import { SliceScheduler, type Slice } from './slices';
import type { InspectorStore } from './store';
import type { ThemeColors } from './theme';

/** Most points drawn per chart line (min/max downsampled from the ring). */
const CHART_POINTS = 300;

interface ChartSpec {
  title: string;
  fields: SeriesField[];
  labels: string[];
  format: (v: number) => string;
  y2?: { fieldIndex: number; format: (v: number) => string };
  fill?: boolean;
  integer?: boolean;
  /** Axes that show bytes (ticks at round binary values). */
  bytes?: { y?: boolean; y2?: boolean };
}

const CHARTS: ChartSpec[] = [
  {
    title: 'Memory',
    fields: ['heapUsedBytes', 'heapCapacityBytes', 'externalBytes'],
    labels: ['Heap used', 'Heap capacity', 'External'],
    format: formatBytes,
    fill: true,
    bytes: { y: true },
  },
  { title: 'CPU', fields: ['cpuPercent'], labels: ['CPU %'], format: formatPercent, fill: true },
  {
    title: 'Queue',
    fields: ['queueDepth', 'queueDelayMsP95'],
    labels: ['Depth', 'Delay p95'],
    format: (v) => formatCount(v),
    y2: { fieldIndex: 1, format: formatDurationMs },
    integer: true,
  },
  {
    title: 'Traffic',
    fields: ['msgsInPerSec', 'msgsOutPerSec', 'bytesCopiedPerSec'],
    labels: ['In/s', 'Out/s', 'Copied/s'],
    format: formatRate,
    y2: { fieldIndex: 2, format: formatBytesPerSec },
    bytes: { y2: true },
  },
];

/** Each chart's lines as its text alternative names them, with the format of each line's axis. */
const SUMMARY_LINES: SummaryLine[][] = CHARTS.map((spec) =>
  spec.fields.map((field, j) => ({
    field,
    label: spec.labels[j],
    format: spec.y2?.fieldIndex === j ? spec.y2.format : spec.format,
  })),
);

/** The page for one selected isolate. */
export class IsolatePage {
  readonly root: HTMLElement;
  private readonly title: HTMLElement;
  private readonly badge: HTMLElement;
  private readonly missing: HTMLElement;
  private readonly body: HTMLElement;
  private readonly general = new IsolateGeneral();
  private readonly channels = channelTable();
  private readonly ports = portTable();
  private readonly callSites = callSiteTable();
  private readonly ledger: LedgerTable;
  /** Chart cards on screen (charts scrolled out of view are not redrawn). */
  private readonly chartVisible: boolean[] = CHARTS.map(() => true);
  private readonly chartHosts: HTMLElement[] = [];
  private readonly charts: (TimeChart | undefined)[] = CHARTS.map(() => undefined);
  private readonly slices: SliceScheduler;
  /** What the slices draw from, set by each render. */
  private store!: InspectorStore;
  private iso: IsolateSnapshot | null = null;
  private theme!: ThemeColors;
  private shownId = '';
  private shownGeneration = -1;

  constructor(onBack: () => void, requestRender: () => void) {
    this.ledger = new LedgerTable(requestRender);
    this.slices = this.buildSlices();
    const back = h(
      'button',
      { type: 'button', class: 'tool', title: 'Back to the overview (Esc)' },
      icon('arrow-left'),
      ' Overview',
    );
    back.addEventListener('click', onBack);
    this.title = h('h2', { class: 'isolate-title' });
    this.badge = h('span', { class: 'badge' });
    this.missing = h('p', { class: 'empty-inline' });
    const chartCards = CHARTS.map((spec) => {
      const host = h('div', { class: 'chart-host' });
      this.chartHosts.push(host);
      return h('section', { class: 'card chart-card', 'aria-label': spec.title }, h('h3', null, spec.title), host);
    });
    this.body = h(
      'div',
      { class: 'isolate-body' },
      h('div', { class: 'cards' }, this.general.general, this.general.stats, ...chartCards),
      this.section('Call sites', 'Where this isolate sends notable messages, by bytes copied.', this.callSites.root),
      this.section('Message ledger', 'Notable messages, newest first.', this.ledger.root),
      this.section('Channels', 'Ports and channels this isolate sends on or receives from.', this.channels.root),
      this.section('Open ports', 'Receive ports of this isolate.', this.ports.root),
    );
    this.root = h(
      'section',
      { class: 'view isolate-view', 'aria-label': 'Isolate' },
      h('div', { class: 'toolbar' }, back, this.title, this.badge),
      this.missing,
      this.body,
    );
    // Charts scrolled out of view skip their redraws; they catch up when they come back.
    const io = new IntersectionObserver((entries) => {
      let back = false;
      for (const e of entries) {
        const i = this.chartHosts.indexOf(e.target as HTMLElement);
        if (i < 0) continue;
        if (e.isIntersecting && !this.chartVisible[i]) back = true;
        this.chartVisible[i] = e.isIntersecting;
      }
      if (back) requestRender();
    });
    for (const host of this.chartHosts) io.observe(host);
  }

  /** Layout reads for this frame, done before any write (see the app's render). */
  measure(): void {
    this.ledger.measure();
  }

  private section(title: string, hint: string, content: HTMLElement): HTMLElement {
    return h(
      'section',
      { class: 'panel', 'aria-label': title },
      h('h3', null, title, h('span', { class: 'hint' }, hint)),
      content,
    );
  }

  /** Re-applies theme colours to the charts. */
  applyTheme(theme: ThemeColors): void {
    for (const c of this.charts) c?.applyTheme(theme);
  }

  /**
   * Brings the page up to date for `isolateId`, one frame's slices at a time (see SliceScheduler):
   * returns false while parts of the page still show older data (the caller renders again next
   * frame). Opening another isolate draws the whole page at once.
   */
  render(store: InspectorStore, isolateId: string | null, theme: ThemeColors): boolean {
    const iso = isolateId ? store.isolates.get(isolateId) : undefined;
    // Same-value writes of `hidden` still invalidate style (of the whole page body here).
    if (this.body.hidden !== !iso) this.body.hidden = !iso;
    if (this.missing.hidden !== !!iso) this.missing.hidden = !!iso;
    if (!iso) {
      setText(this.title, 'No isolate selected');
      setText(
        this.missing,
        isolateId
          ? `Isolate ${isolateId} is not (or no longer) known. Go back to the overview and pick one.`
          : 'Pick an isolate in the overview.',
      );
      return true;
    }
    this.store = store;
    this.iso = iso;
    this.theme = theme;
    const switched = this.shownId !== iso.id || this.shownGeneration !== store.rev.generation;
    if (switched) {
      this.shownId = iso.id;
      this.shownGeneration = store.rev.generation;
      this.slices.reset();
      // Create every chart now, in the frame the user opened the page: the visibility observer
      // reports the charts only after this frame, and creating them later inside data slices
      // made one frame of ~50 ms.
      CHARTS.forEach((_, i) => this.chart(i));
    }
    // The window of ledger rows follows scrolling at once; new rows come with the ledger's slice.
    this.ledger.bindWindow(store);
    return switched ? this.slices.runAll() : this.slices.runFrame();
  }

  /** The page's slices; a frame draws as many stale ones as fit its budget (FRAME_BUDGET_MS). */
  private buildSlices(): SliceScheduler {
    const base = () => `${this.shownId}|${this.shownGeneration}`;
    const slices: Slice[] = [
      {
        // Costs: p50 in Chromium of the draw plus the style and layout it causes (bench, 1600 px).
        costMs: 1,
        key: () => `${base()}|${this.store.rev.isolates}|${this.store.rev.sessions}|${this.store.atMs}`,
        draw: () => this.drawGeneral(),
      },
      ...CHARTS.map((spec, i): Slice => ({
        costMs: 3,
        // A chart scrolled out of view is not redrawn; it catches up when it comes back.
        key: () => (this.chartVisible[i] ? `${base()}|${this.store.rev.series}` : `hidden|${base()}`),
        draw: () => this.drawChart(spec, i),
      })),
      {
        // The charts' text alternatives, kept current off screen too (a screen reader does not
        // scroll them into view): a pass over each chart's ring and at most 4 attribute writes.
        costMs: 1,
        key: () => `${base()}|${this.store.rev.series}`,
        draw: () => this.describeCharts(),
      },
      {
        // Up to 50 re-sorted rows of an auto-layout table.
        costMs: 6,
        key: () => `${base()}|${this.store.rev.channels}|${this.store.rev.isolates}`,
        draw: () => this.channels.setRows(channelRows(this.store, this.shownId), SIDE_TABLE_MAX_ROWS),
      },
      {
        costMs: 1,
        key: () => `${base()}|${this.store.rev.callSites}|${this.store.rev.ports}|${this.store.oversizedBytes}`,
        draw: () => {
          this.callSites.setEmptyText(callSitesEmptyText(this.store.oversizedBytes));
          this.callSites.setRows(callSiteRows(this.store, this.shownId), SIDE_TABLE_MAX_ROWS);
          this.ports.setRows(portRows(this.store, this.shownId), SIDE_TABLE_MAX_ROWS);
        },
      },
      {
        costMs: 4,
        key: () => `${base()}|${this.store.rev.ledger}|${this.store.oversizedBytes}`,
        draw: () => this.ledger.refresh(this.store, this.shownId),
      },
    ];
    return new SliceScheduler(slices);
  }

  private drawGeneral(): void {
    const { iso, store } = this;
    if (!iso) return;
    setText(this.title, displayName(iso));
    // The title is cut with an ellipsis when long: the full name stays in the tooltip.
    const tip = nameTitle(iso);
    if (this.title.title !== tip) this.title.title = tip;
    setText(this.badge, iso.state === 'running' ? 'running' : 'exited');
    setClass(this.badge, 'exited', iso.state !== 'running');
    this.general.render(iso, store, store.atMs);
  }

  private drawChart(spec: ChartSpec, i: number): void {
    if (!this.chartVisible[i]) return;
    const chart = this.chart(i);
    const ring = this.store.series.get(this.shownId);
    const origin = this.store.originMs();
    chart.setData((out, j) => {
      if (ring) ringToPointsInto(ring, spec.fields[j], origin, CHART_POINTS, out);
      else out.length = 0;
    });
  }

  /** Gives each chart its summary as its accessible name (title, newest value, min and max per line). */
  private describeCharts(): void {
    const ring = this.store.series.get(this.shownId);
    CHARTS.forEach((spec, i) => this.chart(i).setSummary(chartSummary(chartName(spec), ring, SUMMARY_LINES[i])));
  }

  /** The i-th chart, created (once) on first use. */
  private chart(i: number): TimeChart {
    let chart = this.charts[i];
    if (!chart) {
      const spec = CHARTS[i];
      chart = new TimeChart(
        chartName(spec),
        spec.labels.map((label, j) => ({
          label,
          axis: spec.y2?.fieldIndex === j ? 'y2' : 'y',
          fill: !!spec.fill && j === 0,
        })),
        spec.format,
        this.theme,
        spec.y2?.format,
        !!spec.integer,
        spec.bytes,
      );
      chart.attach(this.chartHosts[i]);
      this.charts[i] = chart;
    }
    return chart;
  }
}

/** A chart's name: its canvas's accessible name before the first summary, and the summary's start. */
function chartName(spec: ChartSpec): string {
  return `${spec.title} over time`;
}
