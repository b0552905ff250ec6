// What the tests expect from the demo workload, read from its source rather than hard-coded so
// they follow the demo: worker names from its `spawn('name', …)` calls, and the finding's line
// from the line marked `DEMO-OVERSIZED-SEND` (the copy the model must flag).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Expectations for the demo; throws a clear error when the demo does not provide them. */
export function demoExpectations(repo) {
  const source = join(repo, 'examples', 'node', 'demo.ts');
  const text = readFileSync(source, 'utf8');
  const workerNames = [...new Set([...text.matchAll(/\bspawn\('([^'$`]+)'/g)].map((m) => m[1]))];
  const findingIndex = text.split('\n').findIndex((l) => l.includes('DEMO-OVERSIZED-SEND'));
  if (workerNames.length === 0 || findingIndex < 0)
    throw new Error(`${source} has no spawn('name', …) workers or no line marked DEMO-OVERSIZED-SEND`);
  return { launcher: 'run-demo.js', workerNames, findingFileName: 'demo.ts', findingLine: findingIndex + 1, source };
}
