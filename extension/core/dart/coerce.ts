/**
 * Values from the VM service are checked before they reach the model. A missing or wrong-typed
 * field in one answer (an older VM, a proxy, an embedder's own service) must not put a string
 * where the model holds bytes: the inspector page drops a whole update over one bad field.
 */
import { FRAME_LIMITS, type Bytes } from '../../../protocol';

/**
 * A non-negative number up to 2^53 (as the agent protocol allows: sums of them stay finite, where
 * 1e308 twice is Infinity, which JSON writes as null), else null.
 */
export function nonNegative(v: unknown): number | null {
  return typeof v === 'number' && v >= 0 && v <= Number.MAX_SAFE_INTEGER ? v : null;
}

/** A byte count (`nonNegative`), else 0. */
export function bytes(v: unknown): Bytes {
  return nonNegative(v) ?? 0;
}

/** Whether `v` is an object (not null, not an array): a row of a list worth reading. */
export function isRow(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A finite number, else `fallback`. */
export function finite(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

/** Text for a name: strings and numbers as text, anything else (or empty) → `fallback`; clipped. */
export function text(v: unknown, fallback: string): string {
  const s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
  return clip(s.length > 0 ? s : fallback);
}

/** Clips a string to the longest the model and the report accept. */
export function clip(s: string): string {
  return s.length > FRAME_LIMITS.maxStringLength ? s.slice(0, FRAME_LIMITS.maxStringLength) : s;
}
