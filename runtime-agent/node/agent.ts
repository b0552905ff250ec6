/**
 * Isoscope's Node runtime agent (dist/agent.cjs), loaded with `--require` (directly or through
 * NODE_OPTIONS) into an unmodified app, CJS or ESM, and re-added by the agent itself to every
 * worker the app starts. Per thread it installs the messaging hooks, samples the isolate, and
 * ships records to the exporter worker, which talks to the collector. It writes nothing to
 * stdout/stderr unless ISOSCOPE_DEBUG=1 and never throws into the app.
 */
import { basename, join } from 'node:path';
import {
  AGENT_PROTOCOL_VERSION,
  type AgentCapability,
  type HelloFrame,
  type IsolateSampleRecord,
} from '../../protocol/agent-frames';
import { installBroadcastHooks } from './broadcast-hooks';
import { CallSiteTable, setAgentFile } from './call-sites';
import { ChannelRegistry } from './channel-registry';
import { epochMs } from './clock';
import { configFromEnv, type AgentConfig } from './config';
import { debugLog, setDebug } from './debug-log';
import { EXPORTER_MARKER } from './exporter-messages';
import { startExporter, type ExporterHandle } from './exporter-link';
import { installMessageHooks } from './message-hooks';
import { captureRawApis, rawPost } from './raw-apis';
import { clip, RecordSink } from './record-sink';
import { Sampler } from './sampler';
import { SharedTable } from './shared-table';
import { AGENT_DATA_KEY, isolateIdOf, LOADED_KEY, type SharedAgentData, type ThreadContext } from './thread-context';
import { findPorts, restoreWorkerEnv, workerName } from './worker-options';
import { installWorkerPatch, receiveHandoff } from './worker-patch';
import { workerThreadsModule as wt } from './worker-threads-module';

/** Agent version announced in `hello`. */
export const AGENT_VERSION = '0.1.0';

/** Node's short-flag clusters and long flags that run code given on the command line (`-e`, `-pe`, `--print=…`). */
const EVAL_FLAG = /^(?:-[a-zA-Z]*[ep][a-zA-Z]*|--eval(?:=.*)?|--print(?:=.*)?)$/s;

/**
 * The main isolate's debug name: the script's file name, `[eval]` for `node -e`/`-p` and
 * `[stdin]` for a script piped in (Node's own names for those), else the process title.
 */
function mainName(): string {
  const script = process.argv[1];
  if (script === '-') return '[stdin]';
  if (script) return basename(script);
  if (process.execArgv.some((a) => EVAL_FLAG.test(a))) return '[eval]';
  // No script and no eval: a script on stdin or a REPL. Reading process.stdin to tell them apart
  // would open it for the app, so the title stands in.
  return basename(process.title) || 'main';
}

function helloFrame(config: AgentConfig, capabilities: AgentCapability[], startedAtMs: number): HelloFrame {
  return {
    type: 'hello',
    protocol: AGENT_PROTOCOL_VERSION,
    runtime: 'node',
    pid: process.pid,
    agentVersion: AGENT_VERSION,
    runtimeVersion: process.version,
    capabilities,
    startedAtMs,
    notableMessageBytes: config.notableBytes,
    cwd: clip(process.cwd()),
    argv: process.argv.slice(0, 256).map(clip),
  };
}

/** Bytes of the SharedArrayBuffers in `value` (the agent's shared buffers: an object of them, nested once). */
function sharedBufferBytes(value: unknown, depth = 0): number {
  if (value instanceof SharedArrayBuffer) return value.byteLength;
  if (value === null || typeof value !== 'object' || depth > 1) return 0;
  let bytes = 0;
  for (const v of Object.values(value)) bytes += sharedBufferBytes(v, depth + 1);
  return bytes;
}

/**
 * A sampler whose `arrayBuffersBytes` leaves out the agent's own shared buffers. V8 counts a
 * SharedArrayBuffer in the `arrayBuffers` of the thread that allocated it (the main thread, ~51 MB
 * of channel tables and rings, most of it never touched), so the isolate's figure stays the app's.
 */
class AppMemorySampler extends Sampler {
  constructor(
    ctx: ThreadContext,
    private readonly agentBytes: number,
  ) {
    super(ctx);
  }

  override sample(): IsolateSampleRecord {
    const s = super.sample();
    const appBytes = s.arrayBuffersBytes - this.agentBytes;
    s.arrayBuffersBytes = appBytes > 0 ? appBytes : 0;
    return s;
  }
}

function start(): void {
  // First, whichever copy loads: a worker whose custom env carried the preload gets the app's env back.
  if (!wt.isMainThread) restoreWorkerEnv(process.env);
  // Loaded twice (two copies, e.g. one in NODE_OPTIONS and another with --require): the first
  // copy wins. The mark is environment data, which the app cannot list (a global would show in
  // `Object.getOwnPropertySymbols(globalThis)`); workers inherit a copy of it, hence the thread id.
  if (wt.getEnvironmentData(LOADED_KEY) === wt.threadId) return;
  wt.setEnvironmentData(LOADED_KEY, wt.threadId);
  const data = wt.workerData as Record<string, unknown> | null | undefined;
  if (!wt.isMainThread && data !== null && typeof data === 'object' && data[EXPORTER_MARKER] === true) return;

  let shared: SharedAgentData;
  if (wt.isMainThread) {
    const config = configFromEnv(process.env, __filename, join(__dirname, 'agent-exporter.cjs'));
    shared = { config, buffers: SharedTable.create().buffers };
    wt.setEnvironmentData(AGENT_DATA_KEY, shared as never);
  } else {
    const found = wt.getEnvironmentData(AGENT_DATA_KEY) as SharedAgentData | undefined;
    if (found === undefined) return; // a worker of a process whose main thread has no agent
    shared = found;
  }
  const { config } = shared;
  setDebug(config.debug);
  setAgentFile(__filename);
  const raw = captureRawApis();
  const table = new SharedTable(shared.buffers);
  const pid = process.pid;
  const isolateId = isolateIdOf(pid, wt.threadId);
  const sink = new RecordSink((port, message, transfer) => rawPost(raw, port, message, transfer));
  const ctx: ThreadContext = {
    config,
    raw,
    table,
    registry: new ChannelRegistry(table, wt.threadId, pid),
    sink,
    sites: new CallSiteTable(isolateId),
    pid,
    threadId: wt.threadId,
    isolateId,
    isolateName: wt.isMainThread ? mainName() : workerName(undefined, undefined).name,
    exporterLink: null,
  };

  let exporter: ExporterHandle | null = null;
  // Only the thread that allocated the shared buffers (the main thread) counts them.
  const sampler = new AppMemorySampler(ctx, wt.isMainThread ? sharedBufferBytes(shared.buffers) : 0);
  if (wt.isMainThread) {
    const caps: AgentCapability[] = ['heap', 'channels', 'size-estimate', 'call-sites'];
    if (sampler.cpu.available) caps.push('thread-cpu');
    if (raw.hybridDispatch !== null) caps.push('queue-delay');
    const startedAtMs = epochMs() - process.uptime() * 1000;
    exporter = startExporter(raw, config, helloFrame(config, caps, startedAtMs));
    ctx.exporterLink = exporter?.link ?? null;
    sink.push({
      type: 'isolate-start',
      isolateId,
      name: clip(ctx.isolateName),
      kind: 'main',
      parentId: null,
      groupId: null,
      threadId: wt.threadId,
      atMs: startedAtMs,
      spawnSite: null,
      scriptPath: process.argv[1] ? clip(process.argv[1]) : null,
    });
  } else {
    const handoff = receiveHandoff(ctx);
    if (handoff !== null) {
      ctx.isolateName = handoff.name;
      ctx.exporterLink = handoff.exporterLink;
      if (wt.parentPort !== null) ctx.registry.register(wt.parentPort, handoff.up, handoff.down);
      const slots = handoff.workerDataPorts;
      const ports = slots.length > 0 ? findPorts(wt.workerData, (v) => v instanceof raw.MessagePort) : [];
      for (let i = 0; i < slots.length && i < ports.length; i++) {
        const s = slots[i];
        if (s !== null && s !== undefined) ctx.registry.register(ports[i]!, s.send, s.recv);
      }
    }
  }
  sink.connect(ctx.exporterLink);

  const hooks = installMessageHooks(ctx);
  sampler.onTick = hooks.startPeriod;
  installBroadcastHooks(ctx, hooks.noteNotable);
  installWorkerPatch(ctx); // last: it syncs the ESM named exports
  sampler.start(config.sampleMs);
  // One sample now: a thread that lives less than a period, or is ended by terminate() (which
  // skips its 'exit' hook, so no final sample), still reports its own heap and CPU once.
  sampler.tick();

  process.on('exit', (code) => {
    try {
      // The main thread's last snapshot covers every channel it touches, changed or not, so it
      // overrides any older worker record the exporter drains at bye.
      sampler.collect(exporter !== null);
      sampler.stop();
      sink.push({ type: 'isolate-exit', isolateId, atMs: epochMs(), exitCode: typeof code === 'number' ? code : null });
      if (exporter !== null) {
        const exitCode = typeof code === 'number' ? code : null;
        exporter.byeAndWait(exitCode, epochMs(), sink.takeChunks(), table.usage().refused);
      } else sink.flush();
      debugLog(
        `exit: records dropped in this thread ${sink.droppedCount()}, channels ${JSON.stringify(table.usage())}`,
      );
    } catch (err) {
      // Exit must go on exactly as without the agent.
      debugLog(`exit hook failed: ${String(err)}`);
    }
  });
  debugLog(`agent loaded in ${ctx.isolateName} (${isolateId})`);
}

try {
  start();
} catch (err) {
  // The preload must never break the app: a broken agent just stops instrumenting.
  debugLog(`agent failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
}
