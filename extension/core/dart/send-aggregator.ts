/**
 * Turns the Dart agent's per-send events into the common model's records: one `message`
 * record per send (the model keeps a bounded ledger) plus cumulative `call-site` and
 * `channel` counters, flushed once per poll so the model gets totals, not a flood.
 * Maps are capped; sends beyond the cap still reach the ledger and are counted as dropped
 * from the aggregates.
 */
import type { CallSiteRecord, ChannelRecord, MessageRecord } from '../../../protocol';
import type { AgentSendEvent } from './agent-events';

interface SiteTotals {
  record: CallSiteRecord;
  dirty: boolean;
}

interface ChannelTotals {
  record: ChannelRecord;
  dirty: boolean;
}

/** Per-session aggregation of `isoscope.send` events. */
export class SendAggregator {
  private readonly sites = new Map<string, SiteTotals>();
  private readonly channels = new Map<string, ChannelTotals>();
  /** Sends that could not be aggregated because a map was full. */
  droppedFromAggregates = 0;

  constructor(private readonly maxKeys = 2000) {}

  /** Records one send; returns the ledger record to ingest right away. */
  add(send: AgentSendEvent): MessageRecord {
    const channelId = `dart:${send.isolateId}->${send.port}`;
    this.addToChannel(channelId, send);
    if (send.site) this.addToSite(send);
    return {
      type: 'message',
      isolateId: send.isolateId,
      channelId,
      atMs: send.atMs,
      bytes: send.bytes,
      typedArrayBytes: send.typedDataBytes,
      transferredBytes: send.transferredBytes,
      callSite: send.site,
      shape: send.shape,
    };
  }

  /** Cumulative records that changed since the last flush. */
  flush(): (CallSiteRecord | ChannelRecord)[] {
    const out: (CallSiteRecord | ChannelRecord)[] = [];
    for (const t of [...this.channels.values(), ...this.sites.values()]) {
      if (!t.dirty) continue;
      t.dirty = false;
      out.push({ ...t.record });
    }
    return out;
  }

  /** Forgets everything (on disconnect: the next session starts from zero). */
  clear(): void {
    this.sites.clear();
    this.channels.clear();
  }

  private addToChannel(channelId: string, send: AgentSendEvent): void {
    let t = this.channels.get(channelId);
    if (!t) {
      if (this.channels.size >= this.maxKeys) {
        this.droppedFromAggregates++;
        return;
      }
      t = {
        dirty: true,
        record: {
          type: 'channel',
          channelId,
          fromIsolateId: send.isolateId,
          toIsolateId: null,
          label: send.port,
          atMs: send.atMs,
          sent: 0,
          // SendPort.send enqueues into the receiver's queue synchronously, so every send is
          // delivered to the queue at once; what is still waiting shows in getStack's queue.
          delivered: 0,
          depth: 0,
          maxDepth: 0,
          bytesCopied: 0,
          bytesTransferred: 0,
          maxMessageBytes: 0,
          delayMsP50: 0,
          delayMsP95: 0,
          delayMsMax: 0,
        },
      };
      this.channels.set(channelId, t);
    }
    const r = t.record;
    r.sent++;
    r.delivered++;
    r.atMs = send.atMs;
    r.bytesCopied += send.bytes;
    r.bytesTransferred += send.transferredBytes;
    r.maxMessageBytes = Math.max(r.maxMessageBytes, send.bytes);
    t.dirty = true;
  }

  private addToSite(send: AgentSendEvent): void {
    const site = send.site!;
    const key = `${send.isolateId}\u0000${site.file}:${site.line}:${site.column}`;
    let t = this.sites.get(key);
    if (!t) {
      if (this.sites.size >= this.maxKeys) {
        this.droppedFromAggregates++;
        return;
      }
      t = {
        dirty: true,
        record: {
          type: 'call-site',
          isolateId: send.isolateId,
          site,
          sends: 0,
          bytesCopied: 0,
          maxMessageBytes: 0,
          transferableBytes: 0,
          bytesTransferred: 0,
        },
      };
      this.sites.set(key, t);
    }
    const r = t.record;
    r.sends++;
    r.bytesCopied += send.bytes;
    r.maxMessageBytes = Math.max(r.maxMessageBytes, send.bytes);
    r.transferableBytes += send.typedDataBytes;
    r.bytesTransferred += send.transferredBytes;
    t.dirty = true;
  }
}
