/**
 * The Node source: a loopback WebSocket server that agents connect to (contract 1). It checks the
 * per-session token on upgrade, caps connections, refuses oversized frames without buffering them
 * (ws `maxPayload`), validates every frame and feeds the model. It never crashes on peer input.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { FRAME_LIMITS, type HelloFrame } from '../../../protocol';
import type { IsolateModel } from '../model/model';
import { CLOSE, handleAgentConnection } from './agent-connection';
import { newToken, presentedToken, tokensMatch } from './auth';
import { emptyStats, type CollectorStats, type RefuseReason } from './stats';

/** Options of `startCollector`; only `model` is required. */
export interface CollectorOptions {
  model: IsolateModel;
  /** Loopback only; anything else is refused. */
  host?: '127.0.0.1';
  /** 0 (default) picks a free port. */
  port?: number;
  /** Random per session when omitted. */
  token?: string;
  maxConnections?: number;
  maxBadFrames?: number;
  helloTimeoutMs?: number;
  maxFrameBytes?: number;
  /** Diagnostics sink (off by default). */
  log?: (message: string) => void;
}

/** A running collector. */
export interface CollectorHandle {
  /** `ws://127.0.0.1:P/agent`, for `ISOSCOPE_COLLECTOR`. */
  url: string;
  token: string;
  port: number;
  stats(): CollectorStats;
  /** Resolves true once no agent is connected (or false after `timeoutMs`). */
  whenIdle(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** Session ids remembered for telling a reconnect from a new process with a reused pid. */
const MAX_REMEMBERED_SESSIONS = 10_000;

const STATUS_TEXT: Record<number, string> = { 401: 'Unauthorized', 404: 'Not Found', 503: 'Service Unavailable' };

function refuseUpgrade(socket: Socket, status: number): void {
  if (socket.writable) {
    socket.end(`HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  }
  socket.destroy();
}

/** Starts the collector on 127.0.0.1. */
export async function startCollector(opts: CollectorOptions): Promise<CollectorHandle> {
  const { model } = opts;
  const host = opts.host ?? '127.0.0.1';
  if (host !== '127.0.0.1') throw new Error(`the collector binds loopback only, not ${String(host)}`);
  const token = opts.token ?? newToken();
  const maxConnections = opts.maxConnections ?? 64;
  const log = opts.log ?? (() => undefined);
  const stats = emptyStats();
  const liveSessions = new Set<string>();
  // Every session id handed out, with its process's start time (hello.startedAtMs): a process
  // that reconnects gets its id back, another process that reuses the pid gets a new one.
  const sessionStarts = new Map<string, number>();
  const idleWaiters = new Set<() => void>();

  const server = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain', connection: 'close' });
    res.end('Isoscope collector: agents connect with a WebSocket upgrade to /agent.\n');
  });
  // Slow or silent peers (a connection flood) are dropped instead of held open.
  server.headersTimeout = 5000;
  server.requestTimeout = 5000;
  server.maxConnections = maxConnections * 4;
  server.on('clientError', (_err, socket) => socket.destroy());

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: opts.maxFrameBytes ?? FRAME_LIMITS.maxFrameBytes,
    perMessageDeflate: false,
    clientTracking: true,
  });

  const refuse = (socket: Socket, status: number, reason: RefuseReason): void => {
    stats.connectionsRefused[reason]++;
    log(`collector: refused a connection (${reason})`);
    refuseUpgrade(socket, status);
  };

  const rememberSession = (id: string, startedAtMs: number): void => {
    sessionStarts.set(id, startedAtMs);
    if (sessionStarts.size <= MAX_REMEMBERED_SESSIONS) return;
    // Bounded: forget the oldest ended session (its id may then be handed out again).
    for (const old of sessionStarts.keys()) {
      if (!liveSessions.has(old) && old !== id) {
        sessionStarts.delete(old);
        return;
      }
    }
  };

  const context = {
    model,
    stats,
    maxBadFrames: opts.maxBadFrames ?? 8,
    helloTimeoutMs: opts.helloTimeoutMs ?? 10_000,
    log,
    claimSession(hello: HelloFrame): string {
      const base = `${hello.runtime}:${hello.pid}`;
      let id = base;
      for (let n = 2; ; n++) {
        const startedAtMs = sessionStarts.get(id);
        if (startedAtMs === undefined) break;
        if (startedAtMs === hello.startedAtMs && !liveSessions.has(id)) break;
        id = `${base}#${n}`;
      }
      if (!sessionStarts.has(id)) rememberSession(id, hello.startedAtMs);
      liveSessions.add(id);
      return id;
    },
    releaseSession(id: string): void {
      liveSessions.delete(id);
    },
  };

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', (err) => log(`collector: socket error during upgrade: ${err.message}`));
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://127.0.0.1');
    } catch {
      // An unparsable request line is just a bad path.
      return refuse(socket, 404, 'bad-path');
    }
    if (url.pathname !== '/agent') return refuse(socket, 404, 'bad-path');
    if (!tokensMatch(token, presentedToken(req, url))) return refuse(socket, 401, 'bad-token');
    if (wss.clients.size >= maxConnections) return refuse(socket, 503, 'too-many-connections');
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      stats.connectionsAccepted++;
      ws.on('close', () => {
        // wss.clients drops the socket on close; notify idle waiters after that.
        setImmediate(() => {
          if (wss.clients.size === 0) for (const wake of [...idleWaiters]) wake();
        });
      });
      handleAgentConnection(ws, context);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => log(`collector: server error: ${err.message}`));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    url: `ws://127.0.0.1:${port}/agent`,
    token,
    port,
    stats: () => ({ ...structuredClone(stats), connectionsActive: wss.clients.size }),
    whenIdle(timeoutMs: number): Promise<boolean> {
      if (wss.clients.size === 0) return Promise.resolve(true);
      return new Promise((resolve) => {
        const done = (idle: boolean) => {
          clearTimeout(timer);
          idleWaiters.delete(wake);
          resolve(idle);
        };
        const wake = () => done(true);
        const timer = setTimeout(() => done(false), timeoutMs);
        timer.unref();
        idleWaiters.add(wake);
      });
    },
    async close(): Promise<void> {
      for (const ws of wss.clients) ws.close(CLOSE.goingAway, 'collector shutting down');
      const closed = new Promise<void>((resolve) => wss.close(() => resolve()));
      // Give agents a moment to answer the close frame, then cut whoever is left.
      const grace = new Promise<void>((resolve) => setTimeout(resolve, 1000).unref());
      await Promise.race([closed, grace]);
      for (const ws of wss.clients) ws.terminate();
      await closed;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
