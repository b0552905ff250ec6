/** A whole `IsolateSnapshot` for page and sort tests: a running, idle Node worker unless `over` says otherwise. */
import type { IsolateSnapshot } from '../../protocol';

export function isolateSnapshot(id: string, name: string, over: Partial<IsolateSnapshot> = {}): IsolateSnapshot {
  return {
    id,
    sessionId: 's1',
    name,
    runtime: 'node',
    kind: 'worker',
    state: 'running',
    parentId: null,
    groupId: null,
    startedAtMs: 1000,
    exitedAtMs: null,
    exitCode: null,
    spawnSite: null,
    cpuTimeMs: 0,
    cpuPercent: 0,
    heapUsedBytes: 0,
    heapCapacityBytes: 0,
    heapUsedBytesMax: 0,
    externalBytes: 0,
    heapShared: false,
    queueDepth: 0,
    maxQueueDepth: 0,
    messagesSent: 0,
    messagesReceived: 0,
    bytesCopiedOut: 0,
    msgsInPerSec: 0,
    msgsOutPerSec: 0,
    bytesCopiedPerSec: 0,
    ...over,
  };
}
