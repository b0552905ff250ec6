import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeReportFile } from '../../extension/cli/write-report';
import { IsolateModel } from '../../extension/core/model/model';
import { session, start } from '../helpers/records';

function report() {
  const model = new IsolateModel();
  model.openSession(session());
  model.ingest('node:1', start('0', 'main'));
  return model.toReport();
}

/** The fallback file named in the lines `writeReportFile` said, read back. */
async function fallbackOf(lines: string[]): Promise<{ path: string; text: string }> {
  const said = lines.find((l) => l.startsWith('report saved instead to '));
  assert.ok(said, lines.join('\n'));
  const path = said.slice('report saved instead to '.length).replace(/ \(.*\)$/, '');
  assert.ok(path.startsWith(tmpdir()), path);
  const text = await readFile(path, 'utf8');
  await rm(path);
  return { path, text };
}

test('the report goes to a new nested directory, created level by level', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'isoscope-report-test-'));
  try {
    const lines: string[] = [];
    const path = join(dir, 'a', 'b', 'c', 'report.json');
    assert.equal(await writeReportFile(path, report(), (l) => lines.push(l)), true);
    assert.equal(JSON.parse(await readFile(path, 'utf8')).isolates.length, 1);
    assert.deepEqual(lines, [`report written to ${path} (1 isolate, 0 findings)`]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a report path under procfs fails with a clear line (Node's recursive mkdir loops there) and the report is saved in tmp", async () => {
  const lines: string[] = [];
  assert.equal(await writeReportFile('/proc/isoscope-nope/report.json', report(), (l) => lines.push(l)), false);
  assert.match(lines[0]!, /^could not write the report to \/proc\/isoscope-nope\/report\.json: /);
  const saved = await fallbackOf(lines);
  assert.equal(JSON.parse(saved.text).schema, 'isoscope-report/1');
});

test('a report path through a file fails (it is not a directory) and the report is saved in tmp', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'isoscope-report-test-'));
  try {
    await writeFile(join(dir, 'file'), 'x');
    const lines: string[] = [];
    assert.equal(await writeReportFile(join(dir, 'file', 'sub', 'r.json'), report(), (l) => lines.push(l)), false);
    assert.match(lines[0]!, /\/file exists and is not a directory$/);
    assert.equal(JSON.parse((await fallbackOf(lines)).text).isolates.length, 1);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
