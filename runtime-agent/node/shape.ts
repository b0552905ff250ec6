/**
 * A short human description of a notable message, e.g. `{pixels: Uint8Array(4194304), id: number}`.
 * Only for the ledger (messages over the threshold), so it may cost a few microseconds. It reads
 * keys and types only and runs no app code: lengths and sizes come from the engine's own getters
 * (captured at load, so a subclass's `length`/`size`/`byteLength` getter never runs), class names
 * from the prototype's own `constructor` data property and that function's own `name` data
 * property, and properties through their descriptors (a getter is never called).
 */
import { types } from 'node:util';
import { isDataDescriptor } from './raw-apis';
import {
  arrayBufferByteLength,
  dataViewByteLength,
  getOwnPropertyDescriptor,
  getPrototypeOf,
  intrinsicGetter,
  isArray,
  mapSize,
  objectKeys,
  setSize,
  stringSlice,
  typedArrayLength,
} from './intrinsics';

const MAX_KEYS = 6;
const MAX_SHAPE_CHARS = 200;

// Builtins captured at load (the agent is preloaded before any app code).
const { isProxy, isTypedArray, isArrayBufferView, isArrayBuffer, isSharedArrayBuffer, isMap, isSet, isDataView } =
  types;
/** `Uint8Array`, `Float64Array`…: the kind of a typed array, whatever its class. */
const typedArrayKind = intrinsicGetter<object, string | undefined>(
  getPrototypeOf(Uint8Array.prototype) as object,
  Symbol.toStringTag,
);
const sharedArrayBufferByteLength = intrinsicGetter<object, number>(SharedArrayBuffer.prototype, 'byteLength');

/** The class name of `o` through data properties only (its prototype's `constructor`, that function's `name`), else null. */
function className(o: object): string | null {
  const proto = getPrototypeOf(o) as object | null;
  if (proto === null || isProxy(proto)) return null;
  const ctor = getOwnPropertyDescriptor(proto, 'constructor');
  if (!isDataDescriptor(ctor) || typeof ctor.value !== 'function') return null;
  const name = getOwnPropertyDescriptor(ctor.value, 'name');
  return isDataDescriptor(name) && typeof name.value === 'string' && name.value !== '' ? name.value : null;
}

function describeView(o: ArrayBufferView): string {
  if (isTypedArray(o)) return `${className(o) ?? typedArrayKind(o) ?? 'TypedArray'}(${typedArrayLength(o)})`;
  const length = isDataView(o) ? dataViewByteLength(o) : 0;
  return `${className(o) ?? 'ArrayBufferView'}(${length})`;
}

function describeArray(o: unknown[], depth: number): string {
  const first = o.length > 0 ? getOwnPropertyDescriptor(o, 0) : undefined;
  const inner = first === undefined ? '' : isDataDescriptor(first) ? describeValue(first.value, depth + 1) : 'accessor';
  return `Array(${o.length})${inner ? `<${inner}>` : ''}`;
}

function describeObject(o: object, depth: number): string {
  if (depth > 0) return 'object';
  const keys = objectKeys(o);
  let text = '';
  for (let i = 0; i < keys.length && i < MAX_KEYS; i++) {
    const d = getOwnPropertyDescriptor(o, keys[i]!);
    text += `${i > 0 ? ', ' : ''}${keys[i]!}: ${isDataDescriptor(d) ? describeValue(d.value, depth + 1) : 'accessor'}`;
  }
  if (keys.length > MAX_KEYS) text += `, …${keys.length - MAX_KEYS} more`;
  return `{${text}}`;
}

function describeValue(v: unknown, depth: number): string {
  if (v === null) return 'null';
  const t = typeof v;
  if (t !== 'object') return t;
  const o = v as object;
  if (isProxy(o)) return 'Proxy';
  if (isArrayBufferView(o)) return describeView(o);
  if (isArrayBuffer(o)) return `ArrayBuffer(${arrayBufferByteLength(o)})`;
  if (isSharedArrayBuffer(o)) return `SharedArrayBuffer(${sharedArrayBufferByteLength(o)})`;
  if (isArray(o)) return describeArray(o, depth);
  if (isMap(o)) return `Map(${mapSize(o)})`;
  if (isSet(o)) return `Set(${setSize(o)})`;
  return describeObject(o, depth);
}

/** Describes the top of a message in one line. Never throws. */
export function describeShape(message: unknown): string {
  try {
    return stringSlice(describeValue(message, 0), 0, MAX_SHAPE_CHARS);
  } catch {
    // Exotic objects (revoked proxies, odd host objects): a generic label is enough for the ledger.
    return 'object';
  }
}
