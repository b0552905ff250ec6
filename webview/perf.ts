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

  /**
   * Durations of render number `since` onwards, oldest first, as far as the ring still holds them
   * (the newest RING). Counting from an absolute render number keeps a caller's slice right after
   * the ring has wrapped.
   */
  durations(since = 0): number[] {
    const out: number[] = [];
    for (let i = Math.max(since, this.renders - RING); i < this.renders; i++) out.push(this.renderMs[i % RING]);
    return out;
  }
}
