/**
 * Occasional calibration of the walk estimate against `v8.serialize` for notable messages only:
 * the first message of each (channel, shape) pair, then one in 1000, and never for messages whose
 * walk saw accessors or proxies (serializing would run app code) or that are mostly typed-array
 * payload (already exact). The ratio corrects what a walk cannot see, chiefly integers that V8
 * stores as doubles. Cost: one serialize per distinct shape, far below the copy it describes.
 */
import { serialize } from 'node:v8';
import type { SizeEstimate } from './size-estimator';

/** Re-calibrate a known shape once in this many notable sends. */
export const RECALIBRATE_ONE_IN = 1000;
const MAX_KEYS = 256;
/** Messages above this (non-payload) size are never re-serialized. */
const MAX_CALIBRATE_BYTES = 2 * 1024 * 1024;

interface Ratio {
  ratio: number;
  uses: number;
}

/** Per-thread calibration ratios by (channel, shape). */
export class SizeCalibration {
  private readonly ratios = new Map<string, Ratio>();

  /** The estimate, corrected for this shape; calibrates when due. Never throws. */
  correct(key: string, message: unknown, est: SizeEstimate): SizeEstimate {
    const rest = est.bytes - est.typedArrayBytes;
    if (rest <= 0) return est;
    let entry = this.ratios.get(key);
    const due = entry === undefined ? this.ratios.size < MAX_KEYS : entry.uses % RECALIBRATE_ONE_IN === 0;
    if (due && !est.touchesAppCode && rest <= MAX_CALIBRATE_BYTES && est.typedArrayBytes < rest) {
      try {
        const actualRest = serialize(message).length - est.typedArrayBytes;
        entry = { ratio: actualRest > 0 ? actualRest / rest : 1, uses: 0 };
        this.ratios.set(key, entry);
      } catch {
        // Not serializable by v8.serialize (ports, host objects): keep the walk estimate.
      }
    }
    if (entry === undefined) return est;
    entry.uses++;
    return { bytes: Math.round(est.typedArrayBytes + rest * entry.ratio), typedArrayBytes: est.typedArrayBytes };
  }
}
