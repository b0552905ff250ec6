/**
 * An adaptive polling loop with its own cancellation. One tick runs at a time (a slow VM
 * slows the loop down instead of piling up requests), the interval grows by `backoff` while
 * ticks report "nothing changed" and snaps back to the base interval on a change.
 */

export interface PollLoopOptions {
  baseIntervalMs: number;
  maxIntervalMs: number;
  /** Factor applied to the interval after a tick that saw no change. */
  backoff?: number;
}

/** What a tick reports back: whether anything it observed changed since the previous tick. */
export type TickResult = { changed: boolean };

/** Runs `tick` repeatedly until `stop()`; never two ticks at once. */
export class PollLoop {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private running: Promise<void> | null = null;
  private currentIntervalMs: number;
  /** Ticks run so far (for status and tests). */
  ticks = 0;

  constructor(
    private readonly tick: (isCancelled: () => boolean) => Promise<TickResult>,
    private readonly opts: PollLoopOptions,
    private readonly onError: (err: unknown) => void,
  ) {
    this.currentIntervalMs = opts.baseIntervalMs;
  }

  /** The delay before the next tick. */
  get intervalMs(): number {
    return this.currentIntervalMs;
  }

  /** Starts ticking now. */
  start(): void {
    this.schedule(0);
  }

  /** Runs a tick as soon as the current one (if any) is done, and resets the interval. */
  poke(): void {
    if (this.stopped) return;
    this.currentIntervalMs = this.opts.baseIntervalMs;
    if (this.timer) this.schedule(0);
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
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.runOnce().finally(() => {
        this.running = null;
      });
    }, delayMs);
  }

  private async runOnce(): Promise<void> {
    let changed = true;
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
      : Math.min(this.opts.maxIntervalMs, Math.round(this.currentIntervalMs * backoff));
    this.schedule(this.currentIntervalMs);
  }
}
