/**
 * The standalone inspector server used by `isoscope run` / `isoscope connect`: serves the inspector
 * page and its bundle on 127.0.0.1, and a WebSocket at /ws that hydrates each client with a full
 * snapshot and then streams `update`s (~4 Hz) from the model. Loopback only. The page and the
 * socket live under a random per-server token (`/TOKEN/`, `/TOKEN/ws`, as the Dart VM service
 * does), so another local process cannot read the profile without the URL the CLI printed; the
 * Host and Origin headers are checked too (against DNS rebinding). Static files (the public
 * bundle) come from an allow-listed folder.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { FromWebviewMessage, ModelSnapshot, ModelUpdate, SourceLocation, ToWebviewMessage } from '../../protocol';
import { inspectorCsp, renderInspectorHtml } from './inspector-html';
import { parseFromWebviewMessage } from './inspector-messages';

/** What the server needs from the model (IsolateModel satisfies it). */
export interface InspectorModelSource<C> {
  snapshot(): ModelSnapshot;
  initialCursor(): C;
  updateSince(cursor: C): { update: ModelUpdate; cursor: C };
  clearExited(): void;
  onDidChange?(listener: () => void): { dispose(): void };
}

/** Options of {@link startInspectorServer}. */
export interface InspectorServerOptions<C> {
  model: InspectorModelSource<C>;
  /** Port to bind on 127.0.0.1 (0 = any free port). */
  port?: number;
  /** Absolute path of dist/webview (inspector.js, inspector.css, codicon.css, codicon.ttf). */
  webviewDir: string;
  /** Update period (default 250 ms = 4 Hz). */
  updateIntervalMs?: number;
  /** Called when the page asks to open a source location (the browser cannot open an editor). */
  onOpenLocation?: (location: SourceLocation) => void;
  title?: string;
}

/** A running inspector server. */
export interface InspectorServer {
  /** http://127.0.0.1:PORT/TOKEN/ (the page; its socket is /TOKEN/ws) */
  url: string;
  port: number;
  close(): Promise<void>;
  /** Counters for tests and status lines. */
  stats(): { clients: number; updatesSent: number; invalidFromPage: number };
  /**
   * Shows `text` as the page's banner, on every open page and on pages that connect later (e.g.
   * "the program exited", before the server closes); null removes it for pages that connect later.
   */
  setStatus(status: { text: string; level: 'info' | 'warning' | 'error' } | null): void;
}

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.ttf': 'font/ttf',
  '.map': 'application/json; charset=utf-8',
};
/** A client whose socket buffers more than this is skipped until it drains (bounded memory). */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
const MAX_FROM_PAGE_BYTES = 64 * 1024;

/** Starts the server; resolves once it listens. */
export async function startInspectorServer<C>(opts: InspectorServerOptions<C>): Promise<InspectorServer> {
  const webviewDir = resolve(opts.webviewDir);
  const clients = new Map<WebSocket, { cursor: C }>();
  let port = 0;
  let updatesSent = 0;
  let invalidFromPage = 0;

  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  // base64url: safe in a path, and no '=' or '/' to escape.
  const token = randomBytes(18).toString('base64url');
  const tokenBytes = Buffer.from(token);
  /** Whether `segment` is this server's token (compared in constant time). */
  const isToken = (segment: string): boolean => {
    const given = Buffer.from(segment);
    return given.length === tokenBytes.length && timingSafeEqual(given, tokenBytes);
  };
  /** The token of a path `/TOKEN/rest` when it is this server's, with the rest; else null. */
  const underToken = (path: string): string | null => {
    const m = /^\/([A-Za-z0-9_-]+)(\/.*)$/.exec(path);
    return m && isToken(m[1]!) ? m[2]! : null;
  };
  const origin = () => `http://127.0.0.1:${port}`;

  const server = createServer((req, res) => {
    handleHttp(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`internal error: ${err instanceof Error ? err.message : String(err)}`);
    });
  });

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!allowedHosts().has(req.headers.host ?? '')) {
      res.writeHead(421, { 'Content-Type': 'text/plain; charset=utf-8' }).end('wrong Host header');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    const path = new URL(req.url ?? '/', origin()).pathname;
    const page = underToken(path);
    if (path === '/' || path === '/index.html') {
      res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(
        'This inspector is served under a token: open the full URL that isoscope printed (http://127.0.0.1:PORT/TOKEN/).\n',
      );
      return;
    }
    if (page === '/' || page === '/index.html') {
      const nonce = randomBytes(18).toString('base64');
      // The page's own origin, as the browser addressed it (one of the allowed hosts, checked
      // above): a policy naming 127.0.0.1 would block the styles of a page opened as localhost.
      const host = req.headers.host ?? `127.0.0.1:${port}`;
      const wsUrl = `ws://${host}/${token}/ws`;
      const csp = { nonce, cspSource: `http://${host}`, connectSrc: wsUrl };
      const html = renderInspectorHtml({
        ...csp,
        scriptUri: '/webview/inspector.js',
        styleUris: ['/webview/codicon.css', '/webview/inspector.css'],
        transport: 'websocket',
        wsUrl,
        title: opts.title ?? 'Isoscope inspector',
      });
      res.writeHead(200, {
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Security-Policy': inspectorCsp(csp),
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
      });
      res.end(req.method === 'HEAD' ? undefined : html);
      return;
    }
    const file = staticFile(path);
    if (!file) {
      res.writeHead(path === '/favicon.ico' ? 204 : 404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(path === '/favicon.ico' ? undefined : 'not found');
      return;
    }
    let body: Buffer;
    try {
      body = await readFile(file.abs);
    } catch {
      // Missing asset (e.g. no build yet): a plain 404 tells the user what is wrong.
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`not found (is dist/webview built?)`);
      return;
    }
    res.writeHead(200, { 'Content-Type': file.type, 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  /** Maps /webview/<name> to a file directly inside webviewDir, or null (no sub-folders, no traversal). */
  function staticFile(path: string): { abs: string; type: string } | null {
    const m = /^\/webview\/([A-Za-z0-9][A-Za-z0-9._-]*)$/.exec(path);
    if (!m || m[1].includes('..')) return null;
    const ext = m[1].slice(m[1].lastIndexOf('.'));
    const type = CONTENT_TYPES[ext];
    if (!type) return null;
    const abs = join(webviewDir, m[1]);
    if (!abs.startsWith(webviewDir + sep)) return null;
    return { abs, type };
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FROM_PAGE_BYTES });
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', origin()).pathname;
    const originOk = [`http://127.0.0.1:${port}`, `http://localhost:${port}`].includes(req.headers.origin ?? '');
    if (underToken(path) !== '/ws' || !allowedHosts().has(req.headers.host ?? '') || !originOk) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onClient(ws));
  });

  function send(ws: WebSocket, msg: ToWebviewMessage): void {
    ws.send(JSON.stringify(msg));
  }

  let status: ToWebviewMessage | null = null;

  function hydrate(ws: WebSocket): void {
    const snapshot = opts.model.snapshot();
    clients.set(ws, { cursor: opts.model.initialCursor() });
    send(ws, { type: 'hydrate', snapshot, host: 'browser' });
    if (status !== null) send(ws, status);
  }

  function onClient(ws: WebSocket): void {
    hydrate(ws);
    ws.on('message', (data, isBinary) => {
      const msg = isBinary ? null : parseFromWebviewMessage(data.toString());
      if (!msg) {
        invalidFromPage++;
        return;
      }
      onPageMessage(msg);
    });
    ws.on('close', () => clients.delete(ws));
    ws.on('error', () => clients.delete(ws));
  }

  function onPageMessage(msg: FromWebviewMessage): void {
    switch (msg.type) {
      case 'ready':
        // Clients are hydrated on connect already.
        return;
      case 'open-location':
        opts.onOpenLocation?.(msg.location);
        return;
      case 'clear-exited':
        opts.model.clearExited();
        // Updates carry current values, not removals: re-hydrate so every page drops them too.
        for (const ws of clients.keys()) hydrate(ws);
        return;
      default: {
        const never: never = msg;
        return never;
      }
    }
  }

  // Push as soon as the model changes, but at most once per interval: a sample reaches the page
  // without waiting for a fixed timer tick. Models without change events are polled instead.
  const intervalMs = opts.updateIntervalMs ?? 250;
  let lastFlushMs = 0;
  let flushTimer: NodeJS.Timeout | null = null;
  function flush(): void {
    flushTimer = null;
    lastFlushMs = Date.now();
    for (const [ws, state] of clients) {
      if (ws.readyState !== ws.OPEN || ws.bufferedAmount > MAX_BUFFERED_BYTES) continue;
      const { update, cursor } = opts.model.updateSince(state.cursor);
      state.cursor = cursor;
      send(ws, { type: 'update', update });
      updatesSent++;
    }
  }
  function scheduleFlush(): void {
    if (flushTimer || clients.size === 0) return;
    flushTimer = setTimeout(flush, Math.max(0, lastFlushMs + intervalMs - Date.now()));
    flushTimer.unref();
  }
  /** Closes a page's socket after what was sent to it (1001: going away), or drops it after 1 s. */
  function closeGently(ws: WebSocket): Promise<void> {
    return new Promise((done) => {
      if (ws.readyState === ws.CLOSED) return done();
      const timer = setTimeout(() => {
        ws.terminate();
        done();
      }, 1000);
      timer.unref();
      ws.once('close', () => {
        clearTimeout(timer);
        done();
      });
      ws.close(1001, 'the inspector is closing');
    });
  }
  const subscription = opts.model.onDidChange?.(scheduleFlush);
  const poller = subscription ? null : setInterval(flush, intervalMs);
  poller?.unref();

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', fail);
      ok();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/${token}/`,
    port,
    stats: () => ({ clients: clients.size, updatesSent, invalidFromPage }),
    setStatus(next) {
      status = next === null ? null : { type: 'status', text: next.text, level: next.level };
      if (status !== null) for (const ws of clients.keys()) send(ws, status);
    },
    async close() {
      if (poller) clearInterval(poller);
      if (flushTimer) clearTimeout(flushTimer);
      subscription?.dispose();
      // The last state (the program's exit, its isolates marked exited) reaches every open page
      // before its socket closes: the page keeps showing it as the last data.
      flush();
      await Promise.all([...clients.keys()].map(closeGently));
      clients.clear();
      await new Promise<void>((ok) => wss.close(() => ok()));
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}
