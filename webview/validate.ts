/**
 * A light, hand-written validator for host → webview messages. Everything the UI renders or
 * computes with is checked for type (strings are strings, numbers finite); a message that fails
 * is dropped whole and counted, never partially rendered. Kept dependency-free (no zod in the
 * bundle) and allocation-light because it runs on every 4 Hz update of up to hundreds of isolates.
 */
import type { ToWebviewMessage } from '../protocol';
import { FINDING_RULES, SERIES_FIELDS } from '../protocol/model';

/** The outcome of validating one incoming message. */
export type ValidationResult = { ok: true; message: ToWebviewMessage } | { ok: false; reason: string };

type Obj = Record<string, unknown>;

class Invalid extends Error {}

function fail(path: string, expected: string): never {
  throw new Invalid(`${path}: expected ${expected}`);
}

function obj(v: unknown, path: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, 'object');
  return v as Obj;
}

function arr(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) fail(path, 'array');
  return v;
}

function str(o: Obj, k: string, path: string): void {
  if (typeof o[k] !== 'string') fail(`${path}.${k}`, 'string');
}

function strOrNull(o: Obj, k: string, path: string): void {
  if (o[k] !== null && typeof o[k] !== 'string') fail(`${path}.${k}`, 'string or null');
}

function num(o: Obj, k: string, path: string): void {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${path}.${k}`, 'finite number');
}

function numOrNull(o: Obj, k: string, path: string): void {
  const v = o[k];
  if (v !== null && (typeof v !== 'number' || !Number.isFinite(v))) fail(`${path}.${k}`, 'finite number or null');
}

function oneOf(o: Obj, k: string, allowed: readonly string[], path: string): void {
  if (typeof o[k] !== 'string' || !allowed.includes(o[k] as string)) fail(`${path}.${k}`, allowed.join('|'));
}

function each(v: unknown, path: string, check: (o: Obj, path: string) => void): void {
  const a = arr(v, path);
  for (let i = 0; i < a.length; i++) {
    const p = `${path}[${i}]`;
    check(obj(a[i], p), p);
  }
}

function location(v: unknown, path: string): void {
  if (v === null) return;
  const o = obj(v, path);
  str(o, 'file', path);
  num(o, 'line', path);
  num(o, 'column', path);
}

const RUNTIMES = ['node', 'dart'] as const;

function session(o: Obj, p: string): void {
  str(o, 'id', p);
  oneOf(o, 'runtime', RUNTIMES, p);
  str(o, 'label', p);
  numOrNull(o, 'pid', p);
  num(o, 'startedAtMs', p);
  numOrNull(o, 'endedAtMs', p);
  str(o, 'runtimeVersion', p);
}

function isolate(o: Obj, p: string): void {
  for (const k of ['id', 'sessionId', 'name']) str(o, k, p);
  oneOf(o, 'runtime', RUNTIMES, p);
  oneOf(o, 'kind', ['main', 'worker'], p);
  oneOf(o, 'state', ['running', 'exited'], p);
  strOrNull(o, 'parentId', p);
  strOrNull(o, 'groupId', p);
  num(o, 'startedAtMs', p);
  for (const k of ['exitedAtMs', 'exitCode', 'cpuTimeMs', 'cpuPercent']) numOrNull(o, k, p);
  location(o.spawnSite ?? null, `${p}.spawnSite`);
  for (const k of ISOLATE_NUMBERS) num(o, k, p);
  if (typeof o.heapShared !== 'boolean') fail(`${p}.heapShared`, 'boolean');
}

const ISOLATE_NUMBERS = [
  'heapUsedBytes',
  'heapCapacityBytes',
  'heapUsedBytesMax',
  'externalBytes',
  'queueDepth',
  'maxQueueDepth',
  'messagesSent',
  'messagesReceived',
  'bytesCopiedOut',
  'msgsInPerSec',
  'msgsOutPerSec',
  'bytesCopiedPerSec',
];

const POINT_NUMBERS = ['atMs', ...SERIES_FIELDS];

function channel(o: Obj, p: string): void {
  for (const k of ['id', 'sessionId', 'label', 'from']) str(o, k, p);
  strOrNull(o, 'to', p);
  for (const k of CHANNEL_NUMBERS) num(o, k, p);
}

const CHANNEL_NUMBERS = [
  'sent',
  'delivered',
  'depth',
  'maxDepth',
  'bytesCopied',
  'bytesTransferred',
  'maxMessageBytes',
  'delayMsP50',
  'delayMsP95',
  'delayMsMax',
];

function callSite(o: Obj, p: string): void {
  location(o, p);
  str(o, 'isolateId', p);
  strOrNull(o, 'functionName', p);
  for (const k of ['sends', 'bytesCopied', 'maxMessageBytes', 'transferableBytes', 'bytesTransferred']) num(o, k, p);
}

function ledgerEntry(o: Obj, p: string): void {
  num(o, 'seq', p);
  str(o, 'isolateId', p);
  str(o, 'channelId', p);
  for (const k of ['atMs', 'bytes', 'typedArrayBytes', 'transferredBytes']) num(o, k, p);
  location(o.location, `${p}.location`);
  str(o, 'shape', p);
}

function port(o: Obj, p: string): void {
  for (const k of ['isolateId', 'portId', 'name']) str(o, k, p);
  strOrNull(o, 'allocationSite', p);
}

function finding(o: Obj, p: string): void {
  str(o, 'id', p);
  oneOf(o, 'rule', FINDING_RULES, p);
  oneOf(o, 'severity', ['error', 'warning', 'info', 'hint'], p);
  str(o, 'message', p);
  location(o.location, `${p}.location`);
  strOrNull(o, 'isolateId', p);
  for (const k of ['bytes', 'count', 'totalBytes']) num(o, k, p);
  str(o, 'suggestion', p);
}

function drops(v: unknown, p: string): void {
  const o = obj(v, p);
  for (const k of ['framesRejected', 'agentRecordsDropped', 'ledgerEvicted']) num(o, k, p);
}

function seriesPoint(o: Obj, p: string): void {
  for (const k of POINT_NUMBERS) num(o, k, p);
}

function series(o: Obj, p: string): void {
  const n = arr(o.atMs, `${p}.atMs`).length;
  for (const k of POINT_NUMBERS) {
    const a = arr(o[k], `${p}.${k}`);
    if (a.length !== n) fail(`${p}.${k}`, `${n} entries`);
    for (let i = 0; i < a.length; i++) if (typeof a[i] !== 'number') fail(`${p}.${k}[${i}]`, 'number');
  }
}

function record(v: unknown, p: string, check: (o: Obj, path: string) => void): void {
  const o = obj(v, p);
  for (const k of Object.keys(o)) check(obj(o[k], `${p}[${k}]`), `${p}[${k}]`);
}

function commonParts(o: Obj, p: string): void {
  num(o, 'atMs', p);
  each(o.sessions, `${p}.sessions`, session);
  each(o.isolates, `${p}.isolates`, isolate);
  each(o.channels, `${p}.channels`, channel);
  each(o.callSites, `${p}.callSites`, callSite);
  each(o.ports, `${p}.ports`, port);
  each(o.findings, `${p}.findings`, finding);
  drops(o.drops, `${p}.drops`);
}

function checkMessage(m: Obj): void {
  switch (m.type) {
    case 'hydrate': {
      oneOf(m, 'host', ['vscode', 'browser'], 'hydrate');
      const s = obj(m.snapshot, 'hydrate.snapshot');
      commonParts(s, 'snapshot');
      record(s.series, 'snapshot.series', series);
      each(s.ledger, 'snapshot.ledger', ledgerEntry);
      num(s, 'oversizedBytes', 'snapshot');
      return;
    }
    case 'update': {
      const u = obj(m.update, 'update.update');
      commonParts(u, 'update');
      record(u.points, 'update.points', seriesPoint);
      each(u.ledgerAppended, 'update.ledgerAppended', ledgerEntry);
      return;
    }
    case 'select-isolate':
      str(m, 'isolateId', 'select-isolate');
      return;
    case 'status':
      str(m, 'text', 'status');
      oneOf(m, 'level', ['info', 'warning', 'error'], 'status');
      return;
    default:
      fail('type', 'hydrate|update|select-isolate|status');
  }
}

/** Validates an incoming message (already JSON-parsed). Never throws. */
export function validateToWebviewMessage(data: unknown): ValidationResult {
  try {
    const m = obj(data, 'message');
    checkMessage(m);
    return { ok: true, message: m as unknown as ToWebviewMessage };
  } catch (err) {
    if (err instanceof Invalid) return { ok: false, reason: err.message };
    // Anything else (a getter throwing, a cyclic proxy…) is still just an invalid message.
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
}
