/**
 * The findings list: oversized messages and other findings with their source location. Clicking a
 * location asks the host to open it (VS Code) or shows it (browser) — handled by the app.
 */
import type { Finding, Severity } from '../protocol';
import { h, icon, setText } from './dom';
import { formatBytes, formatCount } from './format';
import { displayName, nameTitle } from './names';
import type { InspectorStore } from './store';
import { locationButton } from './widgets';

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2, hint: 3 };
const SEVERITY_ICON: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'info', hint: 'lightbulb' };

/** Findings sorted by severity, then by total bytes. */
export function sortFindings(findings: Iterable<Finding>): Finding[] {
  return [...findings].sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      b.totalBytes - a.totalBytes ||
      a.id.localeCompare(b.id),
  );
}

/** The findings view. */
export class FindingsView {
  readonly root: HTMLElement;
  private readonly list: HTMLOListElement;
  private readonly summary: HTMLElement;
  private seen = '';

  constructor() {
    this.list = h('ol', { class: 'findings', 'aria-label': 'Findings' });
    this.summary = h('span', { class: 'summary' });
    this.root = h(
      'section',
      { class: 'view findings-view', 'aria-label': 'Findings' },
      h('div', { class: 'toolbar' }, this.summary),
      this.list,
    );
  }

  /** Rebuilds the list when findings (or isolate names) changed. */
  render(store: InspectorStore): void {
    const key = `${store.rev.generation}|${store.rev.findings}|${store.rev.isolates}`;
    if (key === this.seen) return;
    this.seen = key;
    const sorted = sortFindings(store.findings.values());
    setText(
      this.summary,
      sorted.length === 0
        ? `No findings. A message is flagged when it copies more than ${formatBytes(store.oversizedBytes)}.`
        : `${sorted.length} findings · oversized means more than ${formatBytes(store.oversizedBytes)} copied`,
    );
    const frag = document.createDocumentFragment();
    for (const f of sorted) frag.append(this.item(f, store));
    this.list.replaceChildren(frag);
  }

  private item(f: Finding, store: InspectorStore): HTMLLIElement {
    const iso = f.isolateId ? store.isolates.get(f.isolateId) : undefined;
    return h(
      'li',
      { class: `finding sev-${f.severity}`, 'data-finding-id': f.id },
      h(
        'div',
        { class: 'finding-head' },
        icon(SEVERITY_ICON[f.severity], `sev-icon sev-${f.severity}`),
        h('span', { class: 'finding-message' }, f.message),
      ),
      h(
        'div',
        { class: 'finding-meta' },
        locationButton(f.location, 3),
        h('span', { class: 'rule mono' }, f.rule),
        iso
          ? h(
              'button',
              { type: 'button', class: 'link', 'data-open': iso.id, title: nameTitle(iso) },
              icon('symbol-event'),
              displayName(iso),
            )
          : null,
        f.bytes > 0 ? h('span', null, `largest ${formatBytes(f.bytes)}`) : null,
        h('span', null, `${formatCount(f.count)}×${f.totalBytes > 0 ? ` · ${formatBytes(f.totalBytes)} total` : ''}`),
      ),
      f.suggestion ? h('p', { class: 'suggestion' }, icon('lightbulb'), ' ', f.suggestion) : null,
    );
  }
}
