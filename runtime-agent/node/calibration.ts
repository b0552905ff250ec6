/**
 * Occasional calibration of the walk estimate against V8's serializer for notable messages only:
 * the first message of each (channel, shape) pair, then one in 1000, and never for messages that
 * serializing could run app code for, or that are mostly typed-array payload (already exact). The
 * ratio corrects what a walk cannot see, chiefly integers that V8 stores as doubles. Cost: one
 * scan and one serialize per distinct shape, far below the copy it describes.
 *
 * The walk samples big arrays, objects, maps and sets, so its "no accessors, no proxies" verdict
 * does not cover every entry: before serializing, `scanForAppCode` checks the whole message (up to
 * a bound). Serializing uses `v8.Serializer` directly, with its methods captured at load and its
 * JS hooks (`_writeHostObject`, `_getDataCloneError`, `_getSharedArrayBufferId`) set on the
 * instance: `v8.serialize` would look them up, and its typed-array hook reads `constructor`,
 * `buffer` and `byteLength` with ordinary gets, so an app's patches or getters could run.
 */
import { Serializer } from 'node:v8';
import { types } from 'node:util';
import type { SizeEstimate } from './size-estimator';
import {
  arrayBufferByteLength,
  dataViewBuffer,
  dataViewByteLength,
  mapEntriesOf,
  mapGet,
  mapNext,
  mapSet,
  mapSize,
  setNext,
  setValuesOf,
  typedArrayBuffer,
  typedArrayByteLength,
  typedArrayLength,
  WeakSetCtor,
} from './intrinsics';
import { isDataDescriptor, ownDescriptor, uncurryThis } from './raw-apis';

/** Re-calibrate a known shape once in this many notable sends. */
export const RECALIBRATE_ONE_IN = 1000;
const MAX_KEYS = 256;
/** Messages above this (non-payload) size are never re-serialized. */
const MAX_CALIBRATE_BYTES = 2 * 1024 * 1024;
/** Values (entries, properties, elements) `scanForAppCode` looks at before giving up. */
export const SCAN_BUDGET = 50_000;

// Builtins captured at load (the agent is preloaded before any app code).
const { isProxy, isNativeError, isSharedArrayBuffer, isArrayBufferView, isTypedArray, isMap, isSet } = types;
const getOwnDescriptor = Object.getOwnPropertyDescriptor;
const defineProperty = Object.defineProperty;
const objectKeys = Object.keys;
const isArray = Array.isArray;
const round = Math.round;
const AgentError = Error;
const NativeSerializer = Serializer;
const writeHeader = uncurryThis(Serializer.prototype.writeHeader);
const writeValue = uncurryThis(Serializer.prototype.writeValue as (this: Serializer, v: unknown) => boolean);
const releaseBuffer = uncurryThis(Serializer.prototype.releaseBuffer);

interface Ratio {
  ratio: number;
  uses: number;
}

// Captured at load, not per call: an app may have replaced them since.
const seenHas = uncurryThis(WeakSet.prototype.has as (this: WeakSet<object>, v: object) => boolean);
const seenAdd = uncurryThis(WeakSet.prototype.add as (this: WeakSet<object>, v: object) => unknown);

/**
 * Whether serializing `message` could run app code, or the scan could not tell within `budget`
 * values: a proxy, an accessor (own property or array element), a hole (V8 would look the index up
 * the prototype chain), an error (its `message`/`stack` are read), a SharedArrayBuffer (the
 * serializer asks a JS hook for its id), or a view onto part of a bigger buffer (V8 writes the whole
 * buffer, so the figure would not be the message's). Reads through descriptors and the engine's own
 * iterators and getters only.
 */
export function scanForAppCode(message: unknown, budget = SCAN_BUDGET): boolean {
  const stack: unknown[] = [message];
  const seen = new WeakSetCtor<object>();
  while (stack.length > 0) {
    if (--budget < 0) return true;
    const v = stack[stack.length - 1];
    stack.length--;
    if (v === null || typeof v !== 'object') continue; // primitives and functions: no app code
    if (seenHas(seen, v)) continue;
    seenAdd(seen, v);
    if (isProxy(v) || isNativeError(v) || isSharedArrayBuffer(v)) return true;
    if (isArrayBufferView(v)) {
      if (!wholeBufferView(v)) return true;
      continue;
    }
    if (isMap(v)) {
      const entries = mapEntriesOf(v as Map<unknown, unknown>);
      for (let r = mapNext(entries); r.done !== true; r = mapNext(entries)) {
        const pair = r.value as unknown[];
        stack[stack.length] = pair[0];
        stack[stack.length] = pair[1];
        if (stack.length > budget) return true;
      }
      continue;
    }
    if (isSet(v)) {
      const values = setValuesOf(v as Set<unknown>);
      for (let r = setNext(values); r.done !== true; r = setNext(values)) {
        stack[stack.length] = r.value;
        if (stack.length > budget) return true;
      }
      continue;
    }
    if (isArray(v) && (v.length > budget || hasHoleOrAccessor(v))) return true;
    const keys = objectKeys(v);
    if (keys.length > budget) return true;
    for (let i = 0; i < keys.length; i++) {
      const d = getOwnDescriptor(v, keys[i]!);
      if (!isDataDescriptor(d)) return true;
      stack[stack.length] = d.value;
    }
  }
  return false;
}

/** Whether every index of `a` below its length is an own data property. */
function hasHoleOrAccessor(a: unknown[]): boolean {
  for (let i = 0; i < a.length; i++) if (!isDataDescriptor(getOwnDescriptor(a, i))) return true;
  return false;
}

/** Whether `view` (not shared) covers its whole buffer, read through the engine's getters. */
function wholeBufferView(view: ArrayBufferView): boolean {
  const typed = isTypedArray(view);
  const buffer = typed ? typedArrayBuffer(view) : dataViewBuffer(view as DataView);
  if (isSharedArrayBuffer(buffer)) return false;
  const bytes = typed ? typedArrayByteLength(view) : dataViewByteLength(view as DataView);
  return bytes === arrayBufferByteLength(buffer);
}

/** Throws from the serializer's JS hooks: the agent's own error, no app code. */
function refuseHostObject(): never {
  throw new AgentError('not serialized for calibration');
}

/** Bytes V8's serializer writes for `message` (throws when it cannot be serialized). */
function serializedBytes(message: unknown): number {
  const ser = new NativeSerializer();
  // Own properties, found before anything on a (patchable) Serializer.prototype.
  const hook = (key: string, value: unknown): void => {
    defineProperty(ser, key, ownDescriptor({ value, writable: true, configurable: true }));
  };
  hook('_writeHostObject', refuseHostObject);
  hook('_getSharedArrayBufferId', refuseHostObject);
  hook('_getDataCloneError', dataCloneError);
  writeHeader(ser);
  writeValue(ser, message);
  return typedArrayLength(releaseBuffer(ser));
}

function dataCloneError(message: string): Error {
  return new AgentError(message);
}

/** Per-thread calibration ratios by (channel, shape). */
export class SizeCalibration {
  private readonly ratios = new Map<string, Ratio>();

  /** The estimate, corrected for this shape; calibrates when due. Never throws. */
  correct(key: string, message: unknown, est: SizeEstimate): SizeEstimate {
    const rest = est.bytes - est.typedArrayBytes;
    if (rest <= 0) return est;
    let entry = mapGet(this.ratios, key);
    const due = entry === undefined ? mapSize(this.ratios) < MAX_KEYS : entry.uses % RECALIBRATE_ONE_IN === 0;
    if (due && !est.touchesAppCode && rest <= MAX_CALIBRATE_BYTES && est.typedArrayBytes < rest) {
      // A message the agent may not serialize, or cannot, keeps the walk estimate (ratio 1) until
      // its shape is due again: scanning it on every send would cost more than the correction.
      let ratio = 1;
      try {
        if (!scanForAppCode(message)) {
          const actualRest = serializedBytes(message) - est.typedArrayBytes;
          if (actualRest > 0) ratio = actualRest / rest;
        }
      } catch {
        // Not serializable (ports, host objects, functions): keep the walk estimate.
      }
      entry = { ratio, uses: 0 };
      mapSet(this.ratios, key, entry);
    }
    if (entry === undefined) return est;
    entry.uses++;
    return { bytes: round(est.typedArrayBytes + rest * entry.ratio), typedArrayBytes: est.typedArrayBytes };
  }
}
