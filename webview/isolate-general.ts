/** The General card of the isolate page (DevTools parity: name, id, group, started, uptime…). */
import type { IsolateSnapshot } from '../protocol';
import { h, setText } from './dom';
import { formatBytes, formatClock, formatCount, formatDurationMs, formatPercent } from './format';
import { displayName, nameTitle } from '../protocol/names';
import type { InspectorStore } from './store';
import { locationButton } from './widgets';

const FIELDS = [
  'Name',
  'ID',
  'Runtime',
  'Kind',
  'Group',
  'Parent',
  'Session',
  'Started',
  'Uptime',
  'Exited',
  'Spawned at',
] as const;
const STATS = [
  'CPU',
  'CPU time',
  'Heap used',
  'Heap capacity',
  'Heap used (peak)',
  'External',
  'Queue',
  'Sent',
  'Received',
  'Copied out',
  'Last sample',
] as const;

/**
 * A running isolate whose own thread has not sampled it for this long is busy in one long task (a
 * thread that never returns to its event loop runs no timer): its CPU and heap figures are old.
 */
const STALE_SAMPLE_MS = 2000;

/** The General and Stats cards. */
export class IsolateGeneral {
  readonly general: HTMLElement;
  readonly stats: HTMLElement;
  private readonly values = new Map<string, HTMLElement>();
  private spawnKey = '';
  private parentKey = '';

  constructor() {
    this.general = this.card('General', FIELDS);
    this.stats = this.card('Now', STATS);
  }

  private card(title: string, fields: readonly string[]): HTMLElement {
    const dl = h('dl', { class: 'kv' });
    for (const f of fields) {
      const dd = h('dd', { 'data-field': f });
      this.values.set(f, dd);
      dl.append(h('dt', null, f), dd);
    }
    return h('section', { class: 'card', 'aria-label': title }, h('h3', null, title), dl);
  }

  private set(field: string, text: string): void {
    const el = this.values.get(field);
    if (el) setText(el, text);
  }

  /** Fills the cards from the isolate snapshot. */
  render(iso: IsolateSnapshot, store: InspectorStore, nowMs: number): void {
    this.set('Name', displayName(iso));
    this.set('ID', iso.id);
    this.set('Runtime', iso.runtime);
    this.set('Kind', iso.kind);
    this.set('Group', iso.groupId ?? '—');
    const session = store.sessions.get(iso.sessionId);
    this.set(
      'Session',
      session ? `${session.label}${session.pid !== null ? ` (pid ${session.pid})` : ''}` : iso.sessionId,
    );
    this.set('Started', formatClock(iso.startedAtMs));
    const end = iso.exitedAtMs ?? nowMs;
    this.set('Uptime', formatDurationMs(Math.max(0, end - iso.startedAtMs)));
    this.set(
      'Exited',
      iso.exitedAtMs === null
        ? 'running'
        : `${formatClock(iso.exitedAtMs)}${iso.exitCode !== null ? ` — exit code ${iso.exitCode}` : ''}`,
    );
    const parentKey = `${iso.parentId}|${iso.parentId ? store.isolates.get(iso.parentId)?.name : ''}`;
    if (parentKey !== this.parentKey) {
      this.parentKey = parentKey;
      const dd = this.values.get('Parent')!;
      const parent = iso.parentId ? store.isolates.get(iso.parentId) : undefined;
      if (!iso.parentId) dd.replaceChildren('—');
      else if (!parent) dd.replaceChildren(iso.parentId);
      else
        dd.replaceChildren(
          h(
            'button',
            { type: 'button', class: 'link', 'data-open': parent.id, title: nameTitle(parent) },
            displayName(parent),
          ),
        );
    }
    const spawnKey = JSON.stringify(iso.spawnSite);
    if (spawnKey !== this.spawnKey) {
      this.spawnKey = spawnKey;
      this.values.get('Spawned at')!.replaceChildren(locationButton(iso.spawnSite));
    }
    this.set('CPU', formatPercent(iso.cpuPercent));
    this.set('CPU time', formatDurationMs(iso.cpuTimeMs));
    const shared = iso.heapShared ? ' (shared with its group)' : '';
    this.set('Heap used', `${formatBytes(iso.heapUsedBytes)}${shared}`);
    this.set('Heap capacity', formatBytes(iso.heapCapacityBytes));
    this.set('Heap used (peak)', formatBytes(iso.heapUsedBytesMax));
    this.set('External', formatBytes(iso.externalBytes));
    this.set('Queue', `${formatCount(iso.queueDepth)} now · ${formatCount(iso.maxQueueDepth)} max`);
    this.set('Sent', formatCount(iso.messagesSent));
    this.set('Received', formatCount(iso.messagesReceived));
    this.set('Copied out', formatBytes(iso.bytesCopiedOut));
    const sampledAt = iso.lastSampleAtMs ?? null;
    const age = sampledAt === null ? null : Math.max(0, nowMs - sampledAt);
    const stale = iso.state === 'running' && age !== null && age > STALE_SAMPLE_MS;
    this.set(
      'Last sample',
      age === null
        ? '—'
        : stale
          ? `${formatDurationMs(age)} ago: its thread is busy in one long task, so CPU and heap are that old (the queue depth comes from its senders)`
          : `${formatDurationMs(age)} ago`,
    );
    this.values.get('Last sample')?.classList.toggle('warn', stale);
  }
}
