/** The header bar: brand, session, tabs, connection state, and the dropped-message counters. */
import type { SessionInfo } from '../protocol';
import { h, icon, setClass, setText } from './dom';
import { formatCount } from './format';
import type { ConnectionState } from './transport';
import type { ViewName } from './ui-state';

const TABS: { view: ViewName; label: string; icon: string }[] = [
  { view: 'overview', label: 'Overview', icon: 'list-flat' },
  { view: 'timeline', label: 'Timeline', icon: 'history' },
  { view: 'findings', label: 'Findings', icon: 'warning' },
];

/** The id of the section a view tab controls. */
export function tabPanelId(view: ViewName): string {
  return `view-${view}`;
}

/** Header bar. */
export class Header {
  readonly root: HTMLElement;
  private readonly session: HTMLElement;
  private readonly connection: HTMLElement;
  private readonly invalid: HTMLElement;
  private readonly tabs = new Map<ViewName, HTMLButtonElement>();
  private readonly findingsCount: HTMLElement;
  private activeTab: ViewName | null = null;
  private findingsKey = '';

  constructor(onTab: (view: ViewName) => void) {
    const tablist = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Views' });
    this.findingsCount = h('span', { class: 'count-badge', hidden: true });
    for (const t of TABS) {
      const btn = h(
        'button',
        {
          type: 'button',
          role: 'tab',
          class: 'tab',
          'data-view': t.view,
          'aria-selected': 'false',
          // The app gives each view's section this id (role tabpanel).
          'aria-controls': tabPanelId(t.view),
          tabindex: -1,
        },
        icon(t.icon),
        ` ${t.label}`,
      );
      if (t.view === 'findings') btn.append(this.findingsCount);
      btn.addEventListener('click', () => onTab(t.view));
      this.tabs.set(t.view, btn);
      tablist.append(btn);
    }
    // Arrow keys move between tabs (WAI-ARIA tabs pattern).
    tablist.addEventListener('keydown', (ev) => {
      if (ev.key !== 'ArrowRight' && ev.key !== 'ArrowLeft') return;
      const views = TABS.map((t) => t.view);
      const current = views.findIndex((v) => this.tabs.get(v) === document.activeElement);
      const next = views[(current + (ev.key === 'ArrowRight' ? 1 : views.length - 1)) % views.length];
      onTab(next);
      this.tabs.get(next)?.focus();
      ev.preventDefault();
    });
    this.session = h('span', { class: 'session muted' });
    this.connection = h('span', { class: 'connection', role: 'status' });
    this.invalid = h('span', { class: 'invalid-count', hidden: true, role: 'status' });
    this.root = h(
      'header',
      { class: 'topbar' },
      h('span', { class: 'brand' }, icon('pulse'), ' Isoscope'),
      tablist,
      this.session,
      h('span', { class: 'spacer' }),
      this.invalid,
      this.connection,
    );
  }

  /** Highlights the active tab (the isolate page keeps "Overview" highlighted). */
  setView(view: ViewName): void {
    const active = view === 'isolate' ? 'overview' : view;
    if (active === this.activeTab) return;
    this.activeTab = active;
    for (const [v, btn] of this.tabs) {
      btn.setAttribute('aria-selected', String(v === active));
      btn.tabIndex = v === active ? 0 : -1;
    }
  }

  /** Shows the session(s) being inspected. */
  setSessions(sessions: Iterable<SessionInfo>): void {
    const parts: string[] = [];
    for (const s of sessions) {
      parts.push(
        `${s.label}${s.pid !== null ? ` · pid ${s.pid}` : ''} · ${s.runtime} ${s.runtimeVersion}${s.endedAtMs !== null ? ' · ended' : ''}`,
      );
    }
    setText(this.session, parts.slice(0, 2).join('  |  ') + (parts.length > 2 ? `  (+${parts.length - 2})` : ''));
  }

  /** Shows the connection state. */
  setConnection(state: ConnectionState): void {
    const text =
      state === 'open' ? 'live' : state === 'connecting' ? 'connecting…' : 'disconnected — showing last data';
    setText(this.connection, text);
    this.connection.className = `connection conn-${state}`;
  }

  /** Shows how many host messages failed validation (hidden at zero). */
  setInvalid(count: number, lastReason: string): void {
    this.invalid.hidden = count === 0;
    setText(this.invalid, `${formatCount(count)} invalid message${count === 1 ? '' : 's'} dropped`);
    this.invalid.title = lastReason ? `Last: ${lastReason}` : '';
    this.invalid.dataset.count = String(count);
  }

  /** Shows the number of findings on the Findings tab. */
  setFindingsCount(n: number, hasError: boolean): void {
    const key = `${n}|${hasError}`;
    if (key === this.findingsKey) return;
    this.findingsKey = key;
    this.findingsCount.hidden = n === 0;
    setText(this.findingsCount, formatCount(n));
    setClass(this.findingsCount, 'error', hasError);
  }
}
