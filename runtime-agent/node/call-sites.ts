/**
 * Where notable messages are sent from. Capture uses `Error.prepareStackTrace` returning the raw
 * CallSite objects with a small frame limit (~4 µs, unaffected by source maps), reports the
 * compiled position as the runtime gives it (the collector maps it through source maps), and is
 * sampled: the first few notable sends per port, then 1 in 64 but at most a few per port per
 * sampling period, each capture standing for the notable sends since the port's previous one.
 */
import type { CallSite, CallSiteRecord } from '../../protocol/agent-frames';
import { isDataDescriptor, ownDescriptor, reflectApply, uncurryThis } from './raw-apis';
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

// The engine's own pieces, captured at load (before any app code): the capture below never calls
// a builtin or CallSite method the app replaced later.
/** The engine's Error (an app may replace the global later; Node then reads the app's). */
const OriginalError: object = Error;
const captureStackTrace = Error.captureStackTrace;
const getOwnDescriptor = Object.getOwnPropertyDescriptor;
const defineProperty = Reflect.defineProperty;
const deleteProperty = Reflect.deleteProperty;
const isExtensible = Object.isExtensible;
const isArray = Array.isArray;
const stringSlice = uncurryThis(String.prototype.slice as (this: string, start: number, end?: number) => string);
const globalObject = globalThis;
/** The engine's CallSite methods, from one capture made now (null where the runtime has no CallSite API). */
const callSiteMethods = captureCallSiteMethods();

type SiteMethod<R> = (site: RawCallSite) => R;
interface CallSiteMethods {
  fileName: SiteMethod<string | null | undefined>;
  scriptName: SiteMethod<string | null | undefined>;
  line: SiteMethod<number | null>;
  column: SiteMethod<number | null>;
  functionName: SiteMethod<string | null>;
}

function captureCallSiteMethods(): CallSiteMethods | null {
  try {
    const sites = rawSites(captureCallSiteMethods);
    const proto = sites !== null && sites.length > 0 ? (Object.getPrototypeOf(sites[0]) as RawCallSite) : null;
    if (proto === null) return null;
    return {
      fileName: uncurryThis(proto.getFileName),
      scriptName: uncurryThis(proto.getScriptNameOrSourceURL ?? (() => null)),
      line: uncurryThis(proto.getLineNumber),
      column: uncurryThis(proto.getColumnNumber),
      functionName: uncurryThis(proto.getFunctionName),
    };
  } catch {
    // An odd runtime: no call sites at all.
    return null;
  }
}

/**
 * Whether the agent may set an `Error` property for the capture and put it back exactly: absent
 * (defined, then deleted, on an extensible Error), or a plain writable data property (its value
 * swapped and restored through its descriptor). An accessor (its getter and setter are the app's
 * code) or a read-only property (`--frozen-intrinsics`, `Object.freeze(Error)`) means no capture.
 */
function swappable(d: PropertyDescriptor | undefined): boolean {
  return d === undefined ? isExtensible(OriginalError) : isDataDescriptor(d) && d.writable === true;
}

/** Sets `key` of Error to `value` for the capture; `saved` is how to put it back. */
function swapIn(key: string, saved: PropertyDescriptor | undefined, value: unknown): boolean {
  const d = ownDescriptor(saved ?? { writable: true, enumerable: false, configurable: true });
  d.value = value;
  return defineProperty(OriginalError, key, d);
}

/** Puts `key` of Error back exactly as it was (deleted again when it was absent). */
function restore(key: string, saved: PropertyDescriptor | undefined): void {
  if (saved === undefined) deleteProperty(OriginalError, key);
  else defineProperty(OriginalError, key, ownDescriptor(saved));
}

/**
 * The raw CallSite objects above `below`, or null. `Error.prepareStackTrace` and
 * `Error.stackTraceLimit` are swapped for the capture only when both can be put back exactly
 * (`swappable`); the app's accessors on them never run, and Node reads `prepareStackTrace` from the
 * global `Error`, so an app that replaced that global gets no capture either. Never throws.
 */
function rawSites(below: object): RawCallSite[] | null {
  const globalError = getOwnDescriptor(globalObject, 'Error');
  if (!isDataDescriptor(globalError) || globalError.value !== OriginalError) return null;
  const savedPrepare = getOwnDescriptor(OriginalError, 'prepareStackTrace');
  const savedLimit = getOwnDescriptor(OriginalError, 'stackTraceLimit');
  if (!swappable(savedPrepare) || !swappable(savedLimit)) return null;
  let sites: unknown = undefined;
  let prepareSet = false;
  let limitSet = false;
  try {
    prepareSet = swapIn('prepareStackTrace', savedPrepare, returnSites);
    limitSet = swapIn('stackTraceLimit', savedLimit, 6);
    if (prepareSet && limitSet) {
      const holder: { stack?: unknown } = {};
      reflectApply(captureStackTrace, OriginalError, [holder, below]);
      const stack = getOwnDescriptor(holder, 'stack');
      // V8 installs `stack` as an accessor that formats on first read (through returnSites now).
      sites = stack === undefined ? undefined : holder.stack;
    }
  } catch {
    // An odd runtime: no call site this time, the send itself is unaffected.
    sites = undefined;
  } finally {
    try {
      if (limitSet) restore('stackTraceLimit', savedLimit);
      if (prepareSet) restore('prepareStackTrace', savedPrepare);
    } catch {
      // Both were checked writable (or absent on an extensible Error) just above: nothing to do.
    }
  }
  return isArray(sites) ? (sites as RawCallSite[]) : null;
}

/** Whether `file` is Node's own (`node:…`). */
function isNodeFile(file: string): boolean {
  return stringSlice(file, 0, 5) === 'node:';
}

/** The first app frame above `below` (a function of the agent), or null. Never throws. */
export function captureCallSite(below: object): CallSite | null {
  const m = callSiteMethods;
  if (m === null) return null;
  try {
    const sites = rawSites(below);
    if (sites === null) return null;
    for (let i = 0; i < sites.length; i++) {
      const s = sites[i]!;
      const file = m.fileName(s) ?? m.scriptName(s) ?? null;
      if (!file || isNodeFile(file) || file === ownFile) continue;
      const functionName = m.functionName(s);
      return {
        file: clip(file),
        line: m.line(s) ?? 0,
        column: m.column(s) ?? 0,
        functionName: functionName ? clip(functionName) : null,
      };
    }
  } catch {
    // A CallSite that misbehaves: no call site this time.
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

const sitesGet = uncurryThis(
  Map.prototype.get as (this: Map<string, SiteTotals>, key: string) => SiteTotals | undefined,
);
const sitesSet = uncurryThis(
  Map.prototype.set as (this: Map<string, SiteTotals>, key: string, v: SiteTotals) => unknown,
);

/** Per-thread aggregates by call site, reported as cumulative `call-site` records. */
export class CallSiteTable {
  /** By `file:line:column` (Map methods captured at load), and in insertion order for `records`. */
  private readonly sites = new Map<string, SiteTotals>();
  private readonly ordered: SiteTotals[] = [];

  constructor(private readonly isolateId: string) {}

  /** Adds a captured send standing for `weight` sends (sampling scales the counts back up). */
  add(site: CallSite, weight: number, copiedBytes: number, typedArrayBytes: number, transferredBytes: number): void {
    let key = `${site.file}:${site.line}:${site.column}`;
    let totals = sitesGet(this.sites, key);
    if (totals === undefined) {
      if (this.ordered.length >= MAX_SITES) {
        key = '(other)';
        totals = sitesGet(this.sites, key);
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
        sitesSet(this.sites, key, totals);
        this.ordered[this.ordered.length] = totals;
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
    for (let i = 0; i < this.ordered.length; i++) {
      const t = this.ordered[i]!;
      if (!t.dirty) continue;
      t.dirty = false;
      out[out.length] = {
        type: 'call-site',
        isolateId: this.isolateId,
        site: t.site,
        sends: t.sends,
        bytesCopied: t.bytesCopied,
        maxMessageBytes: t.maxMessageBytes,
        transferableBytes: t.transferableBytes,
        bytesTransferred: t.bytesTransferred,
      };
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
