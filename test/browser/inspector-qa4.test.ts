// Fixes from a fourth QA pass of the inspector in Chromium: keyboard focus follows the isolate
// through a re-sort, the overview fits laptop widths, long names in findings, the State column,
// byte-axis ticks, labels and empty states, and the scroll position between views. The real
// inspector server serves a fake model whose updates the test drives by hand (one `tick()` = one
// update), so nothing here depends on timing.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { startInspectorServer } from '../../extension/core/inspector-server';
import type { Finding, IsolateSnapshot } from '../../protocol';
import {
  formatBytes,
  formatBytesPerSec,
  formatCount,
  formatDurationMs,
  formatPercent,
  formatRate,
} from '../../webview/format';
import type { SeriesField } from '../../webview/series';
import { compareIsolates } from '../../webview/sort';
import { recordCanvasText, waitForCanvasTexts } from '../helpers/canvas-text';
import type { LaunchedChromium } from '../helpers/chromium';
import { openFakeInspector, type FakeInspector } from '../helpers/fake-inspector';
import { FakeModel, PatchedFakeModel } from '../helpers/fake-model-stream';

const root = join(__dirname, '..', '..');
const TIMEOUT = 30_000;
const ISOLATES = 120;
const LONG_NAME = `${'L'.repeat(300)}-sender-with-a-very-long-name`;
const LONG_FINDING: Finding = {
  id: 'f-long',
  rule: 'oversized-message',
  severity: 'warning',
  message: `'${LONG_NAME}' sends 2.3 MiB per postMessage (over the 64 KiB threshold); the time is paid to serialize it, 'extra'`,
  location: { file: '/app/src/long/path/to/sender.ts', line: 23, column: 126 },
  isolateId: 'iso-7',
  bytes: 2_400_000,
  count: 3,
  totalBytes: 7_200_000,
  suggestion: 'Transfer the buffer.',
};

/** The fake model, with per-isolate values the test sets. */
class Qa4Model extends PatchedFakeModel {
  readonly overrides = new Map<string, Partial<IsolateSnapshot>>();
  /** The finding with a long isolate name is sent while this is true. */
  longFinding = true;
  constructor() {
    super(new FakeModel({ isolates: ISOLATES, hostileName: false }));
  }
  protected override patchFindings(list: Finding[]): Finding[] {
    return this.longFinding ? [...list, LONG_FINDING] : list;
  }
  protected override patchIsolate(iso: IsolateSnapshot): IsolateSnapshot {
    if (iso.id === 'iso-7') iso = { ...iso, name: LONG_NAME };
    const o = this.overrides.get(iso.id);
    return o ? { ...iso, ...o } : iso;
  }
}

let model: Qa4Model;
let inspector: FakeInspector;
let browser: LaunchedChromium;
let page: Page;

before(async () => {
  model = new Qa4Model();
  inspector = await openFakeInspector(model, { width: 1400, height: 600 }, TIMEOUT);
  ({ browser, page } = inspector);
});

after(async () => {
  await inspector?.close();
});

/** One model update, and waits until the page has drawn it (the root's sample stamp). */
const tick = (): Promise<void> => inspector.tick();

/** The order the default sort (CPU descending) gives the model's current data. */
function sortedIds(): string[] {
  return model
    .snapshot()
    .isolates.sort((a, b) => compareIsolates(a, b, 'cpuPercent', 'desc'))
    .map((i) => i.id);
}

/** Waits until the overview's bound rows sit in the model's sorted order (by aria-rowindex). */
async function waitForSorted(): Promise<void> {
  const want = sortedIds();
  await page.waitForFunction(
    (ids) =>
      Array.from(document.querySelectorAll<HTMLElement>('tr[data-isolate-id]:not([hidden])')).every(
        (tr) => ids[Number(tr.getAttribute('aria-rowindex')) - 2] === tr.dataset.isolateId,
      ),
    want,
    { timeout: TIMEOUT },
  );
}

async function toOverview(): Promise<void> {
  await page.locator('button.tab[data-view="overview"]').click();
  await page.locator('.overview-view').waitFor({ state: 'visible', timeout: TIMEOUT });
}

/**
 * Opens an isolate's page from its label in the Timeline view and waits for it: these tests check
 * what the page shows. (From the overview's pooled, filtered rows, a click right after the filter
 * changed sometimes reached no bound row: 1 of ~6 runs of this file; the cause is not found.)
 */
async function openIsolatePage(isolateId: string, on: Page = page): Promise<void> {
  await on.locator('button.tab[data-view="timeline"]').click();
  await on.locator(`.timeline-view button.tl-label[data-open="${isolateId}"]`).click();
  await on.locator('.isolate-view').waitFor({ state: 'visible', timeout: TIMEOUT });
}

type InspectorServer = Awaited<ReturnType<typeof startInspectorServer>>;

/**
 * Runs `body` on a page of its own inspector, serving `own` (a session the shared model can't
 * stand for); both are closed afterwards.
 */
async function withOwnInspector(
  own: FakeModel,
  body: (other: Page, ownServer: InspectorServer) => Promise<void>,
): Promise<void> {
  const ownServer = await startInspectorServer({ model: own, webviewDir: join(root, 'dist/webview') });
  const other = await browser.context.newPage();
  try {
    await other.goto(ownServer.url);
    await body(other, ownServer);
  } finally {
    await other.close();
    await ownServer.close();
  }
}

test('a clicked row keeps focus on its isolate through a re-sort; ArrowDown moves from it', async () => {
  await toOverview();
  await page.mouse.move(5, 5);
  model.overrides.set('iso-50', { cpuPercent: 100 });
  await tick();
  await waitForSorted();
  assert.equal(sortedIds()[0], 'iso-50');
  await page.locator('tr[data-isolate-id="iso-50"] .c-runtime').click();
  await page.waitForFunction(() => document.activeElement?.getAttribute('data-isolate-id') === 'iso-50');
  // The pointer leaves the table: the rows re-sort, and iso-50 falls far below the rows in the DOM.
  await page.mouse.move(5, 5);
  model.overrides.set('iso-50', { cpuPercent: null });
  model.overrides.set('iso-51', { cpuPercent: null });
  await tick();
  await waitForSorted();
  const order = sortedIds();
  assert.ok(order.indexOf('iso-50') > 100, 'iso-50 sorts near the end');
  const focus = await page.evaluate(() => {
    const tr = document.activeElement as HTMLElement;
    return {
      id: tr.dataset.isolateId,
      selected: tr.getAttribute('aria-selected'),
      rowIndex: tr.getAttribute('aria-rowindex'),
    };
  });
  assert.deepEqual(focus, {
    id: 'iso-50',
    selected: 'true',
    rowIndex: String(order.indexOf('iso-50') + 2),
  });
  const next = order[order.indexOf('iso-50') + 1];
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction(
    (id) => document.querySelector('tr.selected')?.getAttribute('data-isolate-id') === id,
    next,
    { timeout: TIMEOUT },
  );
  await page.waitForFunction((id) => document.activeElement?.getAttribute('data-isolate-id') === id, next);
  await page.evaluate(() => (document.activeElement as HTMLElement).blur());
  model.overrides.clear();
  await page.evaluate(() => window.scrollTo(0, 0));
});

test('the overview fits 1024 and 1280 px windows; the page never scrolls sideways from 700 to 1400 px', async () => {
  await toOverview();
  try {
    for (const width of [700, 800, 1024, 1100, 1280, 1400]) {
      await page.setViewportSize({ width, height: 600 });
      await page.mouse.move(5, 5);
      await tick();
      const fit = await page.evaluate(() => {
        const scroller = document.querySelector<HTMLElement>('.overview-view .table-scroll')!;
        const cells = Array.from(document.querySelectorAll<HTMLElement>('table.overview thead th'));
        return {
          pageScroll: document.documentElement.scrollWidth,
          tableFits: scroller.scrollWidth <= scroller.clientWidth,
          lastRight: cells[cells.length - 1].getBoundingClientRect().right,
          cutHeaders: cells.filter((th) => th.scrollWidth > th.clientWidth).map((th) => th.textContent),
        };
      });
      assert.ok(fit.pageScroll <= width, `${width} px: the page scrolls sideways (${fit.pageScroll} px)`);
      assert.deepEqual(fit.cutHeaders, [], `${width} px: column headers cut`);
      if (width >= 1024) {
        assert.ok(fit.tableFits, `${width} px: the table does not fit its box`);
        assert.ok(fit.lastRight <= width, `${width} px: the last column ends at ${fit.lastRight} px`);
      }
    }
  } finally {
    await page.setViewportSize({ width: 1400, height: 600 });
  }
});

test('findings: a long isolate name is cut with an ellipsis and the message wraps inside the card', async () => {
  await page.locator('button.tab[data-view="findings"]').click();
  const item = page.locator('li.finding[data-finding-id="f-long"]');
  await item.waitFor({ timeout: TIMEOUT });
  try {
    for (const width of [400, 1280]) {
      await page.setViewportSize({ width, height: 600 });
      await tick();
      const fit = await item.evaluate((li) => {
        const right = li.getBoundingClientRect().right;
        const msg = li.querySelector<HTMLElement>('.finding-message')!;
        const btn = li.querySelector<HTMLElement>('.finding-meta button[data-open]')!;
        return {
          pageScroll: document.documentElement.scrollWidth,
          msgRight: msg.getBoundingClientRect().right,
          msgOverflow: msg.scrollWidth > msg.clientWidth,
          btnRight: btn.getBoundingClientRect().right,
          btnCut: btn.scrollWidth > btn.clientWidth && getComputedStyle(btn).textOverflow === 'ellipsis',
          tip: btn.title,
          right,
        };
      });
      assert.ok(fit.pageScroll <= width, `${width} px: the page scrolls sideways (${fit.pageScroll} px)`);
      assert.ok(fit.msgRight <= fit.right && !fit.msgOverflow, `${width} px: the message runs off the card`);
      assert.ok(fit.btnRight <= fit.right, `${width} px: the isolate link runs off the card`);
      assert.ok(fit.btnCut, `${width} px: the isolate name is not cut with an ellipsis`);
      assert.ok(fit.tip.includes(LONG_NAME) && fit.tip.includes('iso-7'), 'the tooltip holds the full name and id');
    }
  } finally {
    await page.setViewportSize({ width: 1400, height: 600 });
  }
});

test('the State column shows "exited (115)" in full; a longer exit code is in the tooltip', async () => {
  await toOverview();
  model.fake.exit(9, 115);
  model.fake.exit(11, 3221225477);
  await tick();
  for (const [id, text] of [
    ['iso-9', 'exited (115)'],
    ['iso-11', 'exited (3221225477)'],
  ]) {
    await page.fill('input.filter', id === 'iso-9' ? 'worker-9' : 'worker-11');
    const cell = page.locator(`tr[data-isolate-id="${id}"] td.c-state`);
    await cell.waitFor({ timeout: TIMEOUT });
    const got = await cell.evaluate((td: HTMLElement) => ({
      text: td.textContent,
      title: td.title,
      fits: td.scrollWidth <= td.clientWidth,
    }));
    assert.equal(got.text, text);
    assert.equal(got.title, text, 'the tooltip holds the whole state');
    if (id === 'iso-9') assert.ok(got.fits, '"exited (115)" is cut');
  }
  await page.fill('input.filter', '');
});

test('byte axes of the memory and traffic charts are labelled at round values (4 MiB, not 4.77 MiB)', async () => {
  await recordCanvasText(page);
  await page.reload();
  await toOverview();
  await openIsolatePage('iso-0');
  await tick();
  for (const chart of ['Memory over time', 'Traffic over time']) {
    const labels = await waitForCanvasTexts(page, chart, /\d (B|[KMGT]iB)(\/s)?$/, 3, TIMEOUT);
    for (const label of labels) {
      assert.match(label, /^\d+(\.5)? (B|[KMGT]iB)(\/s)?$/, `${chart}: tick "${label}" (all: ${labels.join(', ')})`);
    }
  }
  await toOverview();
});

/** Each chart's lines, with the formatter of the axis each line is drawn against (as on the page). */
const CHART_LINES: Record<string, [SeriesField, string, (v: number) => string][]> = {
  Memory: [
    ['heapUsedBytes', 'Heap used', formatBytes],
    ['heapCapacityBytes', 'Heap capacity', formatBytes],
    ['externalBytes', 'External', formatBytes],
  ],
  CPU: [['cpuPercent', 'CPU', formatPercent]],
  Queue: [
    ['queueDepth', 'Depth', formatCount],
    ['queueDelayMsP95', 'Delay p95', formatDurationMs],
  ],
  Traffic: [
    ['msgsInPerSec', 'In/s', formatRate],
    ['msgsOutPerSec', 'Out/s', formatRate],
    ['bytesCopiedPerSec', 'Copied/s', formatBytesPerSec],
  ],
};

/** What a chart of `isolateId` should say, from the model's series (the page keeps them as float32). */
function expectedSummary(isolateId: string, title: string): string {
  const s = model.snapshot().series[isolateId];
  const n = s.atMs.length;
  const lines = CHART_LINES[title].map(([field, label, format]) => {
    const values = s[field].map((v) => Math.fround(v));
    const [min, max] = [Math.min(...values), Math.max(...values)];
    return `${label} ${format(values[n - 1])} now, min ${format(min)}, max ${format(max)}`;
  });
  return `${title} over time, last ${formatDurationMs(s.atMs[n - 1] - s.atMs[0])}: ${lines.join('; ')}`;
}

test("each chart's text alternative names its newest value, min and max, and stays current off screen", async () => {
  await toOverview();
  await openIsolatePage('iso-0');
  await tick();
  const label = (title: string) =>
    page.locator(`.isolate-view section.chart-card[aria-label="${title}"] canvas`).getAttribute('aria-label');
  for (const title of Object.keys(CHART_LINES)) {
    assert.equal(await label(title), expectedSummary('iso-0', title), `${title} chart`);
  }
  // It is the canvas's accessible name (role img), as a screen reader gets it.
  const cpu = page.getByRole('img', { name: expectedSummary('iso-0', 'CPU'), exact: true });
  assert.equal(await cpu.count(), 1);
  // Scrolled out of view the charts are not redrawn, but their summaries still follow the data.
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  await page.waitForFunction(() => window.scrollY > 300);
  await page.waitForFunction(
    () => document.querySelector('.isolate-view section.chart-card')!.getBoundingClientRect().bottom < 0,
  );
  const before = await label('CPU');
  await tick();
  const after = await label('CPU');
  assert.notEqual(after, before, 'the CPU summary changed with the data');
  assert.equal(after, expectedSummary('iso-0', 'CPU'));
  // The overview's sparklines repeat the row's numbers: hidden from screen readers.
  await toOverview();
  const sparks = await page.$$eval('canvas.spark-column', (els) => els.map((e) => e.getAttribute('aria-hidden')));
  assert.deepEqual(sparks, ['true', 'true', 'true', 'true']);
});

test('the Now card calls the peak heap "Heap used (peak)", not "Heap max" (read as a limit)', async () => {
  await toOverview();
  await openIsolatePage('iso-0');
  const dts = await page.$$eval('.isolate-view dl.kv dt', (els) => els.map((e) => e.textContent));
  assert.ok(!dts.includes('Heap max'), 'no "Heap max" label');
  const peak = await page.evaluate(() => {
    const dd = document.querySelector<HTMLElement>('.isolate-view dd[data-field="Heap used (peak)"]');
    const dt = dd?.previousElementSibling as HTMLElement | undefined;
    return { text: dt?.textContent, oneLine: !!dt && dt.getBoundingClientRect().height < 24, value: dd?.textContent };
  });
  assert.equal(peak.text, 'Heap used (peak)');
  assert.ok(peak.oneLine, 'the label fits on one line');
  assert.match(peak.value ?? '', /MiB$/);
  await toOverview();
});

test('the Call sites card of an isolate with no notable send says that only notable sends get call sites', async () => {
  await toOverview();
  await openIsolatePage('iso-5');
  await tick();
  const sent = await page.locator('.isolate-view dd[data-field="Sent"]').textContent();
  assert.notEqual(sent, '0', 'the isolate has sent messages');
  const empty = page.locator('.isolate-view section[aria-label="Call sites"] p.empty-inline').first();
  await empty.waitFor({ state: 'visible', timeout: TIMEOUT });
  const text = (await empty.textContent()) ?? '';
  assert.match(text, /notable sends \(64 KiB or more\)/);
  assert.doesNotMatch(text, /No sends recorded/);
  await toOverview();
});

test('the Findings header counts "1 finding", "2 findings"', async () => {
  await page.locator('button.tab[data-view="findings"]').click();
  const summary = page.locator('.findings-view .summary');
  await summary.filter({ hasText: /^2 findings · / }).waitFor({ timeout: TIMEOUT });
  model.longFinding = false;
  try {
    // Updates carry current findings, not removals: a fresh page load hydrates without it.
    await page.reload();
    await summary.filter({ hasText: /^1 finding · / }).waitFor({ timeout: TIMEOUT });
  } finally {
    model.longFinding = true;
  }
  await page.reload();
  await summary.filter({ hasText: /^2 findings · / }).waitFor({ timeout: TIMEOUT });
});

test('the Call sites card names the session\'s notable size, and a one-row ledger says "1 notable message"', async () => {
  const small = new FakeModel({ isolates: 2, ledgerPerTick: 1, oversizedBytes: 256 * 1024, hostileName: false });
  small.tick();
  await withOwnInspector(small, async (other) => {
    await openIsolatePage('iso-0', other);
    const caption = other.locator('.isolate-view section[aria-label="Message ledger"] p.caption');
    await caption.filter({ hasText: /^1 notable message\. / }).waitFor({ timeout: TIMEOUT });
    assert.match((await caption.textContent()) ?? '', /^1 notable message\. Rows over 256 KiB are flagged\.$/);
    await openIsolatePage('iso-1', other);
    const empty = other.locator('.isolate-view section[aria-label="Call sites"] p.empty-inline').first();
    await empty.filter({ hasText: /notable sends/ }).waitFor({ state: 'visible', timeout: TIMEOUT });
    const text = (await empty.textContent()) ?? '';
    assert.match(text, /No notable sends \(256 KiB or more\) from this isolate yet\./);
  });
});

test('with no isolate, the page stops saying "Waiting for the program" once the run has ended', async () => {
  await withOwnInspector(new FakeModel({ isolates: 0 }), async (other, emptyServer) => {
    const state = other.locator('.empty-state');
    await state
      .filter({ hasText: 'Waiting for the program to report its first isolate.' })
      .waitFor({ timeout: TIMEOUT });
    await other.locator('.connection.conn-open').waitFor({ timeout: TIMEOUT });
    emptyServer.setStatus({
      text: 'The run ended: sleep 15 exited with code 0 after 15.0 s; no Node process connected.',
      level: 'warning',
    });
    await other.locator('.banner', { hasText: 'The run ended' }).waitFor({ timeout: TIMEOUT });
    await emptyServer.close();
    await state
      .filter({ hasText: 'The run ended before the program reported an isolate.' })
      .waitFor({ timeout: TIMEOUT });
    const text = await state.textContent();
    assert.doesNotMatch(text ?? '', /Waiting for the program/);
    assert.match(text ?? '', /No isolate reported/);
  });
});

/** Scrolls the page to `y` and returns the offset it got (less at the bottom of a short view). */
async function scrollPage(y: number): Promise<number> {
  await page.evaluate((to) => window.scrollTo(0, to), y);
  await page.waitForFunction(() => window.scrollY > 0);
  return page.evaluate(() => window.scrollY);
}

/** Waits until the page is scrolled to `y` (views are scrolled once drawn), then checks it. */
async function expectScrollY(y: number, what: string): Promise<void> {
  await page.waitForFunction((want) => window.scrollY === want, y, { timeout: 5000 }).catch(() => undefined);
  assert.equal(await page.evaluate(() => window.scrollY), y, what);
}

async function toView(view: string): Promise<void> {
  await page.locator(`button.tab[data-view="${view}"]`).click();
  await page.locator(`.${view}-view`).waitFor({ state: 'visible', timeout: TIMEOUT });
}

/** The isolate of the overview row under the middle of the window. */
async function rowAtMiddle(): Promise<string> {
  const handle = await page.waitForFunction(() => {
    const el = document.elementFromPoint(100, window.innerHeight / 2)?.closest<HTMLElement>('tr[data-isolate-id]');
    return el?.dataset.isolateId ?? null;
  });
  return (await handle.jsonValue()) as string;
}

test("switching views: a view starts at its top on its first visit, then gets back its own offset, never the old view's", async () => {
  // A fresh page: no view has been visited yet.
  await page.reload();
  await toView('overview');
  await page.locator('tr[data-isolate-id]').first().waitFor({ timeout: TIMEOUT });
  const overviewY = await scrollPage(300);
  await toView('timeline');
  await page.locator('.tl-row').nth(60).waitFor({ state: 'attached', timeout: TIMEOUT });
  await expectScrollY(0, 'overview → timeline: the timeline (first visit) starts at its top');
  const timelineY = await scrollPage(500);
  await toView('findings');
  await expectScrollY(0, 'timeline → findings: the findings (first visit) start at their top');
  await toView('overview');
  await expectScrollY(overviewY, 'findings → overview: the overview is back at its own offset');
  await toView('timeline');
  await expectScrollY(timelineY, "overview → timeline: the timeline is back at its own offset, not the overview's");
  await page.evaluate(() => window.scrollTo(0, 0));
  await toView('overview');
  await page.evaluate(() => window.scrollTo(0, 0));
});

test('back from an isolate page (Esc or the Overview button) the overview is where it was; another isolate starts at its top', async () => {
  await toView('overview');
  await page.fill('input.filter', '');
  const overviewY = await scrollPage(1200);
  assert.ok(overviewY > 1000, 'the overview scrolls far enough');
  const id = await rowAtMiddle();
  await page.locator(`tr[data-isolate-id="${id}"] button.name`).click();
  await page.locator('.isolate-view').waitFor({ state: 'visible', timeout: TIMEOUT });
  await expectScrollY(0, 'an isolate page opened from the overview starts at its top');
  const isolateY = await scrollPage(250);
  await page.keyboard.press('Escape');
  await page.locator('.overview-view').waitFor({ state: 'visible', timeout: TIMEOUT });
  await expectScrollY(overviewY, 'Esc: the overview is back where it was');
  // Esc puts focus on the opened isolate's row, which is in view: no scroll.
  await page.waitForFunction((want) => document.activeElement?.getAttribute('data-isolate-id') === want, id, {
    timeout: TIMEOUT,
  });
  assert.equal(await page.evaluate(() => window.scrollY), overviewY, 'focusing the row scrolled the overview');
  // The same isolate again: its page is where it was left.
  await page.keyboard.press('Enter');
  await page.locator('.isolate-view').waitFor({ state: 'visible', timeout: TIMEOUT });
  await expectScrollY(isolateY, "the same isolate's page is back where it was left");
  await page.locator('.isolate-view .toolbar button', { hasText: 'Overview' }).click();
  await page.locator('.overview-view').waitFor({ state: 'visible', timeout: TIMEOUT });
  await expectScrollY(overviewY, 'the Overview button: the overview is back where it was');
  // The button is gone with its page: focus goes to the isolate's row, not to the page body.
  await page.waitForFunction((want) => document.activeElement?.getAttribute('data-isolate-id') === want, id, {
    timeout: TIMEOUT,
  });
  // Another isolate's page starts at its top.
  await page.mouse.move(5, 5);
  await page.evaluate(() => window.scrollBy(0, 100));
  const other = await rowAtMiddle();
  assert.notEqual(other, id);
  await page.locator(`tr[data-isolate-id="${other}"] button.name`).click();
  await page.locator('.isolate-view').waitFor({ state: 'visible', timeout: TIMEOUT });
  await expectScrollY(0, "another isolate's page starts at its top");
  // `/` goes back to the overview with the filter focused and scrolled into view (below the header).
  await page.keyboard.press('/');
  await page.waitForFunction(() => document.activeElement?.matches('input.filter'), null, { timeout: TIMEOUT });
  const filter = await page.evaluate(() => ({
    top: document.querySelector('input.filter')!.getBoundingClientRect().top,
    headerBottom: document.querySelector('.topbar')!.getBoundingClientRect().bottom,
  }));
  assert.ok(filter.top >= filter.headerBottom && filter.top < 600, `the filter is at ${filter.top} px`);
  await page.keyboard.press('Escape');
  await page.evaluate(() => window.scrollTo(0, 0));
});

test('sorting by Name is natural: worker-2 before worker-10', async () => {
  await toOverview();
  await page.mouse.move(5, 5);
  await page.locator('table.overview th.c-name button.sort').click();
  try {
    await page.waitForFunction(() =>
      document.querySelector('table.overview th.c-name')?.getAttribute('aria-sort')?.startsWith('asc'),
    );
    const index = await page.evaluate(() => {
      const at: Record<string, number> = {};
      for (const tr of Array.from(document.querySelectorAll<HTMLElement>('tr[data-isolate-id]:not([hidden])'))) {
        at[tr.dataset.isolateId ?? ''] = Number(tr.getAttribute('aria-rowindex'));
      }
      return ['iso-1', 'iso-2', 'iso-9', 'iso-10', 'iso-11'].map((id) => at[id] ?? -1);
    });
    assert.ok(!index.includes(-1), `rows not on the first screen: ${index.join(', ')}`);
    assert.deepEqual(
      [...index].sort((a, b) => a - b),
      index,
      `worker-1, -2, -9, -10, -11 at rows ${index.join(', ')}`,
    );
  } finally {
    await page.locator('table.overview th.c-cpuPercent button.sort').click();
  }
});

test('a filter that matches nothing says "No isolate matches"', async () => {
  await toOverview();
  await page.fill('input.filter', 'no-such-isolate');
  const note = page.locator('.overview-view p', { hasText: 'No isolate matches “no-such-isolate”.' });
  await note.waitFor({ state: 'visible', timeout: TIMEOUT });
  await page.fill('input.filter', 'worker-1');
  await note.waitFor({ state: 'hidden', timeout: TIMEOUT });
  await page.fill('input.filter', '');
});

test('a finding shows its location as path:line:column', async () => {
  await page.locator('button.tab[data-view="findings"]').click();
  const loc = page.locator('li.finding[data-finding-id="f-long"] .finding-meta button.location');
  await loc.waitFor({ timeout: TIMEOUT });
  assert.equal(await loc.textContent(), '…/path/to/sender.ts:23:126');
  assert.equal(await loc.getAttribute('title'), 'Open /app/src/long/path/to/sender.ts:23:126');
});

test('each view tab names the tab panel it controls', async () => {
  await toOverview();
  const links = await page.$$eval('.topbar [role="tab"]', (tabs) =>
    tabs.map((tab) => {
      const panel = document.getElementById(tab.getAttribute('aria-controls') ?? '');
      return { view: tab.getAttribute('data-view'), role: panel?.getAttribute('role'), cls: panel?.className ?? '' };
    }),
  );
  assert.equal(links.length, 3);
  for (const l of links) {
    assert.equal(l.role, 'tabpanel', `${l.view}: no tabpanel`);
    assert.ok(l.cls.includes(`${l.view}-view`), `${l.view} controls ${l.cls}`);
  }
});

test('an isolate whose thread has not sampled for seconds says its CPU and heap are that old', async () => {
  await toOverview();
  model.overrides.set('iso-0', { lastSampleAtMs: model.fake.nowMs - 10_000 });
  await tick();
  await openIsolatePage('iso-0');
  const last = page.locator('.isolate-view dd[data-field="Last sample"]');
  await last.filter({ hasText: /busy in one long task/ }).waitFor({ timeout: TIMEOUT });
  assert.match(
    (await last.textContent()) ?? '',
    /^10(\.\d)? s ago: its thread is busy in one long task, so CPU and heap are that old/,
  );
  assert.ok(await last.evaluate((dd) => dd.classList.contains('warn')), 'marked as a warning');
  // Sampling again: just the age.
  model.overrides.set('iso-0', { lastSampleAtMs: model.fake.nowMs });
  await tick();
  await last.filter({ hasText: /^\d+(\.\d+)? ms ago$/ }).waitFor({ timeout: TIMEOUT });
  assert.ok(!(await last.evaluate((dd) => dd.classList.contains('warn'))));
  model.overrides.clear();
  await toOverview();
});
