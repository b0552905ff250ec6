/** Builders for protocol records in model/collector tests (real protocol shapes, sensible defaults). */
import type { CallSite, ChannelRecord, IsolateSampleRecord, IsolateStartRecord, MessageRecord } from '../../protocol';

export function start(isolateId: string, name: string, over: Partial<IsolateStartRecord> = {}): IsolateStartRecord {
  return {
    type: 'isolate-start',
    isolateId,
    name,
    kind: isolateId === '0' ? 'main' : 'worker',
    parentId: isolateId === '0' ? null : '0',
    groupId: null,
    threadId: Number(isolateId) || 0,
    atMs: 1000,
    spawnSite: null,
    scriptPath: null,
    ...over,
  };
}

export function sample(isolateId: string, atMs: number, over: Partial<IsolateSampleRecord> = {}): IsolateSampleRecord {
  return {
    type: 'sample',
    isolateId,
    atMs,
    heapUsedBytes: 1_000_000,
    heapTotalBytes: 2_000_000,
    externalBytes: 10_000,
    arrayBuffersBytes: 0,
    heapShared: false,
    cpuTimeMicros: null,
    queueDepth: 0,
    ...over,
  };
}

export function channel(
  channelId: string,
  from: string,
  to: string | null,
  over: Partial<ChannelRecord> = {},
): ChannelRecord {
  return {
    type: 'channel',
    channelId,
    fromIsolateId: from,
    toIsolateId: to,
    label: `${from}→${to ?? '?'}`,
    atMs: 1000,
    sent: 0,
    delivered: 0,
    depth: 0,
    maxDepth: 0,
    bytesCopied: 0,
    bytesTransferred: 0,
    maxMessageBytes: 0,
    delayMsP50: 0,
    delayMsP95: 0,
    delayMsMax: 0,
    ...over,
  };
}

export function message(
  isolateId: string,
  channelId: string,
  bytes: number,
  callSite: CallSite | null,
  over: Partial<MessageRecord> = {},
): MessageRecord {
  return {
    type: 'message',
    isolateId,
    channelId,
    atMs: 1500,
    bytes,
    typedArrayBytes: 0,
    transferredBytes: 0,
    callSite,
    shape: '{}',
    ...over,
  };
}

export const session = (id = 'node:1') => ({
  id,
  runtime: 'node' as const,
  label: 'test app',
  pid: 1,
  startedAtMs: 1000,
  runtimeVersion: 'v20.0.0',
});
