/**
 * The agent's only output channel: stderr, and only with ISOSCOPE_DEBUG=1. It writes with
 * `fs.writeSync` on fd 2 so it works in any thread and during process exit, and it never throws.
 */
import { writeSync } from 'node:fs';
import { threadId } from 'node:worker_threads';

let enabled = false;

/** Turns debug output on or off for this thread. */
export function setDebug(on: boolean): void {
  enabled = on;
}

/** True when ISOSCOPE_DEBUG=1 was set. */
export function debugEnabled(): boolean {
  return enabled;
}

/** Writes one `[isoscope t<threadId>] …` line to stderr when debugging is on. */
export function debugLog(message: string): void {
  if (!enabled) return;
  try {
    writeSync(2, `[isoscope t${threadId}] ${message}\n`);
  } catch {
    // stderr may be closed at exit; debug output is best-effort by design.
  }
}
