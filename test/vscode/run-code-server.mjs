// The `vscode` stage of `npm test`: Isoscope in a real VS Code (code-server 4.139.1 = VS Code
// 1.139.1, real workbench in Chromium, real Node extension host). In order:
//   1. installs code-server (pinned, cached by version outside the repo) and Chromium,
//   2. `npm run package` builds dist/ and dist/isoscope.vsix,
//   3. installs the .vsix into an isolated code-server with its own CLI, plus the fixture
//      extensions the suite needs (test/fixtures/vscode-dart-adapter-ext),
//   4. runs the mocha suite (test/vscode/suite) inside the extension host,
//   5. runs the Playwright UI test against the installed .vsix in the same code-server.
// Writes `{passed, failed, skipped, failedNames, skippedNames}` to $ISOSCOPE_COUNTS_FILE.
// Never hangs: every phase has a timeout and the whole run has one, after which it fails loudly.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureCodeServer } from '../../scripts/setup/code-server.mjs';
import { Counts } from './harness/counts.mjs';
import { installVsix, prepareRunDir, startCodeServer } from './harness/code-server-instance.mjs';
import { installFixtureExtensions } from './harness/fixture-extensions.mjs';
import { runExtensionHostSuite } from './harness/extension-host-suite.mjs';
import { runInspectorUiTest } from './ui/inspector-ui.mjs';

const repo = resolve(import.meta.dirname, '..', '..');
const workspace = join(repo, 'test', 'fixtures', 'vscode-workspace');
const vsixPath = join(repo, 'dist', 'isoscope.vsix');
const OVERALL_TIMEOUT_MS = 20 * 60_000;
const SUITE_TIMEOUT_MS = 8 * 60_000;

const counts = new Counts();
const countsFile = process.env.ISOSCOPE_COUNTS_FILE;
let server = null;
let runDir = null;

function writeCounts() {
  const json = JSON.stringify(counts.toJSON());
  if (countsFile) writeFileSync(countsFile, json + '\n');
  console.log(`vscode: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
}

async function finish(code) {
  if (server) await server.stop().catch((err) => console.log(`(stopping code-server: ${err.message})`));
  if (runDir && code === 0) rmSync(runDir, { recursive: true, force: true });
  else if (runDir) console.log(`code-server run folder kept for inspection: ${runDir}`);
  writeCounts();
  process.exit(code);
}

async function main() {
  process.chdir(repo);
  mkdirSync(join('test-results', 'vscode'), { recursive: true });
  let codeServer;
  try {
    codeServer = ensureCodeServer();
  } catch (err) {
    counts.fail('setup: install code-server, Node 24, libkrb5-dev, chromium', err.message);
    return finish(1);
  }

  const packaged = await counts.check('package: npm run package builds dist/isoscope.vsix', () => {
    rmSync(vsixPath, { force: true });
    const r = spawnSync('npm', ['run', 'package', '--silent'], { encoding: 'utf8', timeout: 300_000 });
    if (r.status !== 0) throw new Error(`npm run package exited ${r.status ?? r.signal}:\n${r.stdout}${r.stderr}`);
    if (!existsSync(vsixPath)) throw new Error(`npm run package succeeded but ${vsixPath} is missing`);
  });

  runDir = mkdtempSync(join(tmpdir(), 'isoscope-vscode-'));
  const dirs = prepareRunDir(runDir);
  const installed =
    packaged &&
    (await counts.check('vsix: code-server --install-extension installs isoscope.vsix', () => {
      installVsix({ ...codeServer, dirs, vsixPath });
      const folders = readdirSync(dirs.extensions).filter((n) => n.startsWith('isoscope.isoscope-'));
      if (folders.length !== 1) throw new Error(`expected one isoscope extension folder, found ${folders}`);
      if (!existsSync(join(dirs.extensions, folders[0], 'dist', 'extension.cjs')))
        throw new Error('the installed extension has no dist/extension.cjs');
    }));

  // The suite's Dart-Code session test needs a debugger type that announces a VM service.
  await counts.check('fixture: the test Dart debug adapter extension installs into code-server', () =>
    installFixtureExtensions({ repo, codeServer, dirs, runDir }),
  );

  try {
    server = await startCodeServer({ ...codeServer, dirs });
  } catch (err) {
    counts.fail('code-server: start and answer /healthz', err.message);
    return finish(1);
  }
  console.log(`code-server ${server.url} (run folder ${runDir})`);

  console.log('\n--- extension-host suite (mocha, inside VS Code) ---');
  const suite = await runExtensionHostSuite({
    server,
    extensionDir: repo,
    testsIndex: join(repo, 'dist', 'test', 'vscode', 'index.js'),
    workspace,
    runDir,
    timeoutMs: SUITE_TIMEOUT_MS,
  });
  if (suite.results) counts.merge(suite.results, 'extension host › ');
  if (!suite.results || suite.why)
    counts.fail('extension-host suite', suite.why ?? `it exited ${suite.exitCode} without reporting results`);
  else if (suite.exitCode !== 0 && suite.results.failed === 0)
    counts.fail('extension-host suite', `exit code ${suite.exitCode} although no test failed`);

  console.log('\n--- Playwright UI test (installed .vsix) ---');
  if (!installed) counts.fail('ui: inspector UI test', 'not run: the .vsix was not installed (see above)');
  else await runInspectorUiTest({ server, workspace, repo, counts });

  const ok = counts.failed === 0 && counts.skipped === 0 && counts.passed > 0;
  return finish(ok ? 0 : 1);
}

const overall = setTimeout(() => {
  counts.fail('vscode stage', `did not finish within ${OVERALL_TIMEOUT_MS / 60_000} minutes; killed`);
  finish(1);
}, OVERALL_TIMEOUT_MS);
main()
  .catch((err) => {
    counts.fail('vscode stage', err instanceof Error ? (err.stack ?? err.message) : String(err));
    return finish(1);
  })
  .finally(() => clearTimeout(overall));
