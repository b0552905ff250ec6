/** One row of the overview table: created once per isolate, then updated in place. */
import type { IsolateSnapshot } from '../protocol';
import { h, icon, setClass, setText } from './dom';
import { formatBytes, formatBytesPerSec, formatDurationMs, formatPercent, formatRate } from './format';
import type { SeriesRing } from './series';
import { SPARK_POINTS, Sparkline } from './sparkline';
import type { ThemeColors } from './theme';

const scratch = new Float32Array(SPARK_POINTS);

/** DOM for one isolate row. */
export class OverviewRow {
  readonly tr: HTMLTableRowElement;
  private readonly nameBtn: HTMLButtonElement;
  private readonly kindIcon: HTMLSpanElement;
  private readonly runtime: HTMLTableCellElement;
  private readonly stateText: HTMLSpanElement;
  private readonly cpu: HTMLSpanElement;
  private readonly cpuTime: HTMLTableCellElement;
  private readonly heap: HTMLSpanElement;
  private readonly queue: HTMLSpanElement;
  private readonly msgsIn: HTMLTableCellElement;
  private readonly msgsOut: HTMLTableCellElement;
  private readonly copied: HTMLSpanElement;
  private readonly sparks: { cpu: Sparkline; heap: Sparkline; queue: Sparkline; copied: Sparkline };
  /** The snapshot last rendered; the store replaces objects on change, so identity means "same". */
  private shown: IsolateSnapshot | null = null;
  private sparkSeriesRev = -1;

  constructor(readonly id: string) {
    this.sparks = {
      cpu: new Sparkline('CPU over time'),
      heap: new Sparkline('Heap used over time'),
      queue: new Sparkline('Queue depth over time'),
      copied: new Sparkline('Bytes copied per second over time'),
    };
    this.kindIcon = icon('circle-filled', 'kind');
    this.nameBtn = h('button', { class: 'link name', type: 'button', tabindex: -1, 'data-open': id });
    this.runtime = h('td', { class: 'runtime' });
    this.stateText = h('span');
    this.cpu = h('span', { class: 'num' });
    this.cpuTime = h('td', { class: 'num' });
    this.heap = h('span', { class: 'num' });
    this.queue = h('span', { class: 'num' });
    this.msgsIn = h('td', { class: 'num' });
    this.msgsOut = h('td', { class: 'num' });
    this.copied = h('span', { class: 'num' });
    const sparkCell = (value: HTMLElement, spark: Sparkline) =>
      h('td', { class: 'num spark-cell' }, h('span', { class: 'spark-wrap' }, spark.canvas), value);
    this.tr = h(
      'tr',
      { 'data-isolate-id': id, tabindex: -1, 'aria-selected': 'false' },
      h('td', { class: 'name-cell' }, this.kindIcon, this.nameBtn),
      this.runtime,
      h('td', { class: 'state' }, this.stateText),
      sparkCell(this.cpu, this.sparks.cpu),
      this.cpuTime,
      sparkCell(this.heap, this.sparks.heap),
      sparkCell(this.queue, this.sparks.queue),
      this.msgsIn,
      this.msgsOut,
      sparkCell(this.copied, this.sparks.copied),
    );
  }

  /** Updates the text cells if the snapshot changed. */
  update(iso: IsolateSnapshot): void {
    if (this.shown === iso) return;
    this.shown = iso;
    setText(this.nameBtn, iso.name || '(unnamed)');
    this.nameBtn.title = `${iso.name} — ${iso.id}`;
    setClass(this.kindIcon, 'codicon-circle-filled', iso.kind === 'main');
    setClass(this.kindIcon, 'codicon-primitive-dot', iso.kind !== 'main');
    setText(this.runtime, iso.runtime);
    const exited = iso.state === 'exited';
    setText(this.stateText, exited ? (iso.exitCode === null ? 'exited' : `exited (${iso.exitCode})`) : 'running');
    setClass(this.tr, 'exited', exited);
    setText(this.cpu, formatPercent(iso.cpuPercent));
    setText(this.cpuTime, formatDurationMs(iso.cpuTimeMs));
    setText(this.heap, `${formatBytes(iso.heapUsedBytes)} / ${formatBytes(iso.heapCapacityBytes)}`);
    setText(this.queue, String(iso.queueDepth));
    setClass(this.queue, 'hot', iso.queueDepth >= 100);
    setText(this.msgsIn, formatRate(iso.msgsInPerSec));
    setText(this.msgsOut, formatRate(iso.msgsOutPerSec));
    setText(this.copied, formatBytesPerSec(iso.bytesCopiedPerSec));
  }

  /** Redraws the sparklines when the series moved (only attached rows are asked to). */
  drawSparks(ring: SeriesRing | undefined, seriesRev: number, theme: ThemeColors, force = false): void {
    if (!ring || (!force && seriesRev === this.sparkSeriesRev)) return;
    this.sparkSeriesRev = seriesRev;
    let n = ring.tail('cpuPercent', scratch);
    this.sparks.cpu.draw(scratch, n, theme.series[0], 10);
    n = ring.tail('heapUsedBytes', scratch);
    this.sparks.heap.draw(scratch, n, theme.series[1]);
    n = ring.tail('queueDepth', scratch);
    this.sparks.queue.draw(scratch, n, theme.series[2], 4);
    n = ring.tail('bytesCopiedPerSec', scratch);
    this.sparks.copied.draw(scratch, n, theme.series[3], 1024);
  }

  /** Marks the row selected (roving tabindex: the selected row is the one Tab reaches). */
  setSelected(selected: boolean): void {
    this.tr.setAttribute('aria-selected', String(selected));
    this.tr.tabIndex = selected ? 0 : -1;
    setClass(this.tr, 'selected', selected);
  }
}
