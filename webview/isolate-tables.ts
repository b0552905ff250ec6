/** Ports/Channels and call-site tables of the isolate page. */
import type { CallSiteSnapshot, ChannelSnapshot, PortSnapshot } from '../protocol';
import { h } from './dom';
import { formatBytes, formatCount, formatDurationMs } from './format';
import { displayName, nameTitle, visibleControls } from '../protocol/names';
import type { InspectorStore } from './store';
import { copySplitBar, locationButton, SimpleTable } from './widgets';

export { MAX_ROWS as SIDE_TABLE_MAX_ROWS };

function siteKey(c: CallSiteSnapshot): string {
  return `${c.file}:${c.line}:${c.column}`;
}

/** Most rows a side table shows (the biggest first; the table says how many were left out). */
const MAX_ROWS = 50;

interface ChannelRow {
  ch: ChannelSnapshot;
  outgoing: boolean;
  peer: string;
  /** Tooltip of the peer: its whole name and id (the cell may cut the name). */
  peerTitle: string;
}

/** Builds the channel table (peer, sent, delivered, depth, bytes, largest, delay). */
export function channelTable(): SimpleTable<ChannelRow> {
  return new SimpleTable<ChannelRow>(
    'Channels',
    [
      {
        label: 'Channel',
        // Labels come from the program (a BroadcastChannel's name): cut like the peer, whole in the tooltip.
        cell: (r) =>
          h(
            'span',
            { class: 'cut', title: `${visibleControls(r.ch.label)} — ${r.ch.id}` },
            visibleControls(r.ch.label),
          ),
        key: (r) => r.ch.id + r.ch.label,
      },
      {
        label: 'Peer',
        // A long name is cut with an ellipsis (a 2,000-character name made the table 15,000 px wide);
        // the tooltip has the whole name and the id, as in the overview.
        cell: (r) => h('span', { class: 'cut', title: r.peerTitle }, `${r.outgoing ? '→' : '←'} ${r.peer}`),
        // The title holds the shown name and the id, so it changes whenever the cell would.
        key: (r) => `${r.outgoing ? '→' : '←'}${r.peerTitle}`,
      },
      { label: 'Sent', numeric: true, cell: (r) => formatCount(r.ch.sent) },
      { label: 'Delivered', numeric: true, cell: (r) => formatCount(r.ch.delivered) },
      {
        label: 'Depth',
        numeric: true,
        title: 'now / max',
        cell: (r) => `${formatCount(r.ch.depth)} / ${formatCount(r.ch.maxDepth)}`,
      },
      { label: 'Copied', numeric: true, cell: (r) => formatBytes(r.ch.bytesCopied) },
      { label: 'Transferred', numeric: true, cell: (r) => formatBytes(r.ch.bytesTransferred) },
      { label: 'Largest', numeric: true, cell: (r) => formatBytes(r.ch.maxMessageBytes) },
      {
        label: 'Delay p50 / p95',
        numeric: true,
        title: 'Queueing delay from send to delivery',
        cell: (r) => `${formatDurationMs(r.ch.delayMsP50)} / ${formatDurationMs(r.ch.delayMsP95)}`,
      },
    ],
    'No channels seen for this isolate.',
    (r) => r.ch.id,
  );
}

/** The channels touching an isolate, biggest traffic first. */
export function channelRows(store: InspectorStore, isolateId: string): ChannelRow[] {
  const rows: ChannelRow[] = [];
  for (const ch of store.channels.values()) {
    if (ch.from !== isolateId && ch.to !== isolateId) continue;
    const outgoing = ch.from === isolateId;
    const peerId = outgoing ? ch.to : ch.from;
    const peerIso = peerId === null ? undefined : store.isolates.get(peerId);
    const peer = peerId === null ? 'unknown' : peerIso ? displayName(peerIso) : peerId;
    const peerTitle = peerId === null ? 'unknown' : peerIso ? nameTitle(peerIso) : peerId;
    rows.push({ ch, outgoing, peer, peerTitle });
  }
  rows.sort((a, b) => b.ch.bytesCopied + b.ch.bytesTransferred - (a.ch.bytesCopied + a.ch.bytesTransferred));
  return rows;
}

/** Builds the ports table (DevTools' "Open ports"). */
export function portTable(): SimpleTable<PortSnapshot> {
  return new SimpleTable<PortSnapshot>(
    'Ports',
    [
      { label: 'Port', cell: (p) => p.name || 'N/A' },
      { label: 'ID', cell: (p) => h('span', { class: 'mono' }, p.portId), key: (p) => p.portId },
      {
        label: 'Allocated at',
        cell: (p) => h('span', { class: 'mono' }, p.allocationSite ?? '—'),
        key: (p) => p.allocationSite ?? '',
      },
    ],
    'No open ports reported.',
    (p) => p.portId,
  );
}

/** The ports of an isolate. */
export function portRows(store: InspectorStore, isolateId: string): PortSnapshot[] {
  const rows: PortSnapshot[] = [];
  for (const p of store.ports.values()) if (p.isolateId === isolateId) rows.push(p);
  return rows;
}

/** Builds the per-call-site table with the copied-vs-transferable split. */
export function callSiteTable(): SimpleTable<CallSiteSnapshot> {
  return new SimpleTable<CallSiteSnapshot>(
    'Call sites',
    [
      { label: 'Call site', cell: (c) => locationButton(c), key: siteKey },
      {
        label: 'Function',
        cell: (c) => h('span', { class: 'mono' }, c.functionName ?? '—'),
        key: (c) => c.functionName ?? '',
      },
      { label: 'Sends', numeric: true, cell: (c) => formatCount(c.sends) },
      { label: 'Copied', numeric: true, cell: (c) => formatBytes(c.bytesCopied) },
      { label: 'Largest', numeric: true, cell: (c) => formatBytes(c.maxMessageBytes) },
      {
        label: 'Transferable',
        numeric: true,
        title: 'Copied bytes that were ArrayBuffers / typed data and could have been transferred',
        cell: (c) => formatBytes(c.transferableBytes),
      },
      { label: 'Transferred', numeric: true, cell: (c) => formatBytes(c.bytesTransferred) },
      {
        label: 'Copied vs transferable',
        cell: (c) => copySplitBar(c.bytesCopied, c.transferableBytes, c.bytesTransferred),
        key: (c) => `${c.bytesCopied}|${c.transferableBytes}|${c.bytesTransferred}`,
      },
    ],
    // Only notable sends are recorded with their call site: an isolate that sent thousands of
    // small messages has none. The page names the session's threshold (callSitesEmptyText).
    callSitesEmptyText(64 * 1024),
    siteKey,
  );
}

/**
 * What the Call sites card says before an isolate has a notable send. Both launchers give the agent
 * the session's oversized threshold as its notable size, so that is the size named.
 */
export function callSitesEmptyText(notableBytes: number): string {
  return `No notable sends (${formatBytes(notableBytes)} or more) from this isolate yet. Smaller sends are counted but get no call site.`;
}

/** The call sites of an isolate, most bytes copied first. */
export function callSiteRows(store: InspectorStore, isolateId: string): CallSiteSnapshot[] {
  const rows: CallSiteSnapshot[] = [];
  for (const c of store.callSites.values()) if (c.isolateId === isolateId) rows.push(c);
  rows.sort((a, b) => b.bytesCopied - a.bytesCopied || b.sends - a.sends);
  return rows;
}
