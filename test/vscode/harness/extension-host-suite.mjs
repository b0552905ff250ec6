// Runs the mocha suite inside a real extension host: the code-server equivalent of
// `@vscode/test-electron`'s `--extensionTestsPath`. The workbench reads the payload from the URL
// (only with the smoke-test driver on), runs `run()` from the test index, and reports the exit
// code and its log through two functions exposed on the page.
import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import { launchChromium, remoteUri, workbenchUrl } from './browser.mjs';

/** Marker the test index prints before its JSON results, so they survive without the file. */
export const RESULTS_MARKER = 'ISOSCOPE_MOCHA_RESULTS ';

/** Workbench chatter (tagged logs, offline gallery errors) that would bury the mocha output. */
function isNoise(line) {
  return /^\s*\[/.test(line) || /ENOTFOUND|^\s+at /.test(line);
}

/**
 * Runs the suite and returns `{ exitCode, results, log }` where results are the per-test counts
 * the index wrote (`null` when it never reported).
 */
export async function runExtensionHostSuite({ server, extensionDir, testsIndex, workspace, runDir, timeoutMs }) {
  const resultsFile = join(runDir, 'mocha-results.json');
  rmSync(resultsFile, { force: true });
  const logLines = [];
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    let settle;
    const exited = new Promise((resolve) => (settle = resolve));
    await page.exposeFunction('codeAutomationExit', (code) => settle({ type: 'exit', code }));
    const hostLog = join('test-results', 'vscode', 'extension-host.log');
    writeFileSync(hostLog, '');
    await page.exposeFunction('codeAutomationLog', (_type, args) => {
      // The host forwards console calls with their format string (mocha's spec reporter uses %s/%d).
      const line = format(...(Array.isArray(args) ? args : [args]));
      logLines.push(line);
      appendFileSync(hostLog, line + '\n');
      if (!line.startsWith(RESULTS_MARKER) && !isNoise(line)) console.log(`  ${line}`);
    });
    const payload = [
      ['extensionDevelopmentPath', remoteUri(server.port, extensionDir)],
      ['extensionTestsPath', remoteUri(server.port, testsIndex)],
      ['extensionEnvironment', JSON.stringify({ ISOSCOPE_TEST_RESULTS_FILE: resultsFile })],
      ['skipWelcome', 'true'],
    ];
    await page.goto(workbenchUrl(server.url, workspace, payload));
    const timer = setTimeout(() => settle({ type: 'timeout' }), timeoutMs);
    const outcome = await exited;
    clearTimeout(timer);
    await page
      .screenshot({ path: join('test-results', 'vscode', 'extension-host-suite.png') })
      .catch((err) => console.log(`  (screenshot failed: ${err.message})`));
    let results = null;
    if (existsSync(resultsFile)) results = JSON.parse(readFileSync(resultsFile, 'utf8'));
    else {
      const marked = logLines.find((l) => l.startsWith(RESULTS_MARKER));
      if (marked) results = JSON.parse(marked.slice(RESULTS_MARKER.length));
    }
    if (outcome.type === 'timeout')
      return { exitCode: null, results, why: `the extension-host suite did not finish within ${timeoutMs} ms` };
    return { exitCode: outcome.code, results, why: null };
  } finally {
    await browser.close();
  }
}
