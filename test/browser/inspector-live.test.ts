// Fixes from a second QA pass of the inspector in Chromium, all about a page that keeps updating:
// the findings list keeps focus, selection and clicks across updates and labels its numbers per
// finding kind; a long channel peer is cut; a message exactly at the threshold is not flagged;
// zero-width names and the filter; distinct chart ticks on a short chart; a timeline of 1,100
// isolates keeps the running main thread and restyles only what moved. The real inspector server
// serves a scripted model whose updates the test drives by hand (one `tick()` = one update).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { backlogFinding, emptyOversized, oversizedFinding } from '../../extension/core/model/findings';
import { startInspectorServer } from '../../extension/core/inspector-server';
import type {
  ChannelSnapshot,
  Finding,
  IsolateSeries,
  IsolateSeriesPoint,
  IsolateSnapshot,
  LedgerEntry,
  ModelSnapshot,
  ModelUpdate,
} from '../../protocol';
import { SERIES_FIELDS } from '../../protocol/model';
import { recordCanvasText, waitForCanvasTexts } from '../helpers/canvas-text';
import { launchChromium, type LaunchedChromium } from '../helpers/chromium';
import { isolateSnapshot } from '../helpers/isolate-snapshot';

const root = join(__dirname, '..', '..');
const TIMEOUT = 30_000;
const THRESHOLD = 64 * 1024;
const LONG_NAME = `L${'x'.repeat(1999)}`;
const SITE = { file: '/app/src/pipeline.ts', line: 42, column: 10 };

interface Cursor {
  tick: number;
  ledgerSeq: number;
}

/** A model the test edits directly; `tick()` advances time and samples every running isolate. */
class ScriptedModel {
  readonly startMs = Date.now() - 10_000;
  nowMs = this.startMs;
  tickCount = 0;
  readonly isolates = new Map<string, IsolateSnapshot>();
  readonly channels: ChannelSnapshot[] = [];
  readonly ledger: LedgerEntry[] = [];
  findings: Finding[] = [];
  private readonly points = new Map<string, { tick: number; point: IsolateSeriesPoint }[]>();
  private readonly listeners = new Set<() => void>();

  add(id: string, name: string, extra: Partial<IsolateSnapshot> = {}): void {
    this.isolates.set(
      id,
      isolateSnapshot(id, name, {
        parentId: 'main',
        startedAtMs: this.nowMs,
        heapUsedBytes: 4 << 20,
        heapCapacityBytes: 8 << 20,
        heapUsedBytesMax: 4 << 20,
        ...extra,
      }),
    );
    this.points.set(id, []);
  }

  exit(id: string): void {
    const iso = this.isolates.get(id)!;
    this.isolates.set(id, { ...iso, state: 'exited', exitedAtMs: this.nowMs, exitCode: 0 });
  }

  /** One sample period: running isolates get new numbers and a series point. */
  tick(stepMs = 250): void {
    this.nowMs += stepMs;
    this.tickCount++;
    for (const [id, iso] of this.isolates) {
      if (iso.state !== 'running') continue;
      const cpu = (this.tickCount * 7 + id.length * 13) % 100;
      this.isolates.set(id, { ...iso, cpuPercent: cpu, cpuTimeMs: (iso.cpuTimeMs ?? 0) + cpu * 2.5 });
      const point: IsolateSeriesPoint = {
        atMs: this.nowMs,
        heapUsedBytes: iso.heapUsedBytes,
        heapCapacityBytes: iso.heapCapacityBytes,
        externalBytes: 0,
        cpuPercent: cpu,
        queueDepth: 0,
        queueDelayMsP95: 0,
        msgsInPerSec: 0,
        msgsOutPerSec: 0,
        bytesCopiedPerSec: 0,
      };
      this.points.get(id)!.push({ tick: this.tickCount, point });
    }
    for (const l of this.listeners) l();
  }

  snapshot(): ModelSnapshot {
    const series: Record<string, IsolateSeries> = {};
    for (const [id, pts] of this.points) {
      const s = { atMs: pts.map((p) => p.point.atMs) } as IsolateSeries;
      for (const f of SERIES_FIELDS) s[f] = pts.map((p) => p.point[f]);
      series[id] = s;
    }
    return {
      atMs: this.nowMs,
      sessions: [this.session()],
      isolates: [...this.isolates.values()],
      series,
      channels: this.channels.map((c) => ({ ...c })),
      callSites: [],
      ledger: [...this.ledger],
      ports: [],
      findings: [...this.findings],
      drops: { framesRejected: 0, agentRecordsDropped: 0, ledgerEvicted: 0 },
      oversizedBytes: THRESHOLD,
    };
  }

  initialCursor(): Cursor {
    return { tick: this.tickCount, ledgerSeq: this.ledger.at(-1)?.seq ?? 0 };
  }

  updateSince(cursor: Cursor): { update: ModelUpdate; cursor: Cursor } {
    const points: Record<string, IsolateSeriesPoint> = {};
    for (const [id, pts] of this.points) {
      const last = pts.at(-1);
      if (last && last.tick > cursor.tick) points[id] = last.point;
    }
    return {
      update: {
        atMs: this.nowMs,
        sessions: [this.session()],
        isolates: [...this.isolates.values()],
        points,
        channels: this.channels.map((c) => ({ ...c })),
        callSites: [],
        ledgerAppended: this.ledger.filter((l) => l.seq > cursor.ledgerSeq),
        ports: [],
        findings: [...this.findings],
        drops: { framesRejected: 0, agentRecordsDropped: 0, ledgerEvicted: 0 },
      },
      cursor: this.initialCursor(),
    };
  }

  clearExited(): void {}

  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  }

  private session(): ModelSnapshot['sessions'][number] {
    return {
      id: 's1',
      runtime: 'node',
      label: 'node app.js',
      pid: 4242,
      startedAtMs: this.startMs,
      endedAtMs: null,
      runtimeVersion: 'v20.19.0',
    };
  }
}

let model: ScriptedModel;
let server: Awaited<ReturnType<typeof startInspectorServer>>;
let browser: LaunchedChromium;
let page: Page;

/** The oversized-message finding as the model writes it, for `sends` sends of 300 KiB. */
function oversized(sends: number, payer = 'sender'): Finding {
  const agg = emptyOversized('site', SITE);
  agg.count = sends;
  agg.maxBytes = 300 * 1024;
  // 17 sends make 4.98 MiB: the message says "5.0 MiB"; the page's own format would say "4.98 MiB".
  agg.totalBytes = sends * 300 * 1024;
  agg.payers.set(payer, agg.totalBytes);
  agg.shape = '{ buf: Uint8Array(307200) }';
  return oversizedFinding(
    agg,
    THRESHOLD,
    (id) => model.isolates.get(id)?.name ?? id,
    () => null,
  );
}

function backlog(): Finding {
  const f = backlogFinding(
    {
      isolateId: 'sink',
      name: 'sink',
      location: { file: '/app/src/sink.ts', line: 7, column: 3 },
      maxQueueDepth: 18_181,
      recentDepths: [],
      delayMsP95: 0,
      delayMsMax: 0,
    },
    { deepQueueDepth: 500, growingSamples: 8, growingBy: 50 },
  );
  assert.ok(f);
  return f;
}

before(async () => {
  model = new ScriptedModel();
  model.add('main', 'main', { kind: 'main', parentId: null });
  model.add('sender', 'sender');
  model.add('sink', 'sink');
  model.add('long', LONG_NAME);
  model.add('zw', '\u200B');
  model.add('zw-inside', 'zw\u200Bspace');
  model.add('bidi', 'main\u202Egnp.exe');
  // A worker that lives 1.5 s: its charts span 1.25 s of samples.
  model.add('brief', 'brief');
  model.channels.push({
    id: 'ch-long',
    sessionId: 's1',
    label: 'parent → worker',
    from: 'main',
    to: 'long',
    sent: 3,
    delivered: 3,
    depth: 0,
    maxDepth: 1,
    bytesCopied: 300,
    bytesTransferred: 0,
    maxMessageBytes: 100,
    delayMsP50: 0.1,
    delayMsP95: 0.2,
    delayMsMax: 0.3,
  });
  let seq = 0;
  for (const [bytes, shape] of [
    [THRESHOLD, 'exactly-at-threshold'],
    [THRESHOLD + 1, 'one-byte-over'],
  ] as const) {
    model.ledger.push({
      seq: ++seq,
      isolateId: 'sender',
      channelId: 'ch-long',
      atMs: model.nowMs,
      bytes,
      typedArrayBytes: 0,
      transferredBytes: 0,
      location: SITE,
      shape,
    });
  }
  model.findings = [oversized(17), backlog()];
  for (let i = 0; i < 6; i++) model.tick();
  model.exit('brief');
  server = await startInspectorServer({ model, webviewDir: join(root, 'dist/webview') });
  browser = await launchChromium({ viewport: { width: 1400, height: 900 } });
  page = await browser.context.newPage();
  await recordCanvasText(page);
  await page.goto(server.url);
  await page.locator('tr[data-isolate-id]').first().waitFor({ timeout: TIMEOUT });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** One model update, and waits until the page has drawn it (the root's sample stamp). */
async function tick(stepMs?: number): Promise<void> {
  model.tick(stepMs);
  await page.waitForFunction(
    (ms) => document.querySelector<HTMLElement>('[data-sample-ms]')?.dataset.sampleMs === String(ms),
    model.nowMs,
    { timeout: TIMEOUT },
  );
}

async function toView(view: string): Promise<void> {
  await page.locator(`button.tab[data-view="${view}"]`).click();
  await page.locator(`.${view}-view`).waitFor({ state: 'visible', timeout: TIMEOUT });
}

async function openIsolate(id: string): Promise<void> {
  await toView('overview');
  await page.fill('input.filter', id);
  // Click only once the filter is drawn: a locator resolved before that can hold a pooled row that
  // the filter then unbinds and hides, and the click waits on it until it times out.
  await page.waitForFunction(
    (f) => {
      const rows = Array.from(document.querySelectorAll<HTMLElement>('tr[data-isolate-id]:not([hidden])'));
      return (
        rows.some((tr) => tr.dataset.isolateId === f) &&
        rows.every((tr) => tr.dataset.isolateId!.includes(f) || tr.textContent!.toLowerCase().includes(f))
      );
    },
    id,
    { timeout: TIMEOUT },
  );
  await page.locator(`tr[data-isolate-id="${id}"] button.name`).click();
  await page.locator('.isolate-view').waitFor({ state: 'visible', timeout: TIMEOUT });
  await page.waitForFunction((i) => document.querySelector('h2.isolate-title')?.getAttribute('title')?.endsWith(i), id);
}

test('findings keep focus, text selection and a click in progress across updates', async () => {
  await toView('findings');
  await page.locator('li.finding').nth(1).waitFor({ timeout: TIMEOUT });
  const over = 'li.finding[data-finding-id^="oversized-message"]';
  await page.evaluate((sel) => {
    const w = window as unknown as { __inserted: number };
    w.__inserted = 0;
    new MutationObserver((ms) => {
      for (const m of ms) w.__inserted += m.addedNodes.length;
    }).observe(document.querySelector('ol.findings')!, { childList: true });
    const button = document.querySelector<HTMLElement>(`${sel} .location`)!;
    button.dataset.marked = 'yes';
    button.focus();
    const range = document.createRange();
    range.selectNodeContents(document.querySelector(`${sel} .suggestion`)!);
    getSelection()!.removeAllRanges();
    getSelection()!.addRange(range);
  }, over);
  const selected = await page.evaluate(() => getSelection()!.toString().length);
  assert.ok(selected > 0);
  for (let i = 0; i < 3; i++) {
    // Every update carries new isolate numbers, and the oversized finding counts more sends.
    model.findings = [oversized(18 + i), backlog()];
    await tick();
  }
  const after = await page.evaluate(() => ({
    focused: (document.activeElement as HTMLElement | null)?.dataset.marked ?? null,
    selected: getSelection()!.toString().length,
    inserted: (window as unknown as { __inserted: number }).__inserted,
  }));
  assert.deepEqual(after, { focused: 'yes', selected, inserted: 0 }, 'focus, selection and items survive updates');
  assert.match((await page.locator(`${over} .finding-meta`).textContent()) ?? '', /20 sends/, 'numbers still update');
  // A press on the location button that spans an update still clicks it.
  const box = (await page.locator(`${over} .location`).boundingBox())!;
  await page.mouse.move(box.x + 10, box.y + box.height / 2);
  await page.mouse.down();
  await tick();
  await page.mouse.up();
  await page.locator('.location-box').waitFor({ state: 'visible', timeout: TIMEOUT });
  await page.locator('.location-box button[aria-label="Dismiss"]').click();
  // A renamed isolate is renamed in its finding.
  model.isolates.set('sender', { ...model.isolates.get('sender')!, name: 'sender-renamed' });
  await tick();
  assert.equal(
    await page.locator(`${over} .finding-meta button.link[data-open="sender"]`).textContent(),
    'sender-renamed',
  );
  model.isolates.set('sender', { ...model.isolates.get('sender')!, name: 'sender' });
});

test("a finding's numbers are labelled for its kind and written as in its message", async () => {
  model.findings = [oversized(17), backlog()];
  await toView('findings');
  await tick();
  const metas = await page.$$eval('li.finding', (lis) =>
    Object.fromEntries(
      lis.map((li) => [
        (li as HTMLElement).dataset.findingId?.split(':')[0],
        {
          message: li.querySelector('.finding-message')?.textContent ?? '',
          facts: Array.from(li.querySelectorAll('.finding-meta > span:not(.rule)')).map((s) => s.textContent),
        },
      ]),
    ),
  );
  assert.deepEqual(metas['queue-backlog'].facts, ['max queue 18,181'], 'the deepest queue, not a repeat count');
  assert.match(metas['queue-backlog'].message, /18,181 messages waiting/);
  assert.deepEqual(metas['oversized-message'].facts, ['largest 300 KiB', '17 sends · 5.0 MiB total']);
  assert.match(metas['oversized-message'].message, /copied 300 KiB in one message .* 17 sends here copied 5\.0 MiB/);
});

test('a 2,000-character peer name is cut in the Channels table, whole in its tooltip', async () => {
  await openIsolate('main');
  await page.locator('table[aria-label="Channels"] tbody tr').first().waitFor({ timeout: TIMEOUT });
  const fit = await page.evaluate(() => {
    const table = document.querySelector<HTMLElement>('table[aria-label="Channels"]')!;
    const cell = table.querySelector<HTMLElement>('tbody td:nth-child(2)')!;
    const name = cell.querySelector<HTMLElement>(':scope > span') ?? cell;
    return {
      nameWidth: name.getBoundingClientRect().width,
      tableWidth: table.getBoundingClientRect().width,
      scrollerWidth: table.closest<HTMLElement>('.table-scroll')!.clientWidth,
      overflow: getComputedStyle(name).textOverflow,
      title: name.title,
      text: name.textContent,
    };
  });
  assert.ok(fit.nameWidth <= 400, `the peer's name is ${fit.nameWidth} px wide`);
  assert.ok(fit.tableWidth <= fit.scrollerWidth, `table is ${fit.tableWidth} px in ${fit.scrollerWidth} px`);
  assert.equal(fit.overflow, 'ellipsis');
  assert.equal(fit.title, `${LONG_NAME} — long`);
  assert.equal(fit.text, `→ ${LONG_NAME}`);
});

test('the ledger flags a message over the threshold, not one exactly at it', async () => {
  await openIsolate('sender');
  const rows = page.locator('.ledger-table tbody tr:not([hidden]):not(.spacer-row)');
  await rows.nth(1).waitFor({ timeout: TIMEOUT });
  const flags = await rows.evaluateAll((trs) =>
    Object.fromEntries(
      trs.map((tr) => [(tr as HTMLTableRowElement).cells[5].textContent, tr.classList.contains('oversized')]),
    ),
  );
  assert.deepEqual(flags, { 'one-byte-over': true, 'exactly-at-threshold': false });
});

test('zero-width names read "(unnamed)" or show their code points; the filter finds what rows show', async () => {
  await toView('overview');
  await page.fill('input.filter', '');
  assert.equal(await page.locator('tr[data-isolate-id="zw"] button.name').textContent(), '(unnamed)');
  assert.equal(await page.locator('tr[data-isolate-id="zw-inside"] button.name').textContent(), 'zw⟨U+200B⟩space');
  for (const [filter, id] of [
    ['(unnamed)', 'zw'],
    ['U+202E', 'bidi'],
    ['zw⟨U+200B⟩sp', 'zw-inside'],
  ]) {
    await page.fill('input.filter', filter);
    await page.waitForFunction(
      (want) =>
        Array.from(document.querySelectorAll<HTMLElement>('tr[data-isolate-id]:not([hidden])'))
          .map((tr) => tr.dataset.isolateId)
          .join() === want,
      id,
      { timeout: TIMEOUT },
    );
  }
  await openIsolate('zw');
  assert.equal(await page.locator('h2.isolate-title').textContent(), '(unnamed)');
});

test('the time axis of a 1.5 s chart has distinct tick labels', async () => {
  await openIsolate('brief');
  await tick();
  const x = await waitForCanvasTexts(page, 'CPU over time', / s$/, 2, TIMEOUT);
  assert.equal(new Set(x).size, x.length, `duplicate tick labels: ${x.join(', ')}`);
});

test('a timeline of 1,100 isolates keeps the running main thread and restyles only what moved', async () => {
  // Short jobs that all started after the main thread: the newest 1,000 would leave main out.
  for (let i = 0; i < 1092; i++) {
    model.add(`job-${i}`, `job-${i}`, { startedAtMs: model.nowMs - 1500 + i });
    model.isolates.set(`job-${i}`, {
      ...model.isolates.get(`job-${i}`)!,
      state: 'exited',
      exitedAtMs: model.nowMs - 1480 + i,
    });
  }
  assert.equal(model.isolates.size, 1100);
  await tick();
  await toView('timeline');
  await tick();
  assert.ok(await page.locator('.tl-row .tl-label', { hasText: /^main$/ }).count(), 'the running main thread is drawn');
  assert.match(
    (await page.locator('.timeline-view .summary').textContent()) ?? '',
    /^1,100 isolates .* · 1,093 exited within 5 s · 1,000 shown/,
  );
  // Count, per update, the bars of exited isolates whose style was written.
  await page.evaluate(() => {
    const w = window as unknown as { __styled: Set<string> };
    w.__styled = new Set();
    new MutationObserver((ms) => {
      for (const m of ms) {
        const el = m.target as HTMLElement;
        if (el.closest('.tl-row.exited')) w.__styled.add(el.dataset.open ?? '?');
      }
    }).observe(document.querySelector('.tl-rows')!, { attributes: true, attributeFilter: ['style'], subtree: true });
  });
  const restyled: number[] = [];
  for (let i = 0; i < 3; i++) {
    await tick();
    restyled.push(
      await page.evaluate(() => {
        const w = window as unknown as { __styled: Set<string> };
        const n = w.__styled.size;
        w.__styled.clear();
        return n;
      }),
    );
  }
  // The axis grows in whole tick steps: one of these updates may cross one and move every bar.
  assert.ok(restyled.filter((n) => n > 0).length <= 1, `exited bars restyled per update: ${restyled.join(', ')}`);
});
