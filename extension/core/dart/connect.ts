/**
 * `connectDartVm`: the one entry point the CLI and the VS Code extension use. It normalizes
 * the URI, opens the socket, starts a `DartVmSource` feeding the model, and hands back a
 * handle with a status, change/disconnect events, `reconnect()` and `dispose()`. One scope
 * per connection: a disconnect tears down the source and closes the model session, and a
 * reconnect builds a fresh one under a new session id.
 */
import { VmConnection } from './connection';
import { DartVmSource, type DartSourceStats, type ModelSink } from './dart-source';
import { openWebSocketTransport, type Disposable } from './transport';
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
  requestTimeoutMs?: number;
  handshakeTimeoutMs?: number;
  log?: (message: string) => void;
}

/** A live attachment to one Dart VM. */
export interface DartVmHandle {
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
  /** Stops polling, closes the socket and the model session. */
  dispose(): Promise<void>;
}

let sessionCounter = 0;

/** Attaches to a Dart VM service and feeds `model`. Rejects with a clear error when it cannot connect. */
export async function connectDartVm(opts: ConnectDartVmOptions): Promise<DartVmHandle> {
  const wsUri = normalizeVmServiceUri(opts.uri);
  const log = opts.log ?? (() => undefined);
  const statusListeners = new Set<(s: DartVmStatus) => void>();
  const disconnectListeners = new Set<(reason: string) => void>();
  let status: DartVmStatus = 'connecting';
  let current: { source: DartVmSource; connection: VmConnection; sessionId: string } | null = null;
  let last: { source: DartVmSource; connection: VmConnection } | null = null;
  let lastReason: string | null = null;

  const setStatus = (s: DartVmStatus): void => {
    if (status === s) return;
    status = s;
    for (const l of [...statusListeners]) l(s);
  };

  const attach = async (): Promise<void> => {
    setStatus('connecting');
    const transport = await openWebSocketTransport(wsUri, {
      ...(opts.handshakeTimeoutMs !== undefined ? { handshakeTimeoutMs: opts.handshakeTimeoutMs } : {}),
    });
    const connection = new VmConnection(transport, {
      ...(opts.requestTimeoutMs !== undefined ? { requestTimeoutMs: opts.requestTimeoutMs } : {}),
    });
    const service = new VmService(connection);
    const host = new URL(wsUri).host;
    const sessionId = `dart-${process.pid}-${++sessionCounter}`;
    const source = new DartVmSource({
      service,
      model: opts.model,
      sessionId,
      label: opts.label ?? `Dart VM ${host}`,
      ...(opts.baseIntervalMs !== undefined ? { baseIntervalMs: opts.baseIntervalMs } : {}),
      ...(opts.maxIntervalMs !== undefined ? { maxIntervalMs: opts.maxIntervalMs } : {}),
      log,
    });
    const attached = { source, connection, sessionId };
    current = attached;
    last = attached;
    connection.onClose((info) => {
      if (current !== attached || status === 'disposed') return;
      lastReason = info.reason || `socket closed (code ${info.code})`;
      log(`VM service disconnected: ${lastReason}`);
      void source.stop();
      setStatus('disconnected');
      for (const l of [...disconnectListeners]) l(lastReason);
    });
    try {
      await source.start();
    } catch (err) {
      connection.close();
      await source.stop();
      throw err;
    }
    if (!connection.isClosed) setStatus('connected');
  };

  await attach().catch((err: unknown) => {
    setStatus('disconnected');
    throw err;
  });

  return {
    wsUri,
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
    async dispose() {
      if (status === 'disposed') return;
      setStatus('disposed');
      const c = current;
      current = null;
      if (c) {
        await c.source.stop();
        c.connection.close();
      }
      statusListeners.clear();
      disconnectListeners.clear();
    },
  };
}
