/**
 * The exporter worker (dist/agent-exporter.cjs): one per process, created by the main thread's
 * agent with the original Worker class and unref'd. It owns the one WebSocket to the collector,
 * authenticates with `Authorization: Bearer <token>`, sends `hello`, then `batch` frames built
 * from the threads' JSON chunks, and `bye` at exit. When the collector is missing, refuses or
 * dies, it reconnects with backoff while the queue stays bounded (oldest dropped, counted).
 */
import { writeSync } from 'node:fs';
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import WebSocket from 'ws';
import { FrameQueue } from './exporter-queue';
import type { ExporterData, ToExporterMessage } from './exporter-messages';

const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
const BACKOFF_FIRST_MS = 250;
const BACKOFF_MAX_MS = 5000;

const data = workerData as ExporterData;
const queue = new FrameQueue();
let socket: WebSocket | null = null;
let open = false;
let seq = 0;
let backoffMs = BACKOFF_FIRST_MS;
let closing = false;
let byeDone = false;
let framesSent = 0;
let totalDropped = 0;
/** Every open link (the main thread's and one per worker), so `bye` can drain them all. */
const links = new Set<MessagePort>();

function debug(message: string): void {
  if (!data.debug) return;
  try {
    writeSync(2, `[isoscope exporter] ${message}\n`);
  } catch {
    // stderr gone at exit: debug output is best-effort.
  }
}

function finishBye(): void {
  if (byeDone) return;
  byeDone = true;
  debug(
    `stats framesSent=${framesSent} droppedRecords=${totalDropped + queue.pendingDropped} queuedChars=${queue.queuedChars} connected=${open}`,
  );
  Atomics.store(data.byeFlag, 0, 1);
  Atomics.notify(data.byeFlag, 0);
}

function send(text: string, done?: () => void): void {
  if (socket === null || !open) return;
  framesSent++;
  socket.send(text, done === undefined ? undefined : () => done());
}

function pump(force = false): void {
  if (!open || socket === null) return;
  while (force || socket.bufferedAmount < MAX_BUFFERED_BYTES) {
    const dropped = queue.pendingDropped;
    const frame = queue.nextFrame(seq);
    if (frame === null) return;
    totalDropped += dropped;
    seq++;
    send(frame);
  }
  setTimeout(() => pump(), 50).unref();
}

function scheduleReconnect(): void {
  if (closing) return;
  const wait = backoffMs;
  backoffMs = Math.min(BACKOFF_MAX_MS, backoffMs * 2);
  setTimeout(connect, wait).unref();
}

function connect(): void {
  if (closing) return;
  const headers: Record<string, string> = {};
  if (data.token !== null) headers.Authorization = `Bearer ${data.token}`;
  let ws: WebSocket;
  try {
    ws = new WebSocket(data.url, { headers, handshakeTimeout: 3000, perMessageDeflate: false });
  } catch (err) {
    debug(`bad collector URL ${data.url}: ${String(err)}`);
    finishBye();
    return;
  }
  socket = ws;
  ws.on('open', () => {
    open = true;
    backoffMs = BACKOFF_FIRST_MS;
    debug(`connected to ${data.url}`);
    send(JSON.stringify(data.hello));
    pump(closing);
    if (closing) sendBye();
  });
  ws.on('error', (err) => debug(`collector error: ${err.message}`));
  ws.on('close', (code) => {
    const wasOpen = open;
    open = false;
    socket = null;
    debug(`collector connection closed (${code}${wasOpen ? '' : ', never opened'})`);
    if (closing) finishBye();
    else scheduleReconnect();
  });
}

let byeMessage: { exitCode: number | null; atMs: number; channelsNotCounted: number } | null = null;

/**
 * Takes every message already queued on any link, synchronously. Each link is its own port and
 * Node gives no order between ports: the main thread's `bye` can be dispatched before the last
 * chunk a worker posted just before it exited (that worker's exit happened before the main
 * thread's), and anything dispatched after `bye` is lost when the process ends.
 */
function drainLinks(): void {
  let took = 0;
  for (let again = true; again;) {
    again = false;
    for (const port of [...links]) {
      for (let got = receiveMessageOnPort(port); got !== undefined; got = receiveMessageOnPort(port)) {
        took++;
        again = true; // a drained 'port' message adds a link that must be drained too
        handle(got.message as ToExporterMessage);
      }
    }
  }
  if (took > 0) debug(`drained ${took} message(s) still queued at bye`);
}

function sendBye(): void {
  if (byeMessage === null || socket === null || !open) return;
  drainLinks();
  pump(true);
  const ws = socket;
  const { atMs, exitCode, channelsNotCounted } = byeMessage;
  const bye =
    channelsNotCounted > 0 ? { type: 'bye', atMs, exitCode, channelsNotCounted } : { type: 'bye', atMs, exitCode };
  send(JSON.stringify(bye), () => {
    finishBye();
    ws.close(1000, 'bye');
  });
}

function handle(message: ToExporterMessage): void {
  switch (message.t) {
    case 'chunk':
      queue.add(message);
      pump();
      break;
    case 'port':
      listen(message.port);
      break;
    case 'bye':
      if (closing) break; // a second bye (cannot happen: only the main thread sends one)
      closing = true;
      byeMessage = { exitCode: message.exitCode, atMs: message.atMs, channelsNotCounted: message.channelsNotCounted };
      drainLinks();
      for (const chunk of message.final) queue.add(chunk); // after the drained (older) records
      // Connected: flush and say bye. Still connecting: the open handler does it. Otherwise
      // there is nobody to tell, and the app must not wait for us.
      if (open) sendBye();
      else if (socket === null) finishBye();
      break;
    default: {
      const unknown: never = message;
      debug(`unknown message ${JSON.stringify(unknown)}`);
    }
  }
}

function listen(port: MessagePort): void {
  links.add(port);
  port.on('message', handle);
  port.on('close', () => links.delete(port));
}

listen(data.link);
connect();
