// What the UI test expects from the demo workload. Read from the demo's source, not hard-coded,
// so the test follows the demo: worker names from `name: '…'` options, the finding's line from
// the line marked `// isoscope-demo: oversized` (the send the model must flag).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Expectations for the UI test; throws a clear error when the demo does not provide them. */
export function demoExpectations(repo) {
  const source = join(repo, 'examples', 'node', 'demo.ts');
  const text = readFileSync(source, 'utf8');
  const lines = text.split('\n');
  const workerNames = [...new Set([...text.matchAll(/\bname:\s*'([^'$`]+)'/g)].map((m) => m[1]))];
  const findingIndex = lines.findIndex((l) => l.includes('isoscope-demo: oversized'));
  if (workerNames.length === 0 || findingIndex < 0)
    throw new Error(`${source} has no named workers or no line marked "isoscope-demo: oversized"`);
  return { launcher: 'run-demo.js', workerNames, findingFileName: 'demo.ts', findingLine: findingIndex + 1, source };
}
