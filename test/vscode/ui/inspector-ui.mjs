// The Playwright UI test, in the same code-server as the extension-host suite but with the
// extension installed from dist/isoscope.vsix: open the demo launcher, run "Isoscope: Profile
// Node Program…" from the command palette, open the inspector from the status bar, read the
// worker names inside the webview, click a finding and check the editor opened at its line.
// Each step is one counted check; screenshots go to test-results/vscode/.
import { join } from 'node:path';
import { launchChromium, workbenchUrl } from '../harness/browser.mjs';
import { demoExpectations } from './demo-expectations.mjs';

const shots = join('test-results', 'vscode');
const STEP_TIMEOUT_MS = 90_000;

async function runCommand(page, title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
  await input.fill(`>${title}`);
  // The palette filters as it types; wait for the row before accepting it.
  await page
    .locator('.quick-input-list .monaco-list-row', { hasText: title })
    .first()
    .waitFor({ timeout: STEP_TIMEOUT_MS });
  await page.keyboard.press('Enter');
}

async function quickOpen(page, fileName) {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
  await input.fill(fileName);
  await page
    .locator('.quick-input-list .monaco-list-row', { hasText: fileName })
    .first()
    .waitFor({ timeout: STEP_TIMEOUT_MS });
  await page.keyboard.press('Enter');
  await page.locator('.tabs-container .tab.active', { hasText: fileName }).waitFor({ timeout: STEP_TIMEOUT_MS });
}

/** Runs the UI checks against a started code-server; records each in `counts`. */
export async function runInspectorUiTest({ server, workspace, repo, counts }) {
  let expected;
  try {
    expected = demoExpectations(repo);
  } catch (err) {
    counts.fail('ui: inspector UI test', err.message);
    return;
  }
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const shot = (name) => page.screenshot({ path: join(shots, name) }).catch(() => undefined);
  try {
    // Our item, inside the status bar part (the command palette row has a similar aria-label).
    const statusItem = page.locator('.part.statusbar [aria-label^="Isoscope:"]').first();
    const activated = await counts.check(
      'ui: the installed .vsix activates from the command palette and profiles the demo (status bar counts findings)',
      async () => {
        await page.goto(workbenchUrl(server.url, workspace));
        await page.locator('.monaco-workbench').waitFor({ timeout: STEP_TIMEOUT_MS });
        // Let the workbench finish restoring before typing into it.
        await page.locator('.statusbar').waitFor({ timeout: STEP_TIMEOUT_MS });
        await quickOpen(page, expected.launcher);
        await runCommand(page, 'Isoscope: Profile Node Program');
        await statusItem.waitFor({ timeout: STEP_TIMEOUT_MS });
        // The profiled demo reports findings: the status bar counts them once they arrive.
        await page
          .locator('.part.statusbar [aria-label^="Isoscope:"]:not([aria-label$=", 0 findings"])')
          .first()
          .waitFor({ timeout: STEP_TIMEOUT_MS });
        await shot('01-profiling-started.png');
      },
    );
    if (!activated) {
      counts.fail('ui: inspector shows the demo workers', 'not run: the extension did not activate');
      counts.fail('ui: clicking a finding opens the editor at its line', 'not run: the extension did not activate');
      counts.fail(
        'ui: selecting an isolate in the Isolates view opens its page',
        'not run: the extension did not activate',
      );
      return;
    }

    const frame = page.frameLocator('iframe.webview').frameLocator('#active-frame');
    const inspectorOk = await counts.check(
      `ui: the status bar opens the inspector, which lists ${expected.workerNames.join(', ')}`,
      async () => {
        await statusItem.click();
        for (const name of expected.workerNames)
          await frame.getByText(name, { exact: true }).first().waitFor({ timeout: STEP_TIMEOUT_MS });
        await shot('02-inspector-workers.png');
      },
    );

    await counts.check(
      `ui: clicking a finding opens ${expected.findingFileName} at line ${expected.findingLine}`,
      async () => {
        if (!inspectorOk) throw new Error('not run: the inspector did not show the workers');
        await frame.locator('button.tab[data-view="findings"]').click();
        const location = frame
          .locator('li.finding button.location', { hasText: `${expected.findingFileName}:${expected.findingLine}` })
          .first();
        await location.waitFor({ timeout: STEP_TIMEOUT_MS });
        await shot('03-findings.png');
        await location.click();
        await page
          .locator('.tabs-container .tab.active', { hasText: expected.findingFileName })
          .waitFor({ timeout: STEP_TIMEOUT_MS });
        const selection = page.locator('[id="status.editor.selection"]');
        await selection.filter({ hasText: `Ln ${expected.findingLine},` }).waitFor({ timeout: STEP_TIMEOUT_MS });
        await shot('04-editor-at-finding.png');
      },
    );

    await counts.check(
      `ui: selecting ${expected.workerNames[0]} in the Isolates view opens its inspector page`,
      async () => {
        if (!inspectorOk) throw new Error('not run: the inspector did not show the workers');
        const name = expected.workerNames[0];
        await page.locator('.part.activitybar [aria-label^="Isoscope"]').first().click();
        const row = page.locator('.part.sidebar .monaco-list-row', { hasText: name }).first();
        await row.waitFor({ timeout: STEP_TIMEOUT_MS });
        await row.click();
        await frame.locator('h2.isolate-title', { hasText: name }).waitFor({ timeout: STEP_TIMEOUT_MS });
        await shot('05-tree-selects-isolate.png');
      },
    );
  } finally {
    await shot('99-final.png');
    await browser.close();
  }
}
