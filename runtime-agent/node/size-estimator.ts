/**
 * Estimates how many bytes a structured clone of a message copies, by walking it: never by
 * serializing it (v8.serialize costs 1–6× the send itself). The byte model follows V8's
 * ValueSerializer wire format (tags + varints), which is what `v8.serialize` and postMessage write.
 * Big arrays, objects, maps and sets are sampled (64 evenly spaced entries) and extrapolated.
 * The walk never runs app code: no getters (it reads data properties through descriptors), no
 * proxy traps, no toJSON. It must never throw into the app; callers still wrap it.
 */
import {
  arrayBufferByteLength,
  bigIntToString,
  dataViewBuffer,
  dataViewByteLength,
  intrinsicGetter,
  mapSize,
  setSize,
  typedArrayBuffer,
  typedArrayByteLength,
  ceil,
  charCodeAt,
  floor,
  getPrototypeOf,
  isArray,
  isArrayBuffer,
  isBoxedPrimitive,
  isDataView,
  isDate,
  isMap,
  isNativeError,
  isProxy,
  isRegExp,
  isSet,
  isSharedArrayBuffer,
  isView,
  max,
  objectKeys,
  regExpExec,
  round,
  setAdd,
  setClear,
  setHas,
  setNext,
  setValuesOf,
  stringSlice,
  mapEntriesOf,
  mapGet,
  mapNext,
  mapSet,
} from './intrinsics';
import { uncurryThis } from './raw-apis';

/** Result of one estimate; `typedArrayBytes` is the part of `bytes` that is typed-array payload. */
export interface SizeEstimate {
  bytes: number;
  typedArrayBytes: number;
  /** True when re-serializing the message could run app code (own accessors, proxies). */
  touchesAppCode?: boolean;
  /** True when the walk met a function or symbol: the send throws DataCloneError. */
  uncloneable?: boolean;
}

/** Entries walked per array/object/map/set before switching to sampling. */
export const SAMPLE_ENTRIES = 64;
/** Nodes walked per estimate; past this, values are costed at a flat guess. */
const NODE_BUDGET = 8192;
const MAX_DEPTH = 48;
/** Map/Set entries iterated (in order) when sampling; iteration is cheap, walking is not. */
const ITERATE_CAP = 4096;
const FLAT_GUESS_BYTES = 9;
const HEADER_BYTES = 2; // version tag + version

// Any char above Latin-1 makes V8 store (and serialize) the whole string two bytes per char.
const twoByteChar = /[\u0100-\uffff]/;
const hasOwn = uncurryThis(Object.prototype.hasOwnProperty) as (o: object, key: PropertyKey) => boolean;
const getDescriptor = Object.getOwnPropertyDescriptor;
const lookupGetter = uncurryThis(
  (Object.prototype as unknown as { __lookupGetter__(this: object, key: string): unknown }).__lookupGetter__,
);
const objectProto = Object.prototype;
const arrayBufferProto = ArrayBuffer.prototype;

// The engine's own accessors (intrinsics.ts), captured at load: reading through them never runs an
// app's override (a subclass getter).
const regExpSource = intrinsicGetter<RegExp, string>(RegExp.prototype, 'source');
const uint8ArrayProto = Uint8Array.prototype as object;
const bufferProto = Buffer.prototype as object;
/** Views whose `buffer`/`byteLength` are the engine's own (the common case, read directly). */
const intrinsicViewProtos = new Set<object>(
  [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array]
    .concat([Float64Array, BigInt64Array, BigUint64Array] as never[])
    .map((c) => c.prototype as object)
    .concat([Buffer.prototype, DataView.prototype]),
);

/** Bytes a V8 base-128 varint takes for a non-negative integer. */
export function varintBytes(n: number): number {
  if (n < 0x80) return 1;
  if (n < 0x4000) return 2;
  if (n < 0x200000) return 3;
  if (n < 0x10000000) return 4;
  return n < 0x800000000 ? 5 : 8;
}

function numberBytes(n: number, asDouble: boolean): number {
  // Smis are 32-bit on 64-bit Node (no pointer compression): zigzag varint after the 'I' tag.
  if (!asDouble && (n | 0) === n && !(n === 0 && 1 / n < 0)) return 1 + varintBytes(n >= 0 ? n * 2 : -n * 2 - 1);
  return 9;
}

/** True when V8 would store the string with two bytes per char (checked fully up to 1 KiB, sampled beyond). */
function isTwoByte(s: string): boolean {
  const len = s.length;
  if (len <= 32) {
    // Short strings (keys, labels): a char loop beats a regex call.
    for (let i = 0; i < len; i++) if (charCodeAt(s, i) > 0xff) return true;
    return false;
  }
  if (len <= 1024) return regExpExec(twoByteChar, s) !== null;
  if (regExpExec(twoByteChar, stringSlice(s, 0, 1024)) !== null) return true;
  const step = floor(len / 256);
  for (let i = 1024; i < len; i += step) if (charCodeAt(s, i) > 0xff) return true;
  return false;
}

function stringBytes(s: string): number {
  const len = s.length;
  if (isTwoByte(s)) return 2 + varintBytes(len * 2) + len * 2; // + a padding tag half the time
  return 1 + varintBytes(len) + len;
}

/** Serialized size of property keys, which repeat across messages (bounded cache). */
const keyBytesCache = new Map<string, number>();
const KEY_CACHE_MAX = 4096;

function keyBytes(key: string): number {
  const len = key.length;
  if (len <= 16) {
    // Short keys (most of them): a char loop is cheaper than a hash lookup.
    for (let i = 0; i < len; i++) if (charCodeAt(key, i) > 0xff) return stringBytes(key);
    return 2 + len;
  }
  let b = mapGet(keyBytesCache, key);
  if (b === undefined) {
    b = stringBytes(key);
    if (mapSize(keyBytesCache) < KEY_CACHE_MAX) mapSet(keyBytesCache, key, b);
  }
  return b;
}

interface WalkState {
  /** The message itself: tracked apart from `seen` so flat messages never touch the Set. */
  root: object | null;
  seen: Set<object>;
  /** An own accessor or a proxy was seen: re-serializing this message could run app code. */
  touchesAppCode: boolean;
  /** A function or symbol was seen (the clone throws). */
  uncloneable: boolean;
  nodes: number;
  typedArrayBytes: number;
  transferred: Set<ArrayBufferLike> | null;
}

const shared: WalkState = {
  root: null,
  seen: new Set(),
  touchesAppCode: false,
  uncloneable: false,
  nodes: 0,
  typedArrayBytes: 0,
  transferred: null,
};

/** Serialized size of an ArrayBufferView whose copied payload is `payload` bytes (tag, sub-tags, length). */
function viewBytes(payload: number): number {
  return 3 + varintBytes(payload) + payload;
}

/** Bytes of a typed-array payload that is copied (0 when its buffer is transferred or shared). */
function viewPayload(view: ArrayBufferView, transferred: ReadonlySet<ArrayBufferLike> | null): number {
  // A subclass may override `buffer`/`byteLength`: read those through the engine's own getters.
  const proto = getPrototypeOf(view) as object;
  const own = proto === uint8ArrayProto || proto === bufferProto || setHas(intrinsicViewProtos, proto);
  const dataView = !own && isDataView(view);
  const buffer = own ? view.buffer : dataView ? dataViewBuffer(view as DataView) : typedArrayBuffer(view);
  if (transferred !== null && setHas(transferred, buffer)) return 0;
  // A buffer whose prototype is this realm's ArrayBuffer.prototype is not shared; only others
  // (shared, or from another realm) need the binding call, which costs more on a cold cache.
  if (getPrototypeOf(buffer) !== arrayBufferProto && isSharedArrayBuffer(buffer)) return 0;
  if (own) return view.byteLength;
  return dataView ? dataViewByteLength(view as DataView) : typedArrayByteLength(view);
}

function walk(v: unknown, depth: number, st: WalkState, numbersAsDoubles: boolean): number {
  switch (typeof v) {
    case 'number':
      return numberBytes(v, numbersAsDoubles);
    case 'string':
      return stringBytes(v);
    case 'boolean':
    case 'undefined':
      return 1;
    case 'bigint': {
      const digits = ceil(max(1, bigIntToString(v, 16).length) / 16);
      return 1 + varintBytes(digits * 16) + digits * 8;
    }
    case 'object':
      if (v === null) return 1;
      return objectBytes(v, depth, st);
    default:
      // Functions and symbols make postMessage throw DataCloneError; nothing is copied.
      st.uncloneable = true;
      return 0;
  }
}

function objectBytes(o: object, depth: number, st: WalkState): number {
  if (o === st.root || (depth > 0 && setHas(st.seen, o))) return 2; // back-reference: '^' + id
  if (++st.nodes > NODE_BUDGET || depth > MAX_DEPTH) return FLAT_GUESS_BYTES;
  if (isProxy(o)) {
    st.touchesAppCode = true;
    return 0; // postMessage throws on proxies; never touch their traps
  }
  if (depth === 0) st.root = o;
  else setAdd(st.seen, o);
  // Fast paths first: plain objects and arrays are most of what apps send.
  const proto = getPrototypeOf(o);
  if (proto === objectProto || proto === null) return plainObjectBytes(o, depth, st);
  if (isArray(o)) return arrayBytes(o, depth, st);
  if (isView(o)) {
    const payload = viewPayload(o, st.transferred);
    st.typedArrayBytes += payload;
    return viewBytes(payload);
  }
  if (isArrayBuffer(o)) {
    const ab = o as ArrayBuffer;
    if (st.transferred !== null && setHas(st.transferred, ab)) return 2;
    const length = arrayBufferByteLength(ab);
    st.typedArrayBytes += length;
    return 1 + varintBytes(length) + length;
  }
  if (isSharedArrayBuffer(o)) return 2;
  if (isMap(o)) {
    const m = o as Map<unknown, unknown>;
    return collectionBytes(mapEntriesOf(m), mapNext, mapSize(m), depth, st, true);
  }
  if (isSet(o)) {
    const set = o as Set<unknown>;
    return collectionBytes(setValuesOf(set), setNext, setSize(set), depth, st, false);
  }
  if (isDate(o)) return 9;
  if (isRegExp(o)) return 2 + stringBytes(regExpSource(o as RegExp));
  if (isBoxedPrimitive(o)) return 10;
  if (isNativeError(o)) return errorBytes(o as Error, st);
  // Other class instances: own keys only (a for-in would enumerate the prototype chain, whose
  // proxies could trap), each read through its descriptor.
  return sampledObjectBytes(o, depth, st);
}

/** Own enumerable data value, or undefined for accessors (the estimator never calls getters). */
function dataValue(o: object, key: string, st?: WalkState): unknown {
  const d = getDescriptor(o, key);
  if (d === undefined) return undefined;
  if (d.get !== undefined || d.set !== undefined) {
    if (st !== undefined) st.touchesAppCode = true;
    return undefined;
  }
  return d.value;
}

function plainObjectBytes(o: object, depth: number, st: WalkState): number {
  // Small objects: for-in over own keys allocates nothing (no key array, no descriptors); an own
  // getter is detected with __lookupGetter__ and never called. Setter-only properties read as
  // undefined without running anything. Past SAMPLE_ENTRIES keys, fall back to sampling.
  let n = 0;
  let sampled = 0;
  for (const key in o) {
    if (!hasOwn(o, key)) continue;
    if (++n > SAMPLE_ENTRIES) return sampledObjectBytes(o, depth, st);
    let value: unknown;
    if (lookupGetter(o, key) !== undefined) st.touchesAppCode = true;
    else value = (o as Record<string, unknown>)[key];
    sampled += keyBytes(key) + walk(value, depth + 1, st, false);
  }
  return 2 + varintBytes(n) + sampled;
}

function sampledObjectBytes(o: object, depth: number, st: WalkState): number {
  const keys = objectKeys(o);
  const n = keys.length;
  const bytes = 2 + varintBytes(n);
  const step = n > SAMPLE_ENTRIES ? n / SAMPLE_ENTRIES : 1;
  const walked = n > SAMPLE_ENTRIES ? SAMPLE_ENTRIES : n;
  let sampled = 0;
  for (let i = 0; i < walked; i++) {
    const key = keys[floor(i * step)];
    const value = dataValue(o, key, st);
    sampled += keyBytes(key) + walk(value, depth + 1, st, false);
  }
  return bytes + (walked === 0 ? 0 : (sampled * n) / walked);
}

function arrayBytes(a: unknown[], depth: number, st: WalkState): number {
  const n = a.length;
  const head = 1 + varintBytes(n) + 1 + 1 + varintBytes(n);
  if (n === 0) return head;
  const walked = n > SAMPLE_ENTRIES ? SAMPLE_ENTRIES : n;
  const step = n / walked;
  // A packed-double array stores every element as an 8-byte double, integral or not. An index
  // accessor (which the clone itself calls once) is found with __lookupGetter__ and never called;
  // a setter-only accessor reads as undefined without running anything.
  let doubles = false;
  let accessors = false;
  for (let i = 0; i < walked; i++) {
    const idx = floor(i * step);
    if (lookupGetter(a, idx as unknown as string) !== undefined) {
      accessors = true;
      continue;
    }
    const e = a[idx];
    if (typeof e === 'number' && (e | 0) !== e) doubles = true;
  }
  let sampled = 0;
  for (let i = 0; i < walked; i++) {
    const idx = floor(i * step);
    if (!hasOwn(a, idx))
      sampled += 1; // a hole
    else if (accessors && lookupGetter(a, idx as unknown as string) !== undefined) {
      st.touchesAppCode = true;
      sampled += FLAT_GUESS_BYTES;
    } else sampled += walk(a[idx], depth + 1, st, doubles);
  }
  return head + (sampled * n) / walked;
}

function collectionBytes(
  it: Iterator<unknown>,
  next: (it: Iterator<unknown>) => IteratorResult<unknown>,
  n: number,
  depth: number,
  st: WalkState,
  isMap: boolean,
): number {
  const head = 2 + varintBytes(n * 2);
  if (n === 0) return head;
  // Maps and sets iterate only in order: walk every step-th entry of the first ITERATE_CAP.
  const span = n > ITERATE_CAP ? ITERATE_CAP : n;
  // An odd stride avoids sampling only even entries of data that alternates by parity.
  const step = span > SAMPLE_ENTRIES ? floor(span / SAMPLE_ENTRIES) | 1 : 1;
  let index = 0;
  let walked = 0;
  let sampled = 0;
  for (let r = next(it); r.done !== true; r = next(it)) {
    const entry = r.value;
    if (index >= span) break;
    if (index++ % step !== 0) continue;
    if (isMap) {
      const pair = entry as [unknown, unknown];
      sampled += walk(pair[0], depth + 1, st, false) + walk(pair[1], depth + 1, st, false);
    } else sampled += walk(entry, depth + 1, st, false);
    walked++;
  }
  return head + (sampled * n) / walked;
}

/**
 * An error's stack is not read: reading `stack` formats it on first access, which calls the app's
 * `Error.prepareStackTrace` and its `message` getter. Its size is a guess, and re-serializing the
 * error (calibration) is off, since that would format it too.
 */
const STACK_GUESS_BYTES = 400;

function errorBytes(e: Error, st: WalkState): number {
  st.touchesAppCode = true;
  // The clone reads `message` as an own data property only (no getter, nothing inherited).
  const own = dataValue(e, 'message');
  const message = typeof own === 'string' ? own : '';
  return 4 + stringBytes(message) + STACK_GUESS_BYTES;
}

/** Own keys a flat object may have to take the fast path. */
const FLAT_KEYS = 16;

/**
 * Bytes of a flat plain object (at most FLAT_KEYS own keys, every value a primitive), the
 * commonest message, without the general walk's bookkeeping; -1 when it is not flat (or has an
 * accessor), and the general walk takes over. The caller has ruled out proxies and checked the
 * prototype.
 */
function flatObjectBytes(o: object): number {
  let n = 0;
  let bytes = 0;
  for (const key in o) {
    if (!hasOwn(o, key)) continue;
    if (++n > FLAT_KEYS || lookupGetter(o, key) !== undefined) return -1;
    const v = (o as Record<string, unknown>)[key];
    if (v !== null && typeof v === 'object') return -1;
    // A primitive: `walk` costs it without touching the walk state.
    bytes += keyBytes(key) + walk(v, 1, shared, false);
  }
  return 2 + varintBytes(n) + bytes;
}

/**
 * Estimates the bytes a structured clone of `value` copies. Buffers in `transfer` are moved, not
 * copied, and count zero here (the caller adds them to bytes transferred).
 */
export function estimateCloneBytes(value: unknown, transfer?: ReadonlySet<ArrayBufferLike> | null): SizeEstimate {
  const out: SizeEstimate = { bytes: 0, typedArrayBytes: 0, touchesAppCode: false };
  estimateInto(value, transfer ?? null, out);
  return out;
}

/** Same as `estimateCloneBytes`, writing into `out` (the send hook reuses one object: no garbage). */
export function estimateInto(value: unknown, transfer: ReadonlySet<ArrayBufferLike> | null, out: SizeEstimate): void {
  shared.uncloneable = false;
  if (value === null || typeof value !== 'object') {
    out.bytes = HEADER_BYTES + walk(value, 0, shared, false);
    out.typedArrayBytes = 0;
    out.touchesAppCode = false;
    out.uncloneable = shared.uncloneable;
    return;
  }
  if (isView(value)) {
    // A typed array or DataView sent as is (proxies have no view slot, so this runs no app code):
    // sized without the walk's bookkeeping, which after a big copy costs more in cache misses.
    const payload = viewPayload(value, transfer);
    out.bytes = HEADER_BYTES + viewBytes(payload);
    out.typedArrayBytes = payload;
    out.touchesAppCode = false;
    out.uncloneable = false;
    return;
  }
  if (!isProxy(value)) {
    const proto = getPrototypeOf(value);
    if (proto === objectProto || proto === null) {
      const flat = flatObjectBytes(value);
      if (flat >= 0) {
        out.bytes = HEADER_BYTES + flat;
        out.typedArrayBytes = 0;
        out.touchesAppCode = false;
        out.uncloneable = shared.uncloneable;
        return;
      }
    }
  }
  // One reused state per thread: the walk never runs app code, so it cannot re-enter.
  const st = shared;
  st.touchesAppCode = false;
  st.nodes = 0;
  st.typedArrayBytes = 0;
  st.transferred = transfer as Set<ArrayBufferLike> | null;
  try {
    out.bytes = round(HEADER_BYTES + walk(value, 0, st, false));
    out.typedArrayBytes = st.typedArrayBytes;
    out.touchesAppCode = st.touchesAppCode;
    out.uncloneable = st.uncloneable;
  } finally {
    if (setSize(st.seen) > 0) setClear(st.seen);
    st.root = null;
    st.transferred = null;
  }
}
