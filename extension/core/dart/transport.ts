/**
 * Layer 1 of the VM-service client: a text transport behind three methods (`send`,
 * `onMessage`, `onClose`), so the JSON-RPC layer never touches sockets and can be driven
 * by anything that moves strings. The WebSocket implementation uses `ws`; it pings the peer so a
 * half-open link is noticed, and reads why an upgrade was refused (DDS names itself there).
 */
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { describeRefusal } from './refusal';

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
    /** The Dart Development Service URI the VM named when it refused us because DDS owns it. */
    readonly ddsUri: string | null = null,
  ) {
    super(message);
  }
}

/** WebSocket close code for "message too big" (RFC 6455), also used when our payload cap is passed. */
export const CLOSE_MESSAGE_TOO_BIG = 1009;

/**
 * Default cap on one answer. CPU-sample answers of busy apps are several MB; `getStack` lists
 * every pending message (~320 bytes each), so 128 MiB is a queue of ~400k messages.
 */
export const DEFAULT_MAX_PAYLOAD_BYTES = 128 * 1024 * 1024;

export interface WebSocketTransportOptions {
  /** Gives up on the TCP connect + upgrade after this long. */
  handshakeTimeoutMs?: number;
  /** Largest answer accepted (default `DEFAULT_MAX_PAYLOAD_BYTES`); a larger one closes with 1009. */
  maxPayloadBytes?: number;
  /**
   * Pings the peer this often and closes when the previous ping got no pong: a half-open link
   * or a stopped process (default 15 s; 0 turns it off).
   */
  keepaliveIntervalMs?: number;
}

/** Opens a WebSocket to a normalized `ws(s)://…/ws` URI and resolves once it is open. */
export function openWebSocketTransport(wsUri: string, opts: WebSocketTransportOptions = {}): Promise<VmTransport> {
  const handshakeTimeoutMs = opts.handshakeTimeoutMs ?? 5000;
  const maxPayloadBytes = opts.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUri, {
      handshakeTimeout: handshakeTimeoutMs,
      maxPayload: maxPayloadBytes,
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
      void readRefusalBody(res).then((body) => {
        const refusal = describeRefusal(wsUri, res.statusCode ?? 0, body);
        fail(new VmServiceConnectError(refusal.message, refusal.status, refusal.ddsUri));
      });
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
      resolve(wrapSocket(socket, maxPayloadBytes, opts.keepaliveIntervalMs ?? 15_000));
    });
  });
}

/** The first few KiB of a refused upgrade's body (the VM explains itself there), never more. */
function readRefusalBody(res: IncomingMessage, maxBytes = 4096, waitMs = 1000): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (): void => {
      clearTimeout(timer);
      res.removeAllListeners('data');
      res.resume(); // drain the rest without keeping it
      resolve(Buffer.concat(chunks).toString('utf8').slice(0, maxBytes));
    };
    const timer = setTimeout(done, waitMs);
    res.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= maxBytes) done();
    });
    res.once('end', done);
    res.once('error', done);
  });
}

/** `128 MiB`, `256 KiB`: the payload cap as people read it. */
function binarySize(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MiB` : `${Math.round(bytes / 1024)} KiB`;
}

/** ws reports a frame over `maxPayload` with these error codes (then closes with 1009). */
const payloadTooBigCodes = new Set(['WS_ERR_UNSUPPORTED_MESSAGE_LENGTH', 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH']);

function wrapSocket(socket: WebSocket, maxPayloadBytes: number, keepaliveIntervalMs: number): VmTransport {
  const messageListeners = new Set<(text: string) => void>();
  const closeListeners = new Set<(info: TransportCloseInfo) => void>();
  let binaryFramesIgnored = 0;
  let closed = false;
  let keepalive: NodeJS.Timeout | null = null;
  const emitClose = (info: TransportCloseInfo): void => {
    if (closed) return;
    closed = true;
    if (keepalive) clearInterval(keepalive);
    for (const l of [...closeListeners]) l(info);
    closeListeners.clear();
    messageListeners.clear();
  };
  if (keepaliveIntervalMs > 0) {
    let awaitingPong = false;
    socket.on('pong', () => (awaitingPong = false));
    keepalive = setInterval(() => {
      // ping() throws unless OPEN; a closing socket reports its close on its own.
      if (socket.readyState !== WebSocket.OPEN) return;
      if (awaitingPong) {
        socket.terminate();
        emitClose({
          code: 1006,
          reason: `the VM service stopped answering WebSocket pings (none within ${keepaliveIntervalMs} ms); the connection looks half-open`,
        });
        return;
      }
      awaitingPong = true;
      socket.ping();
    }, keepaliveIntervalMs);
    keepalive.unref();
  }
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
  socket.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== undefined && payloadTooBigCodes.has(err.code)) {
      emitClose({
        code: CLOSE_MESSAGE_TOO_BIG,
        reason: `an answer from the VM service was larger than the ${binarySize(maxPayloadBytes)} limit`,
      });
      return;
    }
    emitClose({ code: 1006, reason: err.message });
  });
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
