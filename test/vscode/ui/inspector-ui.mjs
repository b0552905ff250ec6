// The Playwright UI test, in the same code-server as the extension-host suite but with the
// extension installed from dist/isoscope.vsix: open the demo launcher, run "Isoscope: Profile
// Node Program…" from the command palette, open the inspector from the status bar, read the
// worker names inside the webview, click a finding and check the editor opened at its line.
// Before that, the empty Isolates view's welcome content and its walkthrough link; after it, a
// window reload (Developer: Reload Window) that must bring the inspector panel back
// (WebviewPanelSerializer).
// Each step is one counted check; screenshots go to test-results/vscode/.
import { execFileSync } from 'node:child_process';
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

/**
 * Runs "Profile Node Program" on the active launcher tab. The extension host learns the active
 * editor asynchronously; when it has not yet (seen under load after a reload) the command asks for
 * the file with VS Code's file dialog, as it would for a user, and the test answers it with the path.
 */
async function profileLauncher(page, launcherPath) {
  await runCommand(page, 'Isoscope: Profile Node Program');
  // The file dialog is a quick input titled like the command (the palette has no title).
  const dialog = page.locator('.quick-input-widget .quick-input-title', { hasText: 'Profile Node Program' });
  const asked = await dialog
    .waitFor({ state: 'visible', timeout: 3000 })
    .then(() => true)
    .catch(() => false);
  if (!asked) return;
  const input = page.locator('.quick-input-widget input');
  await input.fill(launcherPath);
  await page.keyboard.press('Enter');
  await dialog.waitFor({ state: 'hidden', timeout: STEP_TIMEOUT_MS });
}

/** Language servers of the extension installed from the .vsix (its folder in the extensions dir). */
function languageServerPids() {
  const ps = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return ps
    .split('\n')
    .filter((line) => /isoscope\.isoscope-[^/]*\/dist\/language-server\.c?js/.test(line))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
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
    const loaded = await counts.check('ui: the workbench loads with the installed .vsix', async () => {
      await page.goto(workbenchUrl(server.url, workspace));
      await page.locator('.monaco-workbench').waitFor({ timeout: STEP_TIMEOUT_MS });
      // Let the workbench finish restoring before typing into it.
      await page.locator('.statusbar').waitFor({ timeout: STEP_TIMEOUT_MS });
    });

    await counts.check(
      'ui: the empty Isolates view shows its welcome content, and "Learn more" opens the walkthrough',
      async () => {
        if (!loaded) throw new Error('not run: the workbench did not load');
        await page.locator('.part.activitybar [aria-label^="Isoscope"]').first().click();
        const welcome = page.locator('.part.sidebar .welcome-view-content');
        await welcome.filter({ hasText: 'No isolates yet' }).waitFor({ timeout: STEP_TIMEOUT_MS });
        for (const button of ['Profile Node Program…', 'Connect to Dart VM Service…'])
          await welcome.getByRole('button', { name: button }).waitFor({ timeout: STEP_TIMEOUT_MS });
        await shot('00-welcome-view.png');
        await welcome.getByRole('button', { name: 'Learn more' }).click();
        const walkthrough = page.locator('.part.editor .gettingStartedContainer');
        await walkthrough.getByText('Get started with Isoscope').first().waitFor({ timeout: STEP_TIMEOUT_MS });
        await walkthrough.getByText('Profile a Node program').first().waitFor({ timeout: STEP_TIMEOUT_MS });
        await shot('00-walkthrough.png');
        await runCommand(page, 'View: Close All Editors');
        // Back to the Explorer, so the later step opens the Isolates view with one click.
        await runCommand(page, 'View: Show Explorer');
      },
    );

    const activated = await counts.check(
      'ui: the installed .vsix profiles the demo from the command palette (status bar counts findings)',
      async () => {
        if (!loaded) throw new Error('not run: the workbench did not load');
        await quickOpen(page, expected.launcher);
        await profileLauncher(page, join(workspace, expected.launcher));
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
      counts.fail('ui: the inspector panel is restored after a reload', 'not run: the extension did not activate');
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

    await counts.check(
      'ui: after a window reload the inspector panel is restored (serializer) and shows the re-profiled demo workers',
      async () => {
        if (!inspectorOk) throw new Error('not run: the inspector did not show the workers');
        const inspectorTab = page.locator('.tabs-container .tab', { hasText: 'Isoscope Inspector' });
        if ((await inspectorTab.count()) !== 1) throw new Error('expected one inspector tab before the reload');
        // Reload as a user does, with "Developer: Reload Window": it awaits the workbench's state
        // flush before reloading. A bare page.reload() starts that flush without awaiting it, so
        // under load the open editors (the inspector tab among them) could be lost.
        const reloaded = page.waitForEvent('load', { timeout: STEP_TIMEOUT_MS });
        await runCommand(page, 'Developer: Reload Window');
        await reloaded;
        await page.locator('.monaco-workbench').waitFor({ timeout: STEP_TIMEOUT_MS });
        await page.locator('.statusbar').waitFor({ timeout: STEP_TIMEOUT_MS });
        // The tab comes back on its own; its content is rendered by the new extension host through
        // the serializer once the tab is shown (VS Code restores hidden webviews lazily).
        await inspectorTab.first().waitFor({ timeout: STEP_TIMEOUT_MS });
        await inspectorTab.first().click();
        // Move off the tab: its hover label would otherwise cover the inspector's own tabs.
        await page.locator('iframe.webview').first().hover();
        await frame.locator('button.tab[data-view="overview"]').waitFor({ timeout: STEP_TIMEOUT_MS });
        await shot('06-restored-panel.png');
        const tabs = await inspectorTab.count();
        if (tabs !== 1) throw new Error(`expected one restored inspector tab, found ${tabs}`);
        // A reload starts a new extension host (new model and collector): profile the demo again and
        // check that the restored panel is wired to it.
        // Run it on the restored launcher tab. Once the status bar names its language, the editor has
        // its text model and the extension host has been told it is the active editor.
        await page.locator('.tabs-container .tab', { hasText: expected.launcher }).first().click();
        await page.locator('.part.editor .monaco-editor .view-lines').first().click();
        await page
          .locator('[id="status.editor.mode"]', { hasText: 'JavaScript' })
          .waitFor({ timeout: STEP_TIMEOUT_MS });
        await profileLauncher(page, join(workspace, expected.launcher));
        await inspectorTab.first().click();
        // Move off the tab again (its hover label).
        await page.locator('iframe.webview').first().hover();
        await frame.locator('button.tab[data-view="overview"]').click();
        for (const name of expected.workerNames)
          await frame.getByText(name, { exact: true }).first().waitFor({ timeout: STEP_TIMEOUT_MS });
        await shot('07-restored-panel-live.png');
      },
    );

    await counts.check(
      'ui: after a language server restart there is one "Isoscope" output channel (the client logs into it)',
      async () => {
        if (!loaded) throw new Error('not run: the workbench did not load');
        // Kill the installed extension's server (not the suite's): the client restarts it and logs
        // that, which makes it create its own channel unless it was given the extension's.
        const servers = languageServerPids();
        if (servers.length === 0) throw new Error('no language server of the installed extension is running');
        for (const pid of servers) process.kill(pid, 'SIGKILL');
        const deadline = Date.now() + STEP_TIMEOUT_MS;
        while (!languageServerPids().some((p) => !servers.includes(p))) {
          if (Date.now() > deadline) throw new Error('the language server was not restarted');
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
        await runCommand(page, 'Output: Show Output Channels');
        const rows = page.locator('.quick-input-list .monaco-list-row');
        await rows.first().waitFor({ timeout: STEP_TIMEOUT_MS });
        // A row's text ends with its group separator's label when it has one ("recently used").
        const labels = (await rows.allTextContents()).map((t) =>
          t.trim().replace(/(recently used|other commands|similar commands)$/, ''),
        );
        await shot('08-output-channels.png');
        await page.keyboard.press('Escape');
        const named = labels.filter((l) => /^Isoscope\b/.test(l) && !/Inspector/.test(l));
        if (named.length !== 1)
          throw new Error(`expected one Isoscope output channel, found: ${JSON.stringify(labels)}`);
      },
    );
  } finally {
    await shot('99-final.png');
    await browser.close();
  }
}
