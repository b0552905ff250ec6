/**
 * JSON text of the agent's records without running app code. `JSON.stringify` looks up `toJSON` on
 * every object, array and primitive it writes, through the prototypes: an app that defines
 * `Object.prototype.toJSON` (or on Array, String, Number, Boolean) would see the agent's records
 * pass through it. While none is defined (the common case) the engine's fast `JSON.stringify` is
 * used; otherwise a plain writer with the same output for this data (own enumerable keys, strings
 * escaped as JSON.stringify does, undefined fields left out, non-finite numbers as null).
 */
import { charCodeAt, isArray, objectKeys, stringSlice } from './intrinsics';

const jsonStringify = JSON.stringify;
const hasOwn = Object.hasOwn;
const prototypes: readonly object[] = [
  Object.prototype,
  Array.prototype,
  String.prototype,
  Number.prototype,
  Boolean.prototype,
];
const hex = '0123456789abcdef';

/** Whether any prototype JSON.stringify consults has a `toJSON` of the app's. */
function appToJson(): boolean {
  for (let i = 0; i < prototypes.length; i++) if (hasOwn(prototypes[i]!, 'toJSON')) return true;
  return false;
}

/** `value` as JSON text, as `JSON.stringify` would write it for plain data, running no app code. */
export function recordsJson(value: unknown): string {
  return appToJson() ? (write(value) ?? 'null') : jsonStringify(value);
}

function write(v: unknown): string | undefined {
  switch (typeof v) {
    case 'string':
      return quote(v);
    case 'number':
      return v === v && v !== Infinity && v !== -Infinity ? `${v}` : 'null';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object': {
      if (v === null) return 'null';
      if (isArray(v)) {
        let out = '[';
        for (let i = 0; i < v.length; i++) out += (i > 0 ? ',' : '') + (write(v[i]) ?? 'null');
        return out + ']';
      }
      const keys = objectKeys(v);
      let out = '{';
      let first = true;
      for (let i = 0; i < keys.length; i++) {
        const text = write((v as Record<string, unknown>)[keys[i]!]);
        if (text === undefined) continue;
        out += (first ? '' : ',') + quote(keys[i]!) + ':' + text;
        first = false;
      }
      return out + '}';
    }
    default:
      // undefined, functions and symbols: left out (in arrays: null), as JSON.stringify does.
      return undefined;
  }
}

/** A JSON string literal: quotes, backslashes, control characters and lone surrogates escaped. */
function quote(s: string): string {
  let out = '"';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = charCodeAt(s, i);
    let esc: string | null = null;
    if (c === 0x22) esc = '\\"';
    else if (c === 0x5c) esc = '\\\\';
    else if (c < 0x20) {
      esc =
        c === 0x0a ? '\\n' : c === 0x0d ? '\\r' : c === 0x09 ? '\\t' : c === 0x08 ? '\\b' : c === 0x0c ? '\\f' : u(c);
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const pair =
        c <= 0xdbff
          ? i + 1 < s.length && charCodeAt(s, i + 1) >= 0xdc00 && charCodeAt(s, i + 1) <= 0xdfff
          : i > 0 && charCodeAt(s, i - 1) >= 0xd800 && charCodeAt(s, i - 1) <= 0xdbff;
      if (!pair) esc = u(c);
    }
    if (esc === null) continue;
    out += substring(s, from, i) + esc;
    from = i + 1;
  }
  return out + substring(s, from, s.length) + '"';
}

function u(c: number): string {
  return '\\u' + hex[(c >> 12) & 15]! + hex[(c >> 8) & 15]! + hex[(c >> 4) & 15]! + hex[c & 15]!;
}

function substring(s: string, from: number, to: number): string {
  return from === 0 && to === s.length ? s : (stringSlice(s, from, to) as string);
}
