/**
 * Layer 2 of the VM-service client: JSON-RPC 2.0 over a `VmTransport`. Owns request ids, the
 * pending map and per-call timeouts, turns error responses into `ProtocolError`s that name the
 * method, and routes `streamNotify` events to listeners. Garbage from the peer (bad JSON,
 * messages that are neither responses nor events) is counted, never thrown.
 */
import type { Disposable, TransportCloseInfo, VmTransport } from './transport';

/** An error response from the VM service; `code` is the JSON-RPC / VM-service code (100–114…). */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
  constructor(
    readonly method: string,
    readonly code: number,
    readonly detail: string,
    readonly data: unknown = undefined,
  ) {
    super(`${method} failed: ${detail} (code ${code})`);
  }
}

/** A call that got no answer in time; the method name says which. */
export class RpcTimeoutError extends Error {
  override name = 'RpcTimeoutError';
  constructor(
    readonly method: string,
    readonly timeoutMs: number,
  ) {
    super(`${method} got no answer from the VM service within ${timeoutMs} ms`);
  }
}

/** The connection closed while the call was pending, or before it was made. */
export class ConnectionClosedError extends Error {
  override name = 'ConnectionClosedError';
  constructor(
    readonly method: string,
    readonly reason: string,
    /** WebSocket close code (1009: an answer was larger than the payload cap). */
    readonly closeCode: number | null = null,
  ) {
    super(`${method} could not complete: the VM service connection closed (${reason})`);
  }
}

/** Well-known VM-service error codes used by Isoscope (see service.md "RPC error"). */
export const RpcErrorCode = {
  methodNotFound: -32601,
  featureDisabled: 100,
  streamAlreadySubscribed: 103,
  isolateMustBeRunnable: 105,
} as const;

/** Counters for what the peer sent that we could not use. */
export interface ConnectionStats {
  malformedMessages: number;
  unknownMessages: number;
  lateResponses: number;
  binaryFramesIgnored: number;
  requestTimeouts: number;
}

interface Pending {
  method: string;
  resolve(value: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export interface ConnectionOptions {
  /** Per-call timeout; a VM busy in a long GC can be slow, but never minutes. */
  requestTimeoutMs?: number;
  /** Upper bound on concurrent requests, so a slow VM cannot make us queue without limit. */
  maxPendingRequests?: number;
  /**
   * Closes the connection after this many timeouts in a row with no answer of any kind in
   * between: the VM is frozen or the link is half-open (default 3; 0 never gives up).
   */
  maxTimeoutsInARow?: number;
}

/** Per-call options. */
export interface CallOptions {
  /** Overrides the connection's request timeout for this call. */
  timeoutMs?: number;
}

/** JSON-RPC request/response matching and event routing over one transport. */
export class VmConnection {
  private nextId = 1;
  private readonly pending = new Map<string, Pending>();
  private readonly eventListeners = new Set<(streamId: string, event: Record<string, unknown>) => void>();
  private readonly closeListeners = new Set<(info: TransportCloseInfo) => void>();
  private readonly subscriptions: Disposable[] = [];
  private closedReason: string | null = null;
  private closedCode: number | null = null;
  /** Why we closed the connection ourselves, reported instead of the transport's "closed by client". */
  private localCloseReason: string | null = null;
  private readonly requestTimeoutMs: number;
  private readonly maxPending: number;
  private readonly maxTimeoutsInARow: number;
  private timeoutsInARow = 0;
  readonly stats: ConnectionStats = {
    malformedMessages: 0,
    unknownMessages: 0,
    lateResponses: 0,
    binaryFramesIgnored: 0,
    requestTimeouts: 0,
  };

  constructor(
    private readonly transport: VmTransport,
    opts: ConnectionOptions = {},
  ) {
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 10_000;
    this.maxPending = opts.maxPendingRequests ?? 256;
    this.maxTimeoutsInARow = opts.maxTimeoutsInARow ?? 3;
    this.subscriptions.push(transport.onMessage((text) => this.handleMessage(text)));
    this.subscriptions.push(transport.onClose((info) => this.handleClose(info)));
  }

  /** True once the transport closed; every later call fails with `ConnectionClosedError`. */
  get isClosed(): boolean {
    return this.closedReason !== null;
  }

  /** Sends `method` with named params and resolves with `result` (which may be a Sentinel). */
  call<T>(method: string, params: Record<string, unknown> = {}, opts: CallOptions = {}): Promise<T> {
    if (this.closedReason !== null) {
      return Promise.reject(new ConnectionClosedError(method, this.closedReason, this.closedCode));
    }
    if (this.pending.size >= this.maxPending) {
      return Promise.reject(new ProtocolError(method, -32000, `too many requests in flight (${this.maxPending})`));
    }
    const id = String(this.nextId++);
    const timeoutMs = opts.timeoutMs ?? this.requestTimeoutMs;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new RpcTimeoutError(method, timeoutMs));
        this.noteTimeout(method, timeoutMs);
      }, timeoutMs);
      this.pending.set(id, { method, resolve: resolve as (v: unknown) => void, reject, timer });
      this.transport.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }

  /** Listens to `streamNotify` events of every stream the client subscribed to. */
  onEvent(listener: (streamId: string, event: Record<string, unknown>) => void): Disposable {
    this.eventListeners.add(listener);
    return { dispose: () => this.eventListeners.delete(listener) };
  }

  /** Fires once when the transport closes (peer went away, or `close()`). */
  onClose(listener: (info: TransportCloseInfo) => void): Disposable {
    this.closeListeners.add(listener);
    return { dispose: () => this.closeListeners.delete(listener) };
  }

  /**
   * Closes the transport and fails every pending call at once. `reason` (when we close because
   * something went wrong) is what close listeners and pending calls are told.
   */
  close(reason?: string): void {
    if (this.closedReason !== null) return;
    if (reason !== undefined) this.localCloseReason = reason;
    this.transport.close();
  }

  /** Counts a timeout; enough of them in a row with no answer in between means the VM is gone. */
  private noteTimeout(method: string, timeoutMs: number): void {
    this.stats.requestTimeouts++;
    this.timeoutsInARow++;
    if (this.maxTimeoutsInARow > 0 && this.timeoutsInARow >= this.maxTimeoutsInARow) {
      this.close(
        `the VM service stopped answering: ${this.timeoutsInARow} requests in a row got no answer ` +
          `(the last, ${method}, within ${timeoutMs} ms). The app may be frozen or the connection half-open`,
      );
    }
  }

  private handleMessage(text: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      // A peer that sends garbage is counted and ignored; the pending call times out on its own.
      this.stats.malformedMessages++;
      return;
    }
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
      this.stats.malformedMessages++;
      return;
    }
    const m = msg as Record<string, unknown>;
    if ('id' in m && m.id !== null && m.id !== undefined && !('method' in m)) {
      this.handleResponse(String(m.id), m);
      return;
    }
    if (m.method === 'streamNotify' && typeof m.params === 'object' && m.params !== null) {
      const params = m.params as Record<string, unknown>;
      if (typeof params.streamId === 'string' && typeof params.event === 'object' && params.event !== null) {
        for (const l of [...this.eventListeners]) l(params.streamId, params.event as Record<string, unknown>);
        return;
      }
    }
    // Service-to-client requests (registered services) and anything else we do not serve.
    this.stats.unknownMessages++;
  }

  private handleResponse(id: string, m: Record<string, unknown>): void {
    // Any answer, even a late one, shows the VM is alive.
    this.timeoutsInARow = 0;
    const p = this.pending.get(id);
    if (!p) {
      this.stats.lateResponses++;
      return;
    }
    this.pending.delete(id);
    clearTimeout(p.timer);
    if (typeof m.error === 'object' && m.error !== null) {
      const e = m.error as Record<string, unknown>;
      const data = e.data as Record<string, unknown> | undefined;
      const details = typeof data?.details === 'string' ? `: ${data.details}` : '';
      const code = typeof e.code === 'number' ? e.code : -32603;
      p.reject(new ProtocolError(p.method, code, `${String(e.message ?? 'error')}${details}`, e.data));
    } else if ('result' in m) {
      p.resolve(m.result);
    } else {
      this.stats.malformedMessages++;
      p.reject(new ProtocolError(p.method, -32603, 'response has neither result nor error'));
    }
  }

  private handleClose(transportInfo: TransportCloseInfo): void {
    if (this.closedReason !== null) return;
    const info =
      this.localCloseReason !== null ? { code: transportInfo.code, reason: this.localCloseReason } : transportInfo;
    this.closedReason = info.reason || `code ${info.code}`;
    this.closedCode = info.code;
    this.stats.binaryFramesIgnored = this.transport.binaryFramesIgnored;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(new ConnectionClosedError(p.method, this.closedReason, info.code));
    }
    for (const s of this.subscriptions) s.dispose();
    for (const l of [...this.closeListeners]) l(info);
    this.closeListeners.clear();
    this.eventListeners.clear();
  }
}
