/**
 * Where notable messages are sent from. Capture uses `Error.prepareStackTrace` returning the raw
 * CallSite objects with a small frame limit (~4 µs, unaffected by source maps), reports the
 * compiled position as the runtime gives it (the collector maps it through source maps), and is
 * sampled: the first few notable sends per port, then 1 in 64 but at most a few per port per
 * sampling period, each capture standing for the notable sends since the port's previous one.
 */
import type { CallSite, CallSiteRecord } from '../../protocol/agent-frames';
import { clip } from './record-sink';

/** Notable sends per port that always get a call site. */
export const ALWAYS_CAPTURE = 16;
/** After that, one notable send in this many is a candidate for a capture. */
export const CAPTURE_ONE_IN = 64;
/**
 * Captures per port per sampling period after the first few. Measured in a 1 MB typed-array
 * stream (~7,000 messages/s), a capture costs ~90–110 µs on the cold cache a big copy leaves
 * (~50 µs the stack walk, the rest formatting and the CallSite getters), so 1 in 64 alone spent
 * ~1.7 µs per message on the sending thread; the cap bounds it at a few hundred µs per second.
 */
export const CAPTURES_PER_PERIOD = 4;
/** Distinct call sites kept per thread (further sites are folded into "other"). */
const MAX_SITES = 512;

type RawCallSite = {
  getFileName(): string | null | undefined;
  getLineNumber(): number | null;
  getColumnNumber(): number | null;
  getFunctionName(): string | null;
  getScriptNameOrSourceURL?(): string | null | undefined;
};

/** Files whose frames are skipped (the agent itself). */
let ownFile = '';

/** Tells the capturer which file is the agent bundle, so its frames are never reported. */
export function setAgentFile(file: string): void {
  ownFile = file;
}

function returnSites(_error: Error, sites: RawCallSite[]): RawCallSite[] {
  return sites;
}

/** The first app frame above `below` (a function of the agent), or null. Never throws. */
export function captureCallSite(below: object): CallSite | null {
  const ErrorCtor = Error as unknown as {
    prepareStackTrace?: unknown;
    stackTraceLimit: number;
    captureStackTrace(target: object, below?: unknown): void;
  };
  const savedPrepare = ErrorCtor.prepareStackTrace;
  const savedLimit = ErrorCtor.stackTraceLimit;
  let sites: unknown;
  try {
    ErrorCtor.prepareStackTrace = returnSites;
    ErrorCtor.stackTraceLimit = 6;
    const holder: { stack?: unknown } = {};
    ErrorCtor.captureStackTrace(holder, below);
    sites = holder.stack;
  } catch {
    // A frozen Error or an odd runtime: no call site this time, the send itself is unaffected.
    sites = undefined;
  } finally {
    ErrorCtor.prepareStackTrace = savedPrepare;
    ErrorCtor.stackTraceLimit = savedLimit;
  }
  if (!Array.isArray(sites)) return null;
  for (const s of sites as RawCallSite[]) {
    const file = s.getFileName() ?? s.getScriptNameOrSourceURL?.() ?? null;
    if (!file || file.startsWith('node:') || file === ownFile) continue;
    return {
      file: clip(file),
      line: s.getLineNumber() ?? 0,
      column: s.getColumnNumber() ?? 0,
      functionName: s.getFunctionName() ? clip(s.getFunctionName() as string) : null,
    };
  }
  return null;
}

interface SiteTotals {
  site: CallSite;
  sends: number;
  bytesCopied: number;
  maxMessageBytes: number;
  transferableBytes: number;
  bytesTransferred: number;
  dirty: boolean;
}

/** Per-thread aggregates by call site, reported as cumulative `call-site` records. */
export class CallSiteTable {
  private readonly sites = new Map<string, SiteTotals>();

  constructor(private readonly isolateId: string) {}

  /** Adds a captured send standing for `weight` sends (sampling scales the counts back up). */
  add(site: CallSite, weight: number, copiedBytes: number, typedArrayBytes: number, transferredBytes: number): void {
    let key = `${site.file}:${site.line}:${site.column}`;
    let totals = this.sites.get(key);
    if (totals === undefined) {
      if (this.sites.size >= MAX_SITES) {
        key = '(other)';
        totals = this.sites.get(key);
      }
      if (totals === undefined) {
        const stored =
          key === '(other)' ? { file: '(other call sites)', line: 0, column: 0, functionName: null } : site;
        totals = {
          site: stored,
          sends: 0,
          bytesCopied: 0,
          maxMessageBytes: 0,
          transferableBytes: 0,
          bytesTransferred: 0,
          dirty: true,
        };
        this.sites.set(key, totals);
      }
    }
    totals.sends += weight;
    totals.bytesCopied += copiedBytes * weight;
    totals.transferableBytes += typedArrayBytes * weight;
    totals.bytesTransferred += transferredBytes * weight;
    if (copiedBytes > totals.maxMessageBytes) totals.maxMessageBytes = copiedBytes;
    totals.dirty = true;
  }

  /** Records for sites that changed since the last call. */
  records(): CallSiteRecord[] {
    const out: CallSiteRecord[] = [];
    for (const t of this.sites.values()) {
      if (!t.dirty) continue;
      t.dirty = false;
      out.push({
        type: 'call-site',
        isolateId: this.isolateId,
        site: t.site,
        sends: t.sends,
        bytesCopied: t.bytesCopied,
        maxMessageBytes: t.maxMessageBytes,
        transferableBytes: t.transferableBytes,
        bytesTransferred: t.bytesTransferred,
      });
    }
    return out;
  }
}

/** Per port: how its notable sends were sampled so far. */
export interface CaptureState {
  /** Notable sends through the port. */
  notableSends: number;
  /** `notableSends` just after the port's last capture. */
  capturedUpTo: number;
  /** Sampling period of `capturesInPeriod`. */
  capturePeriod: number;
  capturesInPeriod: number;
}

/** A port's sampling state before its first notable send. */
export function newCaptureState(): CaptureState {
  return { notableSends: 0, capturedUpTo: 0, capturePeriod: -1, capturesInPeriod: 0 };
}

/**
 * Counts one notable send of a port and decides whether it captures its call site, in sampling
 * period `period`. Returns the number of notable sends the capture stands for (this one and every
 * uncaptured one since the port's previous capture), or 0 for no capture.
 */
export function captureWeight(s: CaptureState, period: number): number {
  const n = s.notableSends++;
  if (n >= ALWAYS_CAPTURE) {
    if ((n - ALWAYS_CAPTURE) % CAPTURE_ONE_IN !== 0) return 0;
    if (s.capturePeriod !== period) {
      s.capturePeriod = period;
      s.capturesInPeriod = 0;
    }
    if (s.capturesInPeriod >= CAPTURES_PER_PERIOD) return 0;
    s.capturesInPeriod++;
  }
  const weight = n + 1 - s.capturedUpTo;
  s.capturedUpTo = n + 1;
  return weight;
}
