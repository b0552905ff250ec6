/**
 * A slow consumer: each log line costs it ~50 µs, so a burst from main backs up its queue. It
 * measures its own queue depth (posted − handled, from a SharedArrayBuffer main updates) and the
 * queueing delay of every message (performance.now() is one clock across threads).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { burnMs, Counters } from './counters';

const port = parentPort!;
const counts = new Counters();
const shared = new Int32Array(workerData.counters as SharedArrayBuffer); // [0] = posted by main
let handled = 0;
let maxDepth = 0;
const delaysMs: number[] = [];

port.on('message', (msg: { type: 'log'; seq: number; sentAt: number; line: string } | { type: 'stop' }) => {
  counts.received++;
  if (msg.type === 'stop') {
    const sorted = [...delaysMs].sort((a, b) => a - b);
    const p95 = sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))]! : 0;
    counts.postStats(port, {
      flood: { handled, maxDepth, delayMsP95: p95, delayMsMax: sorted[sorted.length - 1] ?? 0 },
    });
    port.close();
    return;
  }
  delaysMs.push(performance.now() - msg.sentAt);
  // Waiting messages, counting this one (it was still queued until this callback ran).
  maxDepth = Math.max(maxDepth, Atomics.load(shared, 0) - handled);
  burnMs(0.05);
  handled++;
});
