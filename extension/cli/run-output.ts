/**
 * What `isoscope run` writes to stderr: the live one-line status on a terminal and the summary at
 * exit (`isoscope connect` prints the same summary when it detaches).
 * The program's own output is never touched: the status lives on the terminal's bottom row,
 * which a scroll region keeps the program's output out of, and nothing else is ever erased.
 */
import { closeSync } from 'node:fs';
import { relative } from 'node:path';
import { isatty } from 'node:tty';
import stringWidth from 'string-width';
import { visibleControls, type Report } from '../../protocol';
import type { IsolateModel } from '../core/model/model';
import { formatBytes, formatCount, formatCountOf } from '../core/model/format';
import { deepestQueue, largestMessageBytes } from '../core/report/gates';
import { procStat } from './proc-stat';

/** VT100/xterm sequences the status line uses. */
export const VT = {
  /** DECSC / DECRC: save and restore the cursor position and text style. */
  saveCursor: '\x1b7',
  restoreCursor: '\x1b8',
  /** DECSTBM: scroll only rows top..bottom (the cursor goes home, hence the save/restore). */
  scrollRegion: (top: number, bottom: number): string => `\x1b[${top};${bottom}r`,
  resetScrollRegion: '\x1b[r',
  moveTo: (row: number, column: number): string => `\x1b[${row};${column}H`,
  eraseLine: '\x1b[2K',
  /** IND: down one row, scrolling at the bottom margin; keeps the column (a newline would not). */
  index: '\x1bD',
  cursorUp: '\x1b[1A',
  resetStyle: '\x1b[0m',
} as const;

/** Fewer rows than this and the program keeps the whole terminal (no live line). */
export const MIN_STATUS_ROWS = 4;
const MIN_STATUS_COLUMNS = 20;

/** What the status line needs from its terminal: a tty.WriteStream, or a fake in tests. */
export interface StatusTerminal {
  isTTY?: boolean | undefined;
  rows?: number | undefined;
  columns?: number | undefined;
  write(text: string): unknown;
  on(event: 'resize', listener: () => void): unknown;
  off(event: 'resize', listener: () => void): unknown;
}

/** Options of `startStatusLine`. */
export interface StatusOptions {
  /** False (`--no-status`) turns the line off. */
  enabled?: boolean;
  /** For TERM=dumb. */
  env?: NodeJS.ProcessEnv;
  intervalMs?: number;
}

/**
 * `text` safe to print on a terminal: control characters (escape sequences, tabs and newlines),
 * bidi controls and zero-width characters are shown as their code point, ⟨U+001B⟩, as the
 * inspector shows them (protocol/names.ts). A runtime-provided name cannot move the cursor,
 * restyle or reverse the line, and a worker named "pool\nisoscope: gate … passed" cannot print a
 * line of its own.
 */
export function printable(text: string): string {
  return visibleControls(text);
}

/** The live totals as one line: isolates, msgs/s, copied MB/s, deepest queue. */
export function statusText(model: IsolateModel): string {
  const t = model.liveTotals();
  const deepest = t.deepest && t.deepest.depth > 0 ? `${formatCount(t.deepest.depth)} (${t.deepest.name})` : '0';
  return printable(
    `isoscope: ${t.running} isolate${t.running === 1 ? '' : 's'} · ${formatCount(t.msgsPerSec)} msgs/s · ` +
      `${(t.bytesCopiedPerSec / 1e6).toFixed(1)} MB/s copied · deepest queue ${deepest}`,
  );
}

function usableSize(term: StatusTerminal): boolean {
  return (term.rows ?? 0) >= MIN_STATUS_ROWS && (term.columns ?? 0) >= MIN_STATUS_COLUMNS;
}

/**
 * Starts the live status line on a terminal and returns the function that stops it. It reserves
 * the bottom row: a scroll region over the rows above keeps the program's output (which goes on
 * where the cursor is) out of it, and each redraw saves the cursor, writes that row and restores
 * the cursor, so a prompt or a half-written line is never erased. Stopping (or Ctrl-Z, or an exit)
 * gives the row back. Off when the terminal's size is unknown or tiny, for TERM=dumb, and when not
 * a terminal. After a resize the region is set up again; a copy of the old line may stay behind.
 */
export function startStatusLine(model: IsolateModel, term: StatusTerminal, opts: StatusOptions = {}): () => void {
  const env = opts.env ?? process.env;
  if (opts.enabled === false || !term.isTTY || env.TERM === 'dumb' || !usableSize(term)) return () => undefined;
  let rows = 0; // the bottom row reserved now; 0 while the whole terminal is the program's

  const reserve = (): void => {
    if (!usableSize(term)) return;
    rows = term.rows!;
    // Make room below the cursor, limit scrolling to the rows above the last, and put the cursor
    // back on the same text (one row up when the screen scrolled, which the `cursorUp` covers too).
    term.write(VT.index + VT.saveCursor + VT.scrollRegion(1, rows - 1) + VT.restoreCursor + VT.cursorUp);
  };
  const release = (): void => {
    if (rows === 0) return;
    term.write(VT.saveCursor + VT.resetScrollRegion + VT.moveTo(rows, 1) + VT.eraseLine + VT.restoreCursor);
    rows = 0;
  };
  const draw = (): void => {
    if (rows === 0) return;
    const width = term.columns! - 1; // never the last column: no autowrap on the bottom row
    const line = fitColumns(statusText(model), width);
    term.write(VT.saveCursor + VT.moveTo(rows, 1) + VT.eraseLine + VT.resetStyle + line + VT.restoreCursor);
  };
  const onResize = (): void => {
    if (rows === 0) return;
    if (usableSize(term)) reserve();
    else {
      term.write(VT.saveCursor + VT.resetScrollRegion + VT.restoreCursor);
      rows = 0;
    }
    draw();
  };
  // Ctrl-Z: give the terminal back whole while stopped (the shell uses it), reserve again on `fg`.
  // With no job-control shell to continue it (`ssh -t host isoscope run …`), stopping would be for
  // good: Ctrl-Z is ignored then, as the kernel ignores it for a program there without a handler.
  const onSuspend = (): void => {
    if (!canBeContinued()) return;
    release();
    process.kill(process.pid, 'SIGSTOP');
  };
  const onContinue = (): void => {
    if (rows !== 0) return;
    reserve();
    draw();
  };

  reserve();
  draw();
  const timer = setInterval(draw, opts.intervalMs ?? 250);
  timer.unref();
  term.on('resize', onResize);
  process.on('SIGTSTP', onSuspend);
  process.on('SIGCONT', onContinue);
  process.on('exit', release);
  return () => {
    clearInterval(timer);
    term.off('resize', onResize);
    process.off('SIGTSTP', onSuspend);
    process.off('SIGCONT', onContinue);
    process.off('exit', release);
    release();
  };
}

/**
 * Puts the cursor of a terminal at the start of a line before the summary, without knowing where
 * the program left it: when the program's last output had no newline, the summary would otherwise
 * go on that line. A full row of spaces ends on the same row when the cursor was at its start (the
 * terminal holds the wrap at the last column, and CR cancels it) and wraps to the next row
 * otherwise; CR and erase-line then leave a clean start. The same trick as zsh's PROMPT_SP. Only on
 * a terminal that is not TERM=dumb and whose width is known.
 */
export function startOnFreshLine(term: StatusTerminal, env: NodeJS.ProcessEnv = process.env): void {
  const columns = term.columns ?? 0;
  if (!term.isTTY || env.TERM === 'dumb' || columns < 2) return;
  try {
    term.write(VT.resetStyle + ' '.repeat(columns) + '\r' + VT.eraseLine);
  } catch {
    // Like `sayTo`: a hung-up terminal must not keep the report from being written.
  }
}

/**
 * Best-effort `isoscope: …` lines on `stream` (stderr): a closed pipe (EPIPE) or a hung-up
 * terminal (EIO) must not take the run down, or keep the report from being written.
 */
export function sayTo(stream: NodeJS.WritableStream): (line: string) => void {
  // Safe to ignore: these lines are informational, and there is nowhere left to report them.
  stream.on('error', () => undefined);
  return (line) => {
    try {
      stream.write(`isoscope: ${printable(line)}\n`);
    } catch {
      // A synchronous write error (e.g. EBADF): the same as above.
    }
  };
}

/** Which of stdin, stdout and stderr are terminals now. */
export function stdioTerminals(): boolean[] {
  return [0, 1, 2].map((fd) => isatty(fd));
}

/**
 * After the terminal hung up: closes the stdio descriptors that were terminals (`wereTerminals`,
 * from `stdioTerminals()` at start) and are not any more. At exit Node resets each stdio terminal's
 * mode and aborts (SIGABRT) when that fails on a hung-up one (Node 20); it skips a closed descriptor.
 * Call it last: nothing can be printed on those descriptors afterwards (nobody would see it).
 */
export function releaseHungUpTerminals(wereTerminals: boolean[]): void {
  const now = stdioTerminals();
  for (const fd of [0, 1, 2]) {
    if (!wereTerminals[fd] || now[fd]) continue;
    try {
      closeSync(fd);
    } catch {
      // Already closed: that is all this wanted.
    }
  }
}

function where(file: string | null, line: number | null, cwd: string): string {
  if (file === null) return '(no source location)';
  const rel = file.startsWith('/') ? relative(cwd, file) : file;
  return `${rel.startsWith('..') ? file : rel}:${line ?? '?'}`;
}

/** The warning for a run in which no agent connected (the report holds no data). */
export const NOT_PROFILED =
  'no Node process connected to Isoscope, so nothing was profiled: the command is not a Node program, ' +
  'or it (or a wrapper) dropped the agent from NODE_OPTIONS (e.g. env -u NODE_OPTIONS)';

/**
 * Why nothing was profiled, as best the CLI can tell: a program killed by a signal early may have
 * died before the agent connected, which is likelier than a dropped NODE_OPTIONS.
 */
export function notProfiledText(end: CommandEnd & { kind: 'exit' }, startedAtMs: number): string {
  if (end.signal === null) return NOT_PROFILED;
  return (
    `no Node process connected to Isoscope before the program was killed by ${end.signal} ` +
    `${((end.atMs - startedAtMs) / 1000).toFixed(1)} s in: it may have died before the agent connected; ` +
    'otherwise the command is not a Node program, or it (or a wrapper) dropped the agent from NODE_OPTIONS'
  );
}

/** How the profiled command ended, as the CLI saw it. */
export type CommandEnd =
  | { kind: 'exit'; code: number | null; signal: string | null; atMs: number }
  | { kind: 'spawn-error'; error: { message: string }; atMs: number };

/** "node app.js exited with code 0 after 1.2 s": the terminal's line and the page's banner both say it so. */
export function endedText(command: string[], end: CommandEnd & { kind: 'exit' }, startedAtMs: number): string {
  const how = end.signal ? `was killed by ${end.signal}` : `exited with code ${end.code}`;
  return `${command.join(' ')} ${how} after ${((end.atMs - startedAtMs) / 1000).toFixed(1)} s`;
}

/**
 * The inspector page's banner once the run is over (the server closes next, and the page keeps the
 * last data): how the command ended, and whether anything was profiled at all.
 */
export function endOfRunStatus(
  command: string[],
  end: CommandEnd,
  startedAtMs: number,
  profiled: boolean,
): { text: string; level: 'info' | 'warning' | 'error' } {
  if (end.kind === 'spawn-error')
    return { text: `The run ended: '${command[0]}' could not start (${end.error.message}).`, level: 'error' };
  const ended = endedText(command, end, startedAtMs);
  if (!profiled) {
    return { text: `The run ended: ${ended}. Warning: ${notProfiledText(end, startedAtMs)}.`, level: 'warning' };
  }
  return {
    text: `The run ended: ${ended}. This is the final data; the inspector has stopped.`,
    level: end.signal !== null || end.code !== 0 ? 'warning' : 'info',
  };
}

/**
 * The human summary printed at exit: isolates, traffic, largest message, deepest queue, top
 * findings, gates. `profiled: false` says that the gates failed for want of data.
 */
export function summaryLines(report: Report, cwd: string, opts: { topN?: number; profiled?: boolean } = {}): string[] {
  const topN = opts.topN ?? 5;
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
    const bytes = g.name === 'max-message-bytes';
    // Exact bytes when the rounded sizes would read the same (2.0 KiB vs limit 2.0 KiB, failed).
    const exact = bytes && formatBytes(g.actual) === formatBytes(g.limit) && g.actual !== g.limit;
    const fmt = exact ? (n: number) => formatCountOf(n, 'byte') : bytes ? formatBytes : formatCount;
    lines.push(
      opts.profiled === false
        ? `gate ${g.name}: no data (no Node process was profiled) — FAILED`
        : `gate ${g.name}: ${fmt(g.actual)} vs limit ${fmt(g.limit)} — ${g.passed ? 'passed' : 'FAILED'}`,
    );
  }
  return lines;
}

/**
 * Whether a stopped Isoscope could be continued by a job-control shell: its process group has a
 * parent in another group of the same session (a shell's job; `npm start` puts npm and a shell in
 * the group above Isoscope). A session leader's or an orphaned group's stop would last until
 * someone sends SIGCONT by hand. True where it cannot be told.
 */
export function canBeContinued(): boolean {
  const self = procStat(process.pid);
  if (self === null) return true;
  if (self.session === process.pid) return false;
  let above = procStat(self.ppid);
  for (let hops = 0; above !== null && above.pgrp === self.pgrp && above.ppid > 1 && hops < 64; hops++) {
    above = procStat(above.ppid);
  }
  if (above === null) return true;
  return above.session === self.session && above.pgrp !== self.pgrp;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * `text` cut to at most `columns` terminal columns, ending in `…` when cut: wide characters (CJK,
 * emoji) take two columns, and a cut never splits a character or a combined sequence.
 */
export function fitColumns(text: string, columns: number): string {
  if (stringWidth(text) <= columns) return text;
  let out = '';
  let used = 0;
  for (const { segment } of graphemes.segment(text)) {
    const w = stringWidth(segment);
    if (used + w > columns - 1) break;
    out += segment;
    used += w;
  }
  return `${out}…`;
}
