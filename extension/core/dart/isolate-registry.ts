/**
 * The isolates the Dart source knows about, and the records that announce them. Both the
 * `Isolate` stream and the periodic `getVM` reconciliation go through here, so an isolate is
 * started and exited exactly once whichever of the two sees it first — which is what lets a
 * short-lived `Isolate.run`/`compute` isolate be recorded from start to exit.
 */
import type { AgentRecord, CallSite, EpochMs, Micros } from '../../../protocol';
import { text } from './coerce';
import { CpuTimeAccumulator } from './cpu-time';
import type { IsolateRef } from './vm-types';

/** What the source tracks per live isolate. */
export interface KnownIsolate {
  id: string;
  name: string;
  groupId: string | null;
  kind: 'main' | 'worker';
  parentId: string | null;
  spawnSite: CallSite | null;
  startedAtMs: EpochMs;
  cpu: CpuTimeAccumulator;
  /** Signature of the last sample, to tell the poll loop whether anything changed. */
  lastSignature: string;
  /** Queue depth of the last `getStack` answer (kept while the queue cannot be fetched). */
  lastQueueDepth: number;
  /** An isolate that did not answer in time is skipped until then (it may be blocked in native code). */
  skipUntilMs: EpochMs;
  /** Timeouts in a row, for the back-off of `skipUntilMs`. */
  timeoutsInARow: number;
}

/** The name an isolate is shown with: its debugName as text, else its id; clipped. */
export function isolateName(name: unknown, id: string): string {
  return text(name, id);
}

/** Tracks live isolates and emits `isolate-start` / `isolate-exit` records once each. */
export class IsolateRegistry {
  private readonly live = new Map<string, KnownIsolate>();
  /** Ids that exited, so a late poll result cannot resurrect them (bounded). */
  private readonly exited = new Set<string>();

  constructor(
    private readonly emit: (record: AgentRecord) => void,
    private readonly cpuOriginMicros: () => Micros,
  ) {}

  get(id: string): KnownIsolate | undefined {
    return this.live.get(id);
  }

  /** Live isolates, in start order. */
  all(): KnownIsolate[] {
    return [...this.live.values()];
  }

  /** Members of a group among the live isolates. */
  groupSize(groupId: string | null): number {
    if (groupId === null) return 1;
    let n = 0;
    for (const i of this.live.values()) if (i.groupId === groupId) n++;
    return n;
  }

  /** Announces an isolate unless it is already known or has exited. Returns true when new. */
  start(ref: IsolateRef, atMs: EpochMs, groupId: string | null): boolean {
    if (this.live.has(ref.id) || this.exited.has(ref.id) || ref.isSystemIsolate) return false;
    const name = isolateName(ref.name, ref.id);
    const iso: KnownIsolate = {
      id: ref.id,
      name,
      groupId: typeof ref.isolateGroupId === 'string' ? ref.isolateGroupId : groupId,
      // The VM names the root isolate "main"; everything else was spawned by the program.
      kind: name === 'main' ? 'main' : 'worker',
      parentId: null,
      spawnSite: null,
      startedAtMs: atMs,
      cpu: new CpuTimeAccumulator(this.cpuOriginMicros()),
      lastSignature: '',
      lastQueueDepth: 0,
      skipUntilMs: 0,
      timeoutsInARow: 0,
    };
    this.live.set(ref.id, iso);
    this.announce(iso);
    return true;
  }

  /** Updates what the Dart agent reported about an isolate (spawn site, parent) and re-announces it. */
  enrich(id: string, info: { name?: unknown; parentId?: string | null; spawnSite?: CallSite | null }): void {
    const iso = this.live.get(id);
    if (!iso) return;
    if (info.name !== undefined) iso.name = isolateName(info.name, iso.name);
    if (info.parentId !== undefined) iso.parentId = info.parentId;
    if (info.spawnSite !== undefined) iso.spawnSite = info.spawnSite;
    this.announce(iso);
  }

  /** Sets the group of an isolate found through `getIsolateGroup` (protocol < 3.61). */
  setGroup(id: string, groupId: string): void {
    const iso = this.live.get(id);
    if (iso && iso.groupId !== groupId) {
      iso.groupId = groupId;
      this.announce(iso);
    }
  }

  /**
   * Records the exit of an isolate. An id never seen is remembered too, without a record: the
   * VM's list can lag behind its events, and a later `getVM` must not start it as a phantom.
   */
  exit(id: string, atMs: EpochMs): void {
    const wasLive = this.live.delete(id);
    this.exited.add(id);
    if (this.exited.size > 10_000) this.exited.delete(this.exited.values().next().value as string);
    if (wasLive) this.emit({ type: 'isolate-exit', isolateId: id, atMs, exitCode: null });
  }

  /** Exits every isolate that is not in `presentIds` (they went away between events). */
  reconcile(presentIds: Set<string>, atMs: EpochMs): number {
    let gone = 0;
    for (const id of [...this.live.keys()]) {
      if (!presentIds.has(id)) {
        this.exit(id, atMs);
        gone++;
      }
    }
    return gone;
  }

  /** Forgets everything without emitting (the session is closed as a whole). */
  clear(): void {
    this.live.clear();
    this.exited.clear();
  }

  private announce(iso: KnownIsolate): void {
    this.emit({
      type: 'isolate-start',
      isolateId: iso.id,
      name: iso.name,
      kind: iso.kind,
      parentId: iso.parentId,
      groupId: iso.groupId,
      threadId: 0,
      atMs: iso.startedAtMs,
      spawnSite: iso.spawnSite,
      scriptPath: null,
    });
  }
}
