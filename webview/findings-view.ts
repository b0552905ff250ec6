/**
 * The findings list: oversized messages and other findings with their source location. Clicking a
 * location asks the host to open it (VS Code) or shows it (browser) — handled by the app.
 */
import type { Finding, IsolateSnapshot, Severity } from '../protocol';
import { h, icon, setText } from './dom';
import { formatBytes, formatBytesAsInMessages, formatCount } from './format';
import { displayName, nameTitle } from '../protocol/names';
import { reorderChildren } from './reorder';
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

/**
 * The numbers of a finding's meta line, labelled for its rule (pure: unit-tested). `count` means
 * sends for an oversized message but the deepest queue for a backlog. Bytes are written as the
 * model writes them in the message above ("5.0 MiB"), so the two never disagree.
 */
export function findingFacts(f: Finding): string[] {
  const bytes = formatBytesAsInMessages;
  switch (f.rule) {
    case 'queue-backlog':
      return [`max queue ${formatCount(f.count)}`];
    case 'worker-churn':
      return [`${formatCount(f.count)} short-lived ${f.count === 1 ? 'start' : 'starts'}`];
    case 'oversized-message':
      return [
        `largest ${bytes(f.bytes)}`,
        `${formatCount(f.count)} ${f.count === 1 ? 'send' : 'sends'}${f.totalBytes > 0 ? ` · ${bytes(f.totalBytes)} total` : ''}`,
      ];
    default:
      return [
        ...(f.bytes > 0 ? [`largest ${bytes(f.bytes)}`] : []),
        `${formatCount(f.count)}×${f.totalBytes > 0 ? ` · ${bytes(f.totalBytes)} total` : ''}`,
      ];
  }
}

/**
 * One finding's list item, updated in place: the list refreshes 4 times a second while a program
 * runs, and a rebuilt item loses the click in progress on its links, keyboard focus and any text
 * selection in it. Only texts that changed are written; elements are replaced only when the
 * location, the isolate or the kind of numbers changes.
 */
class FindingItem {
  readonly li: HTMLLIElement;
  private readonly sevIcon: HTMLElement;
  private readonly message = h('span', { class: 'finding-message' });
  private readonly meta = h('div', { class: 'finding-meta' });
  private readonly rule = h('span', { class: 'rule mono' });
  private readonly suggestionText = document.createTextNode('');
  private readonly suggestion = h('p', { class: 'suggestion' }, icon('lightbulb'), ' ', this.suggestionText);
  private severity: Severity | null = null;
  private location: HTMLElement | null = null;
  private locationKey = '';
  private isolate: HTMLButtonElement | null = null;
  private isolateKey = '';
  private isolateName = document.createTextNode('');
  private facts: HTMLElement[] = [];

  constructor(id: string) {
    this.sevIcon = icon('warning');
    this.li = h(
      'li',
      { class: 'finding', 'data-finding-id': id },
      h('div', { class: 'finding-head' }, this.sevIcon, this.message),
      this.meta,
      this.suggestion,
    );
  }

  update(f: Finding, iso: IsolateSnapshot | undefined): void {
    if (f.severity !== this.severity) {
      this.severity = f.severity;
      this.li.className = `finding sev-${f.severity}`;
      this.sevIcon.className = `codicon codicon-${SEVERITY_ICON[f.severity]} sev-icon sev-${f.severity}`;
    }
    setText(this.message, f.message);
    setText(this.rule, f.rule);
    let rebuildMeta = false;
    const locationKey = f.location ? JSON.stringify(f.location) : '';
    if (this.location === null || locationKey !== this.locationKey) {
      this.locationKey = locationKey;
      this.location = locationButton(f.location, 3, true);
      rebuildMeta = true;
    }
    const isolateKey = iso ? `${iso.id}\u0000${iso.name}` : '';
    if (isolateKey !== this.isolateKey) {
      this.isolateKey = isolateKey;
      if (!iso) {
        this.isolate = null;
        rebuildMeta = true;
      } else {
        if (!this.isolate) {
          this.isolate = h(
            'button',
            { type: 'button', class: 'link finding-isolate' },
            icon('symbol-event'),
            this.isolateName,
          );
          rebuildMeta = true;
        }
        this.isolate.dataset.open = iso.id;
        this.isolate.title = nameTitle(iso);
        this.isolateName.data = displayName(iso);
      }
    }
    const facts = findingFacts(f);
    if (facts.length !== this.facts.length) {
      this.facts = facts.map(() => h('span'));
      rebuildMeta = true;
    }
    facts.forEach((text, i) => setText(this.facts[i], text));
    if (rebuildMeta) {
      this.meta.replaceChildren(this.location, this.rule, ...(this.isolate ? [this.isolate] : []), ...this.facts);
    }
    if (this.suggestionText.data !== f.suggestion) this.suggestionText.data = f.suggestion;
    if (this.suggestion.hidden !== !f.suggestion) this.suggestion.hidden = !f.suggestion;
  }
}

/** The findings view. */
export class FindingsView {
  readonly root: HTMLElement;
  private readonly list: HTMLOListElement;
  private readonly summary: HTMLElement;
  private readonly items = new Map<string, FindingItem>();
  private order: string[] = [];
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

  /** Brings the list up to date: changed texts are edited in place, items move only when the order changed. */
  render(store: InspectorStore): void {
    const key = `${store.rev.generation}|${store.rev.findings}|${store.rev.isolates}`;
    if (key === this.seen) return;
    this.seen = key;
    const sorted = sortFindings(store.findings.values());
    setText(
      this.summary,
      sorted.length === 0
        ? `No findings. A message is flagged when it copies more than ${formatBytes(store.oversizedBytes)}.`
        : `${formatCount(sorted.length)} ${sorted.length === 1 ? 'finding' : 'findings'} · oversized means more than ${formatBytes(store.oversizedBytes)} copied`,
    );
    const order: string[] = [];
    for (const f of sorted) {
      let item = this.items.get(f.id);
      if (!item) {
        item = new FindingItem(f.id);
        this.items.set(f.id, item);
      }
      item.update(f, f.isolateId ? store.isolates.get(f.isolateId) : undefined);
      order.push(f.id);
    }
    for (const [id, item] of this.items) {
      if (!store.findings.has(id)) {
        item.li.remove();
        this.items.delete(id);
      }
    }
    if (order.length !== this.order.length || order.some((id, i) => id !== this.order[i])) {
      reorderChildren(this.list, this.order, order, (id) => this.items.get(id)!.li);
      this.order = order;
    }
  }
}
