/**
 * Line charts for the isolate page (chart.js, tree-shaken: only the pieces registered below are
 * bundled). Each chart is created once and updated in place with `update('none')`; switching to
 * another isolate swaps the data arrays, it never re-creates the chart.
 */
import {
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartDataset,
  type Scale,
} from 'chart.js';
import { byteAxisTicks, formatTickSeconds } from './format';
import type { XY } from './series';
import type { ThemeColors } from './theme';

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Filler, Legend, Tooltip);

/** How one dataset is labelled and on which axis it lives. */
export interface SeriesSpec {
  label: string;
  axis?: 'y' | 'y2';
  fill?: boolean;
  dashed?: boolean;
}

/** Most ticks on a y axis. */
const MAX_Y_TICKS = 4;

/**
 * Scale hooks that put a byte axis's ticks at round values in the unit shown (4 MiB, 8 MiB…):
 * chart.js steps in decimal (5,000,000 B), which formatBytes shows as 4.77 MiB.
 */
function byteAxisHooks(): { afterDataLimits(scale: Scale): void; afterBuildTicks(scale: Scale): void } {
  let dataMax = 0;
  return {
    afterDataLimits: (scale) => {
      dataMax = scale.max;
    },
    afterBuildTicks: (scale) => {
      const values = byteAxisTicks(dataMax, MAX_Y_TICKS);
      scale.ticks = values.map((value) => ({ value }));
      scale.min = 0;
      scale.max = values[values.length - 1];
    },
  };
}

/** A time chart: x = seconds since session start, one or two y axes with unit formatters. */
export class TimeChart {
  readonly canvas: HTMLCanvasElement;
  private readonly chart: Chart<'line', XY[]>;

  constructor(
    /** The chart's name ("CPU over time"), its accessible name until `setSummary` gives one. */
    name: string,
    specs: SeriesSpec[],
    formatY: (v: number) => string,
    theme: ThemeColors,
    formatY2?: (v: number) => string,
    integerY = false,
    /** Axes that show bytes: their ticks sit at round binary values. */
    byteAxes: { y?: boolean; y2?: boolean } = {},
  ) {
    this.canvas = document.createElement('canvas');
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', name);
    // The accessible name changes with the data: this attribute names the chart for good.
    this.canvas.dataset.chart = name;
    const datasets: ChartDataset<'line', XY[]>[] = specs.map((s) => ({
      label: s.label,
      data: [],
      yAxisID: s.axis ?? 'y',
      fill: s.fill ? 'origin' : false,
      borderWidth: 1.5,
      pointRadius: 0,
      tension: 0,
      borderDash: s.dashed ? [4, 3] : [],
    }));
    this.chart = new Chart(this.canvas, {
      type: 'line',
      data: { datasets },
      options: {
        animation: false,
        parsing: false,
        normalized: true,
        // chart.js's responsive mode watches the whole document with a MutationObserver, which
        // costs on every ledger row we add; a ResizeObserver on the host is enough.
        responsive: false,
        maintainAspectRatio: false,
        interaction: { mode: 'index', intersect: false },
        plugins: {
          legend: { position: 'top', align: 'end', labels: { boxWidth: 10, boxHeight: 2, font: { size: 11 } } },
          tooltip: {
            callbacks: {
              title: (items) => (items[0] ? `t = ${Number(items[0].parsed.x).toFixed(1)} s` : ''),
              label: (item) => {
                const fmt = item.dataset.yAxisID === 'y2' && formatY2 ? formatY2 : formatY;
                return `${item.dataset.label ?? ''}: ${fmt(Number(item.parsed.y))}`;
              },
            },
          },
        },
        scales: {
          x: {
            type: 'linear',
            // Ticks of a short chart are 0.5 s or 0.2 s apart: labels get the decimals their step needs.
            ticks: {
              maxTicksLimit: 6,
              callback: (v, _i, ticks) => formatTickSeconds(Number(v), tickStep(ticks)),
              font: { size: 10 },
            },
          },
          y: {
            beginAtZero: true,
            ...(byteAxes.y ? byteAxisHooks() : {}),
            // Counts (queue depth) get whole-number ticks only.
            ticks: {
              maxTicksLimit: MAX_Y_TICKS,
              callback: (v) => formatY(Number(v)),
              font: { size: 10 },
              ...(integerY ? { precision: 0 } : {}),
            },
          },
          ...(formatY2
            ? {
                y2: {
                  position: 'right' as const,
                  beginAtZero: true,
                  ...(byteAxes.y2 ? byteAxisHooks() : {}),
                  grid: { drawOnChartArea: false },
                  ticks: {
                    maxTicksLimit: MAX_Y_TICKS,
                    callback: (v: string | number) => formatY2(Number(v)),
                    font: { size: 10 },
                  },
                },
              }
            : {}),
        },
      },
    });
    this.applyTheme(theme);
  }

  /** Sizes the chart to its host element now and whenever the host resizes. */
  attach(host: HTMLElement): void {
    host.append(this.canvas);
    new ResizeObserver(() => {
      const { width, height } = host.getBoundingClientRect();
      if (width > 0 && height > 0) this.chart.resize(Math.floor(width), Math.floor(height));
    }).observe(host);
  }

  /**
   * Refills each dataset's point array in place (`fill(out, datasetIndex)`; arrays and point
   * objects are reused) and redraws without animation.
   */
  setData(fill: (out: XY[], datasetIndex: number) => void): void {
    const sets = this.chart.data.datasets;
    for (let i = 0; i < sets.length; i++) fill(sets[i].data, i);
    this.chart.update('none');
  }

  /** Sets the canvas's text alternative (its accessible name); a same-value write is skipped. */
  setSummary(text: string): void {
    if (this.canvas.getAttribute('aria-label') !== text) this.canvas.setAttribute('aria-label', text);
  }

  /** Applies theme colours to lines, ticks and grid. */
  applyTheme(theme: ThemeColors): void {
    const c = this.chart;
    c.data.datasets.forEach((d, i) => {
      const color = theme.series[i % theme.series.length];
      d.borderColor = color;
      d.backgroundColor = withAlpha(color, 0.15);
    });
    const legend = c.options.plugins?.legend?.labels;
    if (legend) legend.color = theme.fg;
    for (const scale of Object.values(c.options.scales ?? {})) {
      if (!scale) continue;
      if (scale.ticks) scale.ticks.color = theme.muted;
      if (scale.grid) scale.grid.color = theme.grid;
      else scale.grid = { color: theme.grid };
      (scale as { border?: { color?: string } }).border = { color: theme.grid };
    }
    c.update('none');
  }
}

/** The smallest gap between neighbouring ticks (1 when there is only one tick). */
function tickStep(ticks: readonly { value: number }[]): number {
  let step = Infinity;
  for (let i = 1; i < ticks.length; i++) {
    const gap = Math.abs(ticks[i].value - ticks[i - 1].value);
    if (gap > 0 && gap < step) step = gap;
  }
  return Number.isFinite(step) ? step : 1;
}

/** Adds transparency to a #rgb/#rrggbb colour; other forms are returned unchanged. */
export function withAlpha(color: string, alpha: number): string {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color.trim());
  if (!m) return color;
  let hex = m[1];
  if (hex.length === 3) hex = [...hex].map((ch) => ch + ch).join('');
  const n = parseInt(hex, 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}
