// Type-checks every target with its own tsconfig (lib/types differ per runtime).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const projects = [
  'protocol/tsconfig.json',
  'runtime-agent/node/tsconfig.json',
  'extension/tsconfig.json',
  'extension/vscode/tsconfig.json',
  'webview/tsconfig.json',
  'tsconfig.tools.json',
  'test/vscode/tsconfig.json',
];
let failed = 0;
for (const project of projects) {
  if (!existsSync(project)) throw new Error(`missing ${project}`);
  const r = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', project, '--noEmit'], {
    stdio: 'inherit',
  });
  console.log(`typecheck ${project}: ${r.status === 0 ? 'ok' : 'FAILED'}`);
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
