/**
 * Launches Debian's Chromium through playwright-core with the project's standard flags and a fresh
 * user-data dir (never downloads a browser). Used by browser tests, the webview bench and screenshots.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { chromiumArgs, chromiumPath } from '../../scripts/setup/paths.mjs';

/** Chromium flags shared with the VS Code harness and the screenshot script. */
export const CHROMIUM_ARGS = chromiumArgs;

/** A launched browser context plus its cleanup. */
export interface LaunchedChromium {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Launches a persistent context in a fresh temp profile. */
export async function launchChromium(
  opts: { colorScheme?: 'light' | 'dark'; viewport?: { width: number; height: number } } = {},
): Promise<LaunchedChromium> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'isoscope-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.ISOSCOPE_CHROMIUM ?? chromiumPath,
    headless: true,
    args: CHROMIUM_ARGS,
    colorScheme: opts.colorScheme ?? 'dark',
    viewport: opts.viewport ?? { width: 1400, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
