// The inspector opened after the program finished (every isolate exited), in a panel-sized window:
// the real demo runs to completion under the real agent and collector into the real model, then
// the real inspector server serves that model to real Chromium. Covers two bugs seen in the VS Code
// panel: an empty table under "N isolates · 0 running · N exited", and worker names shown as "…".
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { agentEnvironment } from '../../extension/core/agent-env';
import { startCollector } from '../../extension/core/collector/collector';
import { startInspectorServer } from '../../extension/core/inspector-server';
import { IsolateModel } from '../../extension/core/model/model';
import { launchChromium, type LaunchedChromium } from '../helpers/chromium';

const root = join(__dirname, '..', '..');
const TIMEOUT = 60_000;

let model: IsolateModel;
let collector: Awaited<ReturnType<typeof startCollector>>;
let server: Awaited<ReturnType<typeof startInspectorServer>>;
let browser: LaunchedChromium;
let page: Page;
let names: string[] = [];

before(async () => {
  model = new IsolateModel();
  collector = await startCollector({ model });
  const env = agentEnvironment({
    collectorUrl: collector.url,
    token: collector.token,
    agentPath: join(root, 'dist/agent.cjs'),
    baseEnv: process.env,
  });
  // Long enough for a few dozen one-shot workers: more rows than one screen of the panel.
  const child = spawn(process.execPath, [join(root, 'dist/examples/node/demo.js')], {
    env: { ...env, DEMO_SECONDS: '8' },
    stdio: 'ignore',
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.equal(code, 0, 'the demo ran to completion');
  await collector.whenIdle(3000);
  await model.settled();
  const isolates = model.snapshot().isolates;
  names = isolates.map((i) => i.name);
  assert.ok(isolates.length >= 12, `the demo ran enough isolates (${isolates.length})`);
  assert.ok(
    isolates.every((i) => i.state === 'exited'),
    'every isolate has exited before the inspector opens',
  );
  server = await startInspectorServer({ model, webviewDir: join(root, 'dist/webview') });
  // About the size of a VS Code editor panel.
  browser = await launchChromium({ viewport: { width: 1000, height: 600 } });
  page = await browser.context.newPage();
  await page.goto(server.url);
});

after(async () => {
  await browser?.close();
  await server?.close();
  await collector?.close();
  model?.dispose();
});

/** Rows that are shown (bound to an isolate) and inside the viewport. */
async function visibleRows(): Promise<{ id: string; name: string; exited: boolean }[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLTableRowElement>('tr[data-isolate-id]'))
      .filter((tr) => {
        const r = tr.getBoundingClientRect();
        return !tr.hidden && r.height > 0 && r.bottom > 0 && r.top < window.innerHeight;
      })
      .map((tr) => ({
        id: tr.dataset.isolateId ?? '',
        name: tr.querySelector('button.name')?.textContent ?? '',
        exited: tr.classList.contains('exited'),
      })),
  );
}

test('opened after every isolate exited: all of them are listed, greyed out', async () => {
  const n = names.length;
  await page.locator('.overview-view .summary', { hasText: `${n} isolates · 0 running · ${n} exited` }).waitFor({
    timeout: TIMEOUT,
  });
  const bound = await page.$$eval('tr[data-isolate-id]:not([hidden]) button.name', (els) =>
    els.map((e) => e.textContent ?? ''),
  );
  assert.ok(bound.length > 0, 'the table is not empty');
  // Every bound row is one of the model's isolates, each at most once.
  assert.equal(new Set(bound).size, bound.length);
  for (const name of bound) assert.ok(names.includes(name), `unexpected row ${name}`);
  const rows = await visibleRows();
  assert.ok(rows.length >= Math.min(n, 15), `rows fill the panel (${rows.length} of ${n} visible)`);
  assert.ok(
    rows.every((r) => r.exited),
    'exited rows are greyed',
  );
  // Scrolling reaches the last isolate.
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  await page.waitForFunction((total) => {
    const trs = Array.from(document.querySelectorAll('tr[data-isolate-id]:not([hidden])'));
    return trs.some((tr) => tr.getAttribute('aria-rowindex') === String(total + 1));
  }, n);
});

test('worker names are shown in full in a panel-sized window, not as an ellipsis', async () => {
  await page.evaluate(() => window.scrollTo(0, 0));
  for (const name of ['resize-pool-1', 'pipeline-produce', 'pipeline-consume', 'one-shot-1', 'log-sink']) {
    await page.fill('input.filter', name);
    // Exact text: 'one-shot-1' must not match one-shot-10…19, whose order depends on timing.
    const exact = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
    const btn = page.locator('tr[data-isolate-id]:not([hidden]) button.name', { hasText: exact }).first();
    await btn.waitFor({ timeout: TIMEOUT });
    const fit = await btn.evaluate((el) => ({ text: el.textContent, scroll: el.scrollWidth, client: el.clientWidth }));
    assert.equal(fit.text, name);
    assert.ok(fit.client > 0 && fit.scroll <= fit.client, `${name} is clipped (${fit.scroll} > ${fit.client} px)`);
  }
  await page.fill('input.filter', '');
});

test('scrolled to the bottom when the list shrinks: the remaining rows are still shown', async () => {
  await page.setViewportSize({ width: 1000, height: 360 });
  await page.fill('input.filter', '');
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  await page.waitForFunction(() => window.scrollY > 200);
  // Filtering while far down leaves a stale scroll offset behind.
  await page.fill('input.filter', 'pipeline');
  await page.locator('.overview-view .summary', { hasText: '2 shown' }).waitFor({ timeout: TIMEOUT });
  await page.waitForFunction(
    () =>
      Array.from(document.querySelectorAll<HTMLElement>('tr[data-isolate-id]:not([hidden])')).filter((tr) => {
        const r = tr.getBoundingClientRect();
        return r.bottom > 0 && r.top < window.innerHeight;
      }).length === 2,
    null,
    { timeout: TIMEOUT },
  );
  const rows = await visibleRows();
  assert.deepEqual(rows.map((r) => r.name).sort(), ['pipeline-consume', 'pipeline-produce']);
  await page.fill('input.filter', '');
  await page.setViewportSize({ width: 1000, height: 600 });
});
