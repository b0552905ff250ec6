/**
 * Events the Dart package `isoscope_agent` posts with `dart:developer` `postEvent`; they arrive
 * on the VM service's `Extension` stream as `{kind: "Extension", isolate, extensionKind,
 * extensionData}`. The shapes are documented in runtime-agent/dart/README.md. Everything is
 * validated here: a malformed or foreign event is rejected (and counted by the caller).
 */
import { FRAME_LIMITS, type Bytes, type CallSite, type EpochMs } from '../../../protocol';
import type { VmEvent } from './vm-types';
import { nonNegative } from './coerce';

/** Prefix of every extensionKind the Dart agent posts. */
export const AGENT_EVENT_PREFIX = 'isoscope.';

/** One `trackedSend` (`extensionKind: "isoscope.send"`). */
export interface AgentSendEvent {
  type: 'send';
  isolateId: string;
  atMs: EpochMs;
  /** Label of the destination port (debug name or the agent's port label). */
  port: string;
  /** Estimated bytes the VM copies for this message. */
  bytes: Bytes;
  /** Part of `bytes` that is typed-data payload (a `TransferableTypedData` would move it). */
  typedDataBytes: Bytes;
  /** Bytes already moved through `TransferableTypedData` (not copied). */
  transferredBytes: Bytes;
  shape: string;
  site: CallSite | null;
}

/** Posted from inside an isolate started by `profiledSpawn`/`profiledRun` (`isoscope.isolate`). */
export interface AgentIsolateEvent {
  type: 'isolate';
  isolateId: string;
  atMs: EpochMs;
  debugName: string;
  parentIsolateId: string | null;
  spawnSite: CallSite | null;
  how: 'spawn' | 'run';
}

export type AgentEvent = AgentSendEvent | AgentIsolateEvent;

const maxLen = FRAME_LIMITS.maxStringLength;

function str(v: unknown): string | null {
  return typeof v === 'string' ? v.slice(0, maxLen) : null;
}

function site(v: unknown): CallSite | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  const file = str(o.file);
  const line = nonNegative(o.line);
  if (file === null || line === null) return null;
  return {
    file,
    line: Math.floor(line),
    column: Math.floor(nonNegative(o.column) ?? 1),
    functionName: str(o.function),
  };
}

/**
 * Parses an `Extension` event from the Dart agent. Returns null for events that are not ours
 * (Flutter.*, other packages) or that do not match the documented shape.
 */
export function parseAgentEvent(event: VmEvent): AgentEvent | null {
  const kind = event.extensionKind;
  const isolateId = event.isolate?.id;
  const data = event.extensionData;
  if (typeof kind !== 'string' || !kind.startsWith(AGENT_EVENT_PREFIX)) return null;
  if (typeof isolateId !== 'string' || typeof data !== 'object' || data === null) return null;
  const atMs = nonNegative(data.atMs) ?? nonNegative(event.timestamp) ?? Date.now();
  switch (kind) {
    case 'isoscope.send': {
      const bytes = nonNegative(data.bytes);
      if (bytes === null) return null;
      return {
        type: 'send',
        isolateId,
        atMs,
        port: str(data.port) ?? 'port',
        bytes,
        typedDataBytes: Math.min(bytes, nonNegative(data.typedDataBytes) ?? 0),
        transferredBytes: nonNegative(data.transferredBytes) ?? 0,
        shape: str(data.shape) ?? '',
        site: site(data.site),
      };
    }
    case 'isoscope.isolate':
      return {
        type: 'isolate',
        isolateId,
        atMs,
        debugName: str(data.debugName) ?? event.isolate?.name ?? 'isolate',
        parentIsolateId: str(data.parentIsolateId),
        spawnSite: site(data.spawnSite),
        how: data.how === 'run' ? 'run' : 'spawn',
      };
    default:
      return null;
  }
}
