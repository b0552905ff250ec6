/**
 * The VM-service RPCs Isoscope can live without: the timeline clock and CPU samples (CPU time),
 * `getStack` (the message queue), `getPorts`, `getIsolateGroupMemoryUsage` and `getIsolateGroup`.
 * Not every VM service serves them all: Flutter web's DWDS answers -32601 "Not supported on web
 * devices", and some answer a generic error every time. An RPC that answers -32601 is switched
 * off everywhere; one that fails `maxFailuresInARow` times in a row for one scope (an isolate, a
 * group) is switched off for that scope — so memory, which every service has, keeps flowing.
 */
import { ProtocolError, RpcErrorCode } from './connection';

/** The RPCs a poll can do without. */
export type OptionalRpc =
  'getVMTimelineMicros' | 'getCpuSamples' | 'getStack' | 'getPorts' | 'getIsolateGroupMemoryUsage' | 'getIsolateGroup';

/** Where a failure is reported: the RPC, the scope it failed for, and the error. */
export interface OptionalRpcEvents {
  /** An error answer that did not (yet) switch the RPC off. */
  onError(rpc: OptionalRpc, scope: string | null, err: ProtocolError): void;
  /** The RPC is off for `scope` (null: for every scope), and why. */
  onSwitchedOff(rpc: OptionalRpc, scope: string | null, why: string): void;
}

/** Answers that mean "not here at all": method not found, feature disabled (profiler off). */
const offEverywhere: readonly number[] = [RpcErrorCode.methodNotFound, RpcErrorCode.featureDisabled];

/** Tracks which optional RPCs are still worth asking, per attached VM. */
export class OptionalRpcs {
  /** Switched-off keys, each with its label (`getStack` or `getStack (isolates/1)`). */
  private readonly off = new Map<string, string>();
  private readonly failuresInARow = new Map<string, number>();

  constructor(
    private readonly events: OptionalRpcEvents,
    private readonly maxFailuresInARow = 3,
  ) {}

  /** True unless the RPC was switched off for everyone or for `scope`. */
  available(rpc: OptionalRpc, scope: string | null = null): boolean {
    return !this.off.has(rpc) && (scope === null || !this.off.has(key(rpc, scope)));
  }

  /** The RPCs switched off so far, as `method` or `method (scope)`. */
  get unavailable(): string[] {
    return [...this.off.values()];
  }

  /** Switches an RPC off for `scope` (null: everywhere) for a reason found outside `call`. */
  switchOff(rpc: OptionalRpc, scope: string | null, why: string): void {
    const k = key(rpc, scope);
    if (this.off.has(k)) return;
    this.off.set(k, scope === null ? rpc : `${rpc} (${scope})`);
    this.events.onSwitchedOff(rpc, scope, why);
  }

  /**
   * Calls `fn` unless the RPC is off. Resolves null when it is off or answered an error (105,
   * "isolate not runnable", is rethrown: it is about the isolate, not the RPC). Timeouts and a
   * closed connection are rethrown too: they say nothing about whether the RPC exists.
   */
  async call<T>(rpc: OptionalRpc, scope: string | null, fn: () => Promise<T>): Promise<T | null> {
    if (!this.available(rpc, scope)) return null;
    const k = key(rpc, scope);
    try {
      const value = await fn();
      this.failuresInARow.delete(k);
      return value;
    } catch (err) {
      if (!(err instanceof ProtocolError) || err.code === RpcErrorCode.isolateMustBeRunnable) throw err;
      this.fail(rpc, scope, k, err);
      return null;
    }
  }

  private fail(rpc: OptionalRpc, scope: string | null, k: string, err: ProtocolError): void {
    if (offEverywhere.includes(err.code)) {
      this.switchOff(rpc, null, err.message);
      return;
    }
    const n = (this.failuresInARow.get(k) ?? 0) + 1;
    if (n < this.maxFailuresInARow) {
      this.failuresInARow.set(k, n);
      this.events.onError(rpc, scope, err);
      return;
    }
    this.failuresInARow.delete(k);
    this.switchOff(rpc, scope, `${err.message}, ${n} times in a row`);
  }
}

function key(rpc: OptionalRpc, scope: string | null): string {
  return scope === null ? rpc : `${rpc}\u0000${scope}`;
}
