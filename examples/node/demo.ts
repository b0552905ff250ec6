/**
 * Isoscope demo workload (`npm start` runs it under the agent). It exercises every view:
 * - a named pool (`resize-pool-1..3`) resizing RGBA tiles, tiles moved with transfer lists;
 * - an oversized path: whole 2 MiB frames copied to `resize-pool-1` without a transfer list;
 * - a flooded worker (`log-sink`) whose queue backs up under a burst of log lines;
 * - short-lived one-shot workers (spawn, compute, exit within milliseconds), one with a
 *   hostile-looking name that every view must show as text;
 * - a MessageChannel pipeline between two workers (`pipeline-produce` → `pipeline-consume`).
 * It counts its own messages and prints one `DEMO_SUMMARY {json}` line to stdout at the end.
 * Runs for DEMO_SECONDS (default 5).
 */
import { MessageChannel, Worker } from 'node:worker_threads';
import { join } from 'node:path';

const seconds = Number(process.env.DEMO_SECONDS ?? 5) || 5;
const FRAME_BYTES = 2 * 1024 * 1024;
const FLOOD_MESSAGES = 20_000;
const HOSTILE_NAME = '<img src=x onerror=alert(1)>';

interface Count {
  sent: number;
  received: number;
}
const counts: Record<string, Count> = { main: { sent: 0, received: 0 } };
const stats: Record<string, Record<string, unknown>> = {};
const exited: Promise<void>[] = [];

function script(name: string): string {
  return join(__dirname, 'workers', `${name}.js`);
}

function spawn(name: string, file: string, workerData: unknown = {}): Worker {
  const w = new Worker(script(file), { name, workerData });
  counts[name] = { sent: 0, received: 0 };
  w.on('message', (msg: { type: string; sent?: number; received?: number }) => {
    counts.main!.received++;
    if (msg.type === 'stats' || msg.type === 'result') {
      counts[name] = { sent: msg.sent ?? 0, received: msg.received ?? 0 };
      stats[name] = msg as Record<string, unknown>;
    }
  });
  exited.push(new Promise((resolve) => w.once('exit', () => resolve())));
  return w;
}

function post(w: Worker, message: unknown, transfer: ArrayBuffer[] = []): void {
  w.postMessage(message, transfer);
  counts.main!.sent++;
}

const pool = [1, 2, 3].map((i) => spawn(`resize-pool-${i}`, 'resize-worker'));
const floodCounters = new SharedArrayBuffer(4);
const logSink = spawn('log-sink', 'log-sink-worker', { counters: floodCounters });
const produce = spawn('pipeline-produce', 'pipeline-stage', { role: 'produce' });
const consume = spawn('pipeline-consume', 'pipeline-stage', { role: 'consume' });

const channel = new MessageChannel();
post(produce, { type: 'connect', port: channel.port1 }, [channel.port1 as unknown as ArrayBuffer]);
post(consume, { type: 'connect', port: channel.port2 }, [channel.port2 as unknown as ArrayBuffer]);

let tileId = 0;
const tileTimer = setInterval(() => {
  const pixels = new Uint8Array(128 * 128 * 4).fill(tileId & 0xff);
  post(pool[tileId % pool.length]!, { type: 'tile', id: tileId++, width: 128, height: 128, pixels }, [pixels.buffer]);
}, 10);

let framesSent = 0;
const frameTimer = setInterval(() => {
  const frame = new Uint8Array(FRAME_BYTES).fill(framesSent & 0xff);
  // The oversized path: the whole frame is copied because no transfer list is given.
  pool[0]!.postMessage({ type: 'frame', pixels: frame }); // DEMO-OVERSIZED-SEND
  counts.main!.sent++;
  framesSent++;
}, 400);

// One burst of log lines, far faster than log-sink handles them: its queue backs up.
const floodTimer = setTimeout(
  () => {
    const posted = new Int32Array(floodCounters);
    for (let seq = 0; seq < FLOOD_MESSAGES; seq++) {
      post(logSink, { type: 'log', seq, sentAt: performance.now(), line: `request ${seq} handled` });
      Atomics.add(posted, 0, 1);
    }
  },
  Math.min(1000, seconds * 200),
);

let oneShots = 0;
const oneShotTimer = setInterval(() => {
  const name = oneShots === 3 ? HOSTILE_NAME : `one-shot-${oneShots + 1}`;
  spawn(name, 'one-shot-worker', { n: 10_000 });
  oneShots++;
}, 250);

setTimeout(async () => {
  clearInterval(tileTimer);
  clearInterval(frameTimer);
  clearInterval(oneShotTimer);
  clearTimeout(floodTimer);
  for (const w of [...pool, logSink, produce]) post(w, { type: 'stop' });
  await Promise.all(exited);
  const flood = (stats['log-sink'] as { flood?: unknown } | undefined)?.flood ?? null;
  const summary = { counts, framesSent, frameBytes: FRAME_BYTES, tiles: tileId, oneShots, flood };
  process.stdout.write(`DEMO_SUMMARY ${JSON.stringify(summary)}\n`);
}, seconds * 1000);
