/**
 * The builtins the per-message paths use (the send and delivery hooks, the size estimate, the
 * clock), captured when the agent loads, before any app code runs. An app that later replaces
 * `Object.getPrototypeOf`, `Math.floor`, `String.prototype.charCodeAt`, a `Set` method or
 * `util.types.isProxy` never sees the agent call its version, and the agent's figures do not
 * depend on it. Captured functions that the compiler knows (Math, charCodeAt, typed-array getters)
 * are still inlined: the hook switch and the instruction counts showed no cost.
 */
import { types } from 'node:util';
import { uncurryThis } from './raw-apis';

export const getPrototypeOf = Object.getPrototypeOf;
export const getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
export const objectKeys = Object.keys;
export const isArray = Array.isArray;
export const isView = ArrayBuffer.isView;
/** Collection constructors as they were at load: an app that replaces the globals is not called. */
export const SetCtor = Set;
export const WeakSetCtor = WeakSet;
export const ArrayBufferCtor = ArrayBuffer;
export const { floor, ceil, max, min, round, clz32 } = Math;
export const {
  isProxy,
  isDataView,
  isArrayBuffer,
  isSharedArrayBuffer,
  isMap,
  isSet,
  isDate,
  isRegExp,
  isBoxedPrimitive,
  isNativeError,
} = types;

export const charCodeAt = uncurryThis(String.prototype.charCodeAt);
export const stringSlice = uncurryThis(String.prototype.slice);
export const regExpExec = uncurryThis(RegExp.prototype.exec);
export const bigIntToString = uncurryThis(BigInt.prototype.toString);
export const setHas = uncurryThis(Set.prototype.has) as (s: ReadonlySet<unknown>, v: unknown) => boolean;
export const setAdd = uncurryThis(Set.prototype.add) as (s: Set<unknown>, v: unknown) => Set<unknown>;
export const setForEach = uncurryThis(Set.prototype.forEach) as <T>(s: ReadonlySet<T>, f: (v: T) => void) => void;
export const setClear = uncurryThis(Set.prototype.clear) as (s: Set<unknown>) => void;
export const setSize = uncurryThis(Object.getOwnPropertyDescriptor(Set.prototype, 'size')!.get!) as (
  s: ReadonlySet<unknown>,
) => number;
type Next = (this: Iterator<unknown>) => IteratorResult<unknown>;
/** `Map.prototype.entries` / `Set.prototype.values` and their iterators' `next`, called without any app-patchable lookup. */
export const mapEntriesOf = uncurryThis(Map.prototype.entries as (this: Map<unknown, unknown>) => Iterator<unknown>);
export const setValuesOf = uncurryThis(Set.prototype.values as (this: Set<unknown>) => Iterator<unknown>);
export const mapNext = uncurryThis((Object.getPrototypeOf(new Map().entries()) as { next: Next }).next);
export const setNext = uncurryThis((Object.getPrototypeOf(new Set().values()) as { next: Next }).next);
/** A builtin accessor's own getter, called as `getter(self)`: an app's override of the property never runs. */
export const intrinsicGetter = <T, R>(proto: object, key: string | symbol): ((self: T) => R) =>
  uncurryThis(Object.getOwnPropertyDescriptor(proto, key)!.get as (this: T) => R);
const typedArrayProto = Object.getPrototypeOf(Uint8Array.prototype) as object;
export const typedArrayBuffer = intrinsicGetter<ArrayBufferView, ArrayBufferLike>(typedArrayProto, 'buffer');
export const typedArrayByteLength = intrinsicGetter<ArrayBufferView, number>(typedArrayProto, 'byteLength');
export const typedArrayLength = intrinsicGetter<ArrayBufferView, number>(typedArrayProto, 'length');
export const dataViewBuffer = intrinsicGetter<DataView, ArrayBufferLike>(DataView.prototype, 'buffer');
export const dataViewByteLength = intrinsicGetter<DataView, number>(DataView.prototype, 'byteLength');
/** `ArrayBuffer.prototype.byteLength`'s own getter. */
export const arrayBufferByteLength = intrinsicGetter<ArrayBuffer, number>(ArrayBuffer.prototype, 'byteLength');
export const setDelete = uncurryThis(Set.prototype.delete) as (s: Set<unknown>, v: unknown) => boolean;
export const mapHas = uncurryThis(Map.prototype.has) as (m: ReadonlyMap<unknown, unknown>, k: unknown) => boolean;
export const mapForEach = uncurryThis(Map.prototype.forEach) as <K, V>(
  m: ReadonlyMap<K, V>,
  f: (v: V, k: K) => void,
) => void;
export const weakMapGet = uncurryThis(WeakMap.prototype.get) as <K extends object, V>(
  m: WeakMap<K, V>,
  k: K,
) => V | undefined;
export const weakMapSet = uncurryThis(WeakMap.prototype.set) as <K extends object, V>(
  m: WeakMap<K, V>,
  k: K,
  v: V,
) => WeakMap<K, V>;
export const weakMapDelete = uncurryThis(WeakMap.prototype.delete) as <K extends object>(
  m: WeakMap<K, unknown>,
  k: K,
) => boolean;
export const weakRefDeref = uncurryThis(WeakRef.prototype.deref) as <T extends object>(r: WeakRef<T>) => T | undefined;
export const WeakRefCtor = WeakRef;
export const mapGet = uncurryThis(Map.prototype.get) as <K, V>(m: Map<K, V>, k: K) => V | undefined;
export const mapSet = uncurryThis(Map.prototype.set) as <K, V>(m: Map<K, V>, k: K, v: V) => Map<K, V>;
export const mapSize = uncurryThis(Object.getOwnPropertyDescriptor(Map.prototype, 'size')!.get!) as (
  m: ReadonlyMap<unknown, unknown>,
) => number;
