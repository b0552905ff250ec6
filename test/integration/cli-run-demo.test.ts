import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Report } from '../../protocol';
import { repoRoot, runCli, type CliResult } from '../helpers/run-cli';

interface DemoSummary {
  counts: Record<string, { sent: number; received: number }>;
  framesSent: number;
  frameBytes: number;
  oneShots: number;
  flood: { handled: number; maxDepth: number; delayMsP95: number; delayMsMax: number };
}

let dir: string;
let run: CliResult;
let report: Report;
let demo: DemoSummary;
const demoTs = join(repoRoot, 'examples', 'node', 'demo.ts');

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'isoscope-cli-demo-'));
  const reportPath = join(dir, 'report.json');
  run = await runCli(['run', '--report', reportPath, '--', process.execPath, 'dist/examples/node/demo.js'], {
    env: { DEMO_SECONDS: '4' },
  });
  report = JSON.parse(readFileSync(reportPath, 'utf8')) as Report;
  const line = run.stdout.split('\n').find((l) => l.startsWith('DEMO_SUMMARY '));
  assert.ok(line, `demo summary missing from stdout: ${run.stdout.slice(0, 500)}\n${run.stderr}`);
  demo = JSON.parse(line.slice('DEMO_SUMMARY '.length)) as DemoSummary;
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('demo run: exit 0, the program owns stdout, Isoscope speaks on stderr', () => {
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(
    run.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(' ')[0]),
    ['DEMO_SUMMARY'],
  );
  assert.match(run.stderr, /inspector at http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{24}\//);
  assert.match(run.stderr, /exited with code 0/);
  assert.match(run.stderr, /report written to/);
});

test('demo run: the report lists every worker by name with the counts the app counted', () => {
  assert.equal(report.schema, 'isoscope-report/1');
  const byName = new Map(report.isolates.map((i) => [i.name, i]));
  const workers = Object.keys(demo.counts).filter((n) => n !== 'main');
  assert.ok(workers.length >= 7 + demo.oneShots - 1);
  assert.ok(workers.includes('<img src=x onerror=alert(1)>'));
  for (const name of workers) {
    const iso = byName.get(name);
    assert.ok(iso, `worker '${name}' missing from the report`);
    assert.equal(iso.kind, 'worker');
    assert.equal(iso.messagesSent, demo.counts[name]!.sent, `${name} sent`);
    assert.equal(iso.messagesReceived, demo.counts[name]!.received, `${name} received`);
    assert.notEqual(iso.exitedAtMs, null, `${name} should have exited`);
  }
  const main = report.isolates.find((i) => i.kind === 'main')!;
  assert.equal(main.messagesSent, demo.counts.main!.sent);
  assert.equal(main.messagesReceived, demo.counts.main!.received);
});

test('demo run: the oversized send is a finding at the original .ts line, with the transfer fix', () => {
  const line =
    readFileSync(demoTs, 'utf8')
      .split('\n')
      .findIndex((l) => l.includes('DEMO-OVERSIZED-SEND')) + 1;
  const f = report.findings.find((x) => x.rule === 'oversized-message');
  assert.ok(f, JSON.stringify(report.findings));
  assert.equal(f.file, demoTs);
  assert.equal(f.line, line);
  assert.ok(f.bytes >= demo.frameBytes);
  assert.equal(f.count, demo.framesSent);
  assert.match(f.suggestion, /transfer list/);
  const site = report.callSites.find((s) => s.file === demoTs && s.line === line);
  assert.ok(site);
  assert.equal(site.sends, demo.framesSent);
  assert.ok(site.transferableBytes >= demo.framesSent * demo.frameBytes);
  assert.match(run.stderr, /oversized-message at examples\/node\/demo\.ts:\d+/);
});

test('demo run (flood): max queue depth and delay match the app’s own measurement', () => {
  const sink = report.isolates.find((i) => i.name === 'log-sink')!;
  const into = report.channels.filter((c) => c.to === sink.id);
  const maxDepth = Math.max(...into.map((c) => c.maxDepth));
  const delayMax = Math.max(...into.map((c) => c.queueDelayMsMax));
  const delayP95 = Math.max(...into.map((c) => c.queueDelayMsP95));
  // The app sees depth at delivery (posted − handled); the agent also counts sends still in flight.
  assert.ok(
    Math.abs(maxDepth - demo.flood.maxDepth) <= demo.flood.maxDepth * 0.05,
    `${maxDepth} vs ${demo.flood.maxDepth}`,
  );
  assert.ok(sink.maxQueueDepth >= maxDepth);
  assert.ok(
    Math.abs(delayMax - demo.flood.delayMsMax) <= Math.max(20, demo.flood.delayMsMax * 0.1),
    `${delayMax} vs ${demo.flood.delayMsMax}`,
  );
  assert.ok(
    Math.abs(delayP95 - demo.flood.delayMsP95) <= Math.max(20, demo.flood.delayMsP95 * 0.15),
    `${delayP95} vs ${demo.flood.delayMsP95}`,
  );
  const backlog = report.findings.find((f) => f.rule === 'queue-backlog' && f.isolateId === sink.id);
  assert.ok(backlog, 'the flooded worker should have a queue-backlog finding');
  assert.equal(backlog.file, demoTs);
  // The one-shot workers, one per job from the same spawn line: worker churn. (Each lives tens of
  // ms; a start delayed past 1 s on a loaded machine would not count, hence the lower bound.)
  const churn = report.findings.find((f) => f.rule === 'worker-churn');
  assert.ok(churn, `no worker-churn finding: ${report.findings.map((f) => f.rule).join(', ')}`);
  assert.deepEqual([churn.file, churn.line], [backlog.file, backlog.line], 'the line that starts every demo worker');
  assert.ok(churn.count! <= demo.oneShots && churn.count! >= Math.min(10, demo.oneShots), `${churn.count}`);
});
