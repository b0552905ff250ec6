/**
 * Applies model mutations in arrival order, holding back any that need a source map that is not
 * loaded yet (and everything after them, so order is kept). Once a file's map is loaded, lookups
 * are synchronous and records flow straight through.
 */
import type { GeneratedPosition, SourceMapper } from '../source-map/mapper';

interface Pending {
  sites: GeneratedPosition[];
  apply: () => void;
}

/** Ordered, map-aware application of mutations. */
export class OrderedApplier {
  private readonly queue: Pending[] = [];
  private draining: Promise<void> | null = null;
  /** Mutations dropped because too many were waiting for maps. */
  dropped = 0;

  constructor(
    private readonly mapper: SourceMapper | undefined,
    private readonly onError: (err: unknown) => void,
    private readonly maxPending = 100_000,
  ) {}

  /** Runs `apply` now if nothing is waiting and every site maps synchronously; else queues it. */
  enqueue(sites: GeneratedPosition[], apply: () => void): void {
    if (this.queue.length === 0 && this.ready(sites)) {
      this.run(apply);
      return;
    }
    if (this.queue.length >= this.maxPending) {
      this.dropped++;
      return;
    }
    this.queue.push({ sites, apply });
    this.draining ??= this.drain();
  }

  /** Resolves once every queued mutation has been applied. */
  async settled(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private ready(sites: GeneratedPosition[]): boolean {
    if (!this.mapper) return true;
    for (const s of sites) if (this.mapper.peek(s) === undefined) return false;
    return true;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const head = this.queue[0]!;
        if (!this.ready(head.sites) && this.mapper) {
          try {
            await Promise.all(head.sites.map((s) => this.mapper!.map(s)));
          } catch (err) {
            // `map` never rejects; if it did, the record still applies (with unmapped sites).
            this.onError(err);
          }
        }
        // Apply the head and every following item that is now ready, synchronously.
        this.queue.shift();
        this.run(head.apply);
        while (this.queue.length > 0 && this.ready(this.queue[0]!.sites)) this.run(this.queue.shift()!.apply);
      }
    } finally {
      this.draining = null;
    }
  }

  private run(apply: () => void): void {
    try {
      apply();
    } catch (err) {
      // One bad record must not stop the rest; the owner logs it.
      this.onError(err);
    }
  }
}
