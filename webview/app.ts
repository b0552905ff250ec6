/**
 * The inspector app: validates host messages into the store, owns the UI state, and renders the
 * visible view at most once per animation frame (updates arriving faster are coalesced).
 */
import type { SourceLocation, ToWebviewMessage } from '../protocol';
import { h, icon, setText } from './dom';
import { FindingsView } from './findings-view';
import { formatBytes, formatCount, formatLocation } from './format';
import { Header, tabPanelId } from './header';
import { IsolatePage } from './isolate-page';
import { OverviewView } from './overview';
import { InspectorStore } from './store';
import { onThemeChange, readTheme, type ThemeColors } from './theme';
import { TimelineView } from './timeline-view';
import type { HostTransport } from './transport';
import { parseUiState, type UiState, type ViewName } from './ui-state';
import { validateToWebviewMessage } from './validate';
import { locationFromEvent } from './widgets';
import { PerfRecorder } from './perf';

/** The whole inspector UI bound to one host transport. */
export class InspectorApp {
  readonly store = new InspectorStore();
  readonly perf = new PerfRecorder();
  private ui: UiState;
  private theme: ThemeColors;
  private themeChanged = true;
  private frameRequested = false;
  private sessionsRev = -1;
  private invalidCount = 0;
  private lastInvalidReason = '';
  private readonly header: Header;
  private readonly overview: OverviewView;
  private readonly isolatePage: IsolatePage;
  private readonly timeline = new TimelineView();
  private readonly findings = new FindingsView();
  private readonly emptyState: EmptyState;
  /** Each view's scroll offset when it was left (px); the isolate page's is that of `scrolledIsolateId`. */
  private readonly scrollOffsets: Record<ViewName, number> = { overview: 0, isolate: 0, timeline: 0, findings: 0 };
  private scrolledIsolateId: string | null = null;
  /** The offset to scroll to once the view just switched to is drawn. */
  private pendingScrollY: number | null = null;
  /** What gets focus once the overview just switched to is drawn and scrolled (Esc: rows, `/`: filter). */
  private focusWhenDrawn: 'rows' | 'filter' | null = null;
  /** The host said how the run ended (a status banner), or the connection closed after it was open. */
  private statusSeen = false;
  private connectionLost = false;
  private wasOpen = false;
  private readonly banner: HTMLElement;
  private readonly locationBox: HTMLElement;
  private readonly footer: HTMLElement;

  constructor(
    private readonly root: HTMLElement,
    private readonly transport: HostTransport,
  ) {
    this.ui = parseUiState(transport.getState());
    this.theme = readTheme();
    this.header = new Header((view) => this.setView(view));
    this.overview = new OverviewView({
      select: (id) => this.patchUi({ selectedIsolateId: id }),
      open: (id) => this.openIsolate(id),
      changeSort: (sortKey, sortDir) => this.patchUi({ sortKey, sortDir }),
      changeFilter: (filter) => this.patchUi({ filter }),
      clearExited: () => {
        this.store.clearExited();
        this.transport.post({ type: 'clear-exited' });
        this.requestRender();
      },
      requestRender: () => this.requestRender(),
    });
    this.isolatePage = new IsolatePage(
      () => {
        // The button goes with its page: focus moves to the isolate's row, as Esc does, rather
        // than falling back to the page body (where a keyboard user would start over).
        this.setView('overview');
        this.focusWhenDrawn = 'rows';
      },
      () => this.requestRender(),
    );
    this.emptyState = new EmptyState(transport.kind);
    this.banner = h('div', { class: 'banner', role: 'status', hidden: true });
    this.locationBox = h('div', { class: 'banner location-box', role: 'status', hidden: true });
    this.footer = h('footer', { class: 'statusbar muted' });
    root.replaceChildren(
      this.header.root,
      this.banner,
      this.locationBox,
      h(
        'main',
        { class: 'content' },
        this.emptyState.root,
        this.overview.root,
        this.isolatePage.root,
        this.timeline.root,
        this.findings.root,
      ),
      this.footer,
    );
    // The tabs' panels (the isolate page belongs to the Overview tab, which stays selected on it).
    for (const [view, panel] of [
      ['overview', this.overview.root],
      ['timeline', this.timeline.root],
      ['findings', this.findings.root],
    ] as const) {
      panel.id = tabPanelId(view);
      panel.setAttribute('role', 'tabpanel');
    }
    root.addEventListener('click', (ev) => this.onGlobalClick(ev));
    document.addEventListener('keydown', (ev) => this.onGlobalKey(ev));
    onThemeChange(() => {
      this.theme = readTheme();
      this.themeChanged = true;
      this.isolatePage.applyTheme(this.theme);
      this.requestRender();
    });
    transport.onMessage((data) => this.receive(data));
    transport.onConnection((state) => {
      this.header.setConnection(state);
      if (state === 'open') {
        this.wasOpen = true;
        // A server reached again re-sends its status, if it has one.
        this.statusSeen = false;
        this.connectionLost = false;
      } else if (state === 'closed' && this.wasOpen) {
        this.connectionLost = true;
      }
      this.requestRender();
    });
    if (transport.kind === 'vscode') transport.post({ type: 'ready' });
    this.requestRender();
  }

  /** Entry point for every raw host message: parse, validate, apply — or drop and count. */
  receive(data: unknown): void {
    let parsed: unknown = data;
    if (typeof data === 'string') {
      try {
        parsed = JSON.parse(data);
      } catch {
        this.reject('not JSON');
        return;
      }
    }
    const result = validateToWebviewMessage(parsed);
    if (!result.ok) {
      this.reject(result.reason);
      return;
    }
    this.apply(result.message);
  }

  private reject(reason: string): void {
    this.invalidCount++;
    this.lastInvalidReason = reason;
    this.header.setInvalid(this.invalidCount, reason);
  }

  private apply(m: ToWebviewMessage): void {
    switch (m.type) {
      case 'hydrate':
        this.store.applyHydrate(m.snapshot, m.host);
        break;
      case 'update':
        this.store.applyUpdate(m.update);
        break;
      case 'select-isolate':
        this.openIsolate(m.isolateId);
        break;
      case 'status':
        this.statusSeen = true;
        this.banner.hidden = false;
        this.banner.className = `banner banner-${m.level}`;
        this.banner.replaceChildren(icon(m.level === 'info' ? 'info' : m.level), ' ', m.text);
        break;
      default: {
        const never: never = m;
        return never;
      }
    }
    this.requestRender();
  }

  private patchUi(patch: Partial<UiState>): void {
    this.ui = { ...this.ui, ...patch };
    this.transport.setState(this.ui);
    this.requestRender();
  }

  /** Switches view (see `switchTo` for where the new view is scrolled to). */
  private setView(view: ViewName): void {
    this.switchTo(view, this.ui.selectedIsolateId);
  }

  private openIsolate(id: string): void {
    this.switchTo('isolate', id);
  }

  /**
   * Shows `view` (the isolate page of `isolateId`). The page's scroll offset belongs to the view
   * being left: it is kept for that view, and the new view gets back its own offset, or starts at
   * its top on a first visit and on the page of another isolate than the one left last. It is
   * restored once the view is drawn (see render): a hidden view has no height to scroll in.
   */
  private switchTo(view: ViewName, isolateId: string | null): void {
    const { view: from, selectedIsolateId: fromId } = this.ui;
    if (view !== from || (view === 'isolate' && isolateId !== fromId)) {
      this.scrollOffsets[from] = window.scrollY;
      if (from === 'isolate') this.scrolledIsolateId = fromId;
      this.pendingScrollY = view === 'isolate' && isolateId !== this.scrolledIsolateId ? 0 : this.scrollOffsets[view];
    }
    this.patchUi(view === 'isolate' ? { view, selectedIsolateId: isolateId } : { view });
  }

  private openLocation(location: SourceLocation): void {
    this.transport.post({ type: 'open-location', location });
    if (this.transport.kind === 'browser') {
      // No editor to jump to: show the location so the user can open it themselves.
      const text = formatLocation(location);
      const copy = h('button', { type: 'button', class: 'tool' }, icon('copy'), ' Copy');
      copy.addEventListener('click', () => void navigator.clipboard?.writeText(text).catch(() => undefined));
      const close = h('button', { type: 'button', class: 'tool', 'aria-label': 'Dismiss' }, icon('close'));
      close.addEventListener('click', () => (this.locationBox.hidden = true));
      this.locationBox.replaceChildren(
        icon('go-to-file'),
        ' Open in your editor: ',
        h('code', { class: 'location-text' }, text),
        copy,
        close,
      );
      this.locationBox.hidden = false;
    }
  }

  private onGlobalClick(ev: MouseEvent): void {
    const loc = locationFromEvent(ev);
    if (loc) {
      ev.preventDefault();
      this.openLocation(loc);
      return;
    }
    const open = (ev.target as HTMLElement).closest?.('[data-open]') as HTMLElement | null;
    // Overview rows handle their own clicks (select vs open).
    if (open?.dataset.open && !open.closest('tbody tr[data-isolate-id]')) this.openIsolate(open.dataset.open);
  }

  private onGlobalKey(ev: KeyboardEvent): void {
    const inField = (ev.target as HTMLElement).matches?.('input, textarea');
    if (ev.key === '/' && !inField) {
      ev.preventDefault();
      if (this.ui.view !== 'overview') {
        // A hidden filter takes no focus: focus it once shown (which scrolls it into view).
        this.setView('overview');
        this.focusWhenDrawn = 'filter';
      } else this.overview.focusFilter();
    } else if (ev.key === 'Escape') {
      if (inField) {
        // First Esc clears the filter (focus stays in the box); Esc in an empty box goes to the rows.
        ev.preventDefault();
        if (!this.overview.clearFilter()) this.overview.focusRows();
      } else if (this.ui.view === 'isolate') {
        this.setView('overview');
        this.focusWhenDrawn = 'rows';
      }
    }
  }

  /** Schedules one render on the next animation frame. */
  requestRender(): void {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => {
      this.frameRequested = false;
      this.perf.measure(() => this.render(), this.store.latestSampleMs, this.root);
    });
  }

  /** Draws this frame's share of the work; false while an update still has slices to draw. */
  private render(): boolean {
    const { store, ui } = this;
    let settled = true;
    // Layout reads come first, while the DOM is still clean from the last frame: no forced layout.
    if (ui.view === 'overview') this.overview.measure();
    else if (ui.view === 'isolate') this.isolatePage.measure();
    const hasData = store.isolates.size > 0;
    setHidden(this.emptyState.root, hasData);
    if (!hasData) this.emptyState.setEnded(this.statusSeen || this.connectionLost);
    this.header.setView(ui.view);
    if (this.sessionsRev !== store.rev.sessions) {
      this.sessionsRev = store.rev.sessions;
      this.header.setSessions(store.sessions.values());
    }
    let errors = false;
    for (const f of store.findings.values()) if (f.severity === 'error') errors = true;
    this.header.setFindingsCount(store.findings.size, errors);
    setHidden(this.overview.root, !hasData || ui.view !== 'overview');
    setHidden(this.isolatePage.root, !hasData || ui.view !== 'isolate');
    setHidden(this.timeline.root, !hasData || ui.view !== 'timeline');
    setHidden(this.findings.root, ui.view !== 'findings' || !hasData);
    if (hasData) {
      switch (ui.view) {
        case 'overview':
          settled = this.overview.render(store, ui, this.theme, this.themeChanged);
          this.themeChanged = false;
          break;
        case 'isolate':
          settled = this.isolatePage.render(store, ui.selectedIsolateId, this.theme);
          break;
        case 'timeline':
          this.timeline.render(store);
          break;
        case 'findings':
          this.findings.render(store);
          break;
        default: {
          const never: never = ui.view;
          return never;
        }
      }
    }
    if (this.pendingScrollY !== null) {
      // The view just switched to is drawn (its height is known): back to its own offset. Forces
      // one layout, once per switch.
      if (window.scrollY !== this.pendingScrollY) window.scrollTo(0, this.pendingScrollY);
      this.pendingScrollY = null;
    }
    if (this.focusWhenDrawn !== null) {
      // After the scroll: the row or the filter is scrolled to only if it is out of view.
      if (ui.view === 'overview' && hasData) {
        if (this.focusWhenDrawn === 'rows') this.overview.focusRows();
        else this.overview.focusFilter();
      }
      this.focusWhenDrawn = null;
    }
    // The rest of the update goes into the next frames (the view asked for no single long frame).
    if (!settled) this.requestRender();
    const d = store.drops;
    setText(
      this.footer,
      `oversized > ${formatBytes(store.oversizedBytes)} · collector rejected ${formatCount(d.framesRejected)} frames · agents dropped ${formatCount(d.agentRecordsDropped)} records · ledger evicted ${formatCount(d.ledgerEvicted)} rows · UI evicted ${formatCount(store.uiEvicted)}`,
    );
    return settled;
  }

  /** Diagnostics for tests and benchmarks. */
  diagnostics(): { invalidMessages: number; lastInvalidReason: string } {
    return { invalidMessages: this.invalidCount, lastInvalidReason: this.lastInvalidReason };
  }
}

/** Sets `hidden` only when it changes (a same-value write still invalidates style). */
function setHidden(el: HTMLElement, hidden: boolean): void {
  if (el.hidden !== hidden) el.hidden = hidden;
}

/**
 * What the page shows before the first isolate: how to get data, or, once the run is over with
 * no isolate (the host's end-of-run status, or the connection closed), that none reported.
 */
class EmptyState {
  readonly root: HTMLElement;
  private readonly title = h('h2', null, 'No isolates yet');
  private readonly lead: HTMLElement;
  private readonly waiting: string;
  private ended: boolean | null = null;

  constructor(kind: 'vscode' | 'browser') {
    const how =
      kind === 'vscode'
        ? [
            'Start a Dart or Flutter debug session — Isoscope attaches to its VM service automatically.',
            'Node: run “Isoscope: Profile Node Program…”, or turn on “Isoscope: Toggle Profiling in Terminals” and start node in a new terminal. A Dart app started elsewhere: “Isoscope: Connect to Dart VM Service…”.',
          ]
        : [
            'Waiting for the program to report its first isolate.',
            'Node: isoscope run -- node app.js   ·   Dart: isoscope connect <vm-service-uri>',
          ];
    this.waiting = how[0];
    this.lead = h('p', null, how[0]);
    this.root = h(
      'div',
      { class: 'empty-state' },
      icon('inbox', 'empty-icon'),
      this.title,
      this.lead,
      ...how.slice(1).map((line) => h('p', null, line)),
    );
  }

  /** Switches between "waiting" and "the run ended with no isolate". */
  setEnded(ended: boolean): void {
    if (ended === this.ended) return;
    this.ended = ended;
    setText(this.title, ended ? 'No isolate reported' : 'No isolates yet');
    setText(this.lead, ended ? 'The run ended before the program reported an isolate.' : this.waiting);
  }
}
