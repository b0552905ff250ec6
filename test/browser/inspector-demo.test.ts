// End to end: the built CLI runs the real demo workload (`isoscope run -- node dist/examples/node/demo.js`,
// real worker threads, the real agent and collector) and serves the inspector that real Chromium renders.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { launchChromium, type LaunchedChromium } from '../helpers/chromium';

const root = join(__dirname, '..', '..');
const HOSTILE = '<img src=x onerror=alert(1)>';
const TIMEOUT = 60_000;

let cli: ChildProcess;
let url: string;
let browser: LaunchedChromium;
let page: Page;
const consoleErrors: string[] = [];
const foreignRequests: string[] = [];
const dialogs: string[] = [];

/** The 1-based line of the demo's oversized send (marked in the source). */
function oversizedLine(): number {
  const lines = readFileSync(join(root, 'examples/node/demo.ts'), 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes('DEMO-OVERSIZED-SEND'));
  assert.ok(i >= 0, 'demo marks its oversized send');
  return i + 1;
}

/** Shows only rows whose name matches (the table is virtualized) and returns the row. */
async function rowNamed(name: string) {
  await page.fill('input.filter', name);
  const row = page.locator('tr[data-isolate-id]', { has: page.locator('button.name', { hasText: name }) }).first();
  await row.waitFor({ timeout: TIMEOUT });
  return row;
}

async function watchPage(p: Page): Promise<void> {
  const origin = new URL(url).origin;
  p.on('console', (m) => {
    if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) consoleErrors.push(m.text());
  });
  p.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
  p.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  p.on('request', (r) => {
    if (new URL(r.url()).origin !== origin) foreignRequests.push(r.url());
  });
  p.on('websocket', (ws) => {
    if (ws.url() !== `ws://127.0.0.1:${new URL(url).port}${new URL(url).pathname}ws`) foreignRequests.push(ws.url());
  });
  // Record CSP violations the page itself sees.
  await p.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
}

before(async () => {
  cli = spawn(
    process.execPath,
    [join(root, 'dist/cli.cjs'), 'run', '--', process.execPath, join(root, 'dist/examples/node/demo.js')],
    {
      cwd: root,
      env: { ...process.env, DEMO_SECONDS: '240' },
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    },
  );
  url = await new Promise<string>((resolve, reject) => {
    let err = '';
    cli.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /inspector at (http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]+\/)/.exec(err);
      if (m) resolve(m[1]!);
    });
    cli.once('exit', (code) => reject(new Error(`isoscope run exited (${code}) before serving: ${err}`)));
  });
  browser = await launchChromium({ viewport: { width: 1400, height: 900 } });
  page = await browser.context.newPage();
  await watchPage(page);
  await page.goto(url);
});

after(async () => {
  await browser?.close();
  // The CLI was started in its own process group: end it and the demo it runs, by our pid.
  if (cli?.pid && cli.exitCode === null) {
    const exited = new Promise((r) => cli.once('exit', r));
    process.kill(-cli.pid, 'SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (cli.exitCode === null) process.kill(-cli.pid, 'SIGKILL');
  }
});

test('overview rows appear with the demo’s isolate names', async () => {
  for (const name of [
    'demo.js',
    'resize-pool-1',
    'resize-pool-2',
    'resize-pool-3',
    'log-sink',
    'pipeline-produce',
    'pipeline-consume',
  ]) {
    const row = await rowNamed(name);
    assert.equal(await row.locator('button.name').textContent(), name);
    assert.equal(await row.locator('td.runtime').textContent(), 'node');
  }
  // Short-lived one-shot workers stay listed after they exit, greyed out.
  const oneShot = await rowNamed('one-shot-1');
  await page.waitForFunction(() => document.querySelector('tr.exited button.name') !== null, null, {
    timeout: TIMEOUT,
  });
  assert.match((await oneShot.locator('td.state').textContent()) ?? '', /exited/);
});

test('the numbers move while the program runs', async () => {
  const row = await rowNamed('resize-pool-1');
  const cpuTime = row.locator('td:nth-child(5)');
  const first = await cpuTime.textContent();
  await page.waitForFunction(
    (before) => {
      const cell = Array.from(document.querySelectorAll('tr[data-isolate-id]'))
        .find((tr) => tr.querySelector('button.name')?.textContent === 'resize-pool-1')
        ?.querySelector('td:nth-child(5)');
      return cell !== undefined && cell !== null && cell.textContent !== before && cell.textContent !== '—';
    },
    first,
    { timeout: TIMEOUT },
  );
  assert.notEqual(await cpuTime.textContent(), first);
  assert.match((await row.locator('td:nth-child(6)').textContent()) ?? '', /\d.* \/ \d/);
});

test('a worker named <img src=x onerror=alert(1)> renders literally as text', async () => {
  const row = await rowNamed('onerror');
  assert.equal(await row.locator('button.name').textContent(), HOSTILE);
  assert.equal(await page.locator('img').count(), 0, 'no <img> element was created from the name');
  await page.click('.tab[data-view=timeline]');
  await page.locator('.tl-label', { hasText: 'onerror' }).first().waitFor({ timeout: TIMEOUT });
  assert.equal(await page.locator('.tl-label', { hasText: 'onerror' }).first().textContent(), HOSTILE);
  assert.equal(await page.locator('img').count(), 0);
  assert.deepEqual(dialogs, [], 'no script ran from the name');
  await page.click('.tab[data-view=overview]');
});

test('the isolate page opens with General, charts, channels and the oversized call site', async () => {
  const row = await rowNamed('demo.js');
  await row.locator('button.name').click();
  await page
    .locator('.isolate-view:not([hidden]) .isolate-title', { hasText: 'demo.js' })
    .waitFor({ timeout: TIMEOUT });
  assert.equal(await page.locator('dd[data-field="Name"]').textContent(), 'demo.js');
  assert.notEqual(await page.locator('dd[data-field="ID"]').textContent(), '');
  assert.equal(await page.locator('.chart-host canvas').count(), 4);
  const line = oversizedLine();
  const site = page.locator('.simple-table [data-location]', { hasText: `demo.ts:${line}` }).first();
  await site.waitFor({ timeout: TIMEOUT });
  await page.locator('.ledger tbody tr:not(.spacer-row)').first().waitFor({ timeout: TIMEOUT });
  // Keyboard: Escape goes back to the overview.
  await page.keyboard.press('Escape');
  await page.locator('.overview-view:not([hidden])').waitFor({ timeout: TIMEOUT });
});

test('findings list the demo’s oversized send at its .ts file:line, and clicking shows the location', async () => {
  await page.click('.tab[data-view=findings]');
  const line = oversizedLine();
  const finding = page.locator('li.finding', { has: page.locator('.rule', { hasText: 'oversized-message' }) }).first();
  await finding.waitFor({ timeout: TIMEOUT });
  const loc = JSON.parse((await finding.locator('[data-location]').getAttribute('data-location')) ?? '{}') as {
    file: string;
    line: number;
  };
  assert.equal(loc.file, join(root, 'examples/node/demo.ts'));
  assert.equal(loc.line, line);
  await finding.locator('[data-location]').click();
  const shown = await page.locator('.location-box .location-text').textContent();
  assert.match(shown ?? '', new RegExp(`examples/node/demo\\.ts:${line}(:\\d+)?$`));
  await page.click('.tab[data-view=overview]');
});

test('strict CSP: nonce script, no violations, no requests outside the inspector origin', async () => {
  const res = await page.request.get(url);
  const csp = res.headers()['content-security-policy'] ?? '';
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'nonce-[^']+'/);
  assert.match(csp, new RegExp(`connect-src ws://127\\.0\\.0\\.1:${new URL(url).port}${new URL(url).pathname}ws`));
  assert.deepEqual(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp), []);
  assert.deepEqual(consoleErrors, []);
  assert.deepEqual(foreignRequests, []);
});

test('invalid frames from the server are dropped and counted, valid ones keep flowing', async () => {
  const p = await browser.context.newPage();
  await watchPage(p);
  let injected = false;
  // A man in the middle on the real socket: forwards every real frame, and after the first one
  // injects three invalid frames.
  await p.routeWebSocket(/\/ws$/, (ws) => {
    const server = ws.connectToServer();
    server.onMessage((m) => {
      ws.send(m);
      if (!injected) {
        injected = true;
        ws.send('{ not json');
        ws.send(JSON.stringify({ type: 'update', update: { atMs: 1, isolates: [{ name: HOSTILE }] } }));
        ws.send(JSON.stringify({ type: 'select-isolate', isolateId: 42 }));
      }
    });
  });
  await p.goto(url);
  const counter = p.locator('.invalid-count');
  await counter.waitFor({ state: 'visible', timeout: TIMEOUT });
  assert.equal(await counter.getAttribute('data-count'), '3');
  assert.equal(await counter.textContent(), '3 invalid messages dropped');
  // The valid stream still renders rows.
  await p.locator('tr[data-isolate-id]').first().waitFor({ timeout: TIMEOUT });
  const diag = (await p.evaluate('window.isoscope.diagnostics()')) as { invalidMessages: number };
  assert.equal(diag.invalidMessages, 3);
  await p.close();
});
