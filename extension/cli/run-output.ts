/**
 * What `isoscope run` writes to stderr: the live one-line status (TTY only, ~4 Hz) and the
 * summary at exit. The program's own stdout is never touched.
 */
import { relative } from 'node:path';
import type { Report } from '../../protocol';
import type { IsolateModel } from '../core/model/model';
import { formatBytes, formatCount, formatCountOf } from '../core/model/format';
import { deepestQueue, largestMessageBytes } from '../core/report/gates';

/** Starts the status line on a TTY; returns a function that stops it and clears the line. */
export function startStatusLine(model: IsolateModel, stream: NodeJS.WriteStream): () => void {
  if (!stream.isTTY) return () => undefined;
  const draw = (): void => {
    const t = model.liveTotals();
    const deepest = t.deepest && t.deepest.depth > 0 ? `${formatCount(t.deepest.depth)} (${t.deepest.name})` : '0';
    const line =
      `isoscope: ${t.running} isolate${t.running === 1 ? '' : 's'} · ${formatCount(t.msgsPerSec)} msgs/s · ` +
      `${(t.bytesCopiedPerSec / 1e6).toFixed(1)} MB/s copied · deepest queue ${deepest}`;
    const width = stream.columns || 120;
    stream.write(`\r\x1b[2K${line.length > width - 1 ? `${line.slice(0, width - 2)}…` : line}`);
  };
  const timer = setInterval(draw, 250);
  timer.unref();
  return () => {
    clearInterval(timer);
    stream.write('\r\x1b[2K');
  };
}

function where(file: string | null, line: number | null, cwd: string): string {
  if (file === null) return '(no source location)';
  const rel = file.startsWith('/') ? relative(cwd, file) : file;
  return `${rel.startsWith('..') ? file : rel}:${line ?? '?'}`;
}

/** The human summary printed at exit: isolates, traffic, largest message, deepest queue, top findings, gates. */
export function summaryLines(report: Report, cwd: string, topN = 5): string[] {
  const workers = report.isolates.filter((i) => i.kind === 'worker').length;
  const msgs = report.channels.reduce((n, c) => n + c.sent, 0);
  const copied = report.channels.reduce((n, c) => n + c.bytesCopied, 0);
  const deepest = deepestQueue(report);
  const deepIso = [...report.isolates].sort((a, b) => b.maxQueueDepth - a.maxQueueDepth)[0];
  const lines = [
    `${formatCountOf(report.isolates.length, 'isolate')} (${formatCountOf(workers, 'worker')}), ${formatCountOf(msgs, 'message')}, ${formatBytes(copied)} copied; ` +
      `largest message ${formatBytes(largestMessageBytes(report))}; deepest queue ${formatCount(deepest)}` +
      (deepIso && deepIso.maxQueueDepth > 0 ? ` (${deepIso.name})` : ''),
  ];
  if (report.findings.length === 0) lines.push('no findings');
  else {
    lines.push(`${formatCountOf(report.findings.length, 'finding')}:`);
    for (const f of report.findings.slice(0, topN)) {
      lines.push(`  ${f.severity} ${f.rule} at ${where(f.file, f.line, cwd)}: ${f.message}`);
      lines.push(`    fix: ${f.suggestion}`);
    }
    if (report.findings.length > topN) lines.push(`  … and ${report.findings.length - topN} more in the report`);
  }
  const drops = report.drops;
  if (drops && (drops.framesRejected || drops.agentRecordsDropped)) {
    lines.push(`dropped: ${drops.framesRejected} frames refused, ${drops.agentRecordsDropped} agent records dropped`);
  }
  if (drops?.channelsNotCounted) {
    lines.push(
      `not counted: ${formatCountOf(drops.channelsNotCounted, 'one-way channel')} past the agent's table of 4,096 per process ` +
        '(every MessageChannel takes two, and slots are not reused)',
    );
  }
  for (const g of report.gates ?? []) {
    const fmt = g.name === 'max-message-bytes' ? formatBytes : formatCount;
    lines.push(`gate ${g.name}: ${fmt(g.actual)} vs limit ${fmt(g.limit)} — ${g.passed ? 'passed' : 'FAILED'}`);
  }
  return lines;
}
