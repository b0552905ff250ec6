/**
 * The inspector page in Chromium over a (patched) fake model, as the QA browser tests open it:
 * the model ticked a few times, its server started, the page loaded with its first rows, and a
 * `tick` that waits until the page has drawn the model's next update.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startInspectorServer } from '../../extension/core/inspector-server';
import { launchChromium, type LaunchedChromium } from './chromium';
import type { PatchedFakeModel } from './fake-model-stream';

const root = join(__dirname, '..', '..');

export interface FakeInspector {
  server: Awaited<ReturnType<typeof startInspectorServer>>;
  browser: LaunchedChromium;
  page: Page;
  /** One model update, and waits until the page has drawn it (the root's sample stamp). */
  tick(): Promise<void>;
  close(): Promise<void>;
}

export async function openFakeInspector(
  model: PatchedFakeModel,
  viewport: { width: number; height: number },
  timeoutMs: number,
): Promise<FakeInspector> {
  for (let i = 0; i < 4; i++) model.fake.tick();
  const server = await startInspectorServer({ model, webviewDir: join(root, 'dist/webview') });
  const browser = await launchChromium({ viewport });
  const page = await browser.context.newPage();
  await page.goto(server.url);
  await page.locator('tr[data-isolate-id]').first().waitFor({ timeout: timeoutMs });
  return {
    server,
    browser,
    page,
    async tick() {
      model.fake.tick();
      await page.waitForFunction(
        (ms) => document.querySelector<HTMLElement>('[data-sample-ms]')?.dataset.sampleMs === String(ms),
        model.fake.nowMs,
        { timeout: timeoutMs },
      );
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}
