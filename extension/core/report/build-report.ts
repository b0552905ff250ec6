/** Contract 6: turns a model snapshot into the report JSON written by `isoscope run/connect --report`. */
import {
  REPORT_SCHEMA,
  type ModelSnapshot,
  type Report,
  type ReportCallSite,
  type ReportChannel,
  type ReportFinding,
  type ReportIsolate,
} from '../../../protocol';

/** Call sites merged by original location (several isolates may send from the same line). */
function callSitesOf(snap: ModelSnapshot): ReportCallSite[] {
  const byLoc = new Map<string, ReportCallSite>();
  for (const c of snap.callSites) {
    const key = `${c.file}:${c.line}:${c.column}`;
    const prev = byLoc.get(key);
    if (prev) {
      prev.sends += c.sends;
      prev.bytesCopied += c.bytesCopied;
      prev.transferableBytes += c.transferableBytes;
      prev.maxMessageBytes = Math.max(prev.maxMessageBytes, c.maxMessageBytes);
    } else {
      byLoc.set(key, {
        file: c.file,
        line: c.line,
        column: c.column,
        sends: c.sends,
        bytesCopied: c.bytesCopied,
        maxMessageBytes: c.maxMessageBytes,
        transferableBytes: c.transferableBytes,
      });
    }
  }
  // Sites seen only in the ledger (no aggregate from the agent): count what the ledger saw.
  const fromLedger = new Map<string, ReportCallSite>();
  for (const row of snap.ledger) {
    if (!row.location) continue;
    const key = `${row.location.file}:${row.location.line}:${row.location.column}`;
    if (byLoc.has(key)) continue;
    const site = fromLedger.get(key) ?? {
      file: row.location.file,
      line: row.location.line,
      column: row.location.column,
      sends: 0,
      bytesCopied: 0,
      maxMessageBytes: 0,
      transferableBytes: 0,
    };
    site.sends++;
    site.bytesCopied += row.bytes;
    site.maxMessageBytes = Math.max(site.maxMessageBytes, row.bytes);
    site.transferableBytes += row.typedArrayBytes;
    fromLedger.set(key, site);
  }
  return [...byLoc.values(), ...fromLedger.values()].sort((a, b) => b.bytesCopied - a.bytesCopied);
}

/** Builds the report. `createdAtMs`/`nowMs` bound the run when no session says otherwise. */
export function buildReport(snap: ModelSnapshot, createdAtMs: number, nowMs: number, gates?: Report['gates']): Report {
  // A session's start as its agent reported it; one outside [0, now] (a clock that is far
  // off, or a hostile peer: `new Date(1e16).toISOString()` throws) does not move the run's start.
  const starts = snap.sessions.map((s) => s.startedAtMs).filter((ms) => ms >= 0 && ms <= nowMs);
  const startedAtMs = starts.length ? Math.min(...starts) : createdAtMs;
  const ends = snap.sessions.map((s) => s.endedAtMs ?? nowMs);
  const endedAtMs = ends.length ? Math.max(...ends) : nowMs;
  const isolates: ReportIsolate[] = [...snap.isolates]
    .sort((a, b) => a.startedAtMs - b.startedAtMs)
    .map((i) => ({
      id: i.id,
      name: i.name,
      kind: i.kind,
      parentId: i.parentId,
      startedAtMs: i.startedAtMs,
      exitedAtMs: i.exitedAtMs,
      cpuTimeMs: i.cpuTimeMs,
      heapUsedBytesMax: i.heapUsedBytesMax,
      messagesSent: i.messagesSent,
      messagesReceived: i.messagesReceived,
      bytesCopiedOut: i.bytesCopiedOut,
      maxQueueDepth: i.maxQueueDepth,
    }));
  const channels: ReportChannel[] = snap.channels.map((c) => ({
    id: c.id,
    from: c.from,
    to: c.to,
    label: c.label,
    sent: c.sent,
    delivered: c.delivered,
    maxDepth: c.maxDepth,
    bytesCopied: c.bytesCopied,
    bytesTransferred: c.bytesTransferred,
    maxMessageBytes: c.maxMessageBytes,
    queueDelayMsP95: c.delayMsP95,
    queueDelayMsMax: c.delayMsMax,
  }));
  const findings: ReportFinding[] = snap.findings.map((f) => ({
    rule: f.rule,
    severity: f.severity,
    message: f.message,
    file: f.location?.file ?? null,
    line: f.location?.line ?? null,
    column: f.location?.column ?? null,
    bytes: f.bytes,
    suggestion: f.suggestion,
    count: f.count,
    totalBytes: f.totalBytes,
    isolateId: f.isolateId,
  }));
  const report: Report = {
    schema: REPORT_SCHEMA,
    runtime: snap.sessions[0]?.runtime ?? 'node',
    startedAt: new Date(startedAtMs).toISOString(),
    durationMs: Math.max(0, endedAtMs - startedAtMs),
    isolates,
    channels,
    callSites: callSitesOf(snap),
    findings,
    drops: { ...snap.drops },
  };
  if (gates) report.gates = gates;
  return report;
}
