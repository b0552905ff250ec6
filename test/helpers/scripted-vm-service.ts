/**
 * A scripted Dart VM-service peer for tests: a real `ws` server on 127.0.0.1:0 that accepts
 * WebSocket upgrades only on `/TOKEN=/ws`, answers JSON-RPC requests from the spec-derived and
 * recorded fixtures, and can push stream events, raw text (malformed JSON) or drop the socket.
 * It is NOT a Dart VM: there is no Dart SDK on these machines. Tests that use it say so.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';

const fixtureDir = join(__dirname, '..', 'fixtures', 'dart-vm-service');

/** Reads a fixture under test/fixtures/dart-vm-service (e.g. `spec/getVM.json`). */
export function loadVmFixture<T = unknown>(relPath: string): T {
  return JSON.parse(readFileSync(join(fixtureDir, relPath), 'utf8')) as T;
}

type Json = Record<string, unknown>;
/** What a handler answers: a result, a JSON-RPC error, no reply at all, or a dropped socket. */
export type ScriptedReply = { result: unknown } | { error: Json } | { noReply: true } | { closeSocket: true };
export type ScriptedHandler = (params: Json, peer: ScriptedVmService) => ScriptedReply | Promise<ScriptedReply>;

interface IsolateEntry {
  ref: Json;
}

/** Handle on a running scripted peer. */
export class ScriptedVmService {
  /** Every request received, in order (method, params, and `performance.now()` on arrival). */
  readonly requests: { method: string; params: Json; atMs: number }[] = [];
  /** Upgrade attempts refused because the path (token) was wrong. */
  refusedUpgrades = 0;
  readonly isolates = new Map<string, IsolateEntry>();
  private readonly handlers = new Map<string, ScriptedHandler>();
  private readonly sockets = new Set<WebSocket>();
  /** Timeline clock (µs); each getVMTimelineMicros call advances it by `clockStepMicros`. */
  clockMicros: number;
  clockStepMicros = 20_000_000;
  /** Recorded CpuSamples served per isolate id; isolates not listed get an empty window. */
  readonly cpuSamplesByIsolate = new Map<string, Json>();
  /** While true, requests are recorded but never answered (a frozen VM on an open socket). */
  frozen = false;

  constructor(
    private readonly server: Server,
    private readonly wss: WebSocketServer,
    readonly port: number,
    readonly token: string,
  ) {
    this.clockMicros = loadVmFixture<{ timestamp: number }>('spec/getVMTimelineMicros.json').timestamp;
    const vm = loadVmFixture<{ isolates: Json[] }>('spec/getVM.json');
    for (const ref of vm.isolates) this.isolates.set(ref.id as string, { ref });
    this.installDefaults();
  }

  get httpUri(): string {
    return `http://127.0.0.1:${this.port}/${this.token}/`;
  }

  get wsUri(): string {
    return `ws://127.0.0.1:${this.port}/${this.token}/ws`;
  }

  get connectionCount(): number {
    return this.sockets.size;
  }

  /** Replaces the handler of one method. */
  on(method: string, handler: ScriptedHandler): void {
    this.handlers.set(method, handler);
  }

  /** Count of requests for `method` (optionally for one isolate). */
  count(method: string, isolateId?: string): number {
    return this.requests.filter((r) => r.method === method && (!isolateId || r.params.isolateId === isolateId)).length;
  }

  /** Adds an isolate to getVM's list; with `announce`, also pushes IsolateStart. */
  addIsolate(id: string, name: string, opts: { announce?: boolean; groupId?: string } = {}): void {
    const number = id.split('/')[1] ?? id;
    const ref = {
      type: '@Isolate',
      id,
      number,
      name,
      isSystemIsolate: false,
      isolateGroupId: opts.groupId ?? 'isolateGroups/2001',
    };
    this.isolates.set(id, { ref });
    if (opts.announce)
      this.pushEvent('Isolate', { type: 'Event', kind: 'IsolateStart', timestamp: Date.now(), isolate: ref });
  }

  /** Removes an isolate (its RPCs then answer a Sentinel); with `announce`, pushes IsolateExit. */
  removeIsolate(id: string, opts: { announce?: boolean } = {}): void {
    const entry = this.isolates.get(id);
    this.isolates.delete(id);
    if (entry && opts.announce) {
      this.pushEvent('Isolate', { type: 'Event', kind: 'IsolateExit', timestamp: Date.now(), isolate: entry.ref });
    }
  }

  /** Pushes a `streamNotify` event to every connected client. */
  pushEvent(streamId: string, event: Json): void {
    this.sendRaw(JSON.stringify({ jsonrpc: '2.0', method: 'streamNotify', params: { streamId, event } }));
  }

  /** Sends text as-is (malformed JSON, unknown messages) to every connected client. */
  sendRaw(text: string): void {
    for (const s of this.sockets) s.send(text);
  }

  /** Stops answering anything (the socket stays open), as a frozen VM or a half-open link does. */
  freeze(): void {
    this.frozen = true;
  }

  /** Drops every client connection abruptly, as a VM that exits does. */
  dropConnections(): void {
    for (const s of this.sockets) s.terminate();
    this.sockets.clear();
  }

  /** Stops the server (and drops clients). */
  async close(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** @internal */
  attach(socket: WebSocket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('message', (data) => void this.handle(socket, data.toString()));
  }

  private async handle(socket: WebSocket, text: string): Promise<void> {
    let msg: Json;
    try {
      msg = JSON.parse(text) as Json;
    } catch {
      socket.send(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } }));
      return;
    }
    const method = String(msg.method);
    const params = (msg.params ?? {}) as Json;
    this.requests.push({ method, params, atMs: performance.now() });
    if (this.frozen) return;
    const handler = this.handlers.get(method);
    const reply: ScriptedReply = handler
      ? await handler(params, this)
      : { error: { code: -32601, message: 'Method not found', data: { details: `Unknown method "${method}"` } } };
    if ('noReply' in reply || this.frozen) return;
    if ('closeSocket' in reply) {
      socket.terminate();
      return;
    }
    socket.send(JSON.stringify({ jsonrpc: '2.0', id: msg.id, ...reply }));
  }

  /** An isolate RPC answers a Sentinel once the isolate is gone (service.md, 3.30+). */
  private forIsolate(params: Json, answer: (id: string) => unknown): ScriptedReply {
    const id = String(params.isolateId);
    if (!this.isolates.has(id)) return { result: loadVmFixture('spec/sentinel-collected.json') };
    return { result: answer(id) };
  }

  private installDefaults(): void {
    this.on('getVersion', () => ({ result: loadVmFixture('spec/getVersion.json') }));
    this.on('getVM', () => ({
      result: { ...loadVmFixture<Json>('spec/getVM.json'), isolates: [...this.isolates.values()].map((e) => e.ref) },
    }));
    this.on('getIsolate', (p) =>
      this.forIsolate(p, (id) => ({
        ...loadVmFixture<Json>('spec/getIsolate.json'),
        ...this.isolates.get(id)!.ref,
        type: 'Isolate',
      })),
    );
    this.on('getIsolateGroup', () => ({
      result: {
        ...loadVmFixture<Json>('spec/getIsolateGroup.json'),
        isolates: [...this.isolates.values()].map((e) => e.ref),
      },
    }));
    this.on('getMemoryUsage', (p) => this.forIsolate(p, () => loadVmFixture('spec/getMemoryUsage.json')));
    this.on('getIsolateGroupMemoryUsage', () => ({ result: loadVmFixture('spec/getIsolateGroupMemoryUsage.json') }));
    this.on('getStack', (p) => this.forIsolate(p, () => loadVmFixture('spec/getStack.json')));
    this.on('getPorts', (p) => this.forIsolate(p, () => loadVmFixture('spec/getPorts.json')));
    this.on('streamListen', () => ({ result: loadVmFixture('spec/success.json') }));
    this.on('streamCancel', () => ({ result: loadVmFixture('spec/success.json') }));
    this.on('getVMTimelineMicros', () => {
      const timestamp = this.clockMicros;
      this.clockMicros += this.clockStepMicros;
      return { result: { type: 'Timestamp', timestamp } };
    });
    this.on('getCpuSamples', (p) =>
      this.forIsolate(p, (id) => {
        const origin = Number(p.timeOriginMicros);
        const end = origin + Number(p.timeExtentMicros);
        const recorded = this.cpuSamplesByIsolate.get(id) as { samples: { timestamp: number }[] } | undefined;
        // The VM returns the samples of this isolate inside [origin, origin + extent].
        const samples = (recorded?.samples ?? []).filter((s) => s.timestamp >= origin && s.timestamp <= end);
        return {
          ...(recorded ?? { type: 'CpuSamples', samplePeriod: 1000, maxStackDepth: 128, pid: 4242, functions: [] }),
          sampleCount: samples.length,
          timeOriginMicros: origin,
          timeExtentMicros: Number(p.timeExtentMicros),
          samples,
        };
      }),
    );
  }
}

/** Options of the scripted peer. */
export interface ScriptedVmServiceOptions {
  token?: string;
  /** False: never answer WebSocket pings (a half-open link or a stopped process). Default true. */
  autoPong?: boolean;
  /**
   * Refuse every upgrade with 403 and this body, as the VM does once DDS has taken control
   * ("… a Dart Development Service (DDS) instance has taken control and can be found at …").
   */
  refuseAllWithBody?: string;
}

/** Starts a scripted peer on 127.0.0.1:0 with auth token `token`. */
export async function startScriptedVmService(opts: ScriptedVmServiceOptions = {}): Promise<ScriptedVmService> {
  const token = opts.token ?? 'Zm9vYmFyMTI=';
  const server = createServer((_req, res) => {
    res.writeHead(404).end();
  });
  const wss = new WebSocketServer({ noServer: true, autoPong: opts.autoPong ?? true });
  let peer: ScriptedVmService | null = null;
  server.on('upgrade', (req, socket, head) => {
    if (opts.refuseAllWithBody !== undefined || req.url !== `/${token}/ws`) {
      // What the VM does for a wrong auth code: refuse the upgrade with 403.
      if (peer) peer.refusedUpgrades++;
      const body = opts.refuseAllWithBody ?? '';
      socket.end(
        `HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
          `Connection: close\r\n\r\n${body}`,
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => peer?.attach(ws));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  peer = new ScriptedVmService(server, wss, port, token);
  return peer;
}
