// Fixes from a QA pass of the inspector in Chromium: the overview holds its row order under the
// pointer / keyboard focus, long and hostile names, count formatting, Esc in the filter, forced
// colours and a 360 px window. The real inspector server serves a fake model whose updates the test
// drives by hand (one `tick()` = one update), so nothing here depends on timing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { ChannelSnapshot, IsolateSnapshot } from '../../protocol';
import { compareIsolates } from '../../webview/sort';
import { openFakeInspector, type FakeInspector } from '../helpers/fake-inspector';
import { FakeModel, PatchedFakeModel } from '../helpers/fake-model-stream';

const TIMEOUT = 30_000;
const BIDI_MAIN = 'main\u202Egnp.exe';
const LONG_NAME = `long-${'x'.repeat(295)}`;
const NAMES: Record<string, string> = { 'iso-0': BIDI_MAIN, 'iso-5': '   ', 'iso-6': LONG_NAME };
const QUEUE_DEPTH = 303_189;
const CHANNEL_MAX_DEPTH = 302_935;

/** The fake model with the names and counts this test needs. */
class QaModel extends PatchedFakeModel {
  constructor() {
    super(new FakeModel({ isolates: 40, hostileName: false }));
  }
  protected override patchIsolate(iso: IsolateSnapshot): IsolateSnapshot {
    let out = iso.id in NAMES ? { ...iso, name: NAMES[iso.id] } : iso;
    if (iso.id === 'iso-3') out = { ...out, queueDepth: QUEUE_DEPTH, maxQueueDepth: QUEUE_DEPTH };
    return out;
  }
  protected override patchChannel(c: ChannelSnapshot): ChannelSnapshot {
    return c.id === 'ch-1' ? { ...c, depth: 12, maxDepth: CHANNEL_MAX_DEPTH } : c;
  }
}

let model: QaModel;
let inspector: FakeInspector;
let page: Page;

before(async () => {
  model = new QaModel();
  inspector = await openFakeInspector(model, { width: 1400, height: 900 }, TIMEOUT);
  ({ page } = inspector);
});

after(async () => {
  await inspector?.close();
});

/** One model update, and waits until the page has drawn it (the root's sample stamp). */
const tick = (): Promise<void> => inspector.tick();

/** Ids of the bound overview rows in screen order (top to bottom). */
async function screenOrder(): Promise<string[]> {
  return page.$$eval('tr[data-isolate-id]:not([hidden])', (trs) =>
    trs
      .map((tr) => ({ id: (tr as HTMLElement).dataset.isolateId ?? '', top: tr.getBoundingClientRect().top }))
      .sort((a, b) => a.top - b.top)
      .map((r) => r.id),
  );
}

/** The order the default sort (CPU descending) gives the model's current data. */
function sortedIds(): string[] {
  return model
    .snapshot()
    .isolates.sort((a, b) => compareIsolates(a, b, 'cpuPercent', 'desc'))
    .map((i) => i.id);
}

async function cpuTexts(): Promise<string[]> {
  return page.$$eval('tr[data-isolate-id]:not([hidden]) .c-cpuPercent .num', (els) =>
    els.map((e) => e.textContent ?? ''),
  );
}

async function toOverview(): Promise<void> {
  await page.locator('button.tab[data-view="overview"]').click();
  await page.locator('.overview-view').waitFor({ state: 'visible', timeout: TIMEOUT });
}

async function openIsolate(id: string): Promise<void> {
  await toOverview();
  await page.locator(`tr[data-isolate-id="${id}"] button.name`).click();
  await page.locator('.isolate-view').waitFor({ state: 'visible', timeout: TIMEOUT });
  await page.waitForFunction((i) => document.querySelector('h2.isolate-title')?.getAttribute('title')?.endsWith(i), id);
}

async function waitForSorted(): Promise<void> {
  const want = sortedIds();
  await page.waitForFunction(
    (ids) => {
      const got = Array.from(document.querySelectorAll<HTMLElement>('tr[data-isolate-id]:not([hidden])'))
        .map((tr) => ({ id: tr.dataset.isolateId ?? '', top: tr.getBoundingClientRect().top }))
        .sort((a, b) => a.top - b.top)
        .map((r) => r.id);
      return got.join(',') === ids.join(',');
    },
    want,
    { timeout: TIMEOUT },
  );
}

test('the row order holds while the pointer is over the table; values still update', async () => {
  await toOverview();
  await page.mouse.move(5, 5);
  await tick();
  await waitForSorted();
  const before = await screenOrder();
  const target = page.locator(`tr[data-isolate-id="${before[2]}"]`);
  const box = (await target.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  const cpuBefore = await cpuTexts();
  for (let i = 0; i < 6; i++) {
    await tick();
    assert.deepEqual(await screenOrder(), before, `rows moved under the pointer (update ${i + 1})`);
  }
  assert.notDeepEqual(await cpuTexts(), cpuBefore, 'values kept updating');
  // The row under the pointer is still the one the click opens.
  await page.mouse.down();
  await page.mouse.up();
  await page.waitForFunction(
    (id) => document.querySelector('tr.selected')?.getAttribute('data-isolate-id') === id,
    before[2],
  );
  // Leaving the table re-sorts.
  await page.mouse.move(5, 5);
  await waitForSorted();
});

test('the row order holds while a row has keyboard focus; ArrowDown goes to the next row on screen', async () => {
  await toOverview();
  await page.mouse.move(5, 5);
  await page.keyboard.press('/');
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => document.activeElement?.matches('tr[data-isolate-id]'));
  await tick();
  const held = await screenOrder();
  for (let i = 0; i < 5; i++) {
    await tick();
    assert.deepEqual(await screenOrder(), held, `rows moved under keyboard focus (update ${i + 1})`);
  }
  const focused = await page.evaluate(() => (document.activeElement as HTMLElement).dataset.isolateId ?? '');
  const next = held[held.indexOf(focused) + 1];
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction((id) => (document.activeElement as HTMLElement)?.dataset.isolateId === id, next);
  // Focus leaving the rows re-sorts them.
  await page.evaluate(() => (document.activeElement as HTMLElement).blur());
  await tick();
  await waitForSorted();
});

test('a 300-character name is cut with an ellipsis in the isolate title, full name kept', async () => {
  await openIsolate('iso-6');
  const fit = await page.evaluate(() => {
    const title = document.querySelector<HTMLElement>('h2.isolate-title')!;
    const badge = document.querySelector<HTMLElement>('.isolate-view .toolbar .badge')!;
    return {
      text: title.textContent,
      tip: title.title,
      titleRight: title.getBoundingClientRect().right,
      badgeRight: badge.getBoundingClientRect().right,
      overflow: getComputedStyle(title).textOverflow,
      pageScroll: document.documentElement.scrollWidth,
      width: window.innerWidth,
    };
  });
  assert.equal(fit.text, LONG_NAME, 'the heading (its accessible name) holds the whole name');
  assert.ok(fit.tip.includes(LONG_NAME), 'the tooltip holds the whole name');
  assert.equal(fit.overflow, 'ellipsis');
  assert.ok(fit.titleRight <= fit.width, `title ends at ${fit.titleRight} px, past ${fit.width}`);
  assert.ok(fit.badgeRight <= fit.width, `state badge at ${fit.badgeRight} px is off-screen`);
  assert.ok(fit.pageScroll <= fit.width, `page scrolls sideways (${fit.pageScroll} px)`);
});

test('a blank name reads "(unnamed)" everywhere', async () => {
  await toOverview();
  assert.equal(await page.locator('tr[data-isolate-id="iso-5"] button.name').textContent(), '(unnamed)');
  await openIsolate('iso-5');
  assert.equal(await page.locator('h2.isolate-title').textContent(), '(unnamed)');
  assert.equal(await page.locator('.isolate-view dd[data-field="Name"]').textContent(), '(unnamed)');
});

test('bidi controls in a name are shown visibly, the same way in every view', async () => {
  const shown = 'main⟨U+202E⟩gnp.exe';
  const noControls = () =>
    page.evaluate(() => {
      const bad = /[\u202a-\u202e\u2066-\u2069\u200e\u200f]/;
      const attrs = Array.from(document.querySelectorAll('[title], [aria-label]')).flatMap((e) => [
        e.getAttribute('title') ?? '',
        e.getAttribute('aria-label') ?? '',
      ]);
      return !bad.test(document.body.textContent ?? '') && !attrs.some((a) => bad.test(a));
    });
  await toOverview();
  assert.equal(await page.locator('tr[data-isolate-id="iso-0"] button.name').textContent(), shown);
  assert.ok(await noControls(), 'overview');
  await openIsolate('iso-0');
  assert.equal(await page.locator('h2.isolate-title').textContent(), shown);
  assert.ok(await noControls(), 'isolate page');
  await openIsolate('iso-1');
  assert.equal(await page.locator('.isolate-view dd[data-field="Parent"] button').textContent(), shown);
  await page
    .locator('.isolate-view td', { hasText: `← ${shown}` })
    .first()
    .waitFor({ timeout: TIMEOUT });
  assert.ok(await noControls(), 'parent link and channel peer');
  await page.locator('button.tab[data-view="timeline"]').click();
  await page.locator('.tl-label', { hasText: shown }).first().waitFor({ timeout: TIMEOUT });
  assert.ok(await noControls(), 'timeline');
  await page.locator('button.tab[data-view="findings"]').click();
  await page.locator('.finding-meta button', { hasText: shown }).first().waitFor({ timeout: TIMEOUT });
  assert.ok(await noControls(), 'findings');
});

test('counts are grouped the same way in the overview, the Now card and the channel table', async () => {
  await toOverview();
  assert.equal(
    await page.locator('tr[data-isolate-id="iso-3"] .c-queueDepth .num').textContent(),
    '303,189',
    'overview queue',
  );
  await openIsolate('iso-3');
  assert.equal(await page.locator('.isolate-view dd[data-field="Queue"]').textContent(), '303,189 now · 303,189 max');
  await openIsolate('iso-0');
  await page.locator('.isolate-view td', { hasText: '12 / 302,935' }).first().waitFor({ timeout: TIMEOUT });
});

test('Esc in the filter clears it first, then goes back to the rows', async () => {
  await toOverview();
  // A selected row that the filter keeps: Esc must not jump to it while the filter has text.
  await page.locator('tr[data-isolate-id="iso-1"] .c-runtime').click();
  await page.mouse.move(5, 5);
  await page.keyboard.press('/');
  await page.keyboard.type('worker-1');
  await page.locator('.overview-view .summary', { hasText: 'shown' }).waitFor({ timeout: TIMEOUT });
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.querySelector('.overview-view .summary')?.textContent?.includes('shown'));
  assert.equal(await page.inputValue('input.filter'), '');
  assert.ok(await page.evaluate(() => document.activeElement?.matches('input.filter')), 'focus stays in the filter');
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => document.activeElement?.matches('tr[data-isolate-id]'));
  await page.evaluate(() => (document.activeElement as HTMLElement).blur());
});

test('forced colours: the copied vs transferable bar stays visible', async () => {
  await page.emulateMedia({ forcedColors: 'active' });
  try {
    await openIsolate('iso-0');
    await page.locator('.split-bar .seg').first().waitFor({ timeout: TIMEOUT });
    const look = await page.evaluate(() => {
      const bar = document.querySelector<HTMLElement>('.split-bar')!;
      const segs = Array.from(bar.querySelectorAll<HTMLElement>('.seg')).map(
        (s) => getComputedStyle(s).backgroundColor,
      );
      return {
        segs,
        canvas: getComputedStyle(document.body).backgroundColor,
        border: getComputedStyle(bar).borderTopWidth,
      };
    });
    assert.ok(look.segs.length >= 2);
    for (const c of look.segs) assert.notEqual(c, look.canvas, 'a segment is painted as the background');
    assert.equal(new Set(look.segs).size, look.segs.length, 'segments are told apart');
    assert.ok(parseFloat(look.border) >= 1, 'the bar has an outline');
  } finally {
    await page.emulateMedia({ forcedColors: 'none' });
  }
});

test('a 360 px window: header wraps on screen, the table scrolls in its own box', async () => {
  await page.setViewportSize({ width: 360, height: 740 });
  try {
    await toOverview();
    await page.mouse.move(5, 5);
    await tick();
    const fit = await page.evaluate(() => {
      const sel = '.topbar .brand, .topbar .tab, .topbar .connection, .overview-view .toolbar .tool';
      const offscreen = Array.from(document.querySelectorAll<HTMLElement>(sel))
        .filter((e) => !e.hidden)
        .map((e) => e.getBoundingClientRect())
        .filter((r) => r.left < 0 || r.right > window.innerWidth + 0.5).length;
      const scroller = document.querySelector<HTMLElement>('.overview-view .table-scroll')!;
      const summary = document.querySelector<HTMLElement>('.overview-view .summary')!;
      return {
        offscreen,
        pageScroll: document.documentElement.scrollWidth,
        width: window.innerWidth,
        summaryHeight: summary.getBoundingClientRect().height,
        ownScroll: scroller.scrollWidth > scroller.clientWidth && getComputedStyle(scroller).overflowX === 'auto',
      };
    });
    assert.equal(fit.offscreen, 0, 'header tabs, live indicator and "Clear exited" are on screen');
    assert.ok(fit.pageScroll <= fit.width, `the page scrolls sideways (${fit.pageScroll} px)`);
    assert.ok(fit.summaryHeight <= 45, `the isolate count wraps (${fit.summaryHeight} px tall)`);
    assert.ok(fit.ownScroll, 'the table scrolls inside its own box');
    assert.ok((await screenOrder()).length > 0, 'rows are still shown');
  } finally {
    await page.setViewportSize({ width: 1400, height: 900 });
  }
});
