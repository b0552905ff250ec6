// `npm run test:vscode-desktop`: the same extension-host suite in VS Code desktop through
// @vscode/test-electron, for machines that can download VS Code (not these: no network, so
// `npm test` runs the suite in code-server instead, see run-code-server.mjs).
import { join, resolve } from 'node:path';
import { runTests } from '@vscode/test-electron';

const repo = resolve(import.meta.dirname, '..', '..');
try {
  await runTests({
    extensionDevelopmentPath: repo,
    extensionTestsPath: join(repo, 'dist', 'test', 'vscode', 'index.js'),
    launchArgs: [join(repo, 'test', 'fixtures', 'vscode-workspace'), '--skip-welcome', '--disable-workspace-trust'],
  });
} catch (err) {
  console.error(`VS Code desktop tests failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
