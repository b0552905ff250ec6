/**
 * Periodic per-isolate samples: heap (per isolate — `process.memoryUsage()` heap fields are the
 * calling isolate's), thread CPU time and inbound queue depth, plus the thread's channel and
 * call-site records. Runs on an unref'd timer so it never keeps the app alive.
 */
import type { IsolateSampleRecord } from '../../protocol/agent-frames';
import { epochMs } from './clock';
import { ThreadCpuClock } from './thread-cpu';
import type { ThreadContext } from './thread-context';

/** `process.memoryUsage` of this thread, captured at load: an app that replaces it never sees the sampler's calls. */
const memoryUsage = process.memoryUsage.bind(process);

/** Samples one thread and ships its records. */
export class Sampler {
  private timer: NodeJS.Timeout | null = null;
  readonly cpu = new ThreadCpuClock();
  /** Called at the start of every tick (the message hooks refill their timing budget here). */
  onTick: (() => void) | null = null;

  constructor(private readonly ctx: ThreadContext) {}

  /** One `sample` record for this isolate, now. */
  sample(): IsolateSampleRecord {
    const mem = memoryUsage();
    return {
      type: 'sample',
      isolateId: this.ctx.isolateId,
      atMs: epochMs(),
      heapUsedBytes: mem.heapUsed,
      heapTotalBytes: mem.heapTotal,
      externalBytes: mem.external,
      arrayBuffersBytes: mem.arrayBuffers,
      heapShared: false,
      cpuTimeMicros: this.cpu.readMicros(),
      queueDepth: this.ctx.registry.queueDepth(),
      broadcastReceived: this.ctx.registry.broadcastReceived,
    };
  }

  /** Pushes a sample plus changed channel/call-site records, then flushes. Never throws. */
  tick(): void {
    this.onTick?.();
    this.collect(false);
    this.ctx.sink.flush();
  }

  /** Pushes a sample plus channel/call-site records (`allChannels`: unchanged ones too). Never throws. */
  collect(allChannels: boolean): void {
    try {
      const { sink } = this.ctx;
      sink.push(this.sample());
      const at = epochMs();
      // Indexed: a for-of would run the (app-patchable) array iterator.
      const channels = this.ctx.registry.records(at, allChannels);
      for (let i = 0; i < channels.length; i++) sink.push(channels[i]!);
      const sites = this.ctx.sites.records();
      for (let i = 0; i < sites.length; i++) sink.push(sites[i]!);
    } catch {
      // A failed sample is skipped; the next tick tries again. The app never sees agent errors.
    }
  }

  /** Starts sampling every `sampleMs`. */
  start(sampleMs: number): void {
    this.timer = setInterval(() => this.tick(), sampleMs);
    this.timer.unref();
  }

  /** Stops the timer and releases the CPU clock's fd. */
  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.cpu.close();
  }
}
