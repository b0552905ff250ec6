/**
 * `connectDartVm`: the one entry point the CLI and the VS Code extension use. It normalizes
 * the URI, opens the socket, starts a `DartVmSource` feeding the model, and hands back a
 * handle with a status, change/disconnect events, `reconnect()` and `dispose()`. One scope
 * per connection: a disconnect tears down the source and closes the model session, and a
 * reconnect builds a fresh one under a new session id. An attempt that fails is never
 * registered, so it cannot report a disconnect of its own.
 */
import { VmConnection } from './connection';
import { DartVmSource, type DartSourceStats, type ModelSink } from './dart-source';
import { openVmTransport } from './open-vm-transport';
import { CLOSE_MESSAGE_TOO_BIG, type Disposable, type WebSocketTransportOptions } from './transport';
import { normalizeVmServiceUri } from './uri';
import { VmService } from './vm-service';

export type DartVmStatus = 'connecting' | 'connected' | 'disconnected' | 'disposed';

export interface ConnectDartVmOptions {
  /** Any accepted form: http(s)://host:port/TOKEN=/ or ws(s)://host:port/TOKEN=/ws. */
  uri: string;
  model: ModelSink;
  /** Label for the model session; defaults to the VM's name and the URI's host:port. */
  label?: string;
  baseIntervalMs?: number;
  maxIntervalMs?: number;
  /** Timeout of VM-wide calls (default 10 s); 3 timeouts in a row mean the VM is gone. */
  requestTimeoutMs?: number;
  /** Timeout of the calls one isolate answers itself (default 3 s); see `VmServiceOptions`. */
  isolateRequestTimeoutMs?: number;
  handshakeTimeoutMs?: number;
  /** WebSocket keepalive ping interval (default 15 s; 0 turns it off). */
  keepaliveIntervalMs?: number;
  /** Largest answer accepted (default 128 MiB). */
  maxPayloadBytes?: number;
  log?: (message: string) => void;
}

/** A live attachment to one Dart VM. */
export interface DartVmHandle {
  /** The WebSocket URI attached to (the DDS one when the VM sent us there). */
  readonly wsUri: string;
  readonly status: DartVmStatus;
  /** Model session id of the current connection (changes on reconnect). */
  readonly sessionId: string;
  /** Why the last disconnect happened, when status is 'disconnected'. */
  readonly lastDisconnectReason: string | null;
  stats(): DartSourceStats & { malformedMessages: number; unknownMessages: number };
  onDidChangeStatus(listener: (status: DartVmStatus) => void): Disposable;
  /** Fires when the VM goes away (not on `dispose`). */
  onDidDisconnect(listener: (reason: string) => void): Disposable;
  /** Connects again after a disconnect (new model session). Rejects with a clear error if it cannot. */
  reconnect(): Promise<void>;
  /**
   * Stops polling, closes the socket and the model session. Its running isolates are marked
   * exited, unless `isolatesRunOn`: a detach from a VM that keeps running (`isoscope connect`),
   * where they stay running with `exitedAtMs` null ("still running when the run ended").
   */
  dispose(opts?: { isolatesRunOn?: boolean }): Promise<void>;
}

/** One successful attach: its source and (replaceable, see `recover`) connection. */
interface Attached {
  source: DartVmSource;
  connection: VmConnection;
  sessionId: string;
  /** Reconnects done after an answer over the payload cap. */
  recoveries: number;
  ended: boolean;
}

/** Reconnects allowed per attach after an answer over the payload cap, so a loop cannot form. */
const maxRecoveries = 3;

let sessionCounter = 0;

/** Attaches to a Dart VM service and feeds `model`. Rejects with a clear error when it cannot connect. */
export async function connectDartVm(opts: ConnectDartVmOptions): Promise<DartVmHandle> {
  let wsUri = normalizeVmServiceUri(opts.uri);
  const log = opts.log ?? (() => undefined);
  const statusListeners = new Set<(s: DartVmStatus) => void>();
  const disconnectListeners = new Set<(reason: string) => void>();
  let status: DartVmStatus = 'connecting';
  let current: Attached | null = null;
  let last: Attached | null = null;
  let lastReason: string | null = null;
  const transportOptions: WebSocketTransportOptions = {
    ...(opts.handshakeTimeoutMs !== undefined ? { handshakeTimeoutMs: opts.handshakeTimeoutMs } : {}),
    ...(opts.keepaliveIntervalMs !== undefined ? { keepaliveIntervalMs: opts.keepaliveIntervalMs } : {}),
    ...(opts.maxPayloadBytes !== undefined ? { maxPayloadBytes: opts.maxPayloadBytes } : {}),
  };
  const newService = (connection: VmConnection): VmService =>
    new VmService(connection, {
      ...(opts.isolateRequestTimeoutMs !== undefined ? { isolateRequestTimeoutMs: opts.isolateRequestTimeoutMs } : {}),
    });
  const newConnection = async (): Promise<VmConnection> => {
    const opened = await openVmTransport(wsUri, transportOptions, log);
    wsUri = opened.wsUri;
    return new VmConnection(opened.transport, {
      ...(opts.requestTimeoutMs !== undefined ? { requestTimeoutMs: opts.requestTimeoutMs } : {}),
    });
  };

  const setStatus = (s: DartVmStatus): void => {
    if (status === s) return;
    status = s;
    for (const l of [...statusListeners]) l(s);
  };

  const isCurrent = (a: Attached): boolean => current === a && status !== 'disposed' && !a.ended;

  const gone = (a: Attached, reason: string): void => {
    if (!isCurrent(a)) return;
    a.ended = true;
    lastReason = reason;
    log(`VM service disconnected: ${reason}`);
    void a.source.stop();
    setStatus('disconnected');
    for (const l of [...disconnectListeners]) l(reason);
  };

  /** An answer was over the payload cap: same VM, same session, a new socket (see DartVmSource.resume). */
  const recover = async (a: Attached, reason: string): Promise<void> => {
    a.recoveries++;
    log(`${reason}; reconnecting to ${wsUri} in the same session`);
    try {
      const connection = await newConnection();
      if (!isCurrent(a)) {
        connection.close();
        return;
      }
      a.connection = connection;
      watch(a);
      await a.source.resume(newService(connection));
    } catch (err) {
      gone(a, `${reason}, and reconnecting failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  const watch = (a: Attached): void => {
    const connection = a.connection;
    connection.onClose((info) => {
      if (a.connection !== connection) return;
      const reason = info.reason || `socket closed (code ${info.code})`;
      if (info.code === CLOSE_MESSAGE_TOO_BIG && a.recoveries < maxRecoveries) void recover(a, reason);
      else gone(a, reason);
    });
  };

  const attach = async (): Promise<void> => {
    setStatus('connecting');
    const connection = await newConnection();
    const sessionId = `dart-${process.pid}-${++sessionCounter}`;
    const source = new DartVmSource({
      service: newService(connection),
      model: opts.model,
      sessionId,
      label: opts.label ?? `Dart VM ${new URL(wsUri).host}`,
      ...(opts.baseIntervalMs !== undefined ? { baseIntervalMs: opts.baseIntervalMs } : {}),
      ...(opts.maxIntervalMs !== undefined ? { maxIntervalMs: opts.maxIntervalMs } : {}),
      log,
    });
    try {
      await source.start();
    } catch (err) {
      connection.close();
      await source.stop();
      throw err;
    }
    // Registered only now: a failed attempt must not report a disconnect or replace the session.
    const attached: Attached = { source, connection, sessionId, recoveries: 0, ended: false };
    current = attached;
    last = attached;
    watch(attached);
    setStatus('connected');
    // The socket may have closed while start() finished; its close event came before `watch`.
    if (connection.isClosed) gone(attached, 'the VM service closed the connection while attaching');
  };

  await attach().catch((err: unknown) => {
    setStatus('disconnected');
    throw err;
  });

  return {
    get wsUri() {
      return wsUri;
    },
    get status() {
      return status;
    },
    get sessionId() {
      return current?.sessionId ?? '';
    },
    get lastDisconnectReason() {
      return lastReason;
    },
    stats() {
      // After dispose the last connection's counters stay readable.
      const { source, connection } = last!;
      return {
        ...source.stats,
        malformedMessages: connection.stats.malformedMessages,
        unknownMessages: connection.stats.unknownMessages,
      };
    },
    onDidChangeStatus(listener) {
      statusListeners.add(listener);
      return { dispose: () => statusListeners.delete(listener) };
    },
    onDidDisconnect(listener) {
      disconnectListeners.add(listener);
      return { dispose: () => disconnectListeners.delete(listener) };
    },
    async reconnect() {
      if (status === 'disposed') throw new Error('This Dart VM connection was disposed; connect again.');
      if (status === 'connected' || status === 'connecting') return;
      try {
        await attach();
      } catch (err) {
        setStatus('disconnected');
        throw err;
      }
    },
    async dispose(opts = {}) {
      if (status === 'disposed') return;
      setStatus('disposed');
      const c = current;
      current = null;
      if (c) {
        // Close first: pending calls fail at once, so the poll in flight ends now instead of
        // after the request timeout; stop() then closes the session with what was gathered.
        c.connection.close();
        await c.source.stop(Date.now(), opts);
      }
      statusListeners.clear();
      disconnectListeners.clear();
    },
  };
}
