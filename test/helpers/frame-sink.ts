/**
 * Test helper: a real WebSocket server on 127.0.0.1:0 that plays the collector for agent tests.
 * It checks the `Authorization: Bearer <token>` header, validates every frame with the protocol's
 * `parseAgentFrame`, and keeps the frames (and any rejections) for assertions.
 */
import { WebSocketServer, type WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import { parseAgentFrame, type AgentFrame, type AgentRecord } from '../../protocol';

/** A running sink. */
export interface FrameSink {
  url: string;
  token: string;
  frames: AgentFrame[];
  /** Frames that failed validation, with the reason. */
  rejected: string[];
  /** Connections refused for a wrong or missing token. */
  refusedConnections: number;
  /** All records of all batch frames, in arrival order. */
  records(): AgentRecord[];
  /**
   * Resolves when the agent of process `pid` (the pid its `hello` announced) has sent `bye`, or
   * rejects after `timeoutMs`. Per pid, because the sink outlives runs: any earlier run's `bye`
   * must not count, and everything one connection sends arrives before its `bye`.
   */
  waitForBye(pid: number, timeoutMs?: number): Promise<void>;
  /** Drops every open connection (simulates a collector crash) but keeps listening unless told. */
  killConnections(): void;
  close(): Promise<void>;
}

/** Starts a sink; pass `token` to fix it, else a random one is used. */
export async function startFrameSink(opts: { token?: string } = {}): Promise<FrameSink> {
  const token = opts.token ?? `t-${Math.random().toString(36).slice(2)}`;
  const frames: AgentFrame[] = [];
  const rejected: string[] = [];
  const sockets = new Set<WebSocket>();
  let refusedConnections = 0;
  const byePids = new Set<number>();
  let byeWaiters: (() => void)[] = [];
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    maxPayload: 8 * 1024 * 1024,
    verifyClient: (info, done) => {
      const ok = info.req.headers.authorization === `Bearer ${token}`;
      if (!ok) refusedConnections++;
      done(ok, 401, 'bad token');
    },
  });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  wss.on('connection', (ws) => {
    sockets.add(ws);
    let pid: number | null = null;
    ws.on('close', () => sockets.delete(ws));
    ws.on('message', (raw, isBinary) => {
      if (isBinary) {
        rejected.push('binary frame');
        return;
      }
      const result = parseAgentFrame(raw.toString());
      if (!result.ok) {
        rejected.push(`${result.reason}: ${result.detail}`);
        return;
      }
      frames.push(result.frame);
      if (result.frame.type === 'hello') pid = result.frame.pid;
      if (result.frame.type === 'bye') {
        if (pid !== null) byePids.add(pid);
        const waiters = byeWaiters;
        byeWaiters = [];
        for (const w of waiters) w();
      }
    });
  });
  const port = (wss.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}/agent`,
    token,
    frames,
    rejected,
    get refusedConnections() {
      return refusedConnections;
    },
    records: () => frames.flatMap((f) => (f.type === 'batch' ? f.records : [])),
    waitForBye(pid, timeoutMs = 10_000) {
      if (byePids.has(pid)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const check = (): boolean => {
          if (!byePids.has(pid)) return false;
          clearTimeout(timer);
          resolve();
          return true;
        };
        const waiter = (): void => {
          if (!check()) byeWaiters.push(waiter);
        };
        const timer = setTimeout(() => {
          byeWaiters = byeWaiters.filter((w) => w !== waiter);
          reject(new Error(`no bye frame from pid ${pid} within ${timeoutMs} ms`));
        }, timeoutMs);
        byeWaiters.push(waiter);
      });
    },
    killConnections() {
      for (const ws of sockets) ws.terminate();
    },
    close() {
      for (const ws of sockets) ws.terminate();
      return new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
