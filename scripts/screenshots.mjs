// Captures the README screenshots from the real demo: runs `isoscope run -- node dist/examples/node/demo.js`,
// opens the served inspector in Debian's Chromium (playwright-core, never a downloaded browser) and
// writes docs/screenshots/{overview,isolate}.png (dark) and {overview,isolate}-light.png.
// Usage: npm run build && node scripts/screenshots.mjs
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { chromiumArgs as args, chromiumPath } from './setup/paths.mjs';

const root = join(import.meta.dirname, '..');
const outDir = join(root, 'docs', 'screenshots');
const cli = spawn(
  process.execPath,
  [join(root, 'dist/cli.cjs'), 'run', '--', process.execPath, join(root, 'dist/examples/node/demo.js')],
  {
    cwd: root,
    env: { ...process.env, DEMO_SECONDS: '120' },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  },
);
const url = await new Promise((resolve, reject) => {
  let err = '';
  cli.stderr.on('data', (d) => {
    err += d.toString();
    const m = /inspector at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(err);
    if (m) resolve(m[1]);
  });
  cli.once('exit', (code) => reject(new Error(`isoscope run exited (${code}): ${err}`)));
});

mkdirSync(outDir, { recursive: true });
try {
  for (const scheme of ['dark', 'light']) {
    const profile = mkdtempSync(join(tmpdir(), 'isoscope-shots-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      args,
      colorScheme: scheme,
      viewport: { width: 1440, height: 900 },
      deviceScaleFactor: 1,
    });
    try {
      const page = await context.newPage();
      await page.goto(url);
      // Let the demo run long enough for sparklines, exited one-shots and findings to show.
      await page.waitForTimeout(12_000);
      await page.mouse.move(0, 0);
      const suffix = scheme === 'dark' ? '' : '-light';
      await page.screenshot({ path: join(outDir, `overview${suffix}.png`) });
      await page.fill('input.filter', 'demo.js');
      await page.locator('tr[data-isolate-id] button.name', { hasText: 'demo.js' }).first().click();
      await page.waitForTimeout(3000);
      await page.setViewportSize({ width: 1440, height: 1240 });
      await page.waitForTimeout(800);
      await page.screenshot({ path: join(outDir, `isolate${suffix}.png`) });
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  }
  process.stderr.write(`screenshots written to ${outDir}\n`);
} finally {
  // Our own process group (the CLI and the demo it runs).
  process.kill(-cli.pid, 'SIGTERM');
}
