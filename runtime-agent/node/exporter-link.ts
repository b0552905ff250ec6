/**
 * Main-thread side of the exporter: starts the exporter worker (original Worker class, unref'd,
 * with an empty env so NODE_OPTIONS cannot load the agent into it), and at process exit hands it
 * the last records and waits — briefly and boundedly — until they are written.
 */
import type { MessagePort } from 'node:worker_threads';
import type { HelloFrame } from '../../protocol/agent-frames';
import { nowMs } from './clock';
import { debugLog } from './debug-log';
import { EXPORTER_MARKER, type ByeMessage, type ExporterData } from './exporter-messages';
import { rawPost, type RawApis } from './raw-apis';
import type { AgentConfig } from './config';
import type { ChunkMessage } from './record-sink';

/**
 * Longest the process exit waits for the final frames (typically a few ms). Generous because on
 * a loaded machine the exporter thread may not be scheduled for hundreds of ms, and giving up
 * loses the run's last records and its `bye`; only a collector that stops reading (or never
 * finishes the handshake) makes the exit wait this long.
 */
export const BYE_WAIT_MS = 2000;

/** The running exporter, from the main thread's point of view. */
export interface ExporterHandle {
  link: MessagePort;
  /** Sends `bye` and waits (bounded) until the exporter wrote everything. */
  byeAndWait(exitCode: number | null, atMs: number, final: ChunkMessage[], channelsNotCounted: number): void;
}

/** Starts the exporter worker; null when there is no collector to talk to or it cannot start. */
export function startExporter(raw: RawApis, config: AgentConfig, hello: HelloFrame): ExporterHandle | null {
  if (config.collectorUrl === null) {
    debugLog('ISOSCOPE_COLLECTOR not set: records are counted but not exported');
    return null;
  }
  try {
    const { port1, port2 } = new raw.MessageChannel();
    const byeFlag = new Int32Array(new SharedArrayBuffer(4));
    const data: ExporterData = {
      [EXPORTER_MARKER]: true,
      url: config.collectorUrl,
      token: config.token,
      hello,
      debug: config.debug,
      link: port2,
      byeFlag,
    };
    const worker = new raw.Worker(config.exporterPath, {
      workerData: data,
      transferList: [port2],
      execArgv: [],
      env: {},
      stdout: true,
      stderr: true,
      name: 'isoscope-exporter',
    });
    worker.on('error', (err) => debugLog(`exporter failed: ${String(err)}`));
    worker.unref();
    return {
      link: port1,
      byeAndWait(exitCode, atMs, final, channelsNotCounted) {
        const bye: ByeMessage = { t: 'bye', exitCode, atMs, channelsNotCounted, final };
        try {
          rawPost(raw, port1, bye);
          const waitStartMs = nowMs();
          if (Atomics.wait(byeFlag, 0, 0, BYE_WAIT_MS) === 'timed-out') {
            debugLog(`exporter did not finish within ${BYE_WAIT_MS} ms: the last records may be lost`);
          } else {
            debugLog(`exit: exporter finished in ${(nowMs() - waitStartMs).toFixed(1)} ms`);
          }
        } catch (err) {
          debugLog(`final flush failed: ${String(err)}`);
        }
      },
    };
  } catch (err) {
    debugLog(`could not start the exporter: ${String(err)}`);
    return null;
  }
}
