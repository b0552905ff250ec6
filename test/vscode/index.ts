/**
 * The extension-host test entry: the standard `run()` that `@vscode/test-electron` (desktop) and
 * the code-server runner (here) both call. Runs every `suite/*.test.js` next to this file with
 * mocha, and records per-test results for `npm test`'s counts: as a JSON file when the runner
 * passed `ISOSCOPE_TEST_RESULTS_FILE`, and always as one marked console line.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';

const RESULTS_MARKER = 'ISOSCOPE_MOCHA_RESULTS ';

interface SuiteResults {
  passed: number;
  failed: number;
  skipped: number;
  failedNames: string[];
  skippedNames: string[];
}

/** Runs the suite; rejects when any test failed (that is how the host learns the exit code). */
export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 120_000, reporter: 'spec' });
  const suiteDir = join(__dirname, 'suite');
  for (const name of readdirSync(suiteDir).sort()) {
    if (name.endsWith('.test.js')) mocha.addFile(join(suiteDir, name));
  }
  const results: SuiteResults = { passed: 0, failed: 0, skipped: 0, failedNames: [], skippedNames: [] };
  const failures = await new Promise<number>((resolve) => {
    const runner = mocha.run(resolve);
    runner.on('pass', () => results.passed++);
    runner.on('fail', (test: Mocha.Runnable, err: Error) => {
      results.failed++;
      results.failedNames.push(`${test.fullTitle()}: ${err.message.split('\n')[0]}`);
    });
    runner.on('pending', (test: Mocha.Test) => {
      results.skipped++;
      results.skippedNames.push(test.fullTitle());
    });
  });
  const json = JSON.stringify(results);
  const file = process.env.ISOSCOPE_TEST_RESULTS_FILE;
  if (file) writeFileSync(file, json);
  console.log(RESULTS_MARKER + json);
  if (failures > 0) throw new Error(`${failures} extension-host test(s) failed`);
}
