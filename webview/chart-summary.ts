/**
 * The text alternative of an isolate-page chart: a canvas says nothing to a screen reader, so each
 * chart's accessible name summarises what it draws (pure: no DOM, unit-tested under node).
 */
import { formatDurationMs } from './format';
import type { SeriesField, SeriesRing } from './series';

/** One line of a chart as its summary names it. */
export interface SummaryLine {
  field: SeriesField;
  label: string;
  format: (v: number) => string;
}

/**
 * "CPU over time, last 2 min 30 s: CPU 12.5 % now, min 0 %, max 98 %": per line, the newest
 * value and the extremes over the points the chart shows (the whole ring), with the page's own
 * formatters. One pass over the ring per line.
 */
export function chartSummary(name: string, ring: SeriesRing | undefined, lines: readonly SummaryLine[]): string {
  const n = ring?.length ?? 0;
  if (!ring || n === 0) return `${name}: no samples yet`;
  const spanMs = ring.timeAt(n - 1) - ring.timeAt(0);
  const window = n === 1 ? 'one sample' : `last ${formatDurationMs(spanMs)}`;
  const parts = lines.map(({ field, label, format }) => {
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
      const v = ring.valueAt(field, i);
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const now = format(ring.valueAt(field, n - 1));
    // A legend's unit ("CPU %") is in every formatted value already: "CPU 12.5 %", not "CPU % 12.5 %".
    const name = label.replace(/\s*%$/, '');
    return n === 1 ? `${name} ${now}` : `${name} ${now} now, min ${format(min)}, max ${format(max)}`;
  });
  return `${name}, ${window}: ${parts.join('; ')}`;
}
