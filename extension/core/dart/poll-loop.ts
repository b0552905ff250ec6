/**
 * An adaptive polling loop with its own cancellation. One tick runs at a time (a slow VM
 * slows the loop down instead of piling up requests), the interval grows by `backoff` while
 * ticks report "nothing changed" or fail, and snaps back to the base interval on a change.
 * `poke()` asks for a tick soon, but never sooner than `minGapMs` after the last one started:
 * a burst of isolate starts costs a few ticks, not one each.
 */

export interface PollLoopOptions {
  baseIntervalMs: number;
  maxIntervalMs: number;
  /** Factor applied to the interval after a tick that saw no change or failed. */
  backoff?: number;
  /** Least time between the starts of two ticks when poked (default: 250 ms or the base interval). */
  minGapMs?: number;
}

/** What a tick reports back: whether anything it observed changed since the previous tick. */
export type TickResult = { changed: boolean };

/** Runs `tick` repeatedly until `stop()`; never two ticks at once. */
export class PollLoop {
  private timer: NodeJS.Timeout | null = null;
  /** When the pending timer fires (performance.now() clock). */
  private timerDueMs = 0;
  private stopped = false;
  private running: Promise<void> | null = null;
  private currentIntervalMs: number;
  private lastStartMs = -Infinity;
  private readonly minGapMs: number;
  /** Ticks run so far (for status and tests). */
  ticks = 0;

  constructor(
    private readonly tick: (isCancelled: () => boolean) => Promise<TickResult>,
    private readonly opts: PollLoopOptions,
    private readonly onError: (err: unknown) => void,
  ) {
    this.currentIntervalMs = opts.baseIntervalMs;
    this.minGapMs = opts.minGapMs ?? Math.min(250, opts.baseIntervalMs);
  }

  /** The delay before the next tick. */
  get intervalMs(): number {
    return this.currentIntervalMs;
  }

  /** Starts ticking now. */
  start(): void {
    this.schedule(0);
  }

  /**
   * Runs a tick as soon as the current one (if any) is done and the minimum gap since the last
   * start has passed, and resets the interval.
   */
  poke(): void {
    if (this.stopped) return;
    this.currentIntervalMs = this.opts.baseIntervalMs;
    if (!this.timer) return; // a tick is running: it schedules the next one at the base interval
    const delayMs = Math.max(0, this.lastStartMs + this.minGapMs - performance.now());
    if (performance.now() + delayMs < this.timerDueMs) this.schedule(delayMs);
  }

  /** Cancels future ticks and waits for the one in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerDueMs = performance.now() + delayMs;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.lastStartMs = performance.now();
      this.running = this.runOnce().finally(() => {
        this.running = null;
      });
    }, delayMs);
  }

  private async runOnce(): Promise<void> {
    // A failed tick backs off like an idle one: a VM answering errors is not asked faster.
    let changed = false;
    try {
      changed = (await this.tick(() => this.stopped)).changed;
      this.ticks++;
    } catch (err) {
      this.onError(err);
    }
    if (this.stopped) return;
    const backoff = this.opts.backoff ?? 1.5;
    this.currentIntervalMs = changed
      ? this.opts.baseIntervalMs
      : Math.min(this.opts.maxIntervalMs, Math.round(Math.max(1, this.currentIntervalMs) * backoff));
    this.schedule(this.currentIntervalMs);
  }
}
