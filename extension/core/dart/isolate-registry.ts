/**
 * The isolates the Dart source knows about, and the records that announce them. Both the
 * `Isolate` stream and the periodic `getVM` reconciliation go through here, so an isolate is
 * started and exited exactly once whichever of the two sees it first — which is what lets a
 * short-lived `Isolate.run`/`compute` isolate be recorded from start to exit.
 */
import type { AgentRecord, CallSite, EpochMs, Micros } from '../../../protocol';
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
    const iso: KnownIsolate = {
      id: ref.id,
      name: ref.name,
      groupId: ref.isolateGroupId ?? groupId,
      // The VM names the root isolate "main"; everything else was spawned by the program.
      kind: ref.name === 'main' ? 'main' : 'worker',
      parentId: null,
      spawnSite: null,
      startedAtMs: atMs,
      cpu: new CpuTimeAccumulator(this.cpuOriginMicros()),
      lastSignature: '',
    };
    this.live.set(ref.id, iso);
    this.announce(iso);
    return true;
  }

  /** Updates what the Dart agent reported about an isolate (spawn site, parent) and re-announces it. */
  enrich(id: string, info: { name?: string; parentId?: string | null; spawnSite?: CallSite | null }): void {
    const iso = this.live.get(id);
    if (!iso) return;
    if (info.name) iso.name = info.name;
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

  /** Records the exit of a live isolate (no-op for unknown or already exited ids). */
  exit(id: string, atMs: EpochMs): void {
    if (!this.live.delete(id)) return;
    this.exited.add(id);
    if (this.exited.size > 10_000) this.exited.delete(this.exited.values().next().value as string);
    this.emit({ type: 'isolate-exit', isolateId: id, atMs, exitCode: null });
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
