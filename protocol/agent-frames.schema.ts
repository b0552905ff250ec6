/**
 * Runtime validators for agent frames (contract 1). Everything that comes off a socket goes
 * through `parseAgentFrame` before the model sees it. Strings and arrays are bounded so a
 * hostile peer cannot make the collector allocate without limit.
 */
import { z } from 'zod';
import { AGENT_PROTOCOL_VERSION, FRAME_LIMITS, type AgentCapability, type AgentFrame } from './agent-frames';

/** The largest time, in ms from the epoch, a `Date` can hold. */
const MAX_DATE_MS = 8.64e15;

const str = z.string().max(FRAME_LIMITS.maxStringLength);
const id = z.string().min(1).max(256);
const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
// Bounded so the model's sums stay finite and exact enough: a hostile 1e308 summed twice is
// Infinity, which JSON writes as null, outside contract 6's numbers.
const bytes = z.number().nonnegative().max(Number.MAX_SAFE_INTEGER);
// Times stay inside the range a Date can hold (±8.64e15 ms), so every one can be written as ISO.
const ms = z.number().min(-MAX_DATE_MS).max(MAX_DATE_MS);
const nonNegMs = z.number().nonnegative().max(MAX_DATE_MS);

const callSite = z.object({
  file: str,
  line: z.number().int().nonnegative(),
  column: z.number().int().nonnegative(),
  functionName: str.nullable(),
});

const capability = z.enum(['thread-cpu', 'heap', 'channels', 'queue-delay', 'size-estimate', 'call-sites', 'ports']);

const hello = z.object({
  type: z.literal('hello'),
  protocol: z.number().int(),
  runtime: z.enum(['node', 'dart']),
  pid: z.number().int().nonnegative(),
  agentVersion: str,
  runtimeVersion: str,
  // Unknown capabilities from newer agents are ignored rather than refused.
  capabilities: z
    .array(str)
    .max(64)
    .transform((caps) => caps.filter((c): c is AgentCapability => capability.safeParse(c).success)),
  startedAtMs: ms,
  notableMessageBytes: bytes,
  cwd: str,
  argv: z.array(str).max(256),
});

const record = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('isolate-start'),
    isolateId: id,
    name: str,
    kind: z.enum(['main', 'worker']),
    parentId: id.nullable(),
    groupId: id.nullable(),
    threadId: z.number().int(),
    atMs: ms,
    spawnSite: callSite.nullable(),
    scriptPath: str.nullable(),
  }),
  z.object({
    type: z.literal('isolate-exit'),
    isolateId: id,
    atMs: ms,
    exitCode: z.number().int().nullable(),
    broadcastReceived: count.optional(),
  }),
  z.object({
    type: z.literal('sample'),
    isolateId: id,
    atMs: ms,
    heapUsedBytes: bytes,
    heapTotalBytes: bytes,
    externalBytes: bytes,
    arrayBuffersBytes: bytes,
    heapShared: z.boolean(),
    cpuTimeMicros: z.number().nonnegative().max(Number.MAX_SAFE_INTEGER).nullable(),
    queueDepth: count,
    broadcastReceived: count.optional(),
  }),
  z.object({
    type: z.literal('channel'),
    channelId: id,
    fromIsolateId: id,
    toIsolateId: id.nullable(),
    label: str,
    atMs: ms,
    sent: count,
    delivered: count,
    depth: count,
    maxDepth: count,
    bytesCopied: bytes,
    bytesTransferred: bytes,
    maxMessageBytes: bytes,
    delayMsP50: nonNegMs,
    delayMsP95: nonNegMs,
    delayMsMax: nonNegMs,
  }),
  z.object({
    type: z.literal('message'),
    isolateId: id,
    channelId: id,
    atMs: ms,
    bytes,
    typedArrayBytes: bytes,
    transferredBytes: bytes,
    callSite: callSite.nullable(),
    shape: str,
  }),
  z.object({
    type: z.literal('call-site'),
    isolateId: id,
    site: callSite,
    sends: count,
    bytesCopied: bytes,
    maxMessageBytes: bytes,
    transferableBytes: bytes,
    bytesTransferred: bytes,
  }),
  z.object({
    type: z.literal('ports'),
    isolateId: id,
    atMs: ms,
    ports: z.array(z.object({ portId: id, name: str, allocationSite: str.nullable() })).max(10_000),
  }),
  z.object({
    type: z.literal('queue'),
    isolateId: id,
    atMs: ms,
    messages: z.array(z.object({ index: count, name: str, sizeBytes: bytes, handler: str.nullable() })).max(100_000),
  }),
  z.object({
    type: z.literal('source-map'),
    isolateId: id,
    file: str,
    map: z.object({
      version: z.literal(3),
      sources: z.array(str).max(10_000),
      names: z.array(str).max(200_000),
      mappings: z.string().max(FRAME_LIMITS.maxSourceMapChars),
      sourceRoot: str.optional(),
    }),
  }),
]);

const batch = z.object({
  type: z.literal('batch'),
  seq: count,
  records: z.array(record).max(FRAME_LIMITS.maxRecordsPerBatch),
  droppedRecords: count,
});

const bye = z.object({
  type: z.literal('bye'),
  atMs: ms,
  exitCode: z.number().int().nullable(),
  channelsNotCounted: count.optional(),
});

const frame = z.discriminatedUnion('type', [hello, batch, bye]);

/** Why a frame was refused; `reason` is safe to log and to send back in a close message. */
export type FrameRejection = {
  ok: false;
  reason: 'too-large' | 'not-json' | 'invalid' | 'unsupported-version';
  detail: string;
};

export type FrameResult = { ok: true; frame: AgentFrame } | FrameRejection;

/** Parses and validates one text frame from an agent. Never throws. */
export function parseAgentFrame(text: string): FrameResult {
  if (text.length > FRAME_LIMITS.maxFrameBytes) {
    return {
      ok: false,
      reason: 'too-large',
      detail: `frame of ${text.length} chars exceeds ${FRAME_LIMITS.maxFrameBytes}`,
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: 'not-json', detail: err instanceof Error ? err.message : String(err) };
  }
  return validateAgentFrame(json);
}

/** Validates an already-parsed frame. Never throws. */
export function validateAgentFrame(json: unknown): FrameResult {
  const result = frame.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue ? issue.path.join('.') : '';
    return { ok: false, reason: 'invalid', detail: `${where || 'frame'}: ${issue?.message ?? 'invalid'}` };
  }
  const parsed: AgentFrame = result.data;
  if (parsed.type === 'hello' && parsed.protocol !== AGENT_PROTOCOL_VERSION) {
    return {
      ok: false,
      reason: 'unsupported-version',
      detail: `agent speaks protocol ${parsed.protocol}, collector speaks ${AGENT_PROTOCOL_VERSION}`,
    };
  }
  return { ok: true, frame: parsed };
}
