/**
 * Host transport for the browser: a WebSocket to the `isoscope run`/`connect` server, reconnecting
 * with backoff (each reconnect is re-hydrated by the server). UI state lives in localStorage.
 */
import type { FromWebviewMessage } from '../protocol';
import type { ConnectionState, HostTransport } from './transport';

const STATE_KEY = 'isoscope.inspector.state';
const MAX_BACKOFF_MS = 10_000;

/** Creates the WebSocket transport for `wsUrl` (given by the page, limited by its CSP). */
export function createWebSocketTransport(wsUrl: string): HostTransport {
  let socket: WebSocket | null = null;
  let backoffMs = 500;
  let messageListener: (data: unknown) => void = () => {};
  let connectionListener: (s: ConnectionState) => void = () => {};

  function connect(): void {
    connectionListener('connecting');
    const ws = new WebSocket(wsUrl);
    socket = ws;
    ws.addEventListener('open', () => {
      backoffMs = 500;
      connectionListener('open');
      ws.send(JSON.stringify({ type: 'ready' } satisfies FromWebviewMessage));
    });
    ws.addEventListener('message', (ev: MessageEvent) => messageListener(ev.data));
    ws.addEventListener('close', () => {
      if (socket !== ws) return;
      socket = null;
      connectionListener('closed');
      // The program may have ended; keep the last data on screen and try again quietly.
      setTimeout(connect, backoffMs);
      backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
    });
  }

  return {
    kind: 'browser',
    post(message: FromWebviewMessage) {
      if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
    },
    onMessage(listener) {
      messageListener = listener;
    },
    onConnection(listener) {
      connectionListener = listener;
      connect();
    },
    getState() {
      try {
        const raw = localStorage.getItem(STATE_KEY);
        return raw ? (JSON.parse(raw) as unknown) : undefined;
      } catch {
        // Storage disabled or corrupt: start with default UI state.
        return undefined;
      }
    },
    setState(s) {
      try {
        localStorage.setItem(STATE_KEY, JSON.stringify(s));
      } catch {
        // Storage full or disabled: the UI works without persistence.
      }
    },
  };
}
