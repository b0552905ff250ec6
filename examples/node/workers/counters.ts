/** Message counters a demo worker keeps about itself, reported to main in its final `stats` message. */
import type { MessagePort } from 'node:worker_threads';

/** Per-thread counts of messages this thread posted and had delivered. */
export class Counters {
  sent = 0;
  received = 0;

  /** Posts and counts (the demo never posts from anywhere else). */
  post(port: MessagePort, message: unknown, transfer: ArrayBuffer[] = []): void {
    port.postMessage(message, transfer);
    this.sent++;
  }

  /** Posts the final stats message, counting itself. */
  postStats(port: MessagePort, extra: Record<string, unknown> = {}): void {
    this.sent++;
    port.postMessage({ type: 'stats', sent: this.sent, received: this.received, ...extra });
  }
}

/** Busy-waits for about `ms` milliseconds of CPU (the demo's stand-in for real work). */
export function burnMs(ms: number): number {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) x = (x * 31 + 7) % 1_000_003;
  return x;
}
