/**
 * A short human description of a notable message, e.g. `{pixels: Uint8Array(4194304), id: number}`.
 * Only for the ledger (messages over the threshold), so it may cost a few microseconds. It reads
 * keys and types only, never calls getters.
 */
import { types } from 'node:util';

const MAX_KEYS = 6;

function describeValue(v: unknown, depth: number): string {
  if (v === null) return 'null';
  const t = typeof v;
  if (t !== 'object') return t;
  const o = v as object;
  if (types.isProxy(o)) return 'Proxy';
  if (ArrayBuffer.isView(o)) {
    const length = types.isTypedArray(o) ? (o as unknown as { length: number }).length : o.byteLength;
    return `${o.constructor?.name ?? 'ArrayBufferView'}(${length})`;
  }
  if (types.isArrayBuffer(o)) return `ArrayBuffer(${(o as ArrayBuffer).byteLength})`;
  if (types.isSharedArrayBuffer(o)) return `SharedArrayBuffer(${(o as SharedArrayBuffer).byteLength})`;
  if (Array.isArray(o)) {
    const first = o.length > 0 && Object.prototype.hasOwnProperty.call(o, 0) ? describeValue(o[0], depth + 1) : '';
    return `Array(${o.length})${first ? `<${first}>` : ''}`;
  }
  if (types.isMap(o)) return `Map(${(o as Map<unknown, unknown>).size})`;
  if (types.isSet(o)) return `Set(${(o as Set<unknown>).size})`;
  if (depth > 0) return 'object';
  const keys = Object.keys(o);
  const parts = keys.slice(0, MAX_KEYS).map((k) => {
    const d = Object.getOwnPropertyDescriptor(o, k);
    return `${k}: ${d && d.get === undefined ? describeValue(d.value, depth + 1) : 'accessor'}`;
  });
  if (keys.length > MAX_KEYS) parts.push(`…${keys.length - MAX_KEYS} more`);
  return `{${parts.join(', ')}}`;
}

/** Describes the top of a message in one line. Never throws. */
export function describeShape(message: unknown): string {
  try {
    return describeValue(message, 0).slice(0, 200);
  } catch {
    // Exotic objects (revoked proxies, odd host objects): a generic label is enough for the ledger.
    return 'object';
  }
}
