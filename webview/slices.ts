/**
 * Time-slicing for a view whose update is too big for one animation frame: the view is split into
 * slices (a chart, a table, a card), each knowing a key of what it would draw now. Each frame draws
 * the stale slices that fit in the frame's budget and leaves the rest for the next frames.
 *
 * Only the latest data matters: a slice is stale when its key differs from the key it last drew,
 * so an update arriving while slices are pending simply changes their keys (no backlog is queued),
 * and a slice made stale twice is drawn once. Slices are visited round-robin from where the last
 * frame stopped, so every stale slice is drawn within a bounded number of frames even when the
 * others keep going stale. The view is settled (fully drawn for the current data) when no slice is
 * stale, and only then may it report the data's sample time as on screen.
 */

/**
 * Work drawn per frame (ms). The rest of a 16.7 ms frame goes to the browser's paint and commit
 * and to other tasks; slices measured in Chromium at up to ~6 ms p50 / ~12 ms p95 each.
 */
export const FRAME_BUDGET_MS = 8;

/** One independently drawable part of a view. */
export interface Slice {
  /** What the slice would draw now (e.g. the revisions it reads); it is stale when this changed. */
  key(): string;
  /** Draws the slice for the current data. */
  draw(): void;
  /**
   * Estimated main-thread cost of a draw, including the style and layout it causes (ms; default
   * FRAME_BUDGET_MS, i.e. a frame of its own). Cheap slices share a frame with others.
   */
  costMs?: number;
}

/** Draws the stale slices of a view, a frame's budget at a time. */
export class SliceScheduler {
  private drawn: (string | null)[];
  private next = 0;

  constructor(
    private readonly slices: readonly Slice[],
    /** Estimated work per frame (ms); a frame always draws at least one stale slice. */
    private readonly budgetMs = FRAME_BUDGET_MS,
  ) {
    this.drawn = slices.map(() => null);
  }

  /** Forgets what was drawn (another isolate, a new theme): every slice is stale again. */
  reset(): void {
    this.drawn = this.slices.map(() => null);
  }

  /** Forgets what one slice drew, so it is drawn again even if its key did not change. */
  invalidate(index: number): void {
    this.drawn[index] = null;
  }

  /**
   * Draws stale slices, round-robin, until this frame's budget is spent. Returns true when every
   * slice shows the current data (settled), false when some are left for the next frame.
   */
  runFrame(budgetMs = this.budgetMs): boolean {
    const n = this.slices.length;
    let spent = 0;
    let drewAny = false;
    for (let visited = 0; visited < n; visited++) {
      const i = (this.next + visited) % n;
      const slice = this.slices[i];
      const key = slice.key();
      if (key === this.drawn[i]) continue;
      const cost = slice.costMs ?? FRAME_BUDGET_MS;
      if (drewAny && spent + cost > budgetMs) {
        this.next = i;
        return false;
      }
      slice.draw();
      this.drawn[i] = key;
      spent += cost;
      drewAny = true;
    }
    this.next = 0;
    return this.settled();
  }

  /** Draws every stale slice now, whatever the budget (the user switched what the view shows). */
  runAll(): boolean {
    return this.runFrame(Infinity);
  }

  /** True when no slice is stale (reads every key; draws nothing). */
  settled(): boolean {
    return this.slices.every((s, i) => s.key() === this.drawn[i]);
  }
}
