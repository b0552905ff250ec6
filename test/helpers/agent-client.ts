/** A real `ws` client speaking the agent protocol, for collector tests and benches. */
import WebSocket from 'ws';
import { AGENT_PROTOCOL_VERSION, type AgentRecord, type HelloFrame } from '../../protocol';

export function helloFrame(pid: number, over: Partial<HelloFrame> = {}): HelloFrame {
  return {
    type: 'hello',
    protocol: AGENT_PROTOCOL_VERSION,
    runtime: 'node',
    pid,
    agentVersion: 'test',
    runtimeVersion: process.version,
    capabilities: ['heap', 'channels'],
    startedAtMs: Date.now(),
    notableMessageBytes: 65536,
    cwd: process.cwd(),
    argv: ['node', 'app.js'],
    ...over,
  };
}

/** Opens a socket with the token in the Authorization header (or the query, or none). */
export function openSocket(url: string, token: string | null, how: 'header' | 'query' = 'header'): WebSocket {
  if (token !== null && how === 'query') return new WebSocket(`${url}?token=${encodeURIComponent(token)}`);
  return new WebSocket(url, token === null ? {} : { headers: { authorization: `Bearer ${token}` } });
}

/** Resolves when open, rejects with the HTTP status when the upgrade is refused. */
export function opened(ws: WebSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/** Resolves with the close code and reason. */
export function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) return resolve({ code: 1006, reason: '' });
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    ws.on('error', () => undefined);
  });
}

/** Sends JSON and waits until the socket has flushed it. */
export function sendJson(ws: WebSocket, frame: unknown): Promise<void> {
  return new Promise((resolve, reject) => ws.send(JSON.stringify(frame), (err) => (err ? reject(err) : resolve())));
}

/** A well-behaved agent: hello, one batch, bye, close. */
export async function goodAgent(url: string, token: string, pid: number, records: AgentRecord[]): Promise<void> {
  const ws = openSocket(url, token);
  await opened(ws);
  await sendJson(ws, helloFrame(pid));
  await sendJson(ws, { type: 'batch', seq: 0, records, droppedRecords: 0 });
  await sendJson(ws, { type: 'bye', atMs: Date.now(), exitCode: 0 });
  const done = closed(ws);
  ws.close(1000);
  await done;
}
