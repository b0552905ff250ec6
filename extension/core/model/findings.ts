/**
 * Finding builders. The model is the one place that decides what is "oversized"; these pure
 * functions turn its aggregates into findings that say what was copied, how often, who paid,
 * and whether a transfer list would help.
 */
import type { Bytes, Finding, RuntimeKind, SourceLocation } from '../../../protocol';
import { formatBytes, formatCount, formatCountOf } from './format';

/** Everything the model knows about oversized sends at one location (or one isolate, without a site). */
export interface OversizedAggregate {
  key: string;
  location: SourceLocation | null;
  /** Sends over the threshold seen in message records. */
  count: number;
  totalBytes: Bytes;
  maxBytes: Bytes;
  /** Typed-array part of the largest message. */
  maxTypedArrayBytes: Bytes;
  /** Typed-array bytes summed over the oversized sends. */
  typedArrayBytesTotal: Bytes;
  /** Bytes by sending isolate id: who paid for the serialization. */
  payers: Map<string, Bytes>;
  /** Channels the oversized sends went over (receivers are resolved when the finding is built). */
  channels: Set<string>;
  /** Shape of the largest message, as the agent described it. */
  shape: string;
  /** From call-site aggregates: every send at this site, big or small. */
  sitesSends: number;
  sitesBytesCopied: Bytes;
  sitesTransferableBytes: Bytes;
}

/** Creates an empty aggregate for `key`. */
export function emptyOversized(key: string, location: SourceLocation | null): OversizedAggregate {
  return {
    key,
    location,
    count: 0,
    totalBytes: 0,
    maxBytes: 0,
    maxTypedArrayBytes: 0,
    typedArrayBytesTotal: 0,
    payers: new Map(),
    channels: new Set(),
    shape: '',
    sitesSends: 0,
    sitesBytesCopied: 0,
    sitesTransferableBytes: 0,
  };
}

function topPayer(agg: OversizedAggregate): string | null {
  let best: string | null = null;
  let bestBytes = -1;
  for (const [id, bytes] of agg.payers) {
    if (bytes > bestBytes) {
      best = id;
      bestBytes = bytes;
    }
  }
  return best;
}

/** Non-binary bytes below this are the clone's own framing (tags, lengths): not worth a mention. */
const FRAMING_BYTES = 1024;

/** A shape entry that holds binary data a transfer can move: `key: Uint8Array(…)` or `key: ArrayBuffer(…)`. */
const BINARY_VALUE = /^(?:[A-Z][A-Za-z0-9]*Array|DataView|Buffer|ArrayBuffer)\(/;

/**
 * The transfer list for a message of this shape (as the Node agent describes it), e.g.
 * `postMessage(msg, [msg.pixels.buffer])`: named after the message's own binary fields, so the
 * example fits the code at the call site.
 */
export function transferExample(shape: string): string {
  const top = shape.trim();
  if (top.startsWith('ArrayBuffer(')) return 'postMessage(buf, [buf])';
  if (BINARY_VALUE.test(top)) return 'postMessage(data, [data.buffer])';
  if (/^Array\(\d+\)<(?!ArrayBuffer)[A-Za-z0-9]*(?:Array|DataView|Buffer)\(/.test(top)) {
    return 'postMessage(list, list.map((a) => a.buffer))';
  }
  if (/^Array\(\d+\)<ArrayBuffer\(/.test(top)) return 'postMessage(list, list)';
  if (top.startsWith('{') && top.endsWith('}')) {
    const moves: string[] = [];
    for (const entry of top.slice(1, -1).split(', ')) {
      const colon = entry.indexOf(': ');
      if (colon <= 0) continue;
      const key = entry.slice(0, colon);
      const value = entry.slice(colon + 2);
      if (!BINARY_VALUE.test(value)) continue;
      const path = /^[A-Za-z_$][\w$]*$/.test(key) ? `msg.${key}` : `msg[${JSON.stringify(key)}]`;
      moves.push(value.startsWith('ArrayBuffer(') ? path : `${path}.buffer`);
    }
    if (moves.length > 0) return `postMessage(msg, [${moves.slice(0, 3).join(', ')}])`;
  }
  return 'postMessage(msg, [msg.data.buffer])';
}

/** What a transfer would do for this site: a recommendation, or why it won't pay / can't apply. */
export function transferAdvice(agg: OversizedAggregate, thresholdBytes: Bytes, runtime: RuntimeKind = 'node'): string {
  return runtime === 'dart' ? dartAdvice(agg, thresholdBytes) : nodeAdvice(agg, thresholdBytes);
}

/** The non-binary rest of the largest message, when it is more than the clone's framing. */
function stillCopied(agg: OversizedAggregate): string {
  const rest = agg.maxBytes - agg.maxTypedArrayBytes;
  return rest >= FRAMING_BYTES ? ` ${formatBytes(rest)} of non-binary data is still copied.` : '';
}

function savedSoFar(agg: OversizedAggregate): Bytes {
  // Message records are sampled; the call-site counters, when present, count every send (as the
  // finding's total does).
  const counted = Math.max(agg.typedArrayBytesTotal, agg.sitesTransferableBytes);
  return counted || agg.maxTypedArrayBytes * Math.max(1, agg.count, agg.sitesSends);
}

function nodeAdvice(agg: OversizedAggregate, thresholdBytes: Bytes): string {
  const typed = agg.maxTypedArrayBytes;
  let advice: string;
  if (typed <= 0) {
    advice =
      `Transfer can't apply: the payload (${agg.shape || 'plain data'}) holds no ArrayBuffer or typed-array data, ` +
      'so every byte is structured-cloned. Send less (an id, a delta), or keep the data in a SharedArrayBuffer.';
  } else if (typed < thresholdBytes) {
    advice =
      `Transfer won't pay: only ${formatBytes(typed)} of the ${formatBytes(agg.maxBytes)} message is typed-array data; ` +
      'the rest (objects, strings) is cloned either way. Shrink the non-binary part instead.';
  } else {
    advice =
      `Add the buffer to the transfer list, e.g. ${transferExample(agg.shape)}: it moves instead of copying, ` +
      `saving ${formatBytes(typed)} per send (${formatBytes(savedSoFar(agg))} so far).` +
      stillCopied(agg) +
      ' Only if the sender no longer uses the buffer after the send: a transferred buffer is detached.';
  }
  if (/\bBuffer\b/.test(agg.shape)) {
    advice +=
      ' This is a Node Buffer: it may be a view into a shared pool or a bigger ArrayBuffer, and transferring ' +
      '`buf.buffer` would move (and detach) all of it. Transfer only a buffer you own outright.';
  }
  return advice;
}

function dartAdvice(agg: OversizedAggregate, thresholdBytes: Bytes): string {
  const typed = agg.maxTypedArrayBytes;
  const exit =
    " If this is the isolate's last message (its result), `Isolate.exit(port, result)` passes it without a copy.";
  if (typed <= 0) {
    return (
      `TransferableTypedData can't apply: the payload (${agg.shape || 'plain data'}) holds no typed data, ` +
      'so every object in it is copied. Send less (an id, a delta).' +
      exit
    );
  }
  if (typed < thresholdBytes) {
    return (
      `TransferableTypedData won't pay: only ${formatBytes(typed)} of the ${formatBytes(agg.maxBytes)} message is typed data; ` +
      'the rest (objects, strings) is copied either way. Shrink the non-binary part instead.' +
      exit
    );
  }
  return (
    'Send the typed data as a TransferableTypedData, e.g. `TransferableTypedData.fromList([bytes])`, and call ' +
    '`materialize()` once in the receiver: the message then carries a handle instead of a copy of ' +
    `${formatBytes(typed)} per send (${formatBytes(savedSoFar(agg))} so far).` +
    stillCopied(agg) +
    exit
  );
}

/** Builds the `oversized-message` finding for one aggregate. */
export function oversizedFinding(
  agg: OversizedAggregate,
  thresholdBytes: Bytes,
  nameOf: (isolateId: string) => string,
  receiverOf: (channelId: string) => string | null,
  runtimeOf: (isolateId: string) => RuntimeKind | null = () => null,
): Finding {
  const payer = topPayer(agg);
  // The agent samples message records; its call-site counters are exact when present.
  const count = Math.max(agg.count, agg.sitesSends, 1);
  const total = Math.max(agg.totalBytes, agg.sitesBytesCopied);
  const receiverIds = new Set([...agg.channels].map(receiverOf).filter((id): id is string => id !== null));
  // Isolates that share a name (a pool's workers, named alike) are named once.
  const receivers = [...new Set([...receiverIds].map((id) => `'${nameOf(id)}'`))];
  const more = receivers.length > 3 ? ` and ${formatCount(receivers.length - 3)} more` : '';
  const paid =
    payer === null
      ? ''
      : ` '${nameOf(payer)}' paid to serialize it` +
        (receivers.length ? `, ${receivers.slice(0, 3).join(', ')}${more} to deserialize it.` : '.');
  const message =
    `postMessage copied ${formatBytes(agg.maxBytes)} in one message (over the ${formatBytes(thresholdBytes)} threshold); ` +
    `${formatCountOf(count, 'send')} here copied ${formatBytes(total)} in total.` +
    paid;
  return {
    id: `oversized-message:${agg.key}`,
    rule: 'oversized-message',
    severity: 'warning',
    message,
    location: agg.location,
    isolateId: payer,
    bytes: agg.maxBytes,
    count,
    totalBytes: total,
    suggestion: transferAdvice(agg, thresholdBytes, (payer !== null ? runtimeOf(payer) : null) ?? 'node'),
  };
}

/** Inputs for the `queue-backlog` rule for one receiving isolate. */
export interface BacklogInput {
  isolateId: string;
  name: string;
  location: SourceLocation | null;
  maxQueueDepth: number;
  /** Recent queue depths, oldest first. */
  recentDepths: number[];
  delayMsP95: number;
  delayMsMax: number;
}

/** Thresholds of the `queue-backlog` rule. */
export interface BacklogThresholds {
  /** A queue this deep is a backlog however briefly it lasted. */
  deepQueueDepth: number;
  /** Samples in a row over which a queue must not shrink to count as growing. */
  growingSamples: number;
  /** Growth over those samples that counts as growing. */
  growingBy: number;
}

/** True when the last `growingSamples` depths never shrink and grow by at least `growingBy`. */
export function isGrowing(depths: number[], t: BacklogThresholds): boolean {
  if (depths.length < t.growingSamples) return false;
  const tail = depths.slice(-t.growingSamples);
  for (let i = 1; i < tail.length; i++) if (tail[i]! < tail[i - 1]!) return false;
  return tail[tail.length - 1]! - tail[0]! >= t.growingBy;
}

/** Builds the `queue-backlog` finding for an isolate, or null when its queue is fine. */
export function backlogFinding(input: BacklogInput, t: BacklogThresholds): Finding | null {
  const deep = input.maxQueueDepth >= t.deepQueueDepth;
  const growing = isGrowing(input.recentDepths, t);
  if (!deep && !growing) return null;
  const tail = input.recentDepths.slice(-t.growingSamples);
  const what = growing
    ? `'${input.name}' has a growing message queue (${formatCount(tail[0] ?? 0)} → ${formatCount(tail[tail.length - 1] ?? 0)} waiting over the last ${tail.length} samples; max ${formatCount(input.maxQueueDepth)})`
    : `'${input.name}' had ${formatCount(input.maxQueueDepth)} messages waiting in its queue`;
  const delay =
    input.delayMsP95 > 0 || input.delayMsMax > 0
      ? `; queueing delay p95 ${formatMs(input.delayMsP95)}, max ${formatMs(input.delayMsMax)}`
      : '';
  return {
    id: `queue-backlog:${input.isolateId}`,
    rule: 'queue-backlog',
    severity: 'warning',
    message: `${what}${delay}. Messages arrive faster than it handles them.`,
    location: input.location,
    isolateId: input.isolateId,
    bytes: 0,
    count: input.maxQueueDepth,
    totalBytes: 0,
    suggestion:
      'Add backpressure (wait for an acknowledgement or a credit before posting more), batch many small ' +
      'messages into one, or spread the work over a pool of workers.',
  };
}

/** Thresholds of the `worker-churn` rule. */
export interface ChurnThresholds {
  /** Short-lived isolates from one spawn site before it counts as churn. */
  minShortLived: number;
  /** An isolate that exited within this long after its start is short-lived. */
  shortLifetimeMs: number;
}

/** Inputs for the `worker-churn` rule: the isolates started at one spawn site (or with one name, without a site). */
export interface ChurnInput {
  key: string;
  location: SourceLocation | null;
  runtime: RuntimeKind;
  /** Display names of the short-lived ones, in start order. */
  names: string[];
  /** Their start and exit times (epoch ms). */
  spans: { startMs: number; exitMs: number }[];
  /** Isolate that started the first of them. */
  isolateId: string;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The most spans open at one instant (an exit at the same ms as a start closes first). */
function maxConcurrent(spans: { startMs: number; exitMs: number }[]): number {
  const events = spans.flatMap((s) => [
    [s.startMs, 1],
    [s.exitMs, -1],
  ]);
  events.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
  let open = 0;
  let most = 0;
  for (const [, d] of events) most = Math.max(most, (open += d!));
  return most;
}

/** A duration as people read it: "48.2 s", "85 ms", "2.5 ms". */
function formatMs(ms: number): string {
  if (ms >= 999.5) return `${(ms / 1000).toFixed(1)} s`;
  return ms < 9.95 && !Number.isInteger(ms) ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

/**
 * Builds the `worker-churn` finding for one spawn site, or null when it started too few short-lived
 * isolates: a worker (or `Isolate.run`/`compute` isolate) per job pays a whole isolate's start-up
 * each time, which a long-lived one would pay once.
 */
export function churnFinding(input: ChurnInput, t: ChurnThresholds): Finding | null {
  const n = input.spans.length;
  if (n < t.minShortLived) return null;
  // A pool that started and stopped together (a short program, or one pool torn down) is not
  // churn: the short-lived isolates must have replaced each other, at least twice over.
  const atOnce = maxConcurrent(input.spans);
  if (n < 2 * atOnce) return null;
  const shown = input.names.slice(0, 2).map((name) => `'${name}'`);
  const names = `${shown.join(', ')}${n > shown.length ? ', …' : ''}`;
  const dart = input.runtime === 'dart';
  const what = dart ? 'isolates' : 'workers';
  const lifetimes = input.spans.map((s) => s.exitMs - s.startMs);
  const message =
    `${formatCount(n)} ${what} ${input.location ? `started here (${names})` : `named ${shown[0]}`} lived less than ${formatMs(t.shortLifetimeMs)} each ` +
    `(median ${formatMs(median(lifetimes))}, at most ${formatCount(atOnce)} at a time). Each start builds a new isolate` +
    (dart ? '' : ', event loop and module graph') +
    ' for one short job.';
  return {
    id: `worker-churn:${input.key}`,
    rule: 'worker-churn',
    severity: 'info',
    message,
    location: input.location,
    isolateId: input.isolateId,
    bytes: 0,
    count: n,
    totalBytes: 0,
    suggestion: dart
      ? 'Keep one long-lived isolate (Isolate.spawn with a ReceivePort) and send it the jobs, instead of ' +
        'Isolate.run or compute per call; keep Isolate.run for rare, heavy jobs.'
      : 'Keep a pool of long-lived workers (for example piscina) and post the jobs to them, instead of ' +
        'starting a Worker per job.',
  };
}
