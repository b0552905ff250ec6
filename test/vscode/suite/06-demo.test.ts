/**
 * The demo workload (examples/node/demo.ts, built to dist/examples/node/demo.js with source maps)
 * through `Isoscope: Profile Node Program…`: its named workers in the tree, and the oversized
 * frame copy as a diagnostic at the demo's TypeScript line.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isoscope, repoRoot, waitFor } from '../helpers';

/** Worker names from the demo's `spawn('name', …)` calls and the line marked DEMO-OVERSIZED-SEND. */
function expectations(): { workerNames: string[]; demoTs: string; oversizedLine: number } {
  const demoTs = path.join(repoRoot(), 'examples', 'node', 'demo.ts');
  const text = readFileSync(demoTs, 'utf8');
  const workerNames = [...new Set([...text.matchAll(/\bspawn\('([^'$`]+)'/g)].map((m) => m[1]!))];
  const oversizedLine = text.split('\n').findIndex((l) => l.includes('DEMO-OVERSIZED-SEND')) + 1;
  assert.ok(workerNames.length > 0 && oversizedLine > 0, `${demoTs} lost its named workers or its marker`);
  return { workerNames, demoTs, oversizedLine };
}

describe('the demo, profiled from VS Code', () => {
  it('Profile Node Program runs the demo and the Isolates tree shows its named workers', async () => {
    const api = await isoscope();
    const { workerNames } = expectations();
    const demoJs = path.join(repoRoot(), 'dist', 'examples', 'node', 'demo.js');
    const launch = await vscode.commands.executeCommand<{ terminal: vscode.Terminal | null } | null>(
      'isoscope.profileNodeProgram',
      vscode.Uri.file(demoJs),
    );
    assert.ok(launch, 'the command started the demo');
    await waitFor(`the demo's workers (${workerNames.join(', ')}) in the tree`, () => {
      const labels = api.treeProvider
        .getChildren()
        .flatMap((s) => api.treeProvider.getChildren(s))
        .map((n) => String(api.treeProvider.getTreeItem(n).label));
      return workerNames.every((n) => labels.includes(n)) && labels.some((l) => l.startsWith('resize-pool-'));
    });
  });

  it('the oversized frame copy is a diagnostic at the demo.ts line (through the source map)', async () => {
    await isoscope();
    const { demoTs, oversizedLine } = expectations();
    const diagnostic = await waitFor('an oversized-message diagnostic in demo.ts', () =>
      vscode.languages
        .getDiagnostics(vscode.Uri.file(demoTs))
        .find(
          (d) =>
            d.source === 'isoscope' && (typeof d.code === 'object' ? d.code.value : d.code) === 'oversized-message',
        ),
    );
    assert.equal(diagnostic.range.start.line + 1, oversizedLine, diagnostic.message);
    assert.match(diagnostic.message, /MiB|KiB/, 'the message says how much was copied');
  });
});
