// The language server as a real process over stdio on a workspace too big for one TypeScript
// program in a 250 MB heap: the start-up scan analyzes files that are not open in batches, each
// leaving the program once analyzed, so the server stays up and every file gets its diagnostics.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ANALYSIS_STATS_METHOD, type AnalysisStatsResult } from '../../protocol';
import { startLsp, type LspSession } from '../helpers/lsp-client';
import { waitFor } from '../helpers/wait-for';

const ws = mkdtempSync(join(tmpdir(), 'isoscope-ls-scale-'));
const FILES = 300;
let lsp: LspSession;
let exit: string | null = null;

const SEND = `import { Worker } from 'node:worker_threads';
export function send(w: Worker) {
  const b = new Float64Array(65536);
  w.postMessage({ b });
}
`;

before(async () => {
  // 300 files of 800 declarations each (~14 KB): one program over all of them ran the server out
  // of a 250 MB heap during the scan (and 2,000 such files out of Node's default 4 GB).
  for (let d = 0; d < 3; d++) {
    mkdirSync(join(ws, `p${d}`), { recursive: true });
    for (let i = 0; i < FILES / 3; i++) {
      let text = SEND;
      for (let k = 0; k < 800; k++) text += `export const c${k} = ${k};\n`;
      writeFileSync(join(ws, `p${d}`, `m${i}.ts`), text);
    }
  }
  // An open file whose receiver type is declared in a file that is not open.
  writeFileSync(
    join(ws, 'types.ts'),
    `import type { Worker } from 'node:worker_threads';\nexport interface Pool { worker: Worker }\n`,
  );
  lsp = await startLsp(ws, {}, {}, ['--max-old-space-size=250']);
  lsp.child.once('exit', (code, signal) => (exit = `code ${String(code)}, signal ${String(signal)}`));
});
after(async () => {
  if (exit === null) await lsp.close();
  rmSync(ws, { recursive: true, force: true });
});

const stats = async (): Promise<AnalysisStatsResult> => {
  assert.equal(exit, null, `the server exited (${String(exit)})`);
  return (await lsp.connection.sendRequest(ANALYSIS_STATS_METHOD)) as AnalysisStatsResult;
};

test('the start-up scan of 300 files fits a 250 MB heap; files that are not open leave the program', async () => {
  await waitFor('the workspace scan', async () => exit !== null || (await stats()).workspaceScanDone, 600_000);
  const done = await stats();
  assert.ok(done.filesAnalyzed >= FILES + 1, `analyzed ${done.filesAnalyzed}`);
  assert.equal(done.programFiles, 0, 'no file is open: the program holds none of them');
  const last = await lsp.diagnostics(`file://${join(ws, 'p2', `m${FILES / 3 - 1}.ts`)}`, (d) => d.length > 0);
  assert.equal(last[0]?.range.start.line, 3);
});

test('an open file still gets types from a file that is not open', async () => {
  const uri = `file://${join(ws, 'pool.ts')}`;
  await lsp.connection.sendNotification('textDocument/didOpen', {
    textDocument: {
      uri,
      languageId: 'typescript',
      version: 1,
      text: `import type { Pool } from './types';\nexport function go(p: Pool) {\n  const b = new Uint8Array(1 << 20);\n  p.worker.postMessage(b);\n}\n`,
    },
  });
  const d = await lsp.diagnostics(uri, (list) => list.length > 0);
  assert.match(d[0]?.message ?? '', /postMessage on Worker copies b/);
  assert.equal((await stats()).programFiles, 1, 'the open file');
});
