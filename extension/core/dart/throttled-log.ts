/**
 * A log that says a recurring problem once, then at most once per window together with how many
 * times it happened in between — so a VM that fails every poll does not flood the output.
 */

interface KeyState {
  loggedAtMs: number;
  heldBack: number;
}

/** Rate-limits log lines per key (e.g. "poll", "getStack"). */
export class ThrottledLog {
  private readonly keys = new Map<string, KeyState>();

  constructor(
    private readonly write: (message: string) => void,
    private readonly windowMs = 30_000,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 100,
  ) {}

  /** Logs `message` unless a message with the same key was logged less than a window ago. */
  report(key: string, message: string): void {
    const nowMs = this.now();
    const state = this.keys.get(key);
    if (state && nowMs - state.loggedAtMs < this.windowMs) {
      state.heldBack++;
      return;
    }
    const seconds = state ? Math.round((nowMs - state.loggedAtMs) / 1000) : 0;
    this.write(
      state && state.heldBack > 0
        ? `${message} (and ${state.heldBack} more like it in the last ${seconds} s)`
        : message,
    );
    this.keys.delete(key);
    if (this.keys.size >= this.maxKeys) this.keys.delete(this.keys.keys().next().value as string);
    this.keys.set(key, { loggedAtMs: nowMs, heldBack: 0 });
  }
}
