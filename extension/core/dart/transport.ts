/**
 * Layer 1 of the VM-service client: a text transport behind three methods (`send`,
 * `onMessage`, `onClose`), so the JSON-RPC layer never touches sockets and can be driven
 * by anything that moves strings. The WebSocket implementation uses `ws`.
 */
import WebSocket from 'ws';

/** Something that can be unsubscribed. */
export interface Disposable {
  dispose(): void;
}

/** Why a transport closed: the WebSocket close code and reason, or a socket error. */
export interface TransportCloseInfo {
  code: number;
  reason: string;
}

/** The three-method transport the connection layer talks to. */
export interface VmTransport {
  send(text: string): void;
  onMessage(listener: (text: string) => void): Disposable;
  onClose(listener: (info: TransportCloseInfo) => void): Disposable;
  /** Closes the socket; `onClose` listeners fire once. */
  close(): void;
  /** Binary frames received and ignored (the protocol uses them only for heap snapshots). */
  readonly binaryFramesIgnored: number;
}

/** Connecting failed: nothing listens, the token is wrong, or the handshake timed out. */
export class VmServiceConnectError extends Error {
  override name = 'VmServiceConnectError';
  constructor(
    message: string,
    /** HTTP status when the server answered the upgrade with something other than 101. */
    readonly httpStatus: number | null = null,
  ) {
    super(message);
  }
}

export interface WebSocketTransportOptions {
  /** Gives up on the TCP connect + upgrade after this long. */
  handshakeTimeoutMs?: number;
  /** Largest frame accepted; CPU-sample responses of busy apps can be several MB. */
  maxPayloadBytes?: number;
}

/** Opens a WebSocket to a normalized `ws(s)://…/ws` URI and resolves once it is open. */
export function openWebSocketTransport(wsUri: string, opts: WebSocketTransportOptions = {}): Promise<VmTransport> {
  const handshakeTimeoutMs = opts.handshakeTimeoutMs ?? 5000;
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUri, {
      handshakeTimeout: handshakeTimeoutMs,
      maxPayload: opts.maxPayloadBytes ?? 64 * 1024 * 1024,
      perMessageDeflate: false,
    });
    let settled = false;
    const fail = (err: VmServiceConnectError): void => {
      if (settled) return;
      settled = true;
      socket.terminate();
      reject(err);
    };
    socket.once('unexpected-response', (_req, res) => {
      const status = res.statusCode ?? 0;
      res.resume();
      const hint =
        status === 403 || status === 404 || status === 401
          ? ' The auth token in the URI is probably wrong or stale: copy the URI the app printed most recently.'
          : '';
      fail(
        new VmServiceConnectError(`The VM service at ${wsUri} refused the connection (HTTP ${status}).${hint}`, status),
      );
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      const why =
        err.code === 'ECONNREFUSED'
          ? 'nothing is listening there. Is the app still running, and is the port right?'
          : err.message;
      fail(new VmServiceConnectError(`Cannot connect to the VM service at ${wsUri}: ${why}`));
    });
    socket.once('open', () => {
      if (settled) return;
      settled = true;
      socket.removeAllListeners('error');
      resolve(wrapSocket(socket));
    });
  });
}

function wrapSocket(socket: WebSocket): VmTransport {
  const messageListeners = new Set<(text: string) => void>();
  const closeListeners = new Set<(info: TransportCloseInfo) => void>();
  let binaryFramesIgnored = 0;
  let closed = false;
  const emitClose = (info: TransportCloseInfo): void => {
    if (closed) return;
    closed = true;
    for (const l of [...closeListeners]) l(info);
    closeListeners.clear();
    messageListeners.clear();
  };
  socket.on('message', (data, isBinary) => {
    if (isBinary) {
      binaryFramesIgnored++;
      return;
    }
    const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : data.toString('utf8');
    for (const l of [...messageListeners]) l(text);
  });
  socket.on('close', (code, reason) => emitClose({ code, reason: reason.toString('utf8') }));
  // After open, errors are followed by 'close'; report the error text as the reason.
  socket.on('error', (err) => emitClose({ code: 1006, reason: err.message }));
  return {
    send(text) {
      if (socket.readyState === WebSocket.OPEN) socket.send(text);
    },
    onMessage(listener) {
      messageListeners.add(listener);
      return { dispose: () => messageListeners.delete(listener) };
    },
    onClose(listener) {
      closeListeners.add(listener);
      return { dispose: () => closeListeners.delete(listener) };
    },
    close() {
      if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) socket.close(1000);
      // A peer that never answers the close handshake must not keep us open.
      setTimeout(() => socket.terminate(), 1000).unref();
      emitClose({ code: 1000, reason: 'closed by client' });
    },
    get binaryFramesIgnored() {
      return binaryFramesIgnored;
    },
  };
}
