/**
 * Render timing for benchmarks and diagnostics: the duration of each render (including the style
 * and layout it causes) and the latency from the newest agent sample to the DOM reflecting it.
 * Bounded rings; the root element carries `data-sample-ms` so an observer can timestamp commits.
 */

const RING = 4096;

/** Records render durations in a bounded ring. */
export class PerfRecorder {
  readonly renderMs = new Float64Array(RING);
  renders = 0;
  /** When true, force layout inside the measured section so the figure includes style + layout. */
  includeLayout = false;

  /**
   * Runs `render` (one frame's slice of the work) and records its duration; once `render` reports
   * the view settled (every slice of the update drawn), stamps the root with the sample time it reflects.
   */
  measure(render: () => boolean, latestSampleMs: number, root: HTMLElement): void {
    const t0 = performance.now();
    const settled = render();
    if (settled && latestSampleMs > 0) root.dataset.sampleMs = String(latestSampleMs);
    // Reading layout forces the style/layout the browser would do before paint anyway.
    if (this.includeLayout) void root.offsetHeight;
    this.renderMs[this.renders % RING] = performance.now() - t0;
    this.renders++;
  }

  /** The recorded durations (newest RING at most). */
  durations(): number[] {
    const n = Math.min(this.renders, RING);
    return Array.from(this.renderMs.subarray(0, n));
  }
}
